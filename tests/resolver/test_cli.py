"""`venvtui resolve`: JSON shape, human output, and bad input (one-line error, non-zero exit)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.layouts import make_homebrew, require_python
from venvtui.cli.main import main

pytestmark = pytest.mark.realpython


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def brew(tmp_path_factory: pytest.TempPathFactory) -> Path:
    real = require_python("3.12")
    hb = make_homebrew(real, tmp_path_factory.mktemp("cli") / "brew")
    return hb.bin_versioned


def test_json_shape(brew: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(["resolve", str(brew), "--json"], capsys)
    assert code == 0, err
    data = json.loads(out)
    assert data["schema_version"] == 1
    assert data["python"] == str(brew)
    assert data["chain"][0] == str(brew)
    assert data["chain"][-1] == data["realpath"] == os.path.realpath(brew)
    assert data["version"].startswith("3.12.")
    assert data["base_executable"] == str(brew)
    assert set(data["creators"]) == {"venv", "virtualenv", "uv"}
    for plan in data["creators"].values():
        assert {"home", "executable", "cfg", "why", "starts"} <= set(plan)
        assert plan["starts"] in ("ok", "misbound", "fails")
        assert plan["cfg"]["home"] == plan["home"]
        assert all({"rule", "text"} == set(r) for r in plan["why"])
    # venv keeps the link's directory: a barren bin on 3.12 binds to the compiled PREFIX
    assert data["creators"]["venv"]["home"] == str(brew.parent)
    assert data["creators"]["venv"]["starts"] == "misbound"
    # virtualenv follows the executable link into the Cellar
    assert "Cellar" in data["creators"]["virtualenv"]["home"]
    assert data["creators"]["virtualenv"]["version_stamped"] is True
    assert data["creators"]["venv"]["version_stamped"] is False
    rec = data["recommended"]
    assert rec["executable"].endswith("/opt/python@3.12/bin/python3.12")
    assert rec["home"] == os.path.dirname(rec["executable"])
    assert rec["why"]


def test_human_output(brew: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["resolve", str(brew)], capsys)
    assert code == 0
    assert "-> " in out  # the chain as arrows
    assert "_base_executable" in out
    for creator in ("venv", "virtualenv", "uv"):
        assert creator in out
    assert "recommended base" in out
    assert "misbound" in out


def test_prefix_fallback_is_shown(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A loose link to a real install: venv's barren home starts only through the compiled
    PREFIX (which is that install): `starts` stays "ok", flagged in JSON and in the table, and
    the recommendation names the rejected path and why."""
    from tests.layouts import create_venv, make_loose_link, runs

    real = require_python("3.12")
    link = make_loose_link(real.exe, tmp_path / "usr-local" / "bin")
    code, out, err = _run(["resolve", str(link), "--json"], capsys)
    assert code == 0, err
    data = json.loads(out)
    venv = data["creators"]["venv"]
    assert (venv["home"], venv["starts"]) == (str(link.parent), "ok")
    assert venv["via_prefix_fallback"] is True and venv["startup"]["via_prefix_fallback"] is True
    # the oracle: the real env starts, on PREFIX (the install the link reaches)
    env = create_venv(link, tmp_path / "env")
    proc = runs(env / "bin" / "python", "import sys; print(sys.base_prefix)")
    assert proc.returncode == 0 and proc.stdout.strip() == str(real.prefix)
    assert data["creators"]["virtualenv"]["via_prefix_fallback"] is False
    rec = data["recommended"]
    assert rec["home"] == str(real.prefix / "bin")
    assert (rec["self_locating"], rec["via_prefix_fallback"], rec["starts"]) == (True, False, "ok")
    assert [r["path"] for r in rec["rejected"]] == [str(link)]
    assert "PREFIX fallback" in rec["rejected"][0]["text"]
    code, out, _ = _run(["resolve", str(link)], capsys)
    assert code == 0
    venv_row = next(line for line in out.splitlines() if line.startswith("venv "))
    assert "ok (via compiled PREFIX fallback)" in venv_row
    assert "rejected " + str(link) in out


@pytest.mark.parametrize("kind", ["not-python", "dangling", "missing", "directory"])
def test_bad_input(kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if kind == "not-python":
        path = tmp_path / "python3"
        path.write_text("#!/bin/sh\necho hello\n")
        path.chmod(path.stat().st_mode | stat.S_IXUSR)
    elif kind == "dangling":
        path = tmp_path / "python3"
        path.symlink_to(tmp_path / "gone" / "python3.12")
    elif kind == "missing":
        path = tmp_path / "nothing-here"
    else:
        path = tmp_path
    code, _out, err = _run(["resolve", str(path)], capsys)
    assert code == 2
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines[0].startswith("venvtui: error: ")
    assert len(lines) <= 2 and "Traceback" not in err
    if kind == "dangling":
        assert "gone" in err


def test_python27_is_listed_but_refused(capsys: pytest.CaptureFixture[str]) -> None:
    real = require_python("2.7")
    code, out, err = _run(["resolve", str(real.exe)], capsys)
    assert code == 2
    assert "2.7" in out and "venv" in err
    code, out, err = _run(["resolve", str(real.exe), "--json"], capsys)
    assert code == 2
    data = json.loads(out)
    assert data["version"].startswith("2.7")
    assert data["creators"] == {}
    assert data["unsupported"]


def test_probe_timeout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    slow = tmp_path / "python3"
    slow.write_text("#!/bin/sh\nsleep 30\n")
    slow.chmod(slow.stat().st_mode | stat.S_IXUSR)
    code, _, err = _run(["--no-cache", "resolve", str(slow), "--timeout", "0.5"], capsys)
    assert code == 2
    assert err.startswith("venvtui: error: ")


def test_json_path_does_not_import_textual(brew: Path) -> None:
    code = (
        "import sys; from venvtui.cli.main import main; rc = main(['resolve', sys.argv[1], "
        "'--json']); assert 'textual' not in sys.modules and 'rich' not in sys.modules; "
        "raise SystemExit(rc)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(brew)], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["creators"]["uv"]["home"] == str(brew.parent)


def test_a_deep_path_is_resolved_once_per_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`resolve` reads the disk once for its chain, each creator's choice and each event it
    simulates (`view.snapshot`): lstat calls grow with the path's depth by a small factor,
    not by one whole walk of the path per question (4.5 s at 400 levels before)."""
    real = require_python("3.12")
    depth = 150
    deep = tmp_path.joinpath(*["d"] * depth)
    deep.mkdir(parents=True)
    (deep / "python").symlink_to(real.exe)
    calls = 0
    lstat = os.lstat

    def counting(path: object, *args: object, **kwargs: object) -> os.stat_result:
        nonlocal calls
        calls += 1
        return lstat(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "lstat", counting)
    code, out, err = _run(["--no-cache", "resolve", str(deep / "python"), "--json"], capsys)
    assert code == 0, err
    assert json.loads(out)["chain"][0] == str(deep / "python")
    assert calls < 60 * depth, calls
