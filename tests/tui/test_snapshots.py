"""SVG snapshots of the app on the demo machine at fixed terminal sizes (deterministic: fixed
data, injected clock, no cursor blink, animations off, default theme)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from textual.pilot import Pilot

from tests.tui.conftest import demo_app, settle
from venvtui.tui.demo import HOME

Snap = Callable[..., bool]


async def _settled(pilot: Pilot[None]) -> None:
    await settle(pilot)


def _then(*keys: str, select: str | None = None) -> Callable[[Pilot[None]], Awaitable[None]]:
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        if select is not None:
            from venvtui.tui.app import VenvtuiApp

            app = pilot.app
            assert isinstance(app, VenvtuiApp)
            app.main.env_table.select_key(select)
            await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return run_before


@pytest.mark.parametrize("size", [(80, 24), (120, 36)], ids=["80x24", "120x36"])
def test_main_screen(snap_compare: Snap, size: tuple[int, int]) -> None:
    assert snap_compare(demo_app(), terminal_size=size, run_before=_settled)


@pytest.mark.parametrize("size", [(80, 24), (120, 36)], ids=["80x24", "120x36"])
def test_broken_env_detail(snap_compare: Snap, size: tuple[int, int]) -> None:
    assert snap_compare(
        demo_app(), terminal_size=size, run_before=_then(select=f"{HOME}/src/legacy/.venv")
    )


def test_interpreter_detail(snap_compare: Snap) -> None:
    assert snap_compare(demo_app(), terminal_size=(120, 36), run_before=_then("2"))


@pytest.mark.parametrize("size", [(80, 24), (120, 36)], ids=["80x24", "120x36"])
def test_wizard(snap_compare: Snap, size: tuple[int, int]) -> None:
    assert snap_compare(demo_app(), terminal_size=size, run_before=_then("n"))


def test_repair_confirmation(snap_compare: Snap) -> None:
    assert snap_compare(
        demo_app(),
        terminal_size=(120, 36),
        run_before=_then("f", select=f"{HOME}/src/legacy/.venv"),
    )


def test_help(snap_compare: Snap) -> None:
    assert snap_compare(demo_app(), terminal_size=(80, 24), run_before=_then("question_mark"))
