"""A stray pyvenv.cfg in a project is not an environment; a project made into an env in place is."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.layouts import create_venv, require_python
from venvtui.cli.main import main
from venvtui.core.base.errors import NotAnEnvironmentError
from venvtui.core.installed.envs import iter_environments, load_environment


def _project(root: Path) -> Path:
    """A project root with a stray pyvenv.cfg at its top and its real env in .venv (real venv)."""
    rp = require_python("3.12")
    root.mkdir()
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (root / "pyproject.toml").write_text("[project]\nname = 'demo'\n")
    (root / "pyvenv.cfg").write_text("home = /usr/bin\nversion = 3.12.0\n")
    create_venv(rp.exe, root / ".venv")
    return root


def test_scan_walks_past_a_stray_cfg_to_the_real_env(tmp_path: Path) -> None:
    root = _project(tmp_path / "proj")
    found = [e.path for e in iter_environments([str(root)])]
    assert found == [str(root / ".venv")]


def test_loading_a_stray_cfg_names_the_project_markers(tmp_path: Path) -> None:
    root = _project(tmp_path / "proj")
    with pytest.raises(NotAnEnvironmentError) as info:
        load_environment(str(root))
    assert ".git/" in str(info.value) and "pyproject.toml" in str(info.value)
    assert "stray pyvenv.cfg" in info.value.hint


def test_doctor_on_a_stray_cfg_says_not_an_environment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "proj"
    root.mkdir()
    (root / ".git").mkdir()
    (root / "pyvenv.cfg").write_text("home = /usr/bin\n")
    assert main(["doctor", "--json", "--no-confirm", str(root)]) == 2
    out = json.loads(capsys.readouterr().out)
    assert out["environments"] == []
    assert "not an environment" in out["errors"][0]["error"]


def test_a_project_made_into_an_env_in_place_stays_an_env(tmp_path: Path) -> None:
    # `python -m venv .` inside a project: bin/python exists, so it is an environment.
    rp = require_python("3.12")
    root = tmp_path / "proj"
    root.mkdir()
    (root / ".git").mkdir()
    (root / "pyproject.toml").write_text("")
    create_venv(rp.exe, root)
    env = load_environment(str(root))
    assert env.python is not None and env.python.startswith(str(root))
    assert [e.path for e in iter_environments([str(tmp_path)])] == [str(root)]
