"""Atomic apply: a failure injected at every step (and a failed post-check, and Ctrl-C) leaves
the original tree byte for byte as it was, and no stray sibling directories."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.layouts import create_venv, require_python, runs
from tests.writer.conftest import snapshot, uv_install
from venvtui.core.base.errors import WriteFailed
from venvtui.core.write import plan as plan_mod
from venvtui.core.write.create import CreateRequest, plan_create
from venvtui.core.write.plan import Plan, Verify, apply
from venvtui.core.write.repair import plan_repair

pytestmark = pytest.mark.realpython


class Boom(Exception):
    pass


def fail_at(monkeypatch: pytest.MonkeyPatch, n: int, exc: BaseException) -> list[int]:
    """Make the n-th executed operation raise (after the previous ones really ran)."""
    real = plan_mod._execute_op
    calls = [0]

    def wrapped(*args: Any, **kwargs: Any) -> None:
        calls[0] += 1
        if calls[0] == n:
            raise exc
        real(*args, **kwargs)

    monkeypatch.setattr(plan_mod, "_execute_op", wrapped)
    return calls


def siblings(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir())


@pytest.fixture
def env_with_package(tmp_path: Path, wheelhouse: Path) -> Path:
    py = require_python("3.12")
    (tmp_path / "work").mkdir()
    env = create_venv(py.exe, tmp_path / "work" / "env")
    uv_install(env / "bin" / "python", wheelhouse, tmp_path)
    return env


def test_repair_rolls_back_at_every_step(
    env_with_package: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = env_with_package
    py = require_python("3.12")
    plan = plan_repair(str(env), str(py.prefix / "bin" / "python3"), home_policy="venv")
    assert len(plan.ops) >= 5
    before = snapshot(env)
    names = siblings(env)
    for n in range(1, len(plan.ops) + 1):
        with monkeypatch.context() as m:
            fail_at(m, n, Boom(f"injected at op {n}"))
            with pytest.raises(WriteFailed, match="injected"):
                apply(plan)
        assert snapshot(env) == before, f"tree changed after a failure at op {n}"
        assert siblings(env) == names
    # Ctrl-C half-way: rolled back, then propagated.
    with monkeypatch.context() as m:
        fail_at(m, 3, KeyboardInterrupt())
        with pytest.raises(KeyboardInterrupt):
            apply(plan)
    assert snapshot(env) == before
    # And the real thing works, keeping a backup of what it replaced.
    result = apply(plan)
    assert result.backup is not None
    assert os.readlink(Path(result.backup, "bin", "python3.orig")) == "python3.12"
    assert runs(env / "bin" / "python", "import tinypkg").returncode == 0


def test_repair_rolled_back_when_the_env_does_not_start(env_with_package: Path) -> None:
    env = env_with_package
    py = require_python("3.12")
    plan = plan_repair(str(env), str(py.prefix / "bin" / "python3"), home_policy="venv")
    assert plan.verify is not None and plan.ops
    before = snapshot(env)
    wrong = Plan(
        **{
            **{f: getattr(plan, f) for f in plan.__dataclass_fields__},
            "verify": Verify(plan.verify.python, plan.verify.prefix, "/nonexistent/base"),
        }
    )
    with pytest.raises(WriteFailed, match="binds to"):
        apply(wrong)
    assert snapshot(env) == before


def test_clear_replacement_rolls_back_at_every_step(
    env_with_package: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = env_with_package
    py = require_python("3.12")
    plan = plan_create(
        CreateRequest(python=str(py.exe), dest=str(env), home_policy="venv", clear=True)
    )
    assert plan.replaces
    before = snapshot(env)
    names = siblings(env)
    layout_ops = [op for op in plan.ops if op.kind != "run"]
    for n in (1, 2, len(layout_ops) // 2, len(layout_ops) - 1):
        with monkeypatch.context() as m:
            fail_at(m, n, Boom("disk full"))
            with pytest.raises(WriteFailed, match="disk full"):
                apply(plan)
        assert snapshot(env) == before
        assert siblings(env) == names
    # A post-install step failing after the swap restores the old environment too.
    seeded = plan_create(
        CreateRequest(python=str(py.exe), dest=str(env), home_policy="venv", clear=True, seed=True)
    )
    with monkeypatch.context() as m:
        fail_at(m, len([o for o in seeded.ops if o.kind != "run"]), OSError(28, "No space left"))
        with pytest.raises(WriteFailed):
            apply(seeded)
    assert snapshot(env) == before
    assert siblings(env) == names


def test_failed_create_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    py = require_python("3.12")
    dest = tmp_path / "new"
    plan = plan_create(CreateRequest(python=str(py.exe), dest=str(dest), home_policy="venv"))
    fail_at(monkeypatch, 5, Boom("injected"))
    with pytest.raises(WriteFailed):
        apply(plan)
    assert os.listdir(tmp_path) == []


def test_dry_run_writes_nothing_and_shows_the_cfg_diff(env_with_package: Path) -> None:
    env = env_with_package
    py = require_python("3.12")
    before = snapshot(env)
    # point the cfg somewhere else by hand, then plan the repair: the diff names both homes
    cfg = env / "pyvenv.cfg"
    cfg.write_text(cfg.read_text().replace(str(py.prefix / "bin"), "/gone/bin"))
    plan = plan_repair(str(env), str(py.exe), home_policy="venv")
    text = plan.render()
    assert "-home = /gone/bin" in text
    assert f"+home = {py.prefix / 'bin'}" in text
    assert ".venvtui-backup" in text
    assert snapshot(env) != before  # only our own edit above
    after_plan = snapshot(env)
    plan.render()
    assert snapshot(env) == after_plan


def test_timeout_and_ctrl_c_during_a_build_roll_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, env_with_package: Path
) -> None:
    """A post-install step that hangs is killed at the timeout and the replacement is undone;
    Ctrl-C in the middle of laying out files undoes it too."""
    import dataclasses

    from venvtui.core.write.plan import Op

    py = require_python("3.12")
    env = env_with_package
    before = snapshot(env)
    names = siblings(env)
    plan = plan_create(
        CreateRequest(python=str(py.exe), dest=str(env), home_policy="venv", clear=True)
    )
    hang = Op("run", str(env), argv=(str(py.exe), "-c", "import time; time.sleep(60)"))
    slow = dataclasses.replace(plan, ops=(*plan.ops, hang))
    monkeypatch.setattr(plan_mod, "RUN_TIMEOUT", 1.0)
    with pytest.raises(WriteFailed, match="did not finish"):
        apply(slow)
    assert snapshot(env) == before
    assert siblings(env) == names
    with monkeypatch.context() as m:
        fail_at(m, 4, KeyboardInterrupt())
        with pytest.raises(KeyboardInterrupt):
            apply(plan)
    assert snapshot(env) == before
    assert siblings(env) == names
