"""Errors raised by the core. Every error carries a one-line message and a hint for the user."""

from __future__ import annotations


class VenvtuiError(Exception):
    """Base error: `str(err)` is one line; `hint` says what to do about it."""

    hint: str = ""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        if hint:
            self.hint = hint


class NotFoundError(VenvtuiError):
    hint = "check the path; `venvtui interpreters` lists what was found"


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
