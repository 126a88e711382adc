"""Pilot tests of the app's behaviour under slow or failing services: rescan cancels the
previous scan, service errors become notifications (no traceback), quitting does not wait for
a probe still running."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from textual.widgets import Static

from tests.tui.conftest import settle
from tests.tui.stub import StubService, env_row
from venvtui.core.base.errors import ProbeTimeout
from venvtui.tui.app import VenvtuiApp
from venvtui.tui.services import Cancelled
from venvtui.tui.views import Detail, EnvRow, InterpreterRow


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

    def env_detail(self, row: EnvRow, interpreters: Sequence[InterpreterRow] = ()) -> Detail:
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
import sys, threading
from venvtui.tui.app import VenvtuiApp
from tests.tui.stub import StubService

started = threading.Event()

class Hanging(StubService):
    def iter_interpreters(self, cancelled):
        started.set()
        with open(sys.argv[1]) as release:  # blocks until the test opens the FIFO for writing
            release.read()
        print("released", flush=True)
        yield from ()

class App(VenvtuiApp):
    def on_mount(self):
        self.set_interval(0.1, self.quit_once_blocked)
    def quit_once_blocked(self):
        if started.is_set():
            self.exit()

App(Hanging()).run(headless=True)
print("exited", flush=True)
"""


def test_quit_is_immediate_while_a_probe_runs(tmp_path: Path) -> None:
    """The whole process ends on quit although a worker thread is still blocked: the worker
    waits on a FIFO that only this test can release, and the test never releases it."""
    release = tmp_path / "release"
    os.mkfifo(release)
    out = subprocess.run(
        [sys.executable, "-c", QUIT_SCRIPT, str(release)],
        capture_output=True,
        text=True,
        timeout=120,  # a safety net only: an app that waits for the worker never exits
        env={**os.environ, "TEXTUAL_ANIMATIONS": "none"},
        cwd=Path(__file__).resolve().parents[2],
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert "exited" in out.stdout
    assert "released" not in out.stdout
