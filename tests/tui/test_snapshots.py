"""SVG snapshots of the app on the real core, over the real-tools machine of `machine.py`, at
80×24 and 120×36. Deterministic: fixed paths (the machine's fixed root and HOME), fixed ages
(mtimes set relative to the app's injected clock), no cursor blink, animations off, default
theme, every worker done before the capture."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from textual.pilot import Pilot

from tests.layouts import PYENV_VERSIONS
from tests.tui.conftest import machine_app, settle
from tests.tui.machine import Machine

Snap = Callable[..., bool]
RECORDED_WITH = "/root/.pyenv/versions"  # real builds' paths show in a few details

pytestmark = [
    pytest.mark.realpython,
    pytest.mark.skipif(
        str(PYENV_VERSIONS) != RECORDED_WITH,
        reason=f"snapshots were recorded with the CPython builds under {RECORDED_WITH}",
    ),
]
SIZES = pytest.mark.parametrize("size", [(80, 24), (120, 36)], ids=["80x24", "120x36"])


def _then(
    *keys: str, select: str | None = None, tab: str = "envs"
) -> Callable[[Pilot[None]], Awaitable[None]]:
    async def run_before(pilot: Pilot[None]) -> None:
        from venvtui.tui.app import VenvtuiApp

        await settle(pilot)
        app = pilot.app
        assert isinstance(app, VenvtuiApp)
        if tab != "envs":
            app.main.action_show_tab(tab)
            await settle(pilot)
        if select is not None:
            table = app.main.env_table if tab == "envs" else app.main.interp_table
            key = next(k for k in table.records if select in k)
            table.select_key(key)
            await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return run_before


@SIZES
def test_main_screen(snap_compare: Snap, machine: Machine, size: tuple[int, int]) -> None:
    assert snap_compare(machine_app(machine), terminal_size=size, run_before=_then())


@SIZES
def test_broken_env_detail(snap_compare: Snap, machine: Machine, size: tuple[int, int]) -> None:
    assert snap_compare(
        machine_app(machine), terminal_size=size, run_before=_then(select="/legacy/")
    )


def test_zoomed_detail(snap_compare: Snap, machine: Machine) -> None:
    assert snap_compare(
        machine_app(machine), terminal_size=(80, 24), run_before=_then("z", select="/legacy/")
    )


def test_interpreter_detail(snap_compare: Snap, machine: Machine) -> None:
    assert snap_compare(
        machine_app(machine),
        terminal_size=(120, 36),
        run_before=_then(select="linuxbrew", tab="interpreters"),
    )


@SIZES
def test_wizard(snap_compare: Snap, machine: Machine, size: tuple[int, int]) -> None:
    assert snap_compare(machine_app(machine), terminal_size=size, run_before=_then("n"))


def test_repair_confirmation(snap_compare: Snap, machine: Machine) -> None:
    assert snap_compare(
        machine_app(machine), terminal_size=(120, 36), run_before=_then("f", select="/legacy/")
    )


def test_help(snap_compare: Snap, machine: Machine) -> None:
    assert snap_compare(
        machine_app(machine), terminal_size=(80, 24), run_before=_then("question_mark")
    )
