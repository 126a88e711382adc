"""What the TUI does before its first frame: the modules it leaves for later (the modal screens,
the detail and plan views, the core's models and engines) are not imported by then, the
detail's (empty) chain tree is not mounted yet, and what start-up built is kept out of the
cyclic GC's passes (paused until the first frame). Checked in a fresh process. The modal
screens' styles are read when the first of them opens."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import venvtui
from tests.tui.conftest import settle
from tests.tui.stub import StubService, env_row
from venvtui.tui.app import VenvtuiApp
from venvtui.tui.screens.picker import ColumnPicker
from venvtui.tui.services import Cancelled
from venvtui.tui.views import EnvRow

SRC = Path(venvtui.__file__).parent.parent

# The app on the real core; the scan (which imports the core) starts after the first frame and
# is off here, so what is imported is exactly what the first frame needed.
_PROBE = r"""
import gc, json, sys
from venvtui.tui.app import VenvtuiApp

class Probe(VenvtuiApp):
    def on_mount(self):
        self.call_after_refresh(self._painted)

    def _painted(self):
        widgets = sorted({type(w).__name__ for w in self.screen.walk_children()})
        print(json.dumps({
            "modules": sorted(sys.modules),
            "widgets": widgets,
            "frozen": gc.get_freeze_count(),
            "collecting": gc.isenabled(),
        }))
        self.exit()

Probe(scan_on_mount=False).run(headless=True, size=(120, 36))
print(json.dumps({"collecting after": gc.isenabled()}))
"""

# Each of these is imported when first used (a key pressed, a row selected, a scan run).
DEFERRED = (
    "venvtui.tui.screens.confirm",
    "venvtui.tui.screens.find_package",
    "venvtui.tui.screens.help",
    "venvtui.tui.screens.picker",
    "venvtui.tui.screens.progress",
    "venvtui.tui.screens.scan_folder",
    "venvtui.tui.screens.whatif",
    "venvtui.tui.screens.wizard",
    "venvtui.tui.commands",
    "venvtui.tui.fixes",
    "venvtui.tui.last_seen",
    "venvtui.tui.views",
    "venvtui.core.base.models",
    "venvtui.core.base.stability",
    "venvtui.core.installed",
    "venvtui.core.layout",
    "venvtui.core.startup",
    "venvtui.core.write",
)


def first_frame(tmp_path: Path, probe: str = _PROBE, **extra: str) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PYTHONPATH"] = str(SRC)
    env.update(extra)
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = {}
    for line in done.stdout.splitlines():
        if line.startswith("{"):
            result.update(json.loads(line))
    assert "modules" in result, done.stdout + done.stderr
    return result


def test_first_frame_leaves_for_later_what_it_does_not_show(tmp_path: Path) -> None:
    result = first_frame(tmp_path)
    modules = set(result["modules"])
    # The probe saw the app's own first-frame modules (the check is not vacuous) ...
    assert {"venvtui.tui.screens.main", "venvtui.tui.widgets.tables"} <= modules
    # ... and none of the deferred ones.
    assert sorted(modules.intersection(DEFERRED)) == []
    # The chain tree comes with the first detail shown; the tables are there.
    assert "ChainTree" not in result["widgets"]
    assert {"EnvTable", "InterpreterTable", "DetailPane"} <= set(result["widgets"])
    # What start-up built (modules, classes) is frozen: no full collection walks it; the
    # cyclic GC waits for the first frame, and collects again once it is drawn.
    assert result["frozen"] > 0
    assert result["collecting"] is False
    assert result["collecting after"] is True


# The app with the last scan's rows painted first (`tui.last_seen`), its scan held back: the
# rows are there in the first frame, read without the engines behind them (the forecast, the
# start-up model, the layout views), which the scan imports next.
_LAST_SEEN_PROBE = r"""
import json, sys
from venvtui.tui.app import VenvtuiApp
from venvtui.tui.screens.main import MainScreen

MainScreen.action_rescan = lambda self: None

class Probe(VenvtuiApp):
    def on_mount(self):
        self.call_after_refresh(self._painted)

    def _painted(self):
        rows = list(self.main.env_table.records.values())
        print(json.dumps({
            "modules": sorted(sys.modules),
            "rows": [[r.path, r.next_break.event if r.next_break else None] for r in rows],
        }))
        self.exit()

Probe(last_seen=True).run(headless=True, size=(120, 36))
"""

ENGINES = (
    "venvtui.core.breaks.forecast",
    "venvtui.core.breaks.events",
    "venvtui.core.breaks.health",
    "venvtui.core.startup.model",
    "venvtui.core.layout.view",
    "venvtui.core.base.stability",
    "venvtui.tui.views",
)


def test_the_last_scans_rows_are_painted_without_the_engines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from venvtui.core.breaks.status import Forecast
    from venvtui.tui import last_seen

    cache = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    brk = Forecast(event="`pyenv uninstall 3.12.1`", kind="uninstall", result="broken", why="x")
    row = dataclasses.replace(env_row("/home/dev/p/.venv"), next_break=brk)
    assert last_seen.save([], [row])
    result = first_frame(tmp_path, _LAST_SEEN_PROBE, XDG_CACHE_HOME=str(cache))
    # the rows were read (the check is not vacuous) ...
    assert result["rows"] == [["/home/dev/p/.venv", brk.event]]
    # ... and nothing behind them was imported for it
    assert sorted(set(result["modules"]).intersection(ENGINES)) == []


async def test_the_modal_screens_styles_are_read_when_the_first_one_opens() -> None:
    """Not for the first frame: the modal screens' styles are read as the first modal screen
    opens, and style it (centred; its dialog narrow)."""

    class OneEnv(StubService):
        def iter_environments(self, cancelled: Cancelled) -> Iterator[EnvRow]:
            yield env_row("/home/dev/p/.venv")

    app = VenvtuiApp(OneEnv(), cursor_blink=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        modal_css = os.path.abspath(VenvtuiApp.MODAL_CSS)
        assert not app.stylesheet.has_source(modal_css)
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, ColumnPicker)
        assert app.stylesheet.has_source(modal_css)
        styles = app.screen.styles
        assert (styles.align_horizontal, styles.align_vertical) == ("center", "middle")
        dialog = app.screen.query_one("#dialog")
        assert dialog.styles.width is not None and dialog.styles.width.value == 40
        assert dialog.styles.max_width is not None and dialog.styles.max_width.value == 110
        await pilot.press("escape")
        await pilot.press("s")  # read once
        await pilot.pause()
        assert list(app.stylesheet.source).count((modal_css, "")) == 1
