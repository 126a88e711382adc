"""An environment with an error verdict is never "ok": status, badge, counts and doctor's exit
status all follow the worst verdict (issue: a moved env whose console scripts run the old path
showed "ok" and `doctor` exited 0).

The oracle is running the moved env's own `bin/pip`: the kernel refuses its #! line."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.layouts import VENV_BIN, require_python, run_tool
from venvtui.cli.main import main
from venvtui.core.breaks.health import BADGE, HEALTH_RANK, Verdict, diagnose, health_status
from venvtui.core.installed.envs import load_environment

pytestmark = pytest.mark.realpython


@pytest.fixture(scope="module")
def moved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real virtualenv (seeded with pip from its embedded wheel), then moved elsewhere."""
    rp = require_python("3.12")
    tmp = tmp_path_factory.mktemp("moved")
    old = tmp / "old" / "env"
    run_tool(
        [
            str(VENV_BIN / "virtualenv"),
            "--no-download",
            "--no-setuptools",
            "--no-wheel",
            "-p",
            str(rp.exe),
            str(old),
        ],
        tmp,
    )
    new = tmp / "new" / "env"
    new.parent.mkdir()
    old.rename(new)
    return new


def _pip_runs(env: Path) -> bool:
    try:
        cp = subprocess.run(
            [str(env / "bin" / "pip"), "--version"], capture_output=True, timeout=60
        )
    except OSError:  # ENOENT: the #! interpreter does not exist
        return False
    return cp.returncode == 0


def test_moved_env_is_not_ok(moved: Path) -> None:
    assert not _pip_runs(moved)  # the ground truth: its console scripts are broken
    d = diagnose(load_environment(str(moved)))
    codes = {v.code: v.severity for v in d.verdicts}
    assert codes.get("shebang-missing") == "error"
    assert d.starts == "ok"  # the interpreter itself starts
    assert d.status == "error"
    data = d.to_json()
    assert data["status"] == "error" and data["starts"] == "ok"


def test_doctor_exit_badge_and_counts_follow_the_worst_verdict(
    moved: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["doctor", str(moved)])
    out = capsys.readouterr().out
    assert code == 1
    first = out.splitlines()[0]
    assert first.startswith("ERROR") and not first.startswith("OK")
    assert "1 environment(s): 1 error" in out
    code = main(["doctor", str(moved), "--json"])
    rows = json.loads(capsys.readouterr().out)["environments"]
    assert code == 1
    assert rows[0]["status"] == "error"
    assert any(v["severity"] == "error" for v in rows[0]["verdicts"])


def _v(severity: str) -> Verdict:
    return Verdict("x", severity, "s", "e", "f")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("start", "severities", "expected"),
    [
        ("ok", [], "ok"),
        ("ok", ["info"], "ok"),
        ("ok", ["warning"], "warning"),
        ("ok", ["warning", "error", "info"], "error"),
        ("drift", ["warning"], "drift"),
        ("drift", ["warning", "error"], "error"),
        ("misbound", ["warning"], "misbound"),
        ("broken", ["error"], "broken"),
        ("uncertain", ["warning"], "uncertain"),
    ],
)
def test_health_status_is_the_worst(start: str, severities: list[str], expected: str) -> None:
    got = health_status(start, [_v(s) for s in severities])  # type: ignore[arg-type]
    assert got == expected
    assert got in BADGE
    # never better than any verdict says
    for s in severities:
        if s == "error":
            assert HEALTH_RANK[got] >= HEALTH_RANK["error"]


def test_envs_lists_the_same_status_as_doctor(
    moved: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["envs", str(moved.parent), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["environments"]
    assert [(r["path"], r["status"]) for r in rows] == [(str(moved), "error")]
    main(["envs", str(moved.parent)])
    out = capsys.readouterr().out.splitlines()
    assert out[0].split()[3] == "STATUS" and out[1].split()[3] == "error"


def test_the_scripts_named_are_the_first_by_name(moved: Path) -> None:
    """However the directory lists them, the verdict names the first scripts by name."""
    for n in ("zz-tool", "aa-tool", "mm-tool"):  # more scripts running the old interpreter
        (moved / "bin" / n).write_text((moved / "bin" / "pip").read_text())
    try:
        d = diagnose(load_environment(str(moved)))
    finally:
        for n in ("zz-tool", "aa-tool", "mm-tool"):
            (moved / "bin" / n).unlink()
    (verdict,) = [v for v in d.verdicts if v.code == "shebang-missing"]
    shown = verdict.summary.split(": ", 1)[1].split(" and ")[0].split(", ")
    names = [s.split(" → ")[0] for s in shown]
    assert names == ["aa-tool", "mm-tool", "pip"]
