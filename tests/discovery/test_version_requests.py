"""`--python 3.12`, `-p cpython@3.12`, `-p 3.12.1`: version requests resolved against the
discovered interpreters (newest match, an upgrade-stable alias preferred), as `uv venv -p`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.layouts import PYENV_VERSIONS, create_venv, make_uv_managed, require_python
from venvtui.cli.main import main
from venvtui.core.base.errors import NotFoundError
from venvtui.core.installed.pyrequest import VersionRequest, find_python, parse_request
from venvtui.core.installed.sources import Context


@pytest.mark.parametrize(
    ("text", "impl", "version", "ft"),
    [
        ("3", "cpython", (3,), False),
        ("3.12", "cpython", (3, 12), False),
        ("3.12.1", "cpython", (3, 12, 1), False),
        ("3.13t", "cpython", (3, 13), True),
        ("cpython@3.12", "cpython", (3, 12), False),
        ("cpython3.12", "cpython", (3, 12), False),
        ("cp312", "cpython", (3, 12), False),
        ("pypy@3.10", "pypy", (3, 10), False),
        ("pp310", "pypy", (3, 10), False),
        ("pypy3.10", "pypy", (3, 10), False),
    ],
)
def test_parse_request(text: str, impl: str, version: tuple[int, ...], ft: bool) -> None:
    assert parse_request(text) == VersionRequest(impl, version, ft, text)


@pytest.mark.parametrize("text", ["python3", "python3.12", "./3.12", "/usr/bin/python3", "x3.1"])
def test_names_and_paths_are_not_version_requests(text: str) -> None:
    assert parse_request(text) is None


def test_specifiers() -> None:
    req = parse_request(">=3.11, <3.13")
    assert req is not None and req.specifier == "<3.13,>=3.11" and req.version == ()
    with pytest.raises(NotFoundError):
        parse_request(">=3.x")


@pytest.fixture(scope="module")
def machine(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A home with pyenv 3.11.x and 3.12.x (the real builds) and a uv-managed 3.12.x with its
    stable cpython-3.12 minor link."""
    r11, r12 = require_python("3.11"), require_python("3.12")
    root = tmp_path_factory.mktemp("vreq")
    home = root / "home"
    versions = home / ".pyenv" / "versions"
    versions.mkdir(parents=True)
    for rp in (r11, r12):
        (versions / rp.version).symlink_to(PYENV_VERSIONS / rp.version)
    uv = make_uv_managed(r12, home / ".local" / "share" / "uv" / "python", home / ".local" / "bin")
    (root / "fs").mkdir()
    return {"root": root, "home": home, "uv_minor": uv.minor_python, "r11": r11.prefix}


def _ctx(m: dict[str, Path]) -> Context:
    env = {"PATH": "", "HOME": str(m["home"])}
    return Context(env, str(m["home"]), str(m["root"]), "linux", str(m["root"] / "fs"))


@pytest.mark.realpython
def test_version_requests_pick_newest_and_stable(machine: dict[str, Path]) -> None:
    ctx = _ctx(machine)
    from venvtui.core.installed.interpreters import find_interpreters

    found = find_interpreters(context=ctx)
    got = find_python("3.12", context=ctx, interpreters=found)
    # pyenv's 3.12.x and uv's are the same version: uv's minor link survives upgrades
    assert got.path == str(machine["uv_minor"])
    assert got.note() == f"Python 3.12 resolved to {machine['uv_minor']}"
    r12 = require_python("3.12")
    assert find_python(r12.version, context=ctx, interpreters=found).path == got.path
    assert find_python("cp312", context=ctx, interpreters=found).path == got.path
    assert find_python("3", context=ctx, interpreters=found).path == got.path  # newest 3.x
    p11 = find_python("cpython@3.11", context=ctx, interpreters=found).path
    assert Path(p11).resolve().is_relative_to(machine["r11"].resolve())
    assert find_python(">=3.11,<3.12", context=ctx, interpreters=found).path == p11
    assert find_python(">=3.11", context=ctx, interpreters=found).path == got.path
    by_name = find_python("python3.11", context=ctx, interpreters=found)  # not on PATH
    assert by_name.path == p11 and by_name.request == "python3.11"
    with pytest.raises(NotFoundError):
        find_python(">=3.11,<3.11", context=ctx, interpreters=found)
    with pytest.raises(NotFoundError) as err:
        find_python("3.10", context=ctx, interpreters=found)
    assert "no Python 3.10" in str(err.value) and "3.11" in err.value.hint
    with pytest.raises(NotFoundError):
        find_python("pypy@3.10", context=ctx, interpreters=found)


@pytest.mark.realpython
def test_create_and_rebuild_take_version_requests(
    machine: dict[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("HOME", str(machine["home"]))
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    monkeypatch.delenv("PYENV_VERSION", raising=False)
    monkeypatch.delenv("PYENV_ROOT", raising=False)
    code = main(["create", str(tmp_path / "env"), "-p", "3.12", "--dry-run", "--json"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "3.12" in json.loads(out)["plan"]["details"]["version"]
    assert not (tmp_path / "env").exists()
    env = create_venv(require_python("3.11").exe, tmp_path / "old311")
    code = main(["rebuild", str(env), "--python", "3.12", "--dry-run", "--json"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert json.loads(out)["plan"]["details"]["version"].startswith("3.12")
    code = main(["rebuild", str(env), "--python", "3.99", "--dry-run"])
    err = capsys.readouterr().err
    assert code != 0 and "no Python 3.99" in err and "Traceback" not in err
