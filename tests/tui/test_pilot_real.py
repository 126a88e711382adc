"""Pilot tests on the real core: the wizard creates a real environment from a real interpreter
through the real writer; a really broken environment is repaired; a real one is deleted only
after confirmation. The oracle is the created environment's own python."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from textual.widgets import Input, RadioSet

from tests.layouts import create_venv, make_loose_link
from tests.tui.conftest import PinnedService, open_wizard, settle
from venvtui.tui.app import VenvtuiApp
from venvtui.tui.screens.confirm import ConfirmPlan
from venvtui.tui.screens.wizard import CreateWizard
from venvtui.tui.widgets.detail import DetailPane

pytestmark = [pytest.mark.realpython, pytest.mark.slow]


def _python_prefix(env: Path) -> str:
    out = subprocess.run(
        [str(env / "bin" / "python"), "-I", "-c", "import sys; print(sys.prefix)"],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return out.stdout.strip()


async def test_wizard_creates_a_real_env_and_selects_it(real_312: str, tool_tmp: Path) -> None:
    envs = tool_tmp / "envs"
    envs.mkdir()
    dest = envs / "made-by-wizard"
    app = VenvtuiApp(PinnedService([real_312], [str(envs)], str(envs)), cursor_blink=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert len(app.main.interp_table.records) == 1
        wizard = await open_wizard(pilot)
        wizard.query_one("#dest", Input).value = str(dest)
        wizard.query_one("#prompt", Input).value = "wiz"
        await settle(pilot)
        preview = wizard.preview
        assert preview is not None and preview.error is None, preview
        assert preview.plan is not None
        assert "home = " in preview.cfg_text and "prompt = 'wiz'" in preview.cfg_text
        expected_home = preview.home
        await pilot.click("#create")
        await settle(pilot)
        assert not isinstance(app.screen, CreateWizard)
        # The new env is real: its python starts with sys.prefix = the env.
        assert _python_prefix(dest) == str(dest)
        cfg = (dest / "pyvenv.cfg").read_text()
        assert f"home = {expected_home}\n" in cfg
        # ... and it appears in the table, selected, with its detail shown.
        table = app.main.env_table
        assert str(dest) in table.records
        assert table.selected_key == str(dest)
        pane = app.main.query_one(DetailPane)
        assert pane.detail is not None and pane.detail.key == str(dest)


async def test_wizard_policy_venv_previews_what_venv_records(real_312: str, tool_tmp: Path) -> None:
    envs = tool_tmp / "envs"
    envs.mkdir()
    app = VenvtuiApp(PinnedService([real_312], [str(envs)], str(envs)), cursor_blink=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        wizard = await open_wizard(pilot)
        wizard.query_one("#dest", Input).value = str(envs / "v")
        radio = wizard.query_one("#policy", RadioSet)
        radio.query("RadioButton")[1].value = True
        await settle(pilot)
        assert wizard.preview is not None and wizard.preview.error is None, wizard.preview
        # `python -m venv` records dirname(sys._base_executable), unresolved.
        assert wizard.preview.home == str(Path(real_312).parent)


async def test_repair_a_really_broken_env(real_312: str, tool_tmp: Path) -> None:
    links = tool_tmp / "links"
    link = make_loose_link(Path(real_312), links)
    envs = tool_tmp / "envs"
    env = create_venv(link, envs / "broken", tmp=tool_tmp)
    link.unlink()  # the base the env was made from is gone: bin/python dangles
    assert not (env / "bin" / "python").exists()

    app = VenvtuiApp(PinnedService([real_312], [str(envs)], str(envs)), cursor_blink=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        table = app.main.env_table
        assert table.records[str(env)].health == "broken"
        assert table.selected_key == str(env)
        await pilot.press("f")
        await settle(pilot)
        confirm = app.screen
        assert isinstance(confirm, ConfirmPlan), "no plan shown"
        assert confirm.plan.action == "repair"
        await pilot.click("#apply")
        await settle(pilot)
        assert table.records[str(env)].health == "ok"
    assert _python_prefix(env) == str(env)


async def test_delete_a_real_env_after_confirmation(real_312: str, tool_tmp: Path) -> None:
    envs = tool_tmp / "envs"
    env = create_venv(real_312, envs / "doomed", tmp=tool_tmp)
    app = VenvtuiApp(PinnedService([real_312], [str(envs)], str(envs)), cursor_blink=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert app.main.env_table.selected_key == str(env)
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmPlan)
        await pilot.click("#cancel")
        await settle(pilot)
        assert env.is_dir()
        await pilot.press("d")
        await settle(pilot)
        await pilot.click("#apply")
        await settle(pilot)
        assert not env.exists()
        assert str(env) not in app.main.env_table.records


async def test_interpreter_detail_lists_dependents_and_what_if(
    real_312: str, tool_tmp: Path
) -> None:
    envs = tool_tmp / "envs"
    env = create_venv(real_312, envs / "dependent", tmp=tool_tmp)
    app = VenvtuiApp(PinnedService([real_312], [str(envs)], str(envs)), cursor_blink=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        detail = app.main.query_one(DetailPane).detail
        assert detail is not None and detail.kind == "interpreter"
        assert detail.dependents == (str(env),)
        assert app.main.interp_table.records[detail.key].dependents == 1
        # `python -m venv` from a pyenv build records the versioned dir: removing it breaks the env.
        assert detail.impacts, "no what-if shown"
        assert any(
            path == str(env) and status == "broken"
            for path, status, _ in detail.impacts[0].environments
        )
        assert any(c.name == "venv" for c in detail.creators)
