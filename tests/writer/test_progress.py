"""Progress of a write: `apply(plan, on_progress=...)` reports each step and every line an
installer prints while it is still running, and `proc.run(on_line=...)` hands on lines as they
arrive without changing what it captures."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from venvtui.core.base import proc
from venvtui.core.write import plan as plan_mod
from venvtui.core.write.plan import Op, Plan, Progress, apply

SH = "/bin/sh"


def test_installer_lines_reach_the_callback_while_it_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fake installer prints two lines, then waits on a FIFO that only the callback opens
    (on seeing "waiting"): it can finish only if its lines arrive while it runs. A callback
    that got them at the end would leave it blocked until the (shortened) timeout."""
    monkeypatch.setattr(plan_mod, "RUN_TIMEOUT", 30.0)  # a failure fails, not hangs
    fifo = tmp_path / "go"
    os.mkfifo(fifo)
    env = tmp_path / "env"
    script = 'echo first; echo waiting; read x < "$1"; echo "got $x"; printf "no newline"'
    ops = (Op("mkdir", str(env)), Op("run", str(env), argv=(SH, "-c", script, "sh", str(fifo))))
    plan = Plan("create", str(env), "build", ops, "make a test environment")
    seen: list[Progress] = []

    def on_progress(p: Progress) -> None:
        seen.append(p)
        if p.line == "waiting":
            fd = os.open(fifo, os.O_WRONLY)  # the installer is opening it for reading
            try:
                os.write(fd, b"go\n")
            finally:
                os.close(fd)

    apply(plan, on_progress=on_progress)
    seen.append(Progress("apply returned"))
    step = f"run sh -c {script} sh {fifo}"
    lines = [p.line for p in seen if p.line is not None]
    assert lines == ["first", "waiting", "got go", "no newline"]
    assert {p.step for p in seen if p.line is not None} == {step}
    assert [p.step for p in seen if p.line is None] == [step, "swap into place", "apply returned"]
    assert env.is_dir()


def test_run_hands_on_lines_of_both_streams_and_keeps_its_capture() -> None:
    code = (
        "import sys\n"
        "sys.stdout.write('a\\r\\nb\\n'); sys.stdout.flush()\n"
        "sys.stderr.write('e1\\ne2'); sys.stderr.flush()\n"
        "sys.stdout.write('x' * 70000 + '\\nc')\n"
    )
    got: list[str] = []
    result = proc.run([sys.executable, "-I", "-S", "-c", code], timeout=30, on_line=got.append)
    assert result.returncode == 0
    assert result.stdout == "a\r\nb\n" + "x" * 70000 + "\nc"
    assert result.stderr == "e1\ne2"
    out = [line for line in got if not line.startswith("e")]
    assert sorted(line for line in got if line.startswith("e")) == ["e1", "e2"]
    # A line longer than one read is handed on in pieces (bounded), never lost or reordered.
    assert out[:2] == ["a", "b"] and out[-1] == "c"
    assert "".join(out[2:-1]) == "x" * 70000


def test_plan_steps_are_the_steps_apply_reports(tmp_path: Path) -> None:
    """`Plan.steps()` lists, in order, exactly the steps `apply` reports: a build (ops, then
    the swap), an in-place change (ops, one per file), a delete (move aside, remove)."""
    from venvtui.core.write.writer import plan_delete

    env = tmp_path / "env"
    ops = (
        Op("mkdir", str(env)),
        Op("mkdir", str(env / "bin")),
        Op("write", str(env / "pyvenv.cfg"), content=b"home = /usr/bin\n"),
        Op("run", str(env), argv=(SH, "-c", "echo made", "sh")),
    )
    build = Plan("create", str(env), "build", ops, "make a test environment")

    def reported(plan: Plan) -> list[str]:
        seen: list[str] = []
        apply(plan, on_progress=lambda p: seen.append(p.step) if p.line is None else None)
        return seen

    assert reported(build) == list(build.steps())
    assert build.steps()[-1] == "swap into place" and len(build.steps()) == 4
    extra = Op("write", str(env / "bin" / "extra"), content=b"x")
    inplace = Plan("repair", str(env), "inplace", (extra,), "add a file")
    assert (
        reported(inplace) == list(inplace.steps()) == ["write bin/extra", "check the environment"]
    )
    gone = plan_delete(str(env))
    assert reported(gone) == list(gone.steps()) == ["move aside", "remove"]
    assert not env.exists()
