"""Adding a scan root to the config file: only the roots list changes (comments, order and
layout kept), the result is read back by the real reader (and tomllib), bad folders and files
are refused with one line and nothing written."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from venvtui.core.base.config import ConfigError, add_scan_root, load_config, loads_toml
from venvtui.core.base.errors import NotFoundError, VenvtuiError


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    h = tmp_path / "home"
    (h / "work" / "new").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(h))
    return h


NEW = '"~/work/new"'


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("", f"[scan]\nroots = [{NEW}]\n"),
        (
            "# my settings\n[create]\nhome-policy = 'venv'  # keep\n",
            f"# my settings\n[create]\nhome-policy = 'venv'  # keep\n\n[scan]\nroots = [{NEW}]\n",
        ),
        ("[scan]\ndepth = 8 # deeper\n", f"[scan]\nroots = [{NEW}]\ndepth = 8 # deeper\n"),
        ("[scan]\nroots = []\n", f"[scan]\nroots = [{NEW}]\n"),
        (
            '[scan]\nroots = ["/srv/a"]  # main\n',
            f'[scan]\nroots = ["/srv/a", {NEW}]  # main\n',
        ),
        ("[scan]\nroots = ['/srv/a',]\n", f"[scan]\nroots = ['/srv/a', {NEW}]\n"),
        (
            '[scan]\nroots = [\n    "/srv/a",  # one\n    # the other:\n    "/srv/b",\n]\n'
            "exclude = []\n",
            '[scan]\nroots = [\n    "/srv/a",  # one\n    # the other:\n    "/srv/b",\n'
            f"    {NEW},\n]\nexclude = []\n",
        ),
        (
            '[scan]\nroots = [\n  "/srv/a"  # no trailing comma\n]\n',
            f'[scan]\nroots = [\n  "/srv/a",  # no trailing comma\n  {NEW}\n]\n',
        ),
        (
            'scan.depth = 3\n\n[create]\nhome-policy = "venv"\n',
            f'scan.depth = 3\nscan.roots = [{NEW}]\n\n[create]\nhome-policy = "venv"\n',
        ),
        (
            "[create]\nhome-policy = '''\n[scan]\nroots = [\"x\"]'''\n",
            f"[create]\nhome-policy = '''\n[scan]\nroots = [\"x\"]'''\n\n[scan]\nroots = [{NEW}]\n",
        ),
    ],
    ids=[
        "no-file",
        "no-scan-table",
        "scan-table-without-roots",
        "empty-list",
        "one-line-list",
        "trailing-comma",
        "multi-line-list",
        "multi-line-no-trailing-comma",
        "dotted-keys",
        "table-text-inside-a-string",
    ],
)
def test_root_is_added_with_a_minimal_diff(home: Path, before: str, after: str) -> None:
    cfg = home / "config.toml"
    if before:
        cfg.write_text(before)
    done = add_scan_root(str(home / "work" / "new"), str(cfg))
    assert done.added and done.root == str(home / "work" / "new")
    assert cfg.read_text() == after
    assert load_config(str(cfg)).scan_roots[-1] == str(home / "work" / "new")


def test_other_settings_and_comments_survive(home: Path) -> None:
    cfg = home / "c.toml"
    text = (
        "# venvtui settings, kept in my dotfiles\n"
        "[scan]\n"
        "# where my projects live\n"
        'roots = ["/srv/projects"]\n'
        'exclude = ["~/work/data"]   # huge\n'
        "depth = 7\n"
        "\n"
        "[create]\n"
        'home-policy = "venv"\n'
    )
    cfg.write_text(text)
    os.chmod(cfg, 0o600)
    add_scan_root("~/work/new", str(cfg))
    new = cfg.read_text()
    assert new == text.replace('["/srv/projects"]', f'["/srv/projects", {NEW}]')
    assert loads_toml(new)["scan"]["roots"] == ["/srv/projects", "~/work/new"]
    c = load_config(str(cfg))
    assert (c.scan_depth, c.home_policy) == (7, "venv")
    assert c.exclude == (str(home / "work" / "data"),)
    assert cfg.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in home.iterdir() if p.name.startswith(".c.toml")] == []


def test_a_root_already_listed_is_not_written_again(home: Path) -> None:
    cfg = home / "c.toml"
    cfg.write_text('[scan]\nroots = ["~/work/new/"]\n')
    done = add_scan_root(str(home / "work" / "new"), str(cfg))
    assert not done.added
    assert cfg.read_text() == '[scan]\nroots = ["~/work/new/"]\n'


def test_a_linked_config_is_written_where_it_points(home: Path) -> None:
    real = home / "dotfiles" / "venvtui.toml"
    real.parent.mkdir()
    real.write_text("[scan]\n")
    link = home / "config.toml"
    link.symlink_to(real)
    add_scan_root("~/work/new", str(link))
    assert link.is_symlink()
    assert real.read_text() == f"[scan]\nroots = [{NEW}]\n"


def test_outside_home_and_odd_characters_are_escaped(home: Path, tmp_path: Path) -> None:
    odd = tmp_path / 'a "quoted"\\dir\x7f'
    odd.mkdir()
    cfg = home / "c.toml"
    add_scan_root(str(odd), str(cfg))
    assert load_config(str(cfg)).scan_roots == (str(odd),)


@pytest.mark.parametrize(
    ("folder", "error", "words"),
    [
        ("", VenvtuiError, "no folder given"),
        ("~/wrok", NotFoundError, "does not exist"),
        ("~/work/file.txt", VenvtuiError, "is not a directory"),
    ],
)
def test_bad_folder_is_one_line_and_writes_nothing(
    home: Path, folder: str, error: type[Exception], words: str
) -> None:
    (home / "work" / "file.txt").write_text("")
    cfg = home / "c.toml"
    cfg.write_text("# mine\n")
    with pytest.raises(error) as info:
        add_scan_root(folder, str(cfg))
    assert words in str(info.value) and "\n" not in str(info.value)
    assert isinstance(info.value, VenvtuiError) and info.value.hint
    assert cfg.read_text() == "# mine\n"


def test_missing_folder_hint_suggests_the_near_spelling(home: Path) -> None:
    with pytest.raises(NotFoundError) as info:
        add_scan_root("~/wrok", str(home / "c.toml"))
    assert "work" in info.value.hint
    assert not (home / "c.toml").exists()


@pytest.mark.parametrize(
    "text",
    [
        "[scan\nroots = [",  # invalid: refused, not rewritten
        "[scan]\nroots = 3\n",
        'scan = { roots = ["/srv/a"] }\n',  # valid, but not a form the editor changes
    ],
)
def test_a_file_it_cannot_edit_is_left_alone(home: Path, text: str) -> None:
    cfg = home / "c.toml"
    cfg.write_text(text)
    with pytest.raises(ConfigError) as info:
        add_scan_root("~/work/new", str(cfg))
    assert str(cfg) in str(info.value) and "\n" not in str(info.value)
    assert cfg.read_text() == text


def test_a_first_root_creates_the_config_dir(home: Path) -> None:
    cfg = home / ".config" / "venvtui" / "config.toml"
    add_scan_root("~/work/new", str(cfg))
    assert cfg.read_text() == f"[scan]\nroots = [{NEW}]\n"
    assert load_config(str(cfg)).scan_roots == (str(home / "work" / "new"),)
