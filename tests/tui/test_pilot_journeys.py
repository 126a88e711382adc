"""Pilot tests of three journeys on the real core: scan a folder (the root is written to the
config file, comments kept, and its environments appear), the empty state (names what was
scanned, offers n and o), and find a package (real dist-infos of envs made by `python -m venv`
with and without pip; the env's own pip is the oracle for the version)."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console
from textual.widgets import DataTable, Input, Static

from tests.layouts import create_venv, real_python
from tests.tui.conftest import machine_app, settle
from tests.tui.machine import Machine, MachineService
from venvtui.core.installed.sources import Context
from venvtui.tui.app import VenvtuiApp
from venvtui.tui.screens.find_package import FindPackage
from venvtui.tui.screens.help import HelpScreen
from venvtui.tui.screens.scan_folder import FolderSuggester, ScanFolder
from venvtui.tui.widgets.detail import DetailPane
from venvtui.tui.widgets.empty import EmptyState

pytestmark = [pytest.mark.realpython]

CONFIG = "# my venvtui settings\n[scan]\ndepth = 6  # the default, said out loud\n"


@pytest.fixture(scope="module")
def projects(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder outside every default root with two real venvs: one with pip (ensurepip), one
    without."""
    rp = next((r for r in map(real_python, ("3.12", "3.11", "3.13")) if r is not None), None)
    if rp is None:
        pytest.skip("no CPython 3.11-3.13 under ~/.pyenv/versions")
    root = tmp_path_factory.mktemp("projects")
    for name, args in (("withpip", []), ("nopip", ["--without-pip"])):
        subprocess.run(
            [str(rp.exe), "-m", "venv", *args, str(root / name)],
            check=True,
            capture_output=True,
            timeout=300,
        )
    return root


def _pip_version(env: Path) -> str:
    """What the env's own pip says its version is (the oracle)."""
    out = subprocess.run(
        [str(env / "bin" / "python"), "-I", "-m", "pip", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return out.stdout.split()[1]


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "venvtui.toml"
    path.write_text(CONFIG)
    monkeypatch.setenv("VENVTUI_CONFIG", str(path))
    return path


def _status(app: VenvtuiApp) -> str:
    return str(app.main.query_one("#status", Static).render())


async def _add_folder(pilot: object, folder: str) -> ScanFolder:
    from textual.pilot import Pilot

    assert isinstance(pilot, Pilot)
    await pilot.press("o")
    await settle(pilot)
    dialog = pilot.app.screen
    assert isinstance(dialog, ScanFolder)
    dialog.query_one("#folder", Input).value = folder
    await pilot.press("enter")
    await settle(pilot)
    return dialog


async def test_scan_a_folder_writes_the_config_and_its_envs_appear(
    machine: Machine, projects: Path, config: Path
) -> None:
    app = machine_app(machine)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        keys = set(app.main.env_table.records)
        assert keys == {str(p) for p in machine.envs.values()}
        assert "scanned ~ to depth 6" in _status(app)
        await _add_folder(pilot, str(projects))
        assert not isinstance(app.screen, ScanFolder)
        assert config.read_text() == CONFIG.replace("[scan]\n", f'[scan]\nroots = ["{projects}"]\n')
        found = set(app.main.env_table.records)
        assert found == keys | {str(projects / "withpip"), str(projects / "nopip")}
        selected = app.main.env_table.selected_key  # the folder's first env is selected
        assert selected in (str(projects / "withpip"), str(projects / "nopip"))
        assert app.main.selection == ("environment", selected)
        assert f"…/{projects.name}, ~ to depth 6" in _status(app)
        # Added again (with the button this time): nothing written, the scan finds the same.
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, ScanFolder)
        app.screen.query_one("#folder", Input).value = str(projects) + "/"
        await pilot.click("#add")
        await settle(pilot)
        assert not isinstance(app.screen, ScanFolder)
        assert config.read_text().count(str(projects)) == 1
        assert set(app.main.env_table.records) == found


@pytest.mark.parametrize(
    ("name", "words"),
    [("missing", "does not exist"), ("a-file", "is not a directory"), ("", "no folder given")],
)
async def test_a_bad_folder_is_one_line_and_writes_nothing(
    machine: Machine, config: Path, tmp_path: Path, name: str, words: str
) -> None:
    (tmp_path / "a-file").write_text("")
    app = machine_app(machine)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        dialog = await _add_folder(pilot, str(tmp_path / name) if name else "  ")
        assert app.screen is dialog  # still asking
        error = str(dialog.query_one("#folder-error", Static).render()).splitlines()
        assert error[0].startswith("✗ ") and words in error[0]
        assert config.read_text() == CONFIG
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, ScanFolder)
        assert config.read_text() == CONFIG


async def test_empty_state_names_the_roots_and_offers_keys(
    machine: Machine, projects: Path, config: Path, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    ctx = Context(
        dict(machine.environ(), HOME=str(home)),
        str(home),
        str(home),
        fs_root=machine.context().fs_root,
    )
    app = VenvtuiApp(MachineService(context=ctx), cursor_blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        empty = app.main.query_one(EmptyState)
        assert empty.display and not app.main.env_table.display
        text = str(empty.render())
        assert "No environments found" in text
        assert "~, 6 levels deep" in text  # the home walk, shown as ~
        assert "Press n to create an environment, o to scan a folder" in " ".join(text.split())
        await pilot.press("i")  # nothing to search: a warning, no dialog
        await settle(pilot)
        assert not isinstance(app.screen, FindPackage)
        # o from the empty state: the folder's envs replace it.
        await _add_folder(pilot, str(projects))
        assert not app.main.query(EmptyState)
        assert app.main.env_table.display and app.main.env_table.row_count == 2


async def test_find_a_package_lists_real_dist_infos_and_selects_the_env(
    machine: Machine, projects: Path, config: Path
) -> None:
    config.write_text(CONFIG + f'roots = ["{projects}"]\n')
    app = machine_app(machine)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        main = app.main
        total = len(main.env_table.records)
        assert total == len(machine.envs) + 2
        main.env_table.select_key(str(machine.envs["api"]))
        await pilot.press("p")  # problems only: the env found is shown all the same
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, FindPackage)
        dialog.query_one("#package", Input).value = "PIP"  # any spelling of the name
        await pilot.press("enter")
        await settle(pilot)
        withpip = projects / "withpip"
        assert [(h.env, h.name, h.installer) for h in dialog.hits] == [(str(withpip), "pip", "pip")]
        hits = dialog.hits
        assert hits[0].version == _pip_version(withpip)
        summary = str(dialog.query_one("#find-summary", Static).render())
        assert f"pip: in 1 of {total} environments" in summary
        table = dialog.query_one("#find-results", DataTable)
        assert table.has_focus and table.row_count == 1
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, FindPackage)
        assert main.env_table.selected_key == str(withpip)
        assert main.selection == ("environment", str(withpip))
        detail = main.query_one(DetailPane).detail
        assert detail is not None and detail.key == str(withpip)
        packages = {p.name: p for p in detail.packages or ()}
        assert (packages["pip"].version, packages["pip"].installer) == (hits[0].version, "pip")


async def test_find_a_package_says_none_and_rejects_bad_names(
    machine: Machine, projects: Path, config: Path
) -> None:
    config.write_text(CONFIG + f'roots = ["{projects}"]\n')
    app = machine_app(machine)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, FindPackage)
        field = dialog.query_one("#package", Input)
        summary = dialog.query_one("#find-summary", Static)
        field.value = "no-such-dist"
        await pilot.press("enter")
        await settle(pilot)
        assert dialog.hits == ()
        assert "no-such-dist: in none of the" in str(summary.render())
        field.focus()
        field.value = "--prefix=/x"
        await pilot.press("enter")
        await settle(pilot)
        first = str(summary.render()).splitlines()[0]
        assert first.startswith("✗ ") and "is not a package name" in first
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, FindPackage)


async def test_help_and_palette_list_the_new_keys(machine: Machine, config: Path) -> None:
    app = machine_app(machine)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        console = Console(width=100, record=True, file=io.StringIO())
        for static in app.screen.query(Static):
            console.print(static.content)
        rows = {line.split()[0]: line for line in console.export_text().splitlines() if line}
        assert "Scan a folder" in rows["o"] and "Find a package" in rows["i"]
        titles = {c.title for c in app.get_system_commands(app.main)}
        assert {"Scan a folder", "Find a package"} <= titles


async def test_a_walk_cut_short_is_said_and_a_folder_reaches_past_it(
    machine: Machine, config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With depth 1, an env four levels below the home is not reached: the status line and
    the empty state say where the walk was cut; adding the folder finds the env."""
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))  # the config's ~
    deep = home / "code" / "client" / "app"
    deep.mkdir(parents=True)
    create_venv(sys.executable, deep / ".venv")
    config.write_text("[scan]\ndepth = 1\n")
    ctx = Context(
        dict(machine.environ(), HOME=str(home)),
        str(home),
        str(home),
        fs_root=machine.context().fs_root,
    )
    app = VenvtuiApp(MachineService(context=ctx), cursor_blink=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert "⚠ ~ cut at depth 1 (o: scan a folder)" in _status(app)
        text = " ".join(str(app.main.query_one(EmptyState).render()).split())
        assert "~, 1 level deep ⚠ 1 directory deeper than 1 level not entered" in text
        await _add_folder(pilot, str(deep))
        assert set(app.main.env_table.records) == {str(deep / ".venv")}
        assert config.read_text() == '[scan]\nroots = ["~/code/client/app"]\ndepth = 1\n'


async def test_a_broken_config_is_said_and_left_alone(
    machine: Machine, config: Path, projects: Path
) -> None:
    config.write_text("[scan\nroots = [\n")
    app = machine_app(machine)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert "⚠ config file ignored" in _status(app)
        assert len(app.main.env_table.records) == len(machine.envs)  # the defaults were used
        dialog = await _add_folder(pilot, str(projects))
        assert app.screen is dialog
        error = str(dialog.query_one("#folder-error", Static).render()).splitlines()
        assert error[0].startswith(f"✗ {config}:1:")
        assert config.read_text() == "[scan\nroots = [\n"


async def test_folder_names_complete_as_typed(tmp_path: Path) -> None:
    (tmp_path / "projects").mkdir()
    (tmp_path / ".private").mkdir()
    (tmp_path / "pr-notes.txt").write_text("")
    suggest = FolderSuggester().get_suggestion
    assert await suggest(f"{tmp_path}/pr") == f"{tmp_path}/projects/"
    assert await suggest(f"{tmp_path}/") == f"{tmp_path}/projects/"  # hidden ones skipped
    assert await suggest(f"{tmp_path}/.p") == f"{tmp_path}/.private/"
    assert await suggest(f"{tmp_path}/pr-") is None  # a file is not a folder
    assert await suggest(f"{tmp_path}/nothing/x") is None
