"""`venvtui create/repair/rebuild/delete` from the command line: dry runs change nothing,
refusals are one line + hint with exit 2, delete only removes environments."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.layouts import create_venv, real_python, require_python
from tests.writer.conftest import snapshot
from venvtui.cli.main import main

pytestmark = pytest.mark.realpython


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def one_line_error(err: str) -> None:
    lines = err.strip().splitlines()
    assert lines[0].startswith("venvtui: error: "), err
    assert len(lines) == 2 and lines[1].lstrip().startswith("hint: "), err
    assert "Traceback" not in err


def test_create_dry_run_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    py = require_python("3.12")
    dest = tmp_path / "env"
    code, out, _ = cli(capsys, "create", str(dest), "--python", str(py.exe), "--dry-run")
    assert code == 0 and "pyvenv.cfg" in out and "dry run" in out
    assert not dest.exists() and os.listdir(tmp_path) == []
    code, out, _ = cli(capsys, "create", str(dest), "-p", str(py.exe), "--json")
    assert code == 0
    data = json.loads(out)
    assert data["applied"] is True
    assert data["result"]["verified"]["version"].startswith("3.12.")
    assert (dest / "bin" / "python").exists()


@pytest.mark.parametrize(
    "case", ["not-env", "existing-env", "python27", "bad-prompt", "newline-prompt", "file-parent"]
)
def test_create_refusals(case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    py = require_python("3.12")
    dest = tmp_path / "dest"
    args = ["create", str(dest), "--python", str(py.exe)]
    if case == "not-env":
        dest.mkdir()
        (dest / "notes.txt").write_text("mine")
    elif case == "existing-env":
        create_venv(py.exe, dest)
    elif case == "python27":
        old = real_python("2.7")
        if old is None:
            pytest.skip("no CPython 2.7")
        args[3] = str(old.exe)
    elif case == "bad-prompt":
        args += ["--prompt", "x$(rm -rf ~)"]
    elif case == "newline-prompt":
        args += ["--prompt", "a\nhome = /evil"]
    elif case == "file-parent":
        (tmp_path / "afile").write_text("")
        args[1] = str(tmp_path / "afile" / "env")
    before = snapshot(tmp_path)
    code, _out, err = cli(capsys, *args)
    assert code == 2
    one_line_error(err)
    assert snapshot(tmp_path) == before


def test_create_upgrade_repoints(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    py = require_python("3.12")
    env = create_venv(py.prefix / "bin" / "python3", tmp_path / "env")  # tied to the alias
    code, out, err = cli(capsys, "create", str(env), "-p", str(py.exe), "--upgrade", "--dry-run")
    assert code == 0, err
    assert "site-packages untouched" in out
    # Already tied to what --upgrade would tie it to: nothing to do, nothing written.
    assert cli(capsys, "create", str(env), "-p", str(py.exe), "--upgrade")[0] == 0
    before = snapshot(env)
    code, out, err = cli(capsys, "create", str(env), "-p", str(py.exe), "--upgrade")
    assert code == 0 and out.startswith("nothing to upgrade"), (out, err)
    assert snapshot(env) == before


def test_repair_dry_run_shows_diff(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    py = require_python("3.12")
    env = create_venv(py.exe, tmp_path / "env")
    cfg = env / "pyvenv.cfg"
    cfg.write_text(cfg.read_text().replace(str(py.prefix / "bin"), "/gone/bin"))
    before = snapshot(env)
    code, out, err = cli(capsys, "repair", str(env), "--python", str(py.exe), "--dry-run")
    assert code == 0, err
    assert "-home = /gone/bin" in out
    assert snapshot(env) == before
    code, out, err = cli(capsys, "repair", str(env), "--python", str(py.exe))
    assert code == 0, err
    assert "repaired" in out and "home = /gone/bin" not in cfg.read_text()


def test_delete(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    py = require_python("3.12")
    env = create_venv(py.exe, tmp_path / "env")
    code, _, err = cli(capsys, "delete", str(env))
    assert code == 2 and "--yes" in err and env.exists()
    code, _out, _ = cli(capsys, "delete", str(env), "--yes", "--dry-run")
    assert code == 0 and env.exists()
    code, _out, _ = cli(capsys, "delete", str(env), "--yes")
    assert code == 0 and not env.exists()
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("case", ["root", "home", "project", "plain", "missing", "link"])
def test_delete_refusals(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    if case == "root":
        target = Path("/")
    elif case == "home":
        (home / "pyvenv.cfg").write_text("home = /usr/bin\n")  # even if it looks like an env
        target = home
    elif case == "project":
        target = tmp_path / "proj"
        target.mkdir()
        (target / "pyproject.toml").write_text("[project]\nname='x'\n")
    elif case == "plain":
        target = tmp_path / "stuff"
        target.mkdir()
        (target / "a.txt").write_text("a")
    elif case == "missing":
        target = tmp_path / "nothing"
    else:
        real_env = tmp_path / "realenv"
        real_env.mkdir()
        (real_env / "pyvenv.cfg").write_text("home = /usr/bin\n")
        target = tmp_path / "link"
        target.symlink_to(real_env)
    before = snapshot(tmp_path)
    code, _, err = cli(capsys, "delete", str(target), "--yes")
    assert code == 2
    one_line_error(err)
    assert snapshot(tmp_path) == before


def test_delete_conda_env(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    env = tmp_path / "condaenv"
    (env / "conda-meta").mkdir(parents=True)
    (env / "conda-meta" / "history").write_text("")
    (env / "bin").mkdir()
    code, _out, err = cli(capsys, "delete", str(env), "--yes")
    assert code == 0, err
    assert os.listdir(tmp_path) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_create_refuses_unwritable_dest(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    py = require_python("3.12")
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    try:
        code, _out, err = cli(capsys, "create", str(locked / "env"), "-p", str(py.exe))
    finally:
        locked.chmod(0o700)
    assert code == 2 and "not writable" in err
    one_line_error(err)
