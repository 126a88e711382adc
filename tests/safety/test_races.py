"""Races between writers: while one write holds an environment, a second write of it is
refused and `doctor --recover` leaves it alone; once the first ends, both work again.

The first write is a forked child stopped at a known step (it writes the step to a FIFO and
blocks reading another one): an event, not a sleep."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.layouts import require_python, runs
from tests.safety import canary
from tests.safety.hang_guard import no_hang  # noqa: F401 (fixture)
from tests.safety.writes import fifo, leftovers, make_env, recover_all
from venvtui.core.base.errors import WriteRefused
from venvtui.core.write import journal
from venvtui.core.write import plan as plan_mod
from venvtui.core.write.plan import Plan, apply
from venvtui.core.write.repair import plan_delete, plan_repair

pytestmark = [pytest.mark.realpython, pytest.mark.usefixtures("no_hang")]


@pytest.fixture
def env(tmp_path: Path) -> Path:
    (tmp_path / "work").mkdir()
    return make_env(require_python("3.12").exe, tmp_path / "work" / "env")


def _repair(env: Path) -> Plan:
    py = require_python("3.12")
    return plan_repair(str(env), str(py.prefix / "bin" / "python3"), home_policy="venv")


@pytest.fixture
def held(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    yield fifo(tmp_path / "ready"), fifo(tmp_path / "go")


def start_held(plan: Plan, at: str, ready: Path, go: Path) -> int:
    """Fork a child that applies `plan` and stops at the step `at` until `go` is written."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - child
        code = 1
        try:

            def step(label: str) -> None:
                if label.startswith(at):
                    with open(ready, "w") as f:
                        f.write(label)
                    with open(go) as f:
                        f.read()

            plan_mod._step = step  # type: ignore[assignment]
            apply(plan)
            code = 0
        finally:
            os._exit(code)
    with open(ready) as f:
        assert f.read().startswith(at)
    return pid


def release(pid: int, go: Path) -> int:
    with open(go, "w") as f:
        f.write("go")
    _, status = os.waitpid(pid, 0)
    return status


@pytest.mark.parametrize("at", ["op 2", "check"])
def test_a_second_write_is_refused_while_the_first_runs(
    env: Path, held: tuple[Path, Path], at: str
) -> None:
    ready, go = held
    pid = start_held(_repair(env), at, ready, go)
    try:
        during = canary.record(env)
        with pytest.raises(WriteRefused, match="another venvtui process"):
            apply(plan_delete(str(env)))
        # doctor --recover finds the write in progress and leaves it alone.
        outs = recover_all(env)
        assert [o.result for o in outs] == ["busy"]
        assert canary.diff(during, canary.record(env)) == []
    finally:
        status = release(pid, go)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    assert journal.pending([str(env)]) == []
    assert runs(env / "bin" / "python").returncode == 0


def test_a_killed_writer_no_longer_blocks(env: Path, held: tuple[Path, Path]) -> None:
    ready, go = held
    before = canary.record(env)
    pid = start_held(_repair(env), "check", ready, go)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    # Its lock died with it: the next write settles the interrupted one, then proceeds.
    outs = recover_all(env)
    assert [o.result for o in outs] == ["restored"]
    assert canary.diff(before, canary.record(env)) == []
    assert leftovers(env) == []
    apply(_repair(env))
    assert runs(env / "bin" / "python").returncode == 0
