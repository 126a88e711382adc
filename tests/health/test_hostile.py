"""Hostile input gives verdicts, not crashes: symlink loops, unreadable or looping directories,
an interpreter that hangs, a pyvenv.cfg full of junk, a missing pyvenv.cfg, moved and copied
envs (console-script shebangs). Where something can be run, the oracle is running it."""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.health.oracle import actual_status
from tests.layouts import create_venv, require_python, run_tool
from venvtui.core.base.options import Options
from venvtui.core.breaks.health import HEALTH_RANK, diagnose
from venvtui.core.installed.envs import load_environment


def _fake_env(root: Path, cfg: bytes) -> Path:
    (root / "bin").mkdir(parents=True)
    (root / "pyvenv.cfg").write_bytes(cfg)
    return root


def codes(env: Path, **kw: object) -> tuple[str, set[str]]:
    d = diagnose(load_environment(str(env)), **kw)  # type: ignore[arg-type]
    return d.status, {v.code for v in d.verdicts}


def test_symlink_loop(tmp_path: Path) -> None:
    env = _fake_env(tmp_path / "env", b"home = /nonexistent/bin\nversion = 3.12.1\n")
    (env / "bin" / "python").symlink_to("python3")
    (env / "bin" / "python3").symlink_to("python")
    status, found = codes(env)
    assert status == "broken" and "symlink-loop" in found
    assert actual_status(env).status == "broken"


def test_looping_directory_component(tmp_path: Path) -> None:
    """bin/python -> a path through a directory-link loop: lstat fails with ELOOP."""
    env = _fake_env(tmp_path / "env", b"home = /x/bin\nversion = 3.12.1\n")
    (tmp_path / "d1").symlink_to("d2")
    (tmp_path / "d2").symlink_to("d1")
    (env / "bin" / "python").symlink_to(tmp_path / "d1" / "bin" / "python3.12")
    status, found = codes(env)
    assert status == "broken" and found & {"dangling-python", "unreadable"}
    assert actual_status(env).status == "broken"


def test_unreadable_directory(tmp_path: Path) -> None:
    """chmod 000 on a directory of the chain. Root ignores the mode bits, so as root this
    checks that venvtui agrees with what really happens (it still runs), not a denial."""
    rp = require_python("3.12")
    base = tmp_path / "locked" / "inst"
    shutil.copytree(rp.prefix / "bin", base / "bin", symlinks=True, ignore=_only_python)
    (base / "lib").mkdir()
    (base / "lib" / "python3.12").symlink_to(rp.stdlib)
    env = create_venv(base / "bin" / "python3.12", tmp_path / "env", tmp=tmp_path)
    os.chmod(tmp_path / "locked", 0)
    try:
        denied = not os.access(tmp_path / "locked", os.X_OK)
        assert denied == (os.geteuid() != 0)  # root: access() says searchable
        d = diagnose(load_environment(str(env)))
        actual = actual_status(env)
        assert d.status == actual.status
        if denied:
            assert d.status == "broken"
    finally:
        os.chmod(tmp_path / "locked", 0o755)


def _only_python(directory: str, names: list[str]) -> list[str]:
    return [n for n in names if not n.startswith("python3")]


def test_hanging_interpreter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = _fake_env(tmp_path / "env", b"home = /usr/bin\nversion = 3.12.1\n")
    py = env / "bin" / "python"
    finished = tmp_path / "finished"
    py.write_text(f"#!/bin/sh\nsleep 30\ntouch '{finished}'\n")
    py.chmod(0o755)
    d = diagnose(load_environment(str(env)), options=Options(probe_timeout=1.0))
    assert not finished.exists(), "the diagnosis waited for the hanging interpreter"
    assert d.status == "broken"
    assert d.observed is not None and "did not answer" in (d.observed.error or "")


def test_cfg_full_of_junk(tmp_path: Path) -> None:
    rp = require_python("3.12")
    env = create_venv(rp.exe, tmp_path / "env", tmp=tmp_path)
    junk = b"\x00\xff\xfe garbage\n[section]\n=== \nno equals sign here\n\xc3\x28 = \xa0\xa1\n" * 20
    (env / "pyvenv.cfg").write_bytes(junk)
    status, found = codes(env)
    assert "home-missing" in found and "cfg-malformed" in found
    assert status == actual_status(env).status


def test_cfg_missing(tmp_path: Path) -> None:
    rp = require_python("3.11")
    env_dir = create_venv(rp.exe, tmp_path / "env", tmp=tmp_path)
    env = load_environment(str(env_dir))
    (env_dir / "pyvenv.cfg").unlink()
    d = diagnose(dataclasses.replace(env, cfg=(), cfg_problems=()))
    assert "cfg-missing" in {v.code for v in d.verdicts}


def test_no_python_at_all(tmp_path: Path) -> None:
    env = _fake_env(tmp_path / "env", b"home = /usr/bin\nversion = 3.12.1\n")
    status, found = codes(env)
    assert status == "broken" and "dangling-python" in found


@pytest.fixture(scope="module")
def env_with_pip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real venv with pip (ensurepip, offline): bin/pip has a #! line naming the env."""
    rp = require_python("3.12")
    tmp = tmp_path_factory.mktemp("pip")
    run_tool([str(rp.exe), "-m", "venv", str(tmp / "orig")], tmp, timeout=180)
    return tmp / "orig"


@pytest.mark.slow
def test_moved_env_shebangs(env_with_pip: Path, tmp_path: Path) -> None:
    moved = tmp_path / "moved"
    shutil.copytree(env_with_pip, moved, symlinks=True)
    # the copy's scripts still name the original env; make that original "gone" by renaming
    gone = env_with_pip.with_name("orig-away")
    os.rename(env_with_pip, gone)
    try:
        # the oracle: exec fails ("bad interpreter": ENOENT for the #! path)
        with pytest.raises(FileNotFoundError):
            subprocess.run([str(moved / "bin" / "pip"), "--version"], capture_output=True)
        _status, found = codes(moved)
        assert "shebang-missing" in found
    finally:
        os.rename(gone, env_with_pip)


@pytest.mark.slow
def test_copied_env_shebangs(env_with_pip: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(env_with_pip, copy, symlinks=True)
    run = subprocess.run(
        [str(copy / "bin" / "pip"), "--version"], capture_output=True, text=True, check=True
    )
    assert str(env_with_pip) in run.stdout  # the oracle: the copy's pip runs the original env
    _status, found = codes(copy)
    assert "shebang-outside" in found
    _status, orig = codes(env_with_pip)
    assert not orig & {"shebang-outside", "shebang-missing"}


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    cfg=st.binary(max_size=300),
    target=st.sampled_from(
        ["python3", "../nowhere/python", "/", "..", "python", "/dev/null", "../../..", "x" * 300]
    ),
)
def test_any_cfg_and_link_gives_verdicts_not_crashes(
    tmp_path_factory: pytest.TempPathFactory, cfg: bytes, target: str
) -> None:
    root = tmp_path_factory.mktemp("fuzz")
    env = _fake_env(root / "env", cfg)
    (env / "bin" / "python").symlink_to(target)
    d = diagnose(load_environment(str(env)), confirm=False)
    assert d.status in HEALTH_RANK
    assert d.starts in ("ok", "broken", "misbound", "drift")
    assert all(v.severity in ("error", "warning", "info") for v in d.verdicts)
    d.to_json()
