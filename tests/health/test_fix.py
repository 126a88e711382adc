"""The fix a dangling-python verdict suggests really repairs the env: following it by hand
(delete bin/python*, then `<suggested python> -m venv --upgrade ENV`) makes the env run again
on the install it names."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.health.oracle import actual_status
from tests.layouts import (
    create_venv,
    make_homebrew,
    make_install,
    require_python,
    run_tool,
)
from venvtui.core.breaks.health import diagnose
from venvtui.core.installed.envs import load_environment

pytestmark = pytest.mark.realpython


def follow_fix(env: Path, tmp: Path) -> str:
    d = diagnose(load_environment(str(env)))
    assert d.status == "broken"
    [v] = [v for v in d.verdicts if v.code == "dangling-python"]
    m = re.search(r"then `(\S+) -m venv --upgrade", v.fix)
    assert m, v.fix
    python = m.group(1)
    for p in (env / "bin").glob("python*"):
        p.unlink()
    run_tool([python, "-m", "venv", "--upgrade", "--without-pip", str(env)], tmp)
    return python


@pytest.mark.parametrize("minor", ("3.10", "3.12"))
def test_homebrew_cleanup_fix_uses_the_opt_link(minor: str, tmp_path: Path) -> None:
    hb = make_homebrew(require_python(minor), tmp_path / "hb")
    env = create_venv(hb.cellar_python, tmp_path / "env", tmp=tmp_path)
    hb.upgrade()
    python = follow_fix(env, tmp_path)
    assert python == str(hb.opt_python)  # the stable alias, not the new keg
    assert actual_status(env).status == "ok"
    assert diagnose(load_environment(str(env))).status == "ok"


def test_pyenv_uninstall_fix_uses_the_newest_sibling(tmp_path: Path) -> None:
    rp = require_python("3.11")
    versions = tmp_path / "pyenv" / "versions"
    old = make_install(rp, versions / "3.11.1")
    make_install(rp, versions / "3.11.3")
    make_install(rp, versions / "3.11.2")
    env = create_venv(old / "bin" / "python3.11", tmp_path / "env", tmp=tmp_path)
    os.rename(old, versions / "gone")
    python = follow_fix(env, tmp_path)
    assert python == str(versions / "3.11.3" / "bin" / "python3.11")
    assert actual_status(env).status == "ok"


def test_venv_upgrade_alone_keeps_the_dangling_link(tmp_path: Path) -> None:
    """Why the fix deletes bin/python* first: `venv --upgrade` never replaces an existing
    symlink, even a dangling one (Lib/venv symlink_or_copy checks islink)."""
    hb = make_homebrew(require_python("3.12"), tmp_path / "hb")
    env = create_venv(hb.cellar_python, tmp_path / "env", tmp=tmp_path)
    hb.upgrade()
    run_tool([str(hb.opt_python), "-m", "venv", "--upgrade", "--without-pip", str(env)], tmp_path)
    assert actual_status(env).status == "broken"
    d = diagnose(load_environment(str(env)))
    assert d.status == "broken" and "dangling-python" in [v.code for v in d.verdicts]
