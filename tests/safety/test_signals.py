"""Real signals at known points of real `venvtui create` / `venvtui rebuild` runs.

A driver runs the real CLI (`cli.main.main`) in a child process. The point is reached by an
event, never by a sleep: either the installer (a fake uv) writes "ready" to a FIFO and blocks,
or the writer's step hook does at a named step. Then the test sends SIGINT, SIGTERM, SIGHUP or
SIGKILL to the driver alone (not to its group: the installer runs in a session of its own).

SIGINT/SIGTERM/SIGHUP: the run rolls back and exits non-zero, the environment is byte for
byte as it was, nothing is left beside it and no process it started survives. SIGKILL: the
next `venvtui doctor --recover` leaves the old or the new complete environment, removes the
leftovers and kills the installer the dead run left behind."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.layouts import require_python
from tests.safety import canary
from tests.safety.hang_guard import no_hang  # noqa: F401 (fixture)
from tests.safety.writes import alive_with, fake_uv, fifo, leftovers, make_env

pytestmark = [
    pytest.mark.realpython,
    pytest.mark.usefixtures("no_hang"),
    pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="survivor scan needs /proc"),
]

DRIVER = """
import json, sys
cfg = json.loads(sys.argv[1])
from venvtui.core.write import plan as plan_mod, repair
if cfg["uv"]:
    repair.find_uv = lambda: cfg["uv"]
if cfg["block_at"]:
    def step(label):
        if label.startswith(cfg["block_at"]):
            with open(cfg["ready"], "w") as f:
                f.write(label + "\\n")
            open(cfg["block"]).read()  # blocks until a signal
    plan_mod._step = step
if cfg.get("block_in_settle"):
    from venvtui.core.write import journal
    real_settle = journal.settle
    def settle(j):
        with open(cfg["ready"], "w") as f:
            f.write("settle\\n")
        open(cfg["block"]).read()  # a signal here is held until the write is finished
        return real_settle(j)
    journal.settle = settle
from venvtui.cli.main import main
sys.exit(main(cfg["argv"]))
"""

CATCHABLE = [signal.SIGINT, signal.SIGTERM, signal.SIGHUP]


@pytest.fixture
def world(tmp_path: Path) -> Iterator[Path]:
    """A work dir; afterwards a canary beside it is unchanged and no process that mentions
    this test's directory is alive."""
    work = tmp_path / "work"
    work.mkdir()
    tree = canary.make_canary(tmp_path / "canary")
    before = canary.record(tree)
    yield work
    assert canary.diff(before, canary.record(tree)) == []
    assert alive_with(str(tmp_path)) == []


def start(
    tmp: Path,
    argv: list[str],
    *,
    block_at: str = "",
    uv: Path | None = None,
    block_in_settle: bool = False,
) -> tuple[subprocess.Popen[str], Path]:
    ready = fifo(tmp / "ready")
    block = fifo(tmp / "block")
    driver = tmp / "driver.py"
    driver.write_text(DRIVER)
    cfg = {
        "argv": argv,
        "block_at": block_at,
        "ready": str(ready),
        "block": str(block),
        "uv": str(uv) if uv else None,
        "block_in_settle": block_in_settle,
    }
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    child = subprocess.Popen(
        [sys.executable, str(driver), json.dumps(cfg)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    return child, ready


def wait_ready(ready: Path, child: subprocess.Popen[str]) -> str:
    """Block until something writes to the FIFO (the event), or fail if the child exits."""
    fd = os.open(ready, os.O_RDONLY | os.O_NONBLOCK)
    try:
        while True:
            readable, _, _ = select.select([fd], [], [], 0.2)
            if readable:
                data = os.read(fd, 4096)
                if data:
                    return data.decode()
            if child.poll() is not None:
                _out, err = child.communicate()
                pytest.fail(f"the run ended before the point (exit {child.returncode}): {err}")
    finally:
        os.close(fd)


def recover(env: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "venvtui", "doctor", "--recover", "--no-confirm", str(env)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def rebuild_argv(env: Path) -> list[str]:
    py = require_python("3.12")
    return ["rebuild", str(env), "-p", str(py.exe), "--home-policy", "venv", "--installer", "uv"]


# Points of a rebuild: laying out files, the installer running, the check after the swap.
POINTS = ["op 3", "installer", "final check"]


def _rebuild_run(work: Path, tmp: Path, point: str) -> tuple[Path, subprocess.Popen[str], Path]:
    env = make_env(require_python("3.12").exe, work / "env")
    if point == "installer":
        uv = fake_uv(tmp, ready=tmp / "ready", block=tmp / "block")
        child, ready = start(tmp, rebuild_argv(env), uv=uv)
    else:
        child, ready = start(tmp, rebuild_argv(env), block_at=point, uv=fake_uv(tmp))
    return env, child, ready


@pytest.mark.parametrize("point", POINTS)
@pytest.mark.parametrize("sig", CATCHABLE, ids=lambda s: signal.Signals(s).name)
def test_rebuild_interrupted_rolls_back(world: Path, tmp_path: Path, point: str, sig: int) -> None:
    env, child, ready = _rebuild_run(world, tmp_path, point)
    before = canary.record(env)
    wait_ready(ready, child)
    os.kill(child.pid, sig)
    _out, err = child.communicate(timeout=60)
    assert child.returncode != 0
    assert "interrupted" in err
    assert "Traceback" not in err
    assert canary.diff(before, canary.record(env)) == []
    assert leftovers(env) == []


@pytest.mark.parametrize("point", POINTS)
def test_rebuild_killed_is_recovered_by_doctor(world: Path, tmp_path: Path, point: str) -> None:
    env, child, ready = _rebuild_run(world, tmp_path, point)
    before = canary.record(env)
    wait_ready(ready, child)
    os.kill(child.pid, signal.SIGKILL)
    child.communicate(timeout=60)
    assert leftovers(env) != []  # the journal and the staging tree, before recovery
    first = recover(env)
    assert "INTERRUPTED" in first.stdout, first.stdout + first.stderr
    assert "restored" in first.stdout
    assert canary.diff(before, canary.record(env)) == []
    assert leftovers(env) == []
    again = recover(env)
    assert "INTERRUPTED" not in again.stdout


@pytest.mark.parametrize("point", ["installer", "final check"])
def test_rebuild_killed_then_the_next_rebuild_recovers_first(
    world: Path, tmp_path: Path, point: str
) -> None:
    env, child, ready = _rebuild_run(world, tmp_path, point)
    wait_ready(ready, child)
    os.kill(child.pid, signal.SIGKILL)
    child.communicate(timeout=60)
    # The installer the dead run left may still write into the staging tree, or the new tree
    # is in place unchecked; the next run settles the interrupted write first, then rebuilds.
    (tmp_path / "ready").unlink()
    (tmp_path / "block").unlink()
    child, _ = start(tmp_path, rebuild_argv(env), uv=fake_uv(tmp_path))
    out, err = child.communicate(timeout=120)
    assert child.returncode == 0, err
    assert "an interrupted rebuild" in out and "rebuilt" in out
    assert (env / "bin" / "tinycli").read_text().startswith(f"#!{env / 'bin' / 'python'}")
    assert leftovers(env) == []


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_create_with_pip_interrupted_after_ensurepip(world: Path, tmp_path: Path, sig: int) -> None:
    """The real ensurepip ran in the staging tree; a signal before the swap leaves nothing."""
    py = require_python("3.12")
    dest = world / "new"
    argv = ["create", str(dest), "-p", str(py.exe), "--home-policy", "venv", "--seed"]
    child, ready = start(tmp_path, argv, block_at="check in staging")
    assert wait_ready(ready, child).startswith("check in staging")
    staged = [p for p in world.iterdir() if ".venvtui-new-" in p.name]
    assert len(staged) == 1 and (staged[0] / "bin" / "pip").exists()
    assert not dest.exists()  # nothing at the destination while it is being built
    os.kill(child.pid, sig)
    child.communicate(timeout=60)
    if sig == signal.SIGKILL:
        assert "INTERRUPTED" in recover(dest).stdout
    assert not dest.exists()
    assert leftovers(dest) == []
    assert os.listdir(world) == []


def test_sigterm_while_the_old_tree_is_removed_finishes_then_terminates(
    world: Path, tmp_path: Path
) -> None:
    """After the commit, a SIGTERM is held until the old tree is gone and the journal removed;
    then the process terminates as asked. The new environment is complete."""
    env = make_env(require_python("3.12").exe, world / "env")
    child, ready = start(tmp_path, rebuild_argv(env), uv=fake_uv(tmp_path), block_in_settle=True)
    assert wait_ready(ready, child).startswith("settle")
    os.kill(child.pid, signal.SIGTERM)
    with open(tmp_path / "block", "w") as f:  # let the settling go on
        f.write("go")
    child.communicate(timeout=60)
    assert child.returncode in (-signal.SIGTERM, 128 + signal.SIGTERM)
    assert leftovers(env) == []
    assert (env / "bin" / "tinycli").read_text().startswith(f"#!{env / 'bin' / 'python'}")
