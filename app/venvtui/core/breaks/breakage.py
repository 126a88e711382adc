"""The breakage catalogue as data: each way a virtual environment breaks (research:
home-resolution §2.6), with its title, what the user sees and why, and a structured fix.

A fix is a `FixAction` (what to do, to which env, with which interpreter), not prose: the TUI
binds it to a key, the CLI renders it as a command (`FixAction.command`).
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning", "info"]
Action = Literal["repair", "rebuild", "delete", "delete-link", "confirm", "none"]


@dataclass(frozen=True, slots=True)
class FixAction:
    """`repair` re-anchors the env on `python` (same minor; deletes dangling bin/python* links
    first, since `venv --upgrade` keeps them); `rebuild` recreates it on `python` reinstalling
    its packages; `delete` removes the env (one nothing uses); `delete-link` removes the looping link `path`; `confirm` runs the env's
    python to see what it does; `none`: nothing to do. `python` None: the user picks one."""

    action: Action
    env: str
    python: str | None = None
    path: str | None = None

    def command(self) -> str:
        """The CLI command that performs it (arguments shell-quoted)."""
        py = ["--python", self.python] if self.python else []
        if self.action in ("repair", "rebuild"):
            return shlex.join(["venvtui", self.action, self.env, *py])
        if self.action == "delete":
            return shlex.join(["venvtui", "delete", self.env, "--yes"])
        if self.action == "delete-link" and self.path:
            return f"{shlex.join(['rm', self.path])}; {shlex.join(['venvtui', 'repair', self.env])}"
        if self.action == "confirm":
            return shlex.join(["venvtui", "doctor", self.env])
        return ""

    def to_json(self) -> dict[str, str | None]:
        return {
            "action": self.action,
            "env": self.env,
            "python": self.python,
            "path": self.path,
            "command": self.command(),
        }


@dataclass(frozen=True, slots=True)
class Breakage:
    """One catalogue entry: `code` (B1..B7), `kind` (the verdict code), a `title`, the
    `explanation` of what the user sees and why, the `severity` and the kind of fix."""

    code: str
    kind: str
    title: str
    explanation: str
    severity: Severity
    fix: Action


CATALOGUE: dict[str, Breakage] = {
    b.code: b
    for b in (
        Breakage(
            "B1",
            "dangling-python",
            "bin/python is dangling",
            "The interpreter this env was made from is gone (an upgrade's cleanup, "
            "`pyenv uninstall`, `uv python uninstall`, or the install moved). Running it prints "
            "'No such file or directory'; console scripts fail with 'bad interpreter'.",
            "error",
            "repair",
        ),
        Breakage(
            "B2",
            "no-stdlib",
            "does not start: no standard library",
            "CPython 3.11+ starts the stdlib search at pyvenv.cfg `home` (3.10 and older: for "
            "copied interpreters); nothing there or above holds lib/pythonX.Y/os.py and the "
            "compiled-in PREFIX is no help, so start-up dies with 'No module named encodings'.",
            "error",
            "repair",
        ),
        Breakage(
            "B2'",
            "misbound",
            "starts on another install's stdlib",
            "No stdlib is found from where getpath starts its search, so the compiled-in PREFIX "
            "is used, and it belongs to another install. Packages with compiled extensions or "
            "sysconfig paths may then point at the wrong install (CPython #106045).",
            "warning",
            "repair",
        ),
        Breakage(
            "B3",
            "minor-drift",
            "minor-version drift",
            "An unversioned link in the chain now reaches the next minor version. site adds "
            "lib/pythonX.Y/site-packages for the *running* version, so packages installed for "
            "the old one are not seen, and compiled extensions do not match. `venv --upgrade` "
            "only rewrites pyvenv.cfg.",
            "warning",
            "rebuild",
        ),
        Breakage(
            "B4",
            "missing-shared-lib",
            "the interpreter binary cannot load",
            "The copied (or linked) interpreter binary needs a shared library that is no longer "
            "where its RUNPATH or the system directories say: 'error while loading shared "
            "libraries'.",
            "error",
            "repair",
        ),
        Breakage(
            "B5",
            "windows-home-missing",
            "the Windows launcher's home is gone",
            "The venv launcher reads `home` on every start and launches home\\python.exe: "
            "\"No Python at '...python.exe'\".",
            "error",
            "repair",
        ),
        Breakage(
            "B6",
            "patch-in-place",
            "patch upgrade in place",
            "The install is upgraded at the same path (Debian apt, python.org installers, "
            "opt/-anchored Homebrew envs): nothing breaks.",
            "info",
            "none",
        ),
        Breakage(
            "B7",
            "nested-env",
            "runs through another environment",
            "CPython 3.8-3.10 record the parent venv's bin as `home` of a venv made from inside "
            "it, and bin/python links into the parent: it works while the parent exists, and "
            "breaks as B1 when the parent is deleted.",
            "warning",
            "repair",
        ),
    )
}
