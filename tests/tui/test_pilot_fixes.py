"""Pilot tests of fixes bound to keys and of write progress, on the real core: the detail names
the key (never a command line), the key opens the plan of that fix for a really broken env of
the real-tools machine, and a real repair and a real delete report each step as it starts,
marked in the progress window, then leave the row updated and selected."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest
from textual.widgets import Static

from tests.layouts import create_venv, make_loose_link
from tests.tui.conftest import PinnedService, machine_app, settle
from tests.tui.machine import Machine
from venvtui.tui.app import VenvtuiApp
from venvtui.tui.screens.confirm import ConfirmPlan
from venvtui.tui.screens.progress import STEP_MARKS, WriteProgress
from venvtui.tui.views import Detail, WriteEvent
from venvtui.tui.widgets.detail import DetailPane, render_body, render_title

pytestmark = [pytest.mark.realpython]

CLI = re.compile(r"venvtui (repair|rebuild|delete|doctor)|\s--[a-z]")


def _texts(detail: Detail) -> list[str]:
    """Every sentence of an env's detail that says what to do."""
    out = [v.fix for v in detail.verdicts] + [f.fix for f in detail.forecast]
    return [t for t in out if t]


def _plain(detail: Detail, home: str, width: int = 200) -> str:
    from rich.console import Console

    console = Console(width=width, record=True, color_system=None)
    console.print(render_title(detail, home))
    console.print(render_body(detail, home))
    return console.export_text()


async def test_fix_key_opens_the_plan_the_detail_names(machine: Machine) -> None:
    """`legacy` dangles after `brew upgrade` + `brew cleanup`: the detail says which key
    re-anchors it on the stable opt/ path, and that key opens exactly that repair's dry run."""
    app = machine_app(machine)
    home = str(machine.home)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        main = app.main
        legacy = str(machine.envs["legacy"])
        main.env_table.select_key(legacy)
        await settle(pilot)
        detail = main.query_one(DetailPane).detail
        assert detail is not None and detail.key == legacy and detail.status == "broken"
        fix = detail.fix
        stable = f"{home}/.linuxbrew/opt/python@3.12/bin/python3.12"
        assert fix is not None and (fix.key, fix.verb, fix.python) == ("f", "repair", stable)
        assert fix.text == "press f to re-anchor it on ~/.linuxbrew/opt/python@3.12/bin/python3.12"
        dangling = next(v for v in detail.verdicts if v.code == "dangling-python")
        assert dangling.fix == fix.text and dangling.action == fix
        shown = _plain(detail, home)
        assert f"fix: {fix.text}" in shown.splitlines()[1]  # under the title, above the fold
        await pilot.press("f")
        await settle(pilot)
        confirm = app.screen
        assert isinstance(confirm, ConfirmPlan)
        plan = confirm.plan
        assert (plan.action, plan.target) == ("repair", legacy)
        assert plan.handle is not None
        assert plan.handle.details.get("home") == f"{home}/.linuxbrew/opt/python@3.12/bin"
        await pilot.press("escape")  # a dry run only: the shared machine stays as it is
        await settle(pilot)
        assert not (machine.envs["legacy"] / "bin" / "python").exists()


async def test_detail_texts_use_keys_and_tilde(machine: Machine) -> None:
    """No command line or CLI option in any env's detail, and the home directory as ~."""
    app = machine_app(machine)
    home = str(machine.home)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        main = app.main
        seen = 0
        for key in machine.envs.values():
            main.env_table.select_key(str(key))
            await settle(pilot)
            detail = main.query_one(DetailPane).detail
            assert detail is not None and detail.key == str(key)
            for text in _texts(detail):
                assert not CLI.search(text), text
                assert "<another interpreter>" not in text and "<that path>" not in text
                seen += 1
            shown = _plain(detail, home)
            assert home not in shown, [line for line in shown.splitlines() if home in line]
            said = shown.split("\npyvenv.cfg\n")[0]  # the file itself is shown as written
            assert not CLI.search(said), [ln for ln in said.splitlines() if CLI.search(ln)]
        assert seen >= 4  # each env has a verdict or a forecast that says what to do
        # a forecast names a real interpreter to rebuild on after its install is removed
        main.env_table.select_key(str(machine.envs["tool"]))
        await settle(pilot)
        detail = main.query_one(DetailPane).detail
        assert detail is not None
        uninstall = next(f for f in detail.forecast if "uninstall" in f.event and f.fix)
        found = re.search(r"rebuild it on Python (\d+\.\d+\.\d+) \((\S+)\)", uninstall.fix)
        assert found, uninstall.fix
        rows = main.interp_table.records.values()
        assert any(r.version == found.group(1) and r.path.startswith(home) for r in rows)


def _watch_steps(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """(the step the writer reported, the steps list as the window shows it right after)."""
    seen: list[tuple[str, str]] = []
    original = WriteProgress.event

    def event(self: WriteProgress, ev: WriteEvent) -> None:
        original(self, ev)
        if ev.line is None:
            steps = self.query_one("#progress-steps", Static)
            seen.append((ev.step, str(steps.content)))

    monkeypatch.setattr(WriteProgress, "event", event)
    return seen


def _marked(shown: str) -> str:
    """The step line carrying the current-step mark."""
    mark = STEP_MARKS["current"][0]
    lines = [ln.strip()[2:] for ln in shown.splitlines() if ln.strip().startswith(mark + " ")]
    assert len(lines) == 1, shown
    return lines[0]


@pytest.mark.slow
async def test_repair_shows_each_step_marked(
    real_312: str, tool_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    link = make_loose_link(Path(real_312), tool_tmp / "links")
    envs = tool_tmp / "envs"
    broken = create_venv(link, envs / "broken", tmp=tool_tmp)
    other = create_venv(real_312, envs / "other", tmp=tool_tmp)
    link.unlink()  # its base is gone: bin/python dangles
    seen = _watch_steps(monkeypatch)
    app = VenvtuiApp(PinnedService([real_312], [str(envs)], str(envs)), cursor_blink=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = app.main.env_table
        table.select_key(str(broken))
        await settle(pilot)
        detail = app.main.query_one(DetailPane).detail
        assert detail is not None and detail.fix is not None
        assert detail.fix.text.startswith("press f to ")
        await pilot.press("f")
        await settle(pilot)
        confirm = app.screen
        assert isinstance(confirm, ConfirmPlan)
        steps = confirm.plan.steps
        assert steps and confirm.plan.action == "repair"
        await pilot.click("#apply")
        await settle(pilot)
        assert not isinstance(app.screen, WriteProgress)  # closed itself after success
        assert table.selected_key == str(broken) != str(other)
        assert table.records[str(broken)].health == "ok"
    assert [step for step, _ in seen] == list(steps)  # every step, in the planned order
    for step, shown in seen:
        assert _marked(shown) == step
    assert (broken / "bin" / "python").exists()


@pytest.mark.slow
async def test_delete_shows_each_step_marked(
    real_312: str, tool_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    envs = tool_tmp / "envs"
    doomed = create_venv(real_312, envs / "doomed", tmp=tool_tmp)
    kept = create_venv(real_312, envs / "kept", tmp=tool_tmp)
    seen = _watch_steps(monkeypatch)
    app = VenvtuiApp(PinnedService([real_312], [str(envs)], str(envs)), cursor_blink=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = app.main.env_table
        table.select_key(str(doomed))
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        confirm = app.screen
        assert isinstance(confirm, ConfirmPlan)
        steps = confirm.plan.steps
        await pilot.click("#apply")
        await settle(pilot)
        assert str(doomed) not in table.records and table.selected_key == str(kept)
    assert [step for step, _ in seen] == list(steps) == ["move aside", "remove"]
    for step, shown in seen:
        assert _marked(shown) == step
    assert not doomed.exists() and kept.exists()


async def test_help_lists_the_keys_and_a_legend(machine: Machine) -> None:
    from rich.console import Console

    from venvtui.tui.screens.help import HelpScreen

    app = machine_app(machine)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        console = Console(width=96, record=True, color_system=None, file=io.StringIO())
        for widget in app.screen.query(Static):
            console.print(widget.content)
        shown = console.export_text()
    keys = {line.split()[0].rstrip(",") for line in shown.splitlines() if line.strip()}
    assert {"enter", "esc"} <= keys, sorted(keys)
    assert re.search(r"^(\^q, )?q\b.*Quit", shown, re.M)
    for label in ("stable", "[version-stamped]", "versioned", "brew upgrade ✗", "breaks", "drifts"):
        assert label in shown, label
    assert "survives" in shown and "fix: press f" in shown and "prevent: press f" in shown


@pytest.mark.slow
async def test_delete_dialog_counts_only_what_the_user_installed(
    real_312: str, tool_tmp: Path
) -> None:
    """An env with only the pip its creator seeded is not said to hold "installed
    distributions"; its plan shows paths with ~ and says each warning once."""
    from tests.layouts import run_tool

    envs = Path(os.environ["HOME"]) / "envs"
    seeded = create_venv(real_312, envs / "seeded", tmp=tool_tmp)
    run_tool([str(seeded / "bin" / "python"), "-m", "ensurepip"], tool_tmp)
    app = VenvtuiApp(PinnedService([real_312], [str(envs)], str(envs)), cursor_blink=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.main.env_table.select_key(str(seeded))
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        confirm = app.screen
        assert isinstance(confirm, ConfirmPlan)
        text = str(confirm.query_one("#plan-text", Static).content)
        await pilot.press("escape")
    assert "installed distribution" not in text
    assert "~/envs/seeded" in text and os.environ["HOME"] not in text
    assert text.count("warnings:") <= 1


@pytest.mark.slow
async def test_new_env_in_three_keys(real_312: str, tool_tmp: Path) -> None:
    """n, enter (the search field on to Destination), enter (create): the env is made, its
    row selected, and the message names it with ~."""
    envs = Path(os.environ["HOME"]) / "proj"
    envs.mkdir()
    app = VenvtuiApp(PinnedService([real_312], [str(envs)], str(envs)), cursor_blink=False)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("enter", "enter")
        await settle(pilot)
        made = str(envs / ".venv")
        assert app.main.env_table.selected_key == made
        assert app.main.env_table.records[made].health == "ok"
        assert any("~/proj/.venv" in n.message for n in app._notifications)
