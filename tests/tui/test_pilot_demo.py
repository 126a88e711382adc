"""Pilot tests on the demo machine: navigation, selection -> detail, filter, problems, palette,
help, and the confirmation that guards delete."""

from __future__ import annotations

from textual.widgets import TabbedContent

from tests.tui.conftest import demo_app, settle
from venvtui.tui.demo import HOME
from venvtui.tui.screens.confirm import ConfirmPlan
from venvtui.tui.screens.help import HelpScreen
from venvtui.tui.screens.wizard import CreateWizard
from venvtui.tui.widgets.detail import ChainTree, DetailPane


async def test_tabs_and_selection_update_the_detail_pane() -> None:
    app = demo_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        main = app.main
        pane = main.query_one(DetailPane)
        assert main.query_one(TabbedContent).active == "envs"
        assert pane.detail is not None and pane.detail.key == f"{HOME}/src/webapp/.venv"
        await pilot.press("down", "down", "down")
        await settle(pilot)
        assert main.env_table.selected_key == f"{HOME}/src/legacy/.venv"
        assert pane.detail is not None and pane.detail.key == f"{HOME}/src/legacy/.venv"
        assert pane.detail.status == "broken"
        # The broken hop is the last node of the chain tree, styled red and named "missing".
        tree = main.query_one(ChainTree)
        node = tree.root
        while node.children:
            node = node.children[0]
        assert "missing" in node.label.plain
        assert any(span.style and "red" in str(span.style) for span in node.label.spans)

        await pilot.press("2")
        await settle(pilot)
        assert main.query_one(TabbedContent).active == "interpreters"
        assert pane.detail is not None and pane.detail.kind == "interpreter"
        first = pane.detail.key
        await pilot.press("down")
        await settle(pilot)
        assert pane.detail.key != first
        assert pane.detail.key == main.interp_table.selected_key


async def test_filter_and_only_problems() -> None:
    app = demo_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        table = app.main.env_table
        total = table.row_count
        assert total == 6
        await pilot.press("slash", *"legacy")
        await settle(pilot)
        assert table.row_count == 1
        assert table.selected_key == f"{HOME}/src/legacy/.venv"
        await pilot.press("escape")
        await settle(pilot)
        assert table.row_count == total
        await pilot.press("p")
        await settle(pilot)
        shown = {table.coordinate_to_cell_key((i, 0)).row_key.value for i in range(table.row_count)}
        assert shown == {
            k for k, r in table.records.items() if r.health in ("broken", "misbound", "drift")
        }
        assert len(shown) == 3
        await pilot.press("p")
        await settle(pilot)
        assert table.row_count == total


async def test_sort_by_header_key() -> None:
    app = demo_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        table = app.main.env_table
        table.sort_on("age")
        await settle(pilot)
        ages = [
            table.records[table.coordinate_to_cell_key((i, 0)).row_key.value].mtime
            for i in range(table.row_count)
        ]
        assert ages == sorted(ages, reverse=True)
        table.sort_on("age")
        await settle(pilot)
        ages = [
            table.records[table.coordinate_to_cell_key((i, 0)).row_key.value].mtime
            for i in range(table.row_count)
        ]
        assert ages == sorted(ages)


async def test_delete_needs_confirmation() -> None:
    app = demo_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        target = f"{HOME}/src/legacy/.venv"
        app.main.env_table.select_key(target)
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmPlan)
        assert app.screen.plan.target == target
        await pilot.press("escape")
        await settle(pilot)
        assert target in app.main.env_table.records
        await pilot.press("d")
        await settle(pilot)
        await pilot.click("#apply")
        await settle(pilot)
        assert target not in app.main.env_table.records


async def test_help_wizard_and_quit_keys() -> None:
    app = demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, CreateWizard)
        assert app.screen.preview is not None and app.screen.preview.plan is not None
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, CreateWizard)
        await pilot.press("ctrl+q")
    assert app.return_code == 0


async def test_every_main_action_is_in_the_command_palette() -> None:
    app = demo_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        titles = {cmd.title for cmd in app.get_system_commands(app.screen)}
        for needed in (
            "Rescan",
            "Filter",
            "New environment",
            "Repair environment",
            "Rebuild environment",
            "Delete environment",
            "Toggle problems only",
            "Help",
        ):
            assert needed in titles
        bound = {b.action.split("(")[0] for b in app.main.BINDINGS}
        assert {
            "rescan",
            "filter",
            "toggle_problems",
            "create",
            "repair",
            "rebuild",
            "delete",
        } <= bound


async def test_rebuild_picks_an_interpreter_then_confirms() -> None:
    from venvtui.tui.screens.picker import InterpreterPicker

    app = demo_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        target = f"{HOME}/src/scripts/venv"
        app.main.env_table.select_key(target)
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)
        picker = app.screen
        assert isinstance(picker, InterpreterPicker)
        # 2.7 and the interpreter that failed its probe cannot make a venv: not offered.
        assert all(not r.version.startswith("2.") and r.error is None for r in picker.rows)
        await pilot.press(*"3.11.2", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmPlan)
        assert app.screen.plan.action == "rebuild"
        assert "/usr/bin/python3.11" in app.screen.plan.text


async def test_enter_moves_into_the_detail_and_escape_back() -> None:
    app = demo_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert app.main.query_one(DetailPane).has_focus
        await pilot.press("escape")
        await settle(pilot)
        assert app.main.env_table.has_focus


async def test_palette_goto_selects_the_row() -> None:
    from venvtui.tui.commands import GotoProvider

    app = demo_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        provider = GotoProvider(app.screen)
        hits = [hit async for hit in provider.search("legacy")]
        assert hits, "no hit for an environment in the table"
        hit = max(hits, key=lambda h: h.score)
        hit.command()
        await settle(pilot)
        assert app.main.env_table.selected_key == f"{HOME}/src/legacy/.venv"
        hits = [hit async for hit in provider.search("python3.13")]
        max(hits, key=lambda h: h.score).command()
        await settle(pilot)
        assert app.main.active_tab == "interpreters"
        assert app.main.interp_table.selected is not None
        assert app.main.interp_table.selected.version == "3.13.0"
