"""Pilot tests of writes on the real core, on environments each test makes with the real tools:
progress during a real rebuild, the row updated and kept selected; fixing several really broken
envs at once; the packages pane on real dist-infos; a shell in the env (a recording $SHELL).
And, on a stub whose write blocks, that quitting mid-write asks first."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest
from textual.widgets import Static

from tests.layouts import create_venv, make_loose_link, run_tool
from tests.tui.conftest import PinnedService, settle
from tests.tui.stub import StubService, env_row
from venvtui.tui.app import VenvtuiApp
from venvtui.tui.screens.confirm import ConfirmPlan, ConfirmQuit
from venvtui.tui.screens.progress import WriteProgress
from venvtui.tui.services import Cancelled, Progress
from venvtui.tui.views import ApplyOutcome, EnvRow, PlanView
from venvtui.tui.widgets.detail import DetailPane


def _record_progress(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, ...]]:
    """Every call the write worker makes on the progress window, in order (the real methods
    still run)."""
    seen: list[tuple[str, ...]] = []
    for name in ("start", "line", "finish_item", "finish"):
        original = getattr(WriteProgress, name)

        def spy(self: WriteProgress, *args: object, _o: object = original, _n: str = name) -> None:
            seen.append((_n, *(str(a) for a in args)))
            _o(self, *args)  # type: ignore[operator]

        monkeypatch.setattr(WriteProgress, name, spy)
    return seen


@pytest.mark.realpython
@pytest.mark.slow
async def test_rebuild_shows_progress_and_keeps_the_row_selected(
    real_312: str, tool_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    envs = tool_tmp / "envs"
    first = create_venv(real_312, envs / "a-first", tmp=tool_tmp)
    target = create_venv(real_312, envs / "b-target", tmp=tool_tmp)
    run_tool([str(target / "bin" / "python"), "-m", "ensurepip"], tool_tmp)  # rebuilt with pip
    seen = _record_progress(monkeypatch)
    shown: list[str] = []  # the output tail as the window showed it after each line
    spied_line = WriteProgress.line

    def line(self: WriteProgress, text: str) -> None:
        spied_line(self, text)
        shown.append(str(self.query_one("#progress-tail", Static).content))

    monkeypatch.setattr(WriteProgress, "line", line)
    app = VenvtuiApp(PinnedService([real_312], [str(envs)], str(envs)), cursor_blink=False)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await settle(pilot)
        table = app.main.env_table
        table.select_key(str(target))
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)
        await pilot.press("enter")  # the only interpreter
        await settle(pilot)
        assert isinstance(app.screen, ConfirmPlan)
        await pilot.click("#apply")
        await settle(pilot)
        assert not isinstance(app.screen, WriteProgress)  # closed itself after success
        assert table.selected_key == str(target) != str(first)
        assert table.records[str(target)].health == "ok"
        assert table.records[str(target)].confirmed
        assert any(
            f"rebuild {os.path.join('~', '')}" in n.message or "rebuild" in n.message
            for n in app._notifications
        )
    kinds = [call[0] for call in seen]
    assert seen[0][:2] == ("start", str(target))
    assert "line" in kinds  # the plan's steps and the writer's log
    # ensurepip's own output, shown while the rebuild was still running (before finish_item)
    lines = [call[1] for call in seen[: kinds.index("finish_item")] if call[0] == "line"]
    installer = [x for x in lines if "Successfully installed pip" in x]
    assert installer, lines
    assert any(installer[0] in tail for tail in shown)
    assert all(tail.count("\n") < WriteProgress.TAIL for tail in shown)
    assert ("finish_item", str(target), "True", "rebuild: ok") in seen
    assert seen[-1] == ("finish", "1 done")


@pytest.mark.realpython
@pytest.mark.slow
async def test_fix_several_really_broken_envs_at_once(
    real_312: str, tool_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    link = make_loose_link(Path(real_312), tool_tmp / "links")
    envs = tool_tmp / "envs"
    broken = [create_venv(link, envs / name, tmp=tool_tmp) for name in ("one", "two")]
    healthy = create_venv(real_312, envs / "fine", tmp=tool_tmp)
    link.unlink()  # the base both were made from is gone: their bin/python dangles
    seen = _record_progress(monkeypatch)
    app = VenvtuiApp(PinnedService([real_312], [str(envs)], str(envs)), cursor_blink=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        table = app.main.env_table
        assert {k for k, r in table.records.items() if r.health == "broken"} == {
            str(e) for e in broken
        }
        await pilot.press("a", "F")
        await settle(pilot)
        confirm = app.screen
        assert isinstance(confirm, ConfirmPlan)
        assert {p.target for p in confirm.plans} == {str(e) for e in broken}
        assert str(healthy) not in {p.target for p in confirm.plans}
        await pilot.click("#apply")
        await settle(pilot)
        progress = app.screen
        assert isinstance(progress, WriteProgress)  # stays open with the summary
        assert progress.summary == "2 done"
        assert {item: state for item, (state, _) in progress.state.items()} == {
            str(e): "done" for e in broken
        }
        await pilot.press("enter")
        await settle(pilot)
        assert all(table.records[str(e)].health == "ok" for e in broken)
        assert not table.marked
    assert [call[0] for call in seen].count("start") == 2
    for env in broken:
        assert (env / "bin" / "python").exists()


@pytest.mark.realpython
async def test_packages_pane_lists_real_dist_infos(real_312: str, tool_tmp: Path) -> None:
    envs = tool_tmp / "envs"
    env = create_venv(real_312, envs / "pkgs", tmp=tool_tmp)
    minor = ".".join(Path(real_312).name.removeprefix("python").split(".")[:2])
    site = env / "lib" / f"python{minor}" / "site-packages"
    info = site / "demo_pkg-1.2.3.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: demo-pkg\nVersion: 1.2.3\n\n")
    local = site / "local_thing-0.1.dist-info"
    local.mkdir()
    (local / "METADATA").write_text("Metadata-Version: 2.1\nName: local-thing\nVersion: 0.1\n\n")
    (local / "direct_url.json").write_text(
        '{"url": "file:///src/local-thing", "dir_info": {"editable": true}}'
    )
    app = VenvtuiApp(PinnedService([real_312], [str(envs)], str(envs)), cursor_blink=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        detail = app.main.query_one(DetailPane).detail
        assert detail is not None and detail.packages is not None
        found = {p.name: p for p in detail.packages}
        assert found["demo-pkg"].version == "1.2.3" and found["demo-pkg"].source == ""
        assert found["local-thing"].source == "/src/local-thing"


@pytest.mark.realpython
async def test_shell_runs_with_the_env_activated(real_312: str, tool_tmp: Path) -> None:
    envs = tool_tmp / "envs"
    env = create_venv(real_312, envs / "use-me", tmp=tool_tmp)
    record = tool_tmp / "shell-env.txt"
    shell = tool_tmp / "fake-shell"
    shell.write_text(f'#!/bin/sh\nenv > "{record}"\ncommand -v python >> "{record}"\n')
    shell.chmod(shell.stat().st_mode | stat.S_IXUSR)
    os.environ["SHELL"] = str(shell)
    try:
        app = VenvtuiApp(PinnedService([real_312], [str(envs)], str(envs)), cursor_blink=False)
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            await pilot.press("u")
            await settle(pilot)
            assert app.is_running
    finally:
        del os.environ["SHELL"]
    lines = record.read_text().splitlines()
    values = dict(line.split("=", 1) for line in lines if "=" in line)
    assert values["VIRTUAL_ENV"] == str(env)
    assert values["PATH"].split(os.pathsep)[0] == str(env / "bin")
    assert lines[-1] == str(env / "bin" / "python")  # the env's python comes first


class BlockingWrite(StubService):
    """One broken env whose repair blocks until released (a write in progress)."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.started = threading.Event()

    def iter_environments(self, cancelled: Cancelled):  # type: ignore[no-untyped-def]
        yield env_row("/home/dev/src/app/.venv", health="broken")

    def plan_repair(self, row: EnvRow, python: str | None = None) -> PlanView:
        return PlanView("repair", row.path, "repair (stub)")

    def apply(self, plan: PlanView, progress: Progress | None = None) -> ApplyOutcome:
        self.started.set()
        self.release.wait(30)
        return ApplyOutcome("repaired", env_path=plan.target)


async def test_quitting_during_a_write_asks_first() -> None:
    service = BlockingWrite()
    app = VenvtuiApp(service, cursor_blink=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        await pilot.click("#apply")
        while not service.started.is_set():
            await pilot.pause(0.01)
        assert app.main.writing
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmQuit)
        await pilot.press("escape")  # stay
        await pilot.pause()
        assert app.is_running and app.main.writing
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmQuit)
        await pilot.click("#stay")
        service.release.set()
        await settle(pilot)
        assert not app.main.writing
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0
