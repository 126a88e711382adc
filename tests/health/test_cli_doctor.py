"""`venvtui doctor` and `venvtui whatif`: JSON shapes, exit codes, bad input, and the answers
checked against running the envs (before and after really removing the install)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.health.oracle import actual_status
from tests.layouts import create_uv, create_venv, make_homebrew, make_install, require_python
from venvtui.cli.main import main

pytestmark = pytest.mark.realpython


def build_world(tmp: Path) -> dict[str, Path]:
    rp = require_python("3.12")
    hb = make_homebrew(rp, tmp / "hb")
    envs = tmp / "envs"
    out = {
        "tmp": tmp,
        "envs": envs,
        "keg": hb.keg,
        "cellar_python": hb.cellar_python,
        "opt": create_venv(hb.opt_python, envs / "opt", tmp=tmp),
        "cellar": create_venv(hb.cellar_python, envs / "cellar", tmp=tmp),
        "uv-opt": create_uv(hb.opt_python, envs / "uv-opt", tmp=tmp),
    }
    # an env whose base install is already gone
    gone = make_install(rp, tmp / "gone" / "versions" / rp.version)
    out["dangling"] = create_venv(gone / "bin" / "python3.12", envs / "dangling", tmp=tmp)
    shutil.rmtree(gone)
    return out


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return build_world(tmp_path_factory.mktemp("doctor"))


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def test_doctor_json_shape_statuses_and_exit(
    world: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(["doctor", str(world["envs"]), "--json"], capsys)
    data = json.loads(out)
    assert data["schema_version"] == 1
    rows = {Path(r["path"]).name: r for r in data["environments"]}
    assert set(rows) == {"opt", "cellar", "uv-opt", "dangling"}
    for name, row in rows.items():
        assert row["status"] == actual_status(world[name]).status, name
        for v in row["verdicts"]:
            assert {"code", "severity", "summary", "explanation", "fix"} <= v.keys()
            assert v["severity"] in ("error", "warning", "info")
        for f in row["forecast"]:
            assert {"event", "kind", "result"} <= f.keys()
            assert f["result"] in ("broken", "misbound", "drift")
    assert rows["dangling"]["status"] == "broken"
    assert "dangling-python" in [v["code"] for v in rows["dangling"]["verdicts"]]
    # the Cellar-bound env is forecast to break on the Homebrew upgrade; the opt-bound one not
    assert any(f["kind"] == "patch-upgrade" for f in rows["cellar"]["forecast"])
    assert not any(f["kind"] == "patch-upgrade" for f in rows["opt"]["forecast"])
    assert code == 1  # something is broken


def test_doctor_human_and_exit_zero_when_healthy(
    world: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(["doctor", str(world["opt"]), str(world["cellar"])], capsys)
    assert code == 0
    assert out.splitlines()[0].startswith("OK")
    assert "brew upgrade python@3.12" in out  # the cellar env's forecast
    code, out, _ = run_cli(["doctor", str(world["dangling"]), "--no-confirm"], capsys)
    assert code == 1 and out.startswith("BROKEN")


@pytest.mark.parametrize(
    "args",
    [
        ["doctor", "/nonexistent/venvtui-test"],
        ["whatif", "remove", "/nonexistent/venvtui-test"],
        ["whatif", "upgrade", "/tmp", "--to", "3.12.9"],
    ],
)
def test_bad_input_is_one_line_error(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run_cli(args, capsys)
    assert code == 2
    assert err.startswith("venvtui: error: ") and "Traceback" not in err
    assert len(err.strip().splitlines()) <= 2  # the error and its hint


def test_whatif_upgrade_rejects_bad_versions(
    world: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    for to in ("3.13.0", "latest"):
        code, _out, err = run_cli(
            ["whatif", "upgrade", str(world["keg"]), "--to", to, "--env-root", str(world["envs"])],
            capsys,
        )
        assert code == 2 and err.startswith("venvtui: error: ")


def test_whatif_remove_json_then_really_remove(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """What-if, then the real uninstall on a world of its own."""
    world = build_world(tmp_path)
    code, out, _ = run_cli(
        [
            "whatif",
            "remove",
            str(world["cellar_python"]),  # the executable names its install
            "--env-root",
            str(world["envs"]),
            "--json",
        ],
        capsys,
    )
    data = json.loads(out)
    assert data["schema_version"] == 1 and "brew uninstall python@3.12" in data["event"]
    rows = {Path(r["path"]).name: r for r in data["environments"]}
    assert set(rows) == {"opt", "cellar", "uv-opt"}  # not the env that depends on nothing here
    for r in rows.values():
        assert {"path", "status_after", "why"} <= r.keys()
    assert code == 1
    # `brew uninstall`: the keg, opt/ and the bin links go
    hb = world["keg"].parents[2]
    shutil.rmtree(world["keg"])
    for p in (hb / "opt" / "python@3.12", hb / "bin" / "python3", hb / "bin" / "python3.12"):
        p.unlink()
    for name, r in rows.items():
        assert r["status_after"] == actual_status(world[name]).status, name


def test_doctor_json_does_not_import_textual(world: dict[str, Path]) -> None:
    code = (
        "import sys, io, contextlib\n"
        "from venvtui.cli.main import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    main(['doctor', '--json', '--no-confirm', {str(world['opt'])!r}])\n"
        "assert 'textual' not in sys.modules and 'rich' not in sys.modules, 'textual imported'\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=60)
