"""An env whose plain (non-venv) base install was removed is not reported as made from a
deleted environment (issue: a false "the environment it was made from is gone")."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.layouts import create_venv, make_install, require_python
from venvtui.core.breaks.health import diagnose
from venvtui.core.installed.envs import load_environment

pytestmark = pytest.mark.realpython


@pytest.mark.parametrize("minor", ["3.10", "3.12"])
@pytest.mark.parametrize("prefix", ["opt/python", "local/py-custom", "builds/cpython"])
def test_removed_plain_install_is_not_a_parent_env(tmp_path: Path, minor: str, prefix: str) -> None:
    rp = require_python(minor)
    install = make_install(rp, tmp_path.joinpath(*prefix.split("/")))
    env = create_venv(install / "bin" / f"python{minor}", tmp_path / "work" / "env1", tmp=tmp_path)
    shutil.rmtree(install)
    d = diagnose(load_environment(str(env)), confirm=False)
    codes = [v.code for v in d.verdicts]
    assert "dangling-python" in codes
    assert "parent-env-gone" not in codes
    assert not any("environment it was made from" in v.summary for v in d.verdicts)
    assert d.status == "broken"
