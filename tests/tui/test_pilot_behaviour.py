"""Pilot tests of the app's behaviour under slow or failing services: rescan cancels the
previous scan, service errors become notifications (no traceback), quitting does not wait for
a probe still running."""

from __future__ import annotations

import time
from collections.abc import Iterator

from textual.widgets import Static

from tests.tui.conftest import settle
from tests.tui.stub import StubService, env_row
from venvtui.core.errors import ProbeTimeout
from venvtui.tui.app import VenvtuiApp
from venvtui.tui.services import Cancelled
from venvtui.tui.views import Detail, EnvRow


class SlowService(StubService):
    """Environments trickle in one every 20 ms; each scan tags its rows with its number."""

    def __init__(self) -> None:
        super().__init__()
        self.scans = 0
        self.yielded: dict[int, int] = {}

    def iter_environments(self, cancelled: Cancelled) -> Iterator[EnvRow]:
        self.scans += 1
        scan = self.scans
        for i in range(40):
            if cancelled():
                return
            time.sleep(0.02)
            self.yielded[scan] = i + 1
            yield env_row(f"/scan{scan}/env{i}")


async def test_rescan_cancels_the_previous_scan() -> None:
    service = SlowService()
    app = VenvtuiApp(service, cursor_blink=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0.15)
        assert app.main.scanning
        await pilot.press("ctrl+r")
        await settle(pilot)
        keys = set(app.main.env_table.records)
        latest = service.scans
        assert latest >= 2
        assert service.yielded[1] < 40  # the first scan stopped early
        assert keys == {f"/scan{latest}/env{i}" for i in range(40)}
        assert app.main.env_table.row_count == 40


class FailingService(StubService):
    def iter_environments(self, cancelled: Cancelled) -> Iterator[EnvRow]:
        yield env_row("/home/dev/src/app/.venv")

    def env_detail(self, row: EnvRow) -> Detail:
        raise ProbeTimeout(f"{row.path}/bin/python did not answer in 5 s")


async def test_service_errors_become_notifications() -> None:
    app = VenvtuiApp(FailingService(), cursor_blink=False)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        messages = [n.message for n in app._notifications]
        assert any("did not answer in 5 s" in m and "hint:" in m for m in messages), messages
        assert app.is_running
        title = app.main.query_one("#detail-title", Static)
        assert "details unavailable" in str(title.render())
        await pilot.press("down")
        await settle(pilot)
        assert app.is_running


QUIT_SCRIPT = """
import threading, time
from venvtui.tui.app import VenvtuiApp
from tests.tui.stub import StubService

started = threading.Event()

class Hanging(StubService):
    def iter_interpreters(self, cancelled):
        started.set()
        time.sleep(30)  # a probe that has not timed out yet
        yield from ()

class App(VenvtuiApp):
    def on_mount(self):
        self.set_interval(0.1, self.quit_once_blocked)
    def quit_once_blocked(self):
        if started.is_set():
            self.exit()

App(Hanging()).run(headless=True)
print("exited")
"""


def test_quit_is_immediate_while_a_probe_runs() -> None:
    """The whole process ends at once on quit, although a worker thread is still blocked."""
    import os
    import subprocess
    import sys

    start = time.monotonic()
    out = subprocess.run(
        [sys.executable, "-c", QUIT_SCRIPT],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "TEXTUAL_ANIMATIONS": "none"},
        cwd=os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
    )
    elapsed = time.monotonic() - start
    assert out.returncode == 0, out.stderr[-2000:]
    assert "exited" in out.stdout
    assert elapsed < 15, f"quitting waited for the blocked worker ({elapsed:.1f} s)"
