"""Code in the user's current directory is never executed by an environment's python.

A `json.py` (or `sys`-less `os.py` shadow) in the directory venvtui runs from would be imported
by every interpreter started with the current directory first on `sys.path` (`-c`, `-`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.safety.hang_guard import no_hang  # noqa: F401 (fixture)

pytestmark = pytest.mark.usefixtures("no_hang")

PYENV = Path.home() / ".pyenv" / "versions"


def _trap(directory: Path) -> Path:
    """A json.py that leaves a mark and breaks json if imported; returns the mark's path."""
    mark = directory / "EXECUTED"
    (directory / "json.py").write_text(
        f"open({str(mark)!r}, 'w').close()\nraise SystemExit('json.py from the cwd ran')\n"
    )
    return mark


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("env") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True)
    return path


def test_doctor_confirming_run_ignores_json_py_in_cwd(
    env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from venvtui.cli.main import main

    mark = _trap(tmp_path)
    monkeypatch.chdir(tmp_path)
    code = main(["--no-cache", "doctor", str(env), "--json"])
    out = json.loads(capsys.readouterr().out)
    assert not mark.exists()
    assert code == 0, out
    [entry] = out["environments"]
    assert entry["status"] == "ok"


def test_write_verification_ignores_json_py_in_cwd(
    env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from venvtui.core.write.plan import Verify, verify

    mark = _trap(tmp_path)
    monkeypatch.chdir(tmp_path)
    got = verify(Verify(python=str(env / "bin" / "python"), prefix=str(env)), timeout=60)
    assert not mark.exists()
    assert os.path.realpath(got["prefix"]) == os.path.realpath(env)


@pytest.mark.parametrize("version", ["2.7", "3.6", "3.12"])
def test_probe_ignores_json_py_in_cwd(
    version: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from venvtui.core.installed.probe import probe

    builds = sorted(PYENV.glob(f"{version}.*")) if PYENV.is_dir() else []
    if not builds:
        pytest.skip(f"no CPython {version} in ~/.pyenv/versions")
    mark = _trap(tmp_path)
    monkeypatch.chdir(tmp_path)
    probe(str(builds[-1] / "bin" / f"python{version}"), timeout=60)
    assert not mark.exists()


def test_venv_layout_query_ignores_json_py_in_cwd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from venvtui.core.write.create import query_layout

    mark = _trap(tmp_path)
    monkeypatch.chdir(tmp_path)
    layout = query_layout(sys.executable, str(tmp_path / "new-env"))
    assert not mark.exists()
    assert layout.bin_path
