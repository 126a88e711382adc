"""The inventory snapshot: `venvtui interpreters --json` answered from it prints exactly what
the uncached path prints, and any change to what the answer depends on is noticed.

The layout is real: a pyenv root whose versions are runnable copies of the CPython builds under
~/.pyenv/versions (tests.layouts), probed for real. The uncached oracle is `--no-cache`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.layouts import make_install, require_python
from venvtui.core.installed import snapshot

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="pyenv builds are Linux ones")


@pytest.fixture
def pyenv_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """HOME with ~/.pyenv/versions/{3.12.x,3.11.x} (runnable copies), PATH of system dirs
    only; the process environment and cwd are the ones the CLI runs with."""
    home = tmp_path / "home"
    versions = home / ".pyenv" / "versions"
    for minor in ("3.12", "3.11"):
        real = require_python(minor)
        make_install(real, versions / real.version)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("PYENV_ROOT", str(home / ".pyenv"))
    monkeypatch.setenv("PATH", os.pathsep.join(("/usr/bin", "/bin")))
    for var in ("PYENV_VERSION", "CONDA_PREFIX", "CONDA_EXE", "MISE_DATA_DIR", "ASDF_DATA_DIR"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(home)
    return home


def cli(*argv: str, importtime: bool = False) -> tuple[str, str]:
    """Run the console entry point in a fresh process: (stdout, stderr)."""
    flags = ["-X", "importtime"] if importtime else []
    done = subprocess.run(
        [sys.executable, *flags, "-m", "venvtui", *argv],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout, done.stderr


def answered_from_snapshot(stderr: str) -> bool:
    """The warm path never imports the argparse dispatcher (seen in -X importtime)."""
    return "venvtui.cli.main" not in stderr and "venvtui.cli.entry" in stderr


def uncached() -> str:
    return cli("--no-cache", "interpreters", "--json")[0]


def test_snapshot_output_is_byte_identical(pyenv_home: Path) -> None:
    oracle = uncached()
    assert not os.path.exists(snapshot.snapshot_path())  # --no-cache writes nothing
    assert len(json.loads(oracle)["interpreters"]) >= 2
    first, err = cli("interpreters", "--json", importtime=True)
    assert not answered_from_snapshot(err)
    assert os.path.isfile(snapshot.snapshot_path())
    assert snapshot.load() is not None
    warm, err = cli("interpreters", "--json", importtime=True)
    assert answered_from_snapshot(err)
    assert first == oracle
    assert warm == oracle


def _warm_equals_oracle_after(change: str) -> None:
    assert snapshot.load() is None, f"the snapshot did not notice: {change}"
    out, err = cli("interpreters", "--json", importtime=True)
    assert not answered_from_snapshot(err), change
    assert out == uncached(), change
    out, err = cli("interpreters", "--json", importtime=True)
    assert answered_from_snapshot(err), f"not kept again after: {change}"
    assert out == uncached(), change


def test_changes_are_noticed(pyenv_home: Path) -> None:
    versions = pyenv_home / ".pyenv" / "versions"
    cli("interpreters", "--json")
    assert snapshot.load() is not None

    real = require_python("3.12")
    make_install(real, versions / "3.12.99")  # a new interpreter in a listed dir
    _warm_equals_oracle_after("an interpreter added")
    assert "3.12.99" in cli("interpreters", "--json")[0]

    shutil.rmtree(versions / "3.12.99")  # removed again
    _warm_equals_oracle_after("an interpreter removed")
    assert "3.12.99" not in cli("interpreters", "--json")[0]

    exe = next((versions / real.version / "bin").glob("python3.*"))
    st = exe.stat()
    os.utime(exe, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))  # binary touched
    _warm_equals_oracle_after("a binary touched")

    alias = versions / real.version / "bin" / "python3"
    alias.unlink()  # a link re-pointed: same interpreter, another chain
    alias.symlink_to(exe)
    _warm_equals_oracle_after("a link re-pointed")


def test_environment_and_cwd_are_part_of_the_key(
    pyenv_home: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    cli("interpreters", "--json")
    assert snapshot.load() is not None
    monkeypatch.setenv("PATH", os.pathsep.join((str(tmp_path), "/usr/bin", "/bin")))
    _warm_equals_oracle_after("PATH changed")
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path / "elsewhere"))
    _warm_equals_oracle_after("PYENV_ROOT changed")


def test_corrupt_or_foreign_snapshot_falls_back(pyenv_home: Path) -> None:
    oracle = uncached()
    cli("interpreters", "--json")
    path = Path(snapshot.snapshot_path())
    for junk in (b"", b"{", b"[]", b'{"kind": "venvtui-inventory"}', b"[" * 100_000):
        path.write_bytes(junk)
        assert snapshot.load() is None
        out, err = cli("interpreters", "--json", importtime=True)
        assert not answered_from_snapshot(err)
        assert out == oracle
    cli("interpreters", "--json")
    doc = json.loads(path.read_text())
    assert snapshot.load() is not None
    doc["schema"] = 999  # a snapshot of another format is never read
    path.write_text(json.dumps(doc))
    assert snapshot.load() is None


def test_each_working_directory_the_answer_depends_on_is_kept(
    pyenv_home: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # pyenv's shims on PATH: which interpreter `python3` runs depends on the nearest
    # .python-version above the working directory.
    root = pyenv_home / ".pyenv"
    real = require_python("3.12")
    shims = root / "shims"
    shims.mkdir()
    (shims / "python3").write_text(f'#!/bin/sh\nexec "{root}/libexec/pyenv" exec "$@"\n')
    (shims / "python3").chmod(0o755)
    monkeypatch.setenv("PATH", os.pathsep.join((str(shims), "/usr/bin", "/bin")))
    (root / "version").write_text(real.version + "\n")
    here, there = tmp_path / "a", tmp_path / "b"
    here.mkdir()
    there.mkdir()
    (there / ".python-version").write_text("3.11\n")
    answers = {}
    for cwd in (here, there):
        monkeypatch.chdir(cwd)
        answers[cwd] = uncached()
        assert cli("interpreters", "--json")[0] == answers[cwd]
    assert answers[here] != answers[there]  # the shim runs 3.12 here, 3.11 there
    for cwd in (here, there):  # both kept: each answered from the snapshot
        monkeypatch.chdir(cwd)
        out, err = cli("interpreters", "--json", importtime=True)
        assert answered_from_snapshot(err), cwd
        assert out == answers[cwd]
    (here / ".python-version").write_text("3.11\n")  # a new selection here is noticed
    monkeypatch.chdir(here)
    _warm_equals_oracle_after("a .python-version added")
