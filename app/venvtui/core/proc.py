"""Run interpreters and tools as subprocesses: always with a timeout, never with the caller's
Python environment variables leaking in."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping, Sequence

from venvtui.core.errors import ProbeError, ProbeTimeout

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


def clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The current environment minus variables that alter interpreter start-up."""
    env = {k: v for k, v in os.environ.items() if k not in _SCRUB}
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


def run(
    argv: Sequence[str],
    *,
    timeout: float,
    cwd: str | None = None,
    env_extra: Mapping[str, str] | None = None,
    input_text: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run argv with a scrubbed environment and a timeout; capture text output.

    Raises ProbeTimeout on timeout and ProbeError when the program cannot be executed.
    A non-zero exit is returned, not raised: callers decide what it means.
    """
    try:
        return subprocess.run(
            list(argv),
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=timeout,
            cwd=cwd,
            env=clean_env(env_extra),
            input=input_text,
            stdin=None if input_text is not None else subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired as exc:
        raise ProbeTimeout(f"{argv[0]} did not finish within {timeout:g}s") from exc
    except PermissionError as exc:
        raise ProbeError(
            f"{argv[0]} is not executable: permission denied", "check its mode bits (chmod +x)"
        ) from exc
    except OSError as exc:
        raise ProbeError(f"cannot execute {argv[0]}: {exc.strerror or exc}") from exc
