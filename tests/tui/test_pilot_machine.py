"""Pilot tests on the real core over the real-tools machine (read-only): navigation and the
detail pane, filter and problems, sorting, zoom, the forecast column, final statuses without
selecting, help, palette, marks and the combined fix dialog, what-if, empty state."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from textual.widgets import TabbedContent

from tests.tui.conftest import machine_app, open_wizard, settle
from tests.tui.machine import Machine, MachineService
from venvtui.tui.app import VenvtuiApp
from venvtui.tui.screens.confirm import ConfirmPlan
from venvtui.tui.screens.help import HelpScreen
from venvtui.tui.widgets.detail import ChainTree, DetailPane
from venvtui.tui.widgets.empty import EmptyState

pytestmark = [pytest.mark.realpython]


def _shown(table: object) -> list[str]:
    from venvtui.tui.widgets.tables import RecordTable

    assert isinstance(table, RecordTable)
    return [table.coordinate_to_cell_key((i, 0)).row_key.value for i in range(table.row_count)]


async def test_selection_updates_the_detail_pane(machine: Machine) -> None:
    app = machine_app(machine)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        main = app.main
        pane = main.query_one(DetailPane)
        assert main.query_one(TabbedContent).active == "envs"
        legacy = str(machine.envs["legacy"])
        main.env_table.select_key(legacy)
        await settle(pilot)
        assert pane.detail is not None and pane.detail.key == legacy
        assert pane.detail.status == "broken"
        # The broken hop is the last node of the chain tree, styled red and named "missing".
        node = main.query_one(ChainTree).root
        while node.children:
            node = node.children[0]
        assert "missing" in node.label.plain
        await pilot.press("2")
        await settle(pilot)
        assert pane.detail is not None and pane.detail.kind == "interpreter"
        first = pane.detail.key
        await pilot.press("down")
        await settle(pilot)
        assert pane.detail.key != first == main.interp_table.records[first].key


async def test_statuses_are_final_without_selecting(machine: Machine) -> None:
    """Every row is confirmed in the background: selecting rows changes no status or count."""
    app = machine_app(machine)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        table = app.main.env_table
        assert all(r.confirmed for r in table.records.values())
        before = {k: r.health for k, r in table.records.items()}
        for key in list(table.records):
            table.select_key(key)
            await settle(pilot)
        after = {k: r.health for k, r in table.records.items()}
        assert before == after
        assert before[str(machine.envs["legacy"])] == "broken"
        assert before[str(machine.envs["tool"])] == "ok"


async def test_forecast_column_shows_the_likeliest_break(machine: Machine) -> None:
    app = machine_app(machine)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        table = app.main.env_table
        tool = table.records[str(machine.envs["tool"])]
        assert tool.next_break is not None
        # virtualenv on pyenv's 3.11.7: `pyenv uninstall 3.11.7` breaks it.
        assert table.forecast_text(tool) == "pyenv rm 3.11 ✗"
        cell = table.get_cell(tool.key, "forecast").plain
        assert cell == "pyenv rm 3.11 ✗"
        # The full text is in the detail.
        table.select_key(tool.key)
        await settle(pilot)
        detail = app.main.query_one(DetailPane).detail
        assert detail is not None
        assert any("pyenv uninstall 3.11.7" in f.event for f in detail.forecast)


async def test_zoom_maximizes_the_whole_detail(machine: Machine) -> None:
    app = machine_app(machine)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.main.env_table.select_key(str(machine.envs["legacy"]))
        await settle(pilot)
        pane = app.main.query_one(DetailPane)
        assert pane.region.height < 15
        await pilot.press("z")
        await settle(pilot)
        assert app.main.maximized is pane
        assert pane.region.height >= 22  # all but the footer
        await pilot.press("escape")
        await settle(pilot)
        assert app.main.maximized is None
        assert app.main.env_table.has_focus
        # ... and from the palette's command.
        next(c for c in app.get_system_commands(app.screen) if c.title == "Zoom detail").callback()
        await settle(pilot)
        assert app.main.maximized is pane


async def test_filter_and_only_problems(machine: Machine) -> None:
    app = machine_app(machine)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        table = app.main.env_table
        total = table.row_count
        assert total == 4
        await pilot.press("slash", *"legacy")
        await settle(pilot)
        assert _shown(table) == [str(machine.envs["legacy"])]
        await pilot.press("escape")
        await settle(pilot)
        assert table.row_count == total
        await pilot.press("p")
        await settle(pilot)
        assert set(_shown(table)) == {k for k, r in table.records.items() if r.health != "ok"}
        await pilot.press("p")
        await settle(pilot)
        assert table.row_count == total


async def test_sort_by_choosing_a_column_shows_the_arrow(machine: Machine) -> None:
    from venvtui.tui.screens.picker import ColumnPicker

    app = machine_app(machine)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.main.env_table
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, ColumnPicker)
        await pilot.press(*["down"] * 5, "enter")  # Path, Health, Python, Forecast, Size, Changed
        await settle(pilot)
        assert table.sort_column == "age" and not table.sort_reverse
        ages = [table.records[k].mtime for k in _shown(table)]
        assert ages == sorted(ages, reverse=True)  # newest change first
        label = table.columns[table.columns_key("age")].label.plain
        assert label == "Changed ▲"
        await pilot.click(f"#{table.id}", offset=(2, 0))  # the Path header
        await settle(pilot)
        assert table.sort_column == "path"
        assert table.columns[table.columns_key("path")].label.plain == "Path ▲"


async def test_80_columns_give_the_path_room(machine: Machine) -> None:
    app = machine_app(machine)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.main.env_table
        shown = [k for k, _ in table.shown_columns]
        assert "home" not in shown and "creator" not in shown  # in the detail instead
        widths = {k: table.columns[table.columns_key(k)].width for k in shown}
        assert widths["path"] >= max(w for k, w in widths.items() if k != "path")
        assert sum(widths.values()) + 2 * len(shown) <= 80
        for key in table.records:
            assert not table.get_cell(key, "path").plain.startswith("…")


async def test_help_lists_keys_and_legend(machine: Machine) -> None:
    app = machine_app(machine)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        from rich.console import Console

        console = Console(width=100, record=True, file=open(os.devnull, "w"))  # noqa: SIM115
        for static in app.screen.query("Static"):
            console.print(static.content)
        text = console.export_text()
        keys = {k.strip(",") for line in text.splitlines() for k in line.split()[:3]}
        for key in ("q", "enter", "esc", "z", "s", "space", "^p"):
            assert key in keys, key
        for label in ("fragile", "misbound", "uncertain", "version-stamped", "Changed"):
            assert label in text, label
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, HelpScreen)


async def test_wizard_shows_state_with_marks_and_tui_words(machine: Machine) -> None:
    from venvtui.tui.widgets.toggles import MarkedCheckbox

    app = machine_app(machine)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        wizard = await open_wizard(pilot)
        seed = wizard.query_one("#seed", MarkedCheckbox)
        assert "✓" not in seed.render().plain
        preview = wizard.query_one("#preview").render()
        assert "--seed" not in str(preview)
        seed.value = True
        await settle(pilot)
        assert "✓" in seed.render().plain
        # Every option is on screen at 80×24 (none below the fold).
        for wid in ("#interp-list", "#dest", "#prompt", "#seed", "#copies", "#policy"):
            region = wizard.query_one(wid).region
            assert region.y > 0 and region.bottom <= 23, wid


async def test_every_action_is_in_the_palette(machine: Machine) -> None:
    app = machine_app(machine)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        titles = {cmd.title for cmd in app.get_system_commands(app.screen)}
        for needed in (
            "Rescan",
            "Filter",
            "New environment",
            "Repair environment",
            "Delete environment",
            "Fix marked environments",
            "Shell in environment",
            "Copy activation command",
            "Zoom detail",
            "Help",
        ):
            assert needed in titles


async def test_mark_all_broken_shows_one_combined_plan(machine: Machine) -> None:
    app = machine_app(machine)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        table = app.main.env_table
        await pilot.press("a")
        await settle(pilot)
        assert table.marked == {k for k, r in table.records.items() if r.problem}
        await pilot.press("F")  # shift+f
        await settle(pilot)
        confirm = app.screen
        assert isinstance(confirm, ConfirmPlan)
        listed = {p.target for p in confirm.plans} | {p for p, _ in confirm.refused}
        assert listed == table.marked
        await pilot.press("escape")
        await settle(pilot)
        assert all(Path(p).is_dir() for p in table.records)  # nothing written


async def test_whatif_from_an_interpreter_in_two_keys(machine: Machine) -> None:
    from venvtui.tui.screens.whatif import WhatIfScreen

    app = machine_app(machine)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        app.main.action_show_tab("interpreters")
        await settle(pilot)
        key = next(k for k in app.main.interp_table.records if "/.pyenv/" in k)
        app.main.interp_table.select_key(key)
        await settle(pilot)
        await pilot.press("w", "r")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, WhatIfScreen) and screen.impact is not None
        assert "pyenv uninstall 3.11.7" in screen.impact.event
        assert {p: s for p, s, _ in screen.impact.environments} == {
            str(machine.envs["tool"]): "broken"
        }


async def test_no_envs_says_what_was_scanned(machine: Machine, tmp_path: Path) -> None:
    empty = tmp_path / "nothing-here"
    empty.mkdir()
    service = MachineService(env_roots=[str(empty)], context=machine.context())
    app = VenvtuiApp(service, cursor_blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        text = str(app.main.query_one(EmptyState).render())
        assert "No environments found" in text and "nothing-here" in text
        assert "n to create" in " ".join(text.split())
        assert not app.main.env_table.display


async def test_help_wizard_and_quit_keys(machine: Machine) -> None:
    app = machine_app(machine)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await open_wizard(pilot)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("q")
    assert app.return_code == 0


async def test_changed_column_is_labelled_and_kept_current(machine: Machine) -> None:
    class Clock(MachineService):
        offset = 0.0

        def now(self) -> float:
            return super().now() + self.offset

    service = Clock(context=machine.context())
    app = VenvtuiApp(service, cursor_blink=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        table = app.main.env_table
        api = str(machine.envs["api"])
        assert table.columns[table.columns_key("age")].label.plain == "Changed"
        assert table.get_cell(api, "age").plain == "5h"
        service.offset = 2 * 86_400.0
        app.main._refresh_ages()  # what the once-a-minute timer calls
        await settle(pilot)
        assert table.get_cell(api, "age").plain == "2d"


async def test_wizard_search_field_drives_the_list(machine: Machine) -> None:
    app = machine_app(machine)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        wizard = await open_wizard(pilot)
        first = wizard.python
        await pilot.press("down")
        await settle(pilot)
        assert wizard.python != first
        await pilot.press("up")
        await settle(pilot)
        assert wizard.python == first
        await pilot.press("tab")
        assert wizard.focused is wizard.query_one("#dest")
