"""Run interpreters and tools as subprocesses: always with a timeout that is really the timeout,
never with the caller's Python environment variables leaking in, never leaving a process behind.

How `run` contains what it starts:

* The program starts in its own session (`start_new_session=True`), so it and everything it
  forks share one process group, and its working directory is `/` unless the caller names
  one: a `json.py` in the user's current directory is never imported (`-c` and `-` put the
  working directory first on sys.path), and `/` is writable by root only.
* Its output is read here with a deadline (not `communicate()`, which waits for EOF: a
  grandchild holding the pipe open made a 5 s timeout last as long as the grandchild), and at
  most `max_output` bytes per stream are kept: more than that kills the run.
* On exit, timeout, error or KeyboardInterrupt, the whole process group is killed with SIGKILL
  (while the direct child is still an unreaped zombie, so its group id cannot have been reused),
  then every process carrying this run's marker variable is killed: that catches descendants
  that left the group with `setsid()`/`setpgid()` or double-forked to daemonize.
* `stop_all()` kills every run in progress from any thread; the CLI calls it when SIGINT,
  SIGTERM or SIGHUP ends venvtui.
* No subreaper (prctl PR_SET_CHILD_SUBREAPER): it would make venvtui, and any program that
  imports it (a test runner), the parent of every orphaned descendant of anything it ran; the
  marker would still be needed to tell which run an orphan came from.
* What remains: a descendant that leaves the session *and* drops the marker from its
  environment (e.g. re-executes with `env -i`) is not found; without /proc (macOS) only the
  process group is killed.
"""

from __future__ import annotations

import contextlib
import math
import os
import selectors
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Mapping, Sequence

from venvtui.core.base.errors import ProbeError, ProbeTimeout

# Variables that change how a Python interpreter starts or where it looks for code.
_SCRUB = (
    "PYTHONHOME",
    "PYTHONPATH",
    "PYTHONSTARTUP",
    "PYTHONEXECUTABLE",
    "PYTHONUSERBASE",
    "PYTHONNOUSERSITE",
    "PYTHONSAFEPATH",
    "PYTHONPLATLIBDIR",
    "PYTHONINSPECT",
    "PYTHONBREAKPOINT",
    "__PYVENV_LAUNCHER__",
    "VIRTUAL_ENV",
    "CONDA_PREFIX",
    "PYENV_VERSION",
    "PIP_REQUIRE_VIRTUALENV",
)

MARKER = "VENVTUI_RUN"  # set to a per-run token in every child: finds its escaped descendants
MAX_OUTPUT = 16 << 20  # bytes kept per stream of an installer run (pip's log is far less)
ANSWER_MAX = 1 << 20  # per stream of an interpreter answering a question (a few KiB)
_CHUNK = 1 << 16
_POLL = 0.05  # seconds between exit checks when pidfd is unavailable


# Runs in progress (any thread), so an interrupt can stop them all at once.
_ACTIVE: dict[int, tuple[subprocess.Popen[bytes], str]] = {}
_ACTIVE_LOCK = threading.Lock()
_STOPPING = threading.Event()  # set by stop_all: venvtui is ending, no run may start


# Linux allocates pids in sequence: every descendant of a run has a pid above the last one
# allocated before the run started (unless the counter wrapped), so only those are examined.
_SINCE: dict[str, int | None] = {}


def _last_pid() -> int | None:
    try:
        with open("/proc/sys/kernel/ns_last_pid", "rb") as fh:
            return int(fh.read())
    except (OSError, ValueError):
        return None


def stop_all() -> int:
    """Kill every run in progress (their groups and marked descendants) and refuse new ones;
    the number stopped. For when venvtui ends (SIGINT, SIGTERM, SIGHUP, quitting the TUI):
    runs in worker threads end at once instead of at their timeout, and none starts after."""
    with _ACTIVE_LOCK:
        _STOPPING.set()
        running = list(_ACTIVE.values())
    for child, token in running:
        _kill_all(child, token)
    return len(running)


def clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The current environment minus variables that alter interpreter start-up."""
    env = {k: v for k, v in os.environ.items() if k not in _SCRUB and k != MARKER}
    env["PYTHONIOENCODING"] = "utf-8"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    if extra:
        env.update(extra)
    return env


def isolation_flags(version: tuple[int, ...] | None) -> list[str]:
    """`-I -S` on Python 3.4+; `-E -s -S` on older interpreters (no -I before 3.4)."""
    if version is not None and tuple(version[:2]) < (3, 4):
        return ["-E", "-s", "-S"]
    return ["-I", "-S"]


def check_timeout(timeout: float) -> float:
    """`timeout` if it is a finite number of seconds greater than 0, else ValueError."""
    if not (isinstance(timeout, (int, float)) and math.isfinite(timeout) and timeout > 0):
        raise ValueError(f"timeout must be a finite number of seconds > 0, not {timeout!r}")
    return float(timeout)


def run(
    argv: Sequence[str],
    *,
    timeout: float,
    cwd: str | None = None,
    env_extra: Mapping[str, str] | None = None,
    input_text: str | None = None,
    max_output: int = MAX_OUTPUT,
    on_line: Callable[[str], None] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run argv with a scrubbed environment, in its own session, and a timeout; capture text
    output (UTF-8, undecodable bytes replaced). With `cwd=None` it runs in `/`. `on_line`, when
    given, is called from the reading loop with each line of stdout or stderr as it arrives
    (without its newline; a last unterminated line at exit too); what it raises stops the run.

    Raises ProbeTimeout on timeout, ProbeError when the program cannot be executed or prints
    more than `max_output` bytes on a stream. A non-zero exit is returned, not raised: callers
    decide what it means. Whatever happens, nothing it started is left running.
    """
    timeout = check_timeout(timeout)
    deadline = time.monotonic() + timeout
    import secrets  # start-up: only when spawning (it pulls in hashlib and random)

    token = secrets.token_hex(8)
    env = {MARKER: token, **clean_env(env_extra)}  # first: found early in /proc/PID/environ
    _SINCE[token] = _last_pid()
    child: subprocess.Popen[bytes] | None = None
    swept = False  # _collect kills what is left when the child exits: no second scan
    # One try from the Popen on: an interrupt the moment it returns still reaches `finally`.
    try:
        child = subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL if input_text is None else subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=os.sep if cwd is None else cwd,
            env=env,
            start_new_session=True,
        )
        with _ACTIVE_LOCK:
            _ACTIVE[child.pid] = (child, token)
        if _STOPPING.is_set():  # stop_all ran while this run was starting
            raise ProbeError(f"{argv[0]} was stopped", "venvtui is stopping")
        out, err = _collect(child, token, input_text, deadline, max_output, on_line)
        swept = out is not None
    except _TooMuch:
        raise ProbeError(
            f"{argv[0]} printed more than {max_output} bytes; it was stopped",
            "run it by hand to see what it prints",
        ) from None
    except PermissionError as exc:
        if child is not None:
            raise
        raise ProbeError(
            f"{argv[0]} is not executable: permission denied", "check its mode bits (chmod +x)"
        ) from exc
    except OSError as exc:
        if child is not None:
            raise
        raise ProbeError(f"cannot execute {argv[0]}: {exc.strerror or exc}") from exc
    finally:
        if child is not None:
            _contain(child, token, sweep=not swept)
            with _ACTIVE_LOCK:
                _ACTIVE.pop(child.pid, None)
        else:  # interrupted inside Popen (after the fork): the child carries the marker
            kill_marked(token)
        _SINCE.pop(token, None)
    if out is None or err is None:
        raise ProbeTimeout(f"{argv[0]} did not finish within {timeout:g}s")
    return subprocess.CompletedProcess(
        list(argv),
        child.returncode,
        out.decode("utf-8", "replace"),
        err.decode("utf-8", "replace"),
    )


class _TooMuch(Exception):
    pass


def _exited(pid: int) -> bool:
    """Has the child exited? (WNOWAIT: it stays an unreaped zombie, its pid and group id
    reserved until the group has been killed.)"""
    try:
        return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
    except ChildProcessError:
        return True


def _collect(
    child: subprocess.Popen[bytes],
    token: str,
    input_text: str | None,
    deadline: float,
    cap: int,
    on_line: Callable[[str], None] | None = None,
) -> tuple[bytes | None, bytes | None]:
    """Feed stdin and read stdout/stderr until the child exits (then kill what it left and
    take what is already in the pipes) or the deadline passes (then return None, None)."""
    assert child.stdout is not None and child.stderr is not None
    data: dict[int, list[bytes]] = {child.stdout.fileno(): [], child.stderr.fileno(): []}
    sizes = dict.fromkeys(data, 0)
    partial = dict.fromkeys(data, b"")  # a stream's unterminated last line (< _CHUNK bytes)

    def lines(fd: int, chunk: bytes) -> None:
        """Hand each complete line to on_line; at exit (empty chunk), the unterminated rest."""
        if on_line is None:
            return
        *done, partial[fd] = (partial[fd] + chunk).split(b"\n")
        if (not chunk or len(partial[fd]) > _CHUNK) and partial[fd]:  # at exit, or too long
            done.append(partial[fd])
            partial[fd] = b""
        for line in done:
            on_line(line.rstrip(b"\r").decode("utf-8", "replace"))

    pending = (input_text or "").encode("utf-8")
    sel = selectors.DefaultSelector()
    pidfd = -1

    def read(fd: int) -> bool:
        """Read what is there; False at EOF or when nothing more is waiting."""
        try:
            chunk = os.read(fd, _CHUNK)
        except BlockingIOError:
            return False
        if not chunk:
            sel.unregister(fd)
            return False
        sizes[fd] += len(chunk)
        if sizes[fd] > cap:
            raise _TooMuch
        data[fd].append(chunk)
        lines(fd, chunk)
        return True

    try:
        for fd in data:
            os.set_blocking(fd, False)
            sel.register(fd, selectors.EVENT_READ)
        stdin_fd = -1 if child.stdin is None else child.stdin.fileno()
        if stdin_fd >= 0:
            os.set_blocking(stdin_fd, False)
            sel.register(stdin_fd, selectors.EVENT_WRITE)
        if hasattr(os, "pidfd_open"):  # Linux 5.3+: the exit is an event, no polling
            with contextlib.suppress(OSError):
                pidfd = os.pidfd_open(child.pid)
                sel.register(pidfd, selectors.EVENT_READ)
        exited = False
        while not exited:
            left = deadline - time.monotonic()
            if left <= 0:
                return None, None
            for key, _ in sel.select(left if pidfd >= 0 else min(left, _POLL)):
                if key.fd == pidfd:
                    exited = True
                elif key.fd == stdin_fd:
                    pending = _feed(child, sel, pending)
                else:
                    read(key.fd)
            exited = exited or _exited(child.pid)
        # Everything the child wrote is in the pipes now. Kill what it left behind first, so
        # no descendant holding a pipe open keeps it filling, then take what is there.
        _kill_all(child, token)
        for fd in data:
            while fd in sel.get_map() and read(fd):
                pass
            lines(fd, b"")
    finally:
        sel.close()
        if pidfd >= 0:
            os.close(pidfd)
    return b"".join(data[child.stdout.fileno()]), b"".join(data[child.stderr.fileno()])


def _feed(child: subprocess.Popen[bytes], sel: selectors.BaseSelector, pending: bytes) -> bytes:
    assert child.stdin is not None
    fd = child.stdin.fileno()
    try:
        written = os.write(fd, pending[:_CHUNK]) if pending else 0
    except BlockingIOError:
        return pending
    except BrokenPipeError:
        written, pending = 0, b""
    pending = pending[written:]
    if not pending:
        sel.unregister(fd)
        child.stdin.close()
    return pending


def _kill_all(child: subprocess.Popen[bytes], token: str, *, sweep: bool = True) -> None:
    """SIGKILL the child's process group and (`sweep`) every process carrying `token`."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(child.pid, signal.SIGKILL)  # group id == child pid (own session)
    if sweep:
        kill_marked(token)


def _contain(child: subprocess.Popen[bytes], token: str, *, sweep: bool) -> None:
    """Kill everything the run started, close the pipes and reap the child."""
    _kill_all(child, token, sweep=sweep)
    for stream in (child.stdin, child.stdout, child.stderr):
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.close()
    child.wait()


def _marked(token: str) -> list[int]:
    """Pids of the processes whose environment holds MARKER=token (Linux /proc)."""
    needle = f"{MARKER}={token}".encode()
    found = []
    try:
        names = os.listdir("/proc")
    except OSError:
        return []
    me = os.getpid()
    since, now = _SINCE.get(token), _last_pid()
    low, high = (since, now) if since is not None and now is not None and now >= since else (0, 0)
    for name in names:
        if not name.isdigit() or int(name) == me:
            continue
        if high and not low < int(name) <= high:
            continue
        try:
            fd = os.open(f"/proc/{name}/environ", os.O_RDONLY | os.O_CLOEXEC)
        except OSError:
            continue
        try:
            env = os.read(fd, 1 << 18)
        except OSError:
            env = b""
        finally:
            os.close(fd)
        if needle in env:
            found.append(int(name))
    return found


def kill_marked(token: str, *, rounds: int = 20) -> int:
    """SIGKILL every process whose environment carries this run's token, repeating while new
    ones appear (a fork bomb keeps forking until its parent is dead); the count killed."""
    killed: set[int] = set()
    quiet = 0  # consecutive scans that found nothing new
    for _ in range(rounds):
        pids = [p for p in _marked(token) if p not in killed]
        if not pids:
            # Nothing found at all: done. Once something was found, it may have been forking
            # or in the middle of an exec (its environ briefly unreadable): confirm twice.
            quiet += 1
            if not killed or quiet >= 2:
                break
            time.sleep(0.01)
            continue
        quiet = 0
        for pid in pids:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
            killed.add(pid)
    for pid in killed:  # reap the ones that are our own children; init reaps the rest
        with contextlib.suppress(ChildProcessError, OSError):
            os.waitpid(pid, os.WNOHANG)
    return len(killed)
