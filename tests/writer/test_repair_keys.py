"""Repair of a healthy environment changes nothing; every pyvenv.cfg key create and repair
write names the base through the same stable home."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.layouts import create_venv, create_virtualenv, make_homebrew, require_python
from tests.safety.canary import diff, record
from venvtui.cli.main import main
from venvtui.core.write.create import CreateRequest, plan_create
from venvtui.core.write.plan import apply

pytestmark = pytest.mark.realpython


def _cfg(env: Path) -> dict[str, str]:
    pairs = (ln.split(" = ", 1) for ln in (env / "pyvenv.cfg").read_text().splitlines())
    return {k: v for k, v in pairs}


@pytest.mark.parametrize("creator", ["venv", "virtualenv"])
def test_repair_of_a_healthy_env_is_a_no_op(
    creator: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    py = require_python("3.12")
    make = create_venv if creator == "venv" else create_virtualenv
    env = make(py.exe, tmp_path / "env")
    before = record(tmp_path)
    for argv in (["repair", str(env)], ["repair", str(env), "--json"]):
        code = main(argv)
        out, err = capsys.readouterr()
        assert code == 0, err
        assert "nothing to repair" in out, out
        assert diff(before, record(tmp_path)) == []
    assert not (env / ".venvtui-backup").exists()


def test_second_repair_is_a_no_op(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A broken env is repaired once; running repair again writes nothing more."""
    py = require_python("3.12")
    env = create_venv(py.prefix / "bin" / "python3", tmp_path / "env")
    os.unlink(env / "bin" / "python3")
    os.symlink("/gone/python3", env / "bin" / "python3")  # dangling: the env is broken
    assert main(["repair", str(env), "--python", str(py.exe)]) == 0
    capsys.readouterr()
    before = record(tmp_path)
    assert main(["repair", str(env), "--python", str(py.exe)]) == 0
    out, _ = capsys.readouterr()
    assert out.startswith("nothing to repair"), out
    assert diff(before, record(tmp_path)) == []


def test_create_records_the_stable_base_in_every_key(tmp_path: Path) -> None:
    """From Homebrew's version-stamped Cellar path, `home`, `executable` and the recorded
    `command` all name opt/python@X.Y (the stable alias), never the Cellar keg."""
    real = require_python("3.12")
    hb = make_homebrew(real, tmp_path / "brew")
    plan = plan_create(CreateRequest(python=str(hb.cellar_python), dest=str(tmp_path / "env")))
    env = Path(apply(plan).env)
    cfg = _cfg(env)
    assert cfg["home"] == str(hb.opt / "bin")
    assert cfg["executable"] == str(hb.opt_python)
    assert f"--python {hb.opt_python} " in cfg["command"], cfg["command"]
    assert str(hb.keg) not in (env / "pyvenv.cfg").read_text()
    # The env keeps starting, and repair has nothing to change, after brew upgrade + cleanup.
    hb.upgrade()
    from venvtui.core.write.repair import plan_repair

    assert plan_repair(str(env)).details.get("nothing_to_do")


def test_applying_a_nothing_to_repair_plan_writes_nothing(tmp_path: Path) -> None:
    """The TUI applies the plan it showed: an empty in-place plan leaves no backup."""
    from venvtui.core.write.repair import plan_repair

    py = require_python("3.12")
    env = create_venv(py.exe, tmp_path / "env")
    plan = plan_repair(str(env))
    assert plan.details.get("nothing_to_do")
    before = record(tmp_path)
    assert apply(plan).backup is None
    assert diff(before, record(tmp_path)) == []


def test_repair_drops_a_byte_order_mark_that_hides_the_first_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A BOM before `include-system-site-packages` (a line repair does not change) hides that
    key from site.py, and a line without '=' is skipped by Python: repair (offered by the
    cfg-malformed verdict) writes the file without either, though the env runs."""
    from venvtui.core.breaks.health import diagnose
    from venvtui.core.installed.envs import load_environment

    py = require_python("3.12")
    env = create_venv(py.exe, tmp_path / "env")
    cfg = env / "pyvenv.cfg"
    lines = cfg.read_text().splitlines()
    first = [ln for ln in lines if ln.startswith("include-system-site-packages")]
    rest = [ln for ln in lines if not ln.startswith("include-system-site-packages")]
    junk = ["a line without equals"]
    cfg.write_bytes(b"\xef\xbb\xbf" + "\n".join(first + junk + rest + [""]).encode())
    flagged = diagnose(load_environment(str(env)), confirm=False, forecast=False)
    assert "cfg-malformed" in [v.code for v in flagged.verdicts]
    assert main(["repair", str(env)]) == 0, capsys.readouterr()
    data = cfg.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")
    assert data.startswith(b"include-system-site-packages")
    assert b"without equals" not in data
    fixed = diagnose(load_environment(str(env)), confirm=True, forecast=False)
    assert "cfg-malformed" not in [v.code for v in fixed.verdicts]
    assert fixed.status == "ok", fixed.verdicts
