"""Errors raised by the core. Every error carries a one-line message and a hint for the user."""

from __future__ import annotations

import os


class VenvtuiError(Exception):
    """Base error: `str(err)` is one line; `hint` says what to do about it."""

    hint: str = ""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        if hint:
            self.hint = hint


class NotFoundError(VenvtuiError):
    hint = "check the path for a typo"


def missing_hint(path: str) -> str:
    """A hint for a path that does not exist: the nearest directory that does, and a close
    spelling in it when there is one."""
    import difflib  # start-up: every module imports errors; only this hint needs difflib

    parent, name = os.path.split(os.path.abspath(path))
    missing = name
    while parent and not os.path.isdir(parent):
        parent, missing = os.path.split(parent)
        if parent == os.path.dirname(parent) and not os.path.isdir(parent):
            break
    try:
        near = difflib.get_close_matches(missing, os.listdir(parent), n=1)
    except OSError:
        near = []
    where = f"{parent} has no {missing!r}"
    return f"{where}; did you mean {os.path.join(parent, near[0])}?" if near else where


class NotAnInterpreterError(VenvtuiError):
    hint = "pass a Python executable, e.g. /usr/bin/python3 or .venv/bin/python"


class NotAnEnvironmentError(VenvtuiError):
    hint = "an environment is a directory holding pyvenv.cfg (or conda-meta/)"


class SymlinkLoopError(VenvtuiError):
    hint = "a symlink in the chain points back at itself; fix or remove the link"


class ProbeError(VenvtuiError):
    """The interpreter could not be queried (crashed, printed junk, or timed out)."""

    hint = "run the interpreter by hand with `-c 'import sys; print(sys.version)'` to see why"


class ProbeTimeout(ProbeError):
    hint = "the interpreter did not answer in time; retry with a larger --timeout"


class UnsupportedPythonError(VenvtuiError):
    hint = "venv creation needs Python 3.3+; pick another interpreter"


class CfgError(VenvtuiError):
    hint = "inspect pyvenv.cfg; `venvtui doctor` explains what is wrong"


class WriteRefused(VenvtuiError):
    """A write was refused before touching the disk."""


class WriteFailed(VenvtuiError):
    """A write failed and was rolled back."""
