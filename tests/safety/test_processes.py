"""Process hygiene: a probed or installer program never outlives the run, never stretches its
timeout, and never drives memory up however much it prints.

Misbehaving "pythons" are scripts in tmp_path. Every process they start carries the test's
unique tmp_path in its command line, so survivors are found by a /proc scan, independently of
how `core.proc` finds them."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.safety.hang_guard import no_hang  # noqa: F401 (fixture)
from tests.safety.writes import alive_with
from venvtui.core.base import proc
from venvtui.core.base.errors import ProbeTimeout

pytestmark = [
    pytest.mark.usefixtures("no_hang"),
    pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="survivor scan needs /proc"),
]


def survivors(mark: str) -> list[str]:
    """Processes still alive with `mark` in their command line, after SIGKILLs have had time
    to land (waits for the event "none left", up to a generous bound): "pid: cmdline"."""
    for _ in range(100):
        found = alive_with(mark)
        if not found:
            return []
        time.sleep(0.05)
    out = []
    for pid in found:
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            cmd = "?"
        out.append(f"{pid}: {cmd}")
    return out


@pytest.fixture
def mark(tmp_path: Path) -> Iterator[str]:
    """The test's unique marker; kills leftovers after the test so a failure leaves nothing."""
    yield str(tmp_path)
    for pid in alive_with(str(tmp_path)):
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)


def _script(tmp_path: Path, name: str, body: str, shebang: str = "/bin/sh") -> Path:
    path = tmp_path / name
    path.write_text(f"#!{shebang}\n{body}")
    path.chmod(0o755)
    return path


def _sleeper(mark: str, seconds: int = 300, then: str = ":") -> str:
    return f"sh -c 'sleep {seconds}; {then}; : {mark}'"


def test_grandchild_holding_the_pipe_does_not_hold_the_run(tmp_path: Path, mark: str) -> None:
    done = tmp_path / "grandchild-finished"
    fake = _script(tmp_path, "python", f"{_sleeper(mark, 30, f'touch {done}')} &\necho answer\n")
    result = proc.run([str(fake)], timeout=60)
    assert result.returncode == 0
    assert result.stdout == "answer\n"
    assert not done.exists(), "run waited for the grandchild to finish"
    assert survivors(mark) == []


def test_timeout_is_the_timeout(tmp_path: Path, mark: str) -> None:
    done = tmp_path / "finished"
    fake = _script(
        tmp_path, "python", f"{_sleeper(mark, 30, f'touch {done}')} &\nsleep 30\ntouch {done}\n"
    )
    with pytest.raises(ProbeTimeout):
        proc.run([str(fake)], timeout=1)
    assert not done.exists(), "run waited past its timeout"
    assert survivors(mark) == []


HOSTILE = """
import os, sys, time
MARK = sys.argv[1]
def sleeper():
    os.execvp("sh", ["sh", "-c", "sleep 300; : " + MARK])
for _ in range(50):                      # 50 children
    if os.fork() == 0:
        sleeper()
if os.fork() == 0:                       # a daemon: new session, then a grandchild
    os.setsid()
    if os.fork() == 0:
        sleeper()
    time.sleep(300)
    os._exit(0)
if os.fork() == 0:                       # a double fork: orphaned into init
    if os.fork() == 0:
        os.setpgid(0, 0)
        sleeper()
    os._exit(0)

open(sys.argv[2], "w").close()           # ready
chunk = b"x" * (1 << 20)
while True:                              # gigabytes
    os.write(1, chunk)
"""


# Ctrl-C as a terminal delivers it: Python turns SIGINT into KeyboardInterrupt only when it
# starts with the default disposition, and a job a shell starts in the background (a CI
# runner's, say) starts with SIGINT ignored.
_CTRL_C = "import signal; signal.signal(signal.SIGINT, signal.default_int_handler)\n"


def test_forking_daemonizing_flooding_python_leaves_nothing(tmp_path: Path, mark: str) -> None:
    fake = _script(tmp_path, "python", HOSTILE, shebang=sys.executable)
    ready = tmp_path / "ready"
    # VmHWM: this process's own peak (ru_maxrss would include the forking parent's size).
    runner = (
        "import sys\n"
        "from venvtui.core.base import proc\n"
        "from venvtui.core.base.errors import ProbeError\n"
        "try:\n"
        "    proc.run(sys.argv[1:], timeout=30)\n"
        "except ProbeError as exc:\n"
        "    print('error:', exc)\n"
        "status = open('/proc/self/status').read()\n"
        "print(next(ln.split()[1] for ln in status.splitlines() if ln.startswith('VmHWM:')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", runner, str(fake), mark, str(ready)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    assert out.returncode == 0, out.stderr
    message, peak_kib = out.stdout.splitlines()
    assert ready.exists()
    assert "printed more than" in message
    assert int(peak_kib) < 200 * 1024, f"peak memory {int(peak_kib) // 1024} MiB"
    assert survivors(mark) == []


def test_interrupt_during_a_run_kills_the_group(tmp_path: Path, mark: str) -> None:
    ready = tmp_path / "ready"
    fake = _script(
        tmp_path,
        "python",
        f"{_sleeper(mark)} &\nsetsid {_sleeper(mark)} &\ntouch {ready}\nwhile :; do sleep 1; done\n",
    )
    runner = (
        _CTRL_C + "import sys\n"
        "from venvtui.core.base import proc\n"
        "try:\n"
        "    proc.run(sys.argv[1:], timeout=300)\n"
        "except KeyboardInterrupt:\n"
        "    sys.exit(130)\n"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", runner, str(fake)],
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    try:
        while not ready.exists():
            assert child.poll() is None, "runner ended before the program was ready"
            time.sleep(0.02)
        child.send_signal(signal.SIGINT)
        assert child.wait(timeout=60) == 130
    finally:
        child.kill()
        child.wait()
    assert survivors(mark) == []


def test_large_input_and_output_pass_through(tmp_path: Path) -> None:
    text = "line of input\n" * 100_000  # 1.4 MB: more than a pipe buffer either way
    result = proc.run(["cat"], timeout=60, input_text=text)
    assert result.returncode == 0
    assert result.stdout == text


def test_runs_in_the_root_directory_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = proc.run([sys.executable, "-c", "import os; print(os.getcwd())"], timeout=60)
    assert result.stdout.strip() == os.sep
    assert proc.run(["pwd"], timeout=60, cwd=str(tmp_path)).stdout.strip() == str(tmp_path)


@pytest.mark.parametrize("bad", [float("inf"), float("nan"), 0, -1])
def test_timeout_must_be_finite_and_positive(bad: float) -> None:
    with pytest.raises(ValueError):
        proc.run(["true"], timeout=bad)


def test_show_of_a_daemonizing_python_leaves_nothing(
    tmp_path: Path, mark: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from venvtui.cli.main import main

    fake = _script(tmp_path, "python3", f"setsid {_sleeper(mark)} &\n{_sleeper(mark)} &\n")
    code = main(["--no-cache", "show", str(fake), "--timeout", "5"])
    assert code != 0 or "python3" in capsys.readouterr().out
    assert survivors(mark) == []


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_venvtui_stopped_by_a_signal_leaves_no_probe_running(
    signum: int, tmp_path: Path, mark: str
) -> None:
    ready = tmp_path / "ready"
    fake = _script(
        tmp_path,
        "python3",
        f"{_sleeper(mark)} &\nsetsid {_sleeper(mark)} &\ntouch {ready}\nwhile :; do sleep 1; done\n",
    )
    runner = _CTRL_C + "import sys; from venvtui.cli.main import main; raise SystemExit(main())"
    child = subprocess.Popen(
        [sys.executable, "-c", runner, "--no-cache", "show", str(fake), "--timeout", "300"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    try:
        while not ready.exists():
            assert child.poll() is None, "venvtui ended before the probe started"
            time.sleep(0.02)
        child.send_signal(signum)
        assert child.wait(timeout=60) == 128 + signum
    finally:
        child.kill()
        child.wait()
    assert child.stderr is not None
    assert b"Traceback" not in child.stderr.read()
    assert survivors(mark) == []
