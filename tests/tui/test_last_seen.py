"""The first frame paints the last scan's rows (dim, said in the status line) while the new
scan runs; the scan replaces the rows it finds again and drops the others when it ends.

Real core, real environments: the oracle for the rows is the completed scan itself.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Static

from tests.layouts import create_venv
from tests.tui.conftest import PinnedService, settle
from venvtui.tui import last_seen
from venvtui.tui.app import VenvtuiApp
from venvtui.tui.services import Cancelled
from venvtui.tui.views import EnvRow, InterpreterRow
from venvtui.tui.widgets.detail import DetailPane

pytestmark = [pytest.mark.realpython]


class GatedService(PinnedService):
    """The real core, whose scans wait until `gate` is set (so a test sees the frames before
    the scan delivers anything)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.gate = threading.Event()
        self.gate.set()

    def iter_interpreters(self, cancelled: Cancelled) -> Iterator[InterpreterRow]:
        self.gate.wait()
        yield from super().iter_interpreters(cancelled)

    def iter_environments(self, cancelled: Cancelled) -> Iterator[EnvRow]:
        self.gate.wait()
        yield from super().iter_environments(cancelled)


def two_envs(python: str, tmp: Path) -> tuple[Path, Path, Path]:
    """A scan root with two real envs: (root, kept, gone)."""
    root = tmp / "envs"
    root.mkdir()
    return root, create_venv(python, root / "kept"), create_venv(python, root / "gone")


async def test_first_frame_shows_the_last_scan_until_the_new_one_ends(
    real_312: str, tool_tmp: Path
) -> None:
    root, kept, gone = two_envs(real_312, tool_tmp)
    service = GatedService([real_312], [str(root)], str(root))

    app = VenvtuiApp(service, cursor_blink=False, last_seen=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        first = dict(app.main.env_table.records)
        interps = dict(app.main.interp_table.records)
    assert set(first) == {str(kept), str(gone)}
    saved = last_seen.load()
    assert saved is not None
    assert {r.key: r for r in saved[1]} == first  # the rows as the scan left them
    assert {r.key: r for r in saved[0]} == {k: r for k, r in interps.items()}

    shutil.rmtree(gone)
    service.gate.clear()
    app = VenvtuiApp(service, cursor_blink=False, last_seen=True)
    async with app.run_test(size=(120, 36)) as pilot:
        for _ in range(1000):  # until the first frame is up and the scan has started
            if app.main.scanning:
                break
            await pilot.pause()
        table = app.main.env_table
        assert table.stale == {str(kept), str(gone)}  # shown before the scan found anything
        assert table.row_count == 2
        status = str(app.main.query_one("#status", Static).render())
        assert "as last seen" in status
        service.gate.set()
        await settle(pilot)
        assert not table.stale and not app.main.interp_table.stale
        assert set(table.records) == {str(kept)}  # the removed env went with the scan's end
        assert table.records[str(kept)] == first[str(kept)]
        assert "as last seen" not in str(app.main.query_one("#status", Static).render())


async def test_without_the_option_nothing_is_read_or_written(real_312: str, tool_tmp: Path) -> None:
    root = tool_tmp / "envs"
    root.mkdir()
    create_venv(real_312, root / "one")
    app = VenvtuiApp(PinnedService([real_312], [str(root)], str(root)), cursor_blink=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert app.main.env_table.row_count == 1
    assert last_seen.load() is None


@pytest.mark.parametrize("junk", [b"", b"{", b"[]", b'{"kind": "venvtui-last-seen"}', b"[" * 99999])
def test_a_corrupt_file_is_ignored(junk: bytes) -> None:
    from venvtui.core.installed import probe_cache

    probe_cache.write_atomic(last_seen.FILE_NAME, {"kind": "x"})
    Path(probe_cache.cache_dir(), last_seen.FILE_NAME).write_bytes(junk)
    assert last_seen.load() is None


class EnvGatedService(GatedService):
    """Interpreters arrive at once; environments wait for `gate`."""

    def iter_interpreters(self, cancelled: Cancelled) -> Iterator[InterpreterRow]:
        yield from PinnedService.iter_interpreters(self, cancelled)


async def test_a_row_as_last_seen_loads_no_detail_until_the_scan_finds_it(
    real_312: str, tool_tmp: Path
) -> None:
    # The selected row was last seen but is gone now: its detail must not be asked for (it
    # would fail) while the row is dim; the scan's real rows get theirs.
    root, kept, gone = two_envs(real_312, tool_tmp)
    service = EnvGatedService([real_312], [str(root)], str(root))
    app = VenvtuiApp(service, cursor_blink=False, last_seen=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
    shutil.rmtree(gone)
    service.gate.clear()
    app = VenvtuiApp(service, cursor_blink=False, last_seen=True)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        for _ in range(1000):  # until the interpreters are in and the envs still wait
            if "interpreters" in app.main.parts_done:
                break
            await pilot.pause()
        assert str(gone) in app.main.env_table.stale
        app.main.select_env(str(gone))
        for _ in range(1000):  # any detail load started for it has ended (none should start)
            if not any(w.name == "detail" and not w.is_finished for w in app.workers):
                break
            await pilot.pause()
        service.gate.set()
        await settle(pilot)
        assert [n.message for n in app._notifications] == []
        app.main.select_env(str(kept))
        await settle(pilot)
        detail = app.main.query_one(DetailPane).detail
        assert detail is not None and detail.key == str(kept)
