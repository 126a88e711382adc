"""pyenv shims as `--python`: resolved to what they run, never recorded as a base.

The shims are the real ones: a PYENV_ROOT in tmp_path holding links to the real builds in
~/.pyenv/versions, and `pyenv rehash` run by the real pyenv script. The oracle is the real
`pyenv which COMMAND` run in the same environment and directory."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.layouts import PYENV_VERSIONS, require_python
from venvtui.cli.main import main
from venvtui.core.base.errors import NotFoundError
from venvtui.core.installed.pyrequest import find_python
from venvtui.core.installed.sources import Context

PYENV = Path.home() / ".pyenv" / "bin" / "pyenv"

pytestmark = [
    pytest.mark.realpython,
    pytest.mark.skipif(not PYENV.exists(), reason="no real pyenv script"),
]


def _env(root: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {
        "PATH": os.pathsep.join([str(root / "shims"), str(root / "sysbin"), "/usr/bin", "/bin"]),
        "HOME": str(root / "home"),
        "PYENV_ROOT": str(root),
    }
    env.update(extra or {})
    return env


@pytest.fixture(scope="module")
def pyenv_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("pyenv-root")
    (root / "versions").mkdir()
    (root / "home").mkdir()
    for minor in ("3.11", "3.12"):
        rp = require_python(minor)
        (root / "versions" / rp.version).symlink_to(PYENV_VERSIONS / rp.version)
    subprocess.run([str(PYENV), "rehash"], env=_env(root), check=True, timeout=60)
    assert (root / "shims" / "python3").is_file()
    return root


def _pyenv_which(root: Path, command: str, cwd: Path, extra: dict[str, str]) -> str | None:
    cp = subprocess.run(
        [str(PYENV), "which", command],
        env=_env(root, extra),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return cp.stdout.strip() if cp.returncode == 0 else None


def _ours(root: Path, command: str, cwd: Path, extra: dict[str, str]) -> str | None:
    env = _env(root, extra)
    ctx = Context(env, env["HOME"], str(cwd))
    try:
        return find_python(str(root / "shims" / command), context=ctx).path
    except NotFoundError:
        return None


@pytest.mark.parametrize(
    ("global_version", "local", "extra", "command"),
    [
        ("3.12\n", None, {}, "python3"),  # a prefix: the latest installed 3.12.x
        ("3.11.7\n", None, {}, "python"),
        ("# comment\n\n3.12 3.11\n", None, {}, "python3"),  # first word of a line only
        ("3.12\n", "3.11\n", {}, "python3"),  # .python-version above the cwd wins
        ("3.12\n", "", {}, "python3"),  # an empty local file: "system"
        ("3.12\n", None, {"PYENV_VERSION": "3.11:3.12"}, "python3.12"),  # next in the list
        ("python-3.11\n", None, {}, "python3"),
        ("3.12\n", None, {}, "python3.11"),  # not in the selection: falls to system / none
        ("system\n", None, {}, "python3"),
        ("3.9.99\n", None, {}, "python3"),  # not installed: system
    ],
)
def test_shim_resolves_like_pyenv_which(
    pyenv_root: Path,
    tmp_path: Path,
    global_version: str,
    local: str | None,
    extra: dict[str, str],
    command: str,
) -> None:
    (pyenv_root / "version").write_text(global_version)
    cwd = tmp_path / "project" / "sub"
    cwd.mkdir(parents=True)
    if local is not None:
        (tmp_path / "project" / ".python-version").write_text(local)
    expected = _pyenv_which(pyenv_root, command, cwd, extra)
    got = _ours(pyenv_root, command, cwd, extra)
    assert got == expected
    assert got is None or "shims" not in Path(got).parts


def test_shim_of_another_root_is_read_from_the_shim(pyenv_root: Path, tmp_path: Path) -> None:
    """A shim outside the current PYENV_ROOT names its own root in its text."""
    (pyenv_root / "version").write_text("3.11\n")
    ctx = Context({"PATH": "/usr/bin:/bin"}, str(tmp_path), str(tmp_path))
    got = find_python(str(pyenv_root / "shims" / "python3"), context=ctx)
    assert got.shim == str(pyenv_root / "shims" / "python3")
    assert got.shim_manager == "pyenv"
    assert Path(got.path).parent.parent.name.startswith("3.11.")
    assert got.note() and "pyenv shim" in got.note()  # type: ignore[operator]


def test_resolve_cli_never_recommends_the_shim(
    pyenv_root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (pyenv_root / "version").write_text("3.12\n")
    for k, v in _env(pyenv_root).items():
        monkeypatch.setenv(k, v)
    assert main(["resolve", str(pyenv_root / "shims" / "python3"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    shims = str(pyenv_root / "shims")
    assert not data["recommended"]["executable"].startswith(shims)
    assert not data["recommended"]["home"].startswith(shims)
    assert data["requested"]["shim_manager"] == "pyenv"
    assert data["version"].startswith("3.12.")


def test_create_python3_on_a_shim_path_plans_on_the_selected_version(
    pyenv_root: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (pyenv_root / "version").write_text("3.12\n")
    for k, v in _env(pyenv_root).items():
        monkeypatch.setenv(k, v)
    monkeypatch.chdir(tmp_path)
    code = main(["create", str(tmp_path / "env"), "--python", "python3", "--dry-run", "--json"])
    out = capsys.readouterr().out
    assert code == 0
    assert str(pyenv_root / "shims") not in out
    plan = json.dumps(json.loads(out))
    assert "/3.12." in plan
    assert not (tmp_path / "env").exists()


def test_inactive_shim_is_a_one_line_error(
    pyenv_root: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (pyenv_root / "version").write_text("3.11\n")
    env = _env(pyenv_root)
    env["PATH"] = str(pyenv_root / "shims")  # no system python3.12 to fall back to
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    assert _pyenv_which(pyenv_root, "python3.12", tmp_path, {"PATH": env["PATH"]}) is None
    code = main(["resolve", str(pyenv_root / "shims" / "python3.12")])
    err = capsys.readouterr().err
    assert code != 0
    assert "pyenv shim" in err and "3.11" in err
    assert "Traceback" not in err


def test_shims_of_another_root_on_path_are_never_interpreters(
    pyenv_root: Path, tmp_path: Path
) -> None:
    """PATH holds the shims of a root that is not $PYENV_ROOT (nor ~/.pyenv): still shims."""
    from venvtui.core.installed.interpreters import static_interpreters

    (pyenv_root / "version").write_text("3.12\n")
    env = {"PATH": os.pathsep.join([str(pyenv_root / "shims"), "/usr/bin", "/bin"])}
    ctx = Context(env, str(tmp_path), str(tmp_path))
    found = static_interpreters(context=ctx)
    shims = str(pyenv_root / "shims")
    assert not any(a.path.startswith(shims) for i in found for a in i.aliases)
    runs = [i for i in found if str(pyenv_root / "shims" / "python3") in i.shims]
    assert len(runs) == 1
    assert ".".join(Path(runs[0].real_path).parent.parent.name.split(".")[:2]) == "3.12"


@pytest.mark.parametrize("policy", ["shims", "shims/python3"])
def test_a_shim_is_refused_as_an_explicit_home(
    pyenv_root: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    policy: str,
) -> None:
    (pyenv_root / "version").write_text("3.12\n")
    for k, v in _env(pyenv_root).items():
        monkeypatch.setenv(k, v)
    rp = require_python("3.12")
    home = str(pyenv_root / policy)
    code = main(["create", str(tmp_path / "e"), "-p", str(rp.exe), "--home-policy", home, "-n"])
    err = capsys.readouterr().err
    assert code != 0 and "pyenv shim" in err and "Traceback" not in err
    assert not (tmp_path / "e").exists()


@pytest.mark.slow
def test_create_through_a_shim_first_path_makes_a_working_env(
    pyenv_root: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Really created (with pip from ensurepip): home and bin/python name the install the shim
    selected, and the env starts without pyenv."""
    (pyenv_root / "version").write_text("3.12\n")
    for k, v in _env(pyenv_root).items():
        monkeypatch.setenv(k, v)
    monkeypatch.chdir(tmp_path)
    dest = tmp_path / "env"
    assert main(["create", str(dest), "--python", "python3", "--seed"]) == 0, capsys.readouterr()
    cfg = (dest / "pyvenv.cfg").read_text()
    assert "shims" not in cfg and "shims" not in os.readlink(dest / "bin" / "python")
    cp = subprocess.run(
        [str(dest / "bin" / "python"), "-c", "import sys, pip; print(sys.version_info[:2])"],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin"},
        timeout=60,
    )
    assert cp.returncode == 0 and cp.stdout.strip() == "(3, 12)", cp.stderr
