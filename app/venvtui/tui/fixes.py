"""The core's fixes (`core.breaks.breakage.FixAction`) in the TUI's terms: the key that performs
one (after its dry run) and the words that say so, never a command line.

`f` performs the environment's fix: the first verdict's repair or rebuild, else (an env that
still works) what its likeliest forecast says to do before the event. `d` deletes. A fix whose
interpreter is left to the user (`python` None, or "a path an installer maintains") names a
real interpreter from the scan, or says plainly what to install.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from venvtui.tui.format import ellipsize, short_path, tilde_paths, tui_words
from venvtui.tui.views import FixView, InterpreterRow

if TYPE_CHECKING:
    from venvtui.core.breaks.breakage import FixAction

FIX_KEY = "f"
DELETE_KEY = "d"
REBUILD_KEY = "b"
PATH_WIDTH = 56  # a path in a sentence is cut in the middle beyond this
_MINOR = re.compile(r"^(?:python)?(\d+\.\d+)$")


def minor_of(version: str) -> str:
    """ "3.12.1" -> "3.12" ("" when it is not a version)."""
    parts = version.split(".")
    return ".".join(parts[:2]) if len(parts) >= 2 and parts[0].isdigit() else ""


def candidate(
    interpreters: Sequence[InterpreterRow], minor: str, *, avoid: str = "", stable: bool = False
) -> InterpreterRow | None:
    """A working interpreter to fix with: of `minor` when there is one (else, unless `stable` is
    asked for, the newest), upgrade-stable paths first, none inside `avoid` (the install an
    event removes)."""
    from venvtui.tui.format import version_key

    usable = [
        r
        for r in interpreters
        if r.error is None
        and not (avoid and (r.path == avoid or r.path.startswith(avoid.rstrip(os.sep) + os.sep)))
        and not (avoid and r.install_dir == avoid)
    ]
    if stable:
        usable = [r for r in usable if r.stability == "stable"]
    same = [r for r in usable if minor and minor_of(r.version) == minor]
    pool = same if same or stable else usable
    if not pool:
        return None
    return sorted(
        pool, key=lambda r: (r.stability != "stable", tuple(-p for p in version_key(r.version)))
    )[0]


def _python_words(python: str, home: str) -> str:
    found = _MINOR.match(python)
    if found:
        return f"Python {found.group(1)}"
    return ellipsize(short_path(python, home), PATH_WIDTH)


def _with_version(python: str, interpreters: Sequence[InterpreterRow], home: str) -> str:
    """ "~/.local/bin/python3.13" -> "Python 3.13.0 (~/.local/bin/python3.13)"."""
    row = next((r for r in interpreters if r.path == python), None)
    words = _python_words(python, home)
    return f"Python {row.version} ({words})" if row is not None else words


def fix_view(
    action: FixAction,
    *,
    minor: str,
    interpreters: Sequence[InterpreterRow],
    home: str,
    avoid: str = "",
    choose: bool = False,
) -> FixView | None:
    """The key that performs `action`, or None when no key does (a looping link to remove by
    hand, a check to run, nothing to do). `choose`: a repair whose interpreter is for the
    user to choose (a stable path of the env's minor), not one the repair finds itself."""
    if action.action == "delete":
        return FixView(DELETE_KEY, "delete", None, f"press {DELETE_KEY} to delete it")
    python = action.python
    asked = _MINOR.match(python or "")
    if asked and interpreters:
        # a version request: the interpreter of the scan that answers it, named
        found = candidate(interpreters, asked.group(1), avoid=avoid)
        if found is None or minor_of(found.version) != asked.group(1):
            return None
        python = found.path
    if action.action == "repair":
        if python is None and choose:
            found = candidate(interpreters, minor, avoid=avoid, stable=True)
            if found is None:
                return None
            python = found.path
        if python is None:
            return FixView(FIX_KEY, "repair", None, f"press {FIX_KEY} to repair it in place")
        return FixView(
            FIX_KEY,
            "repair",
            python,
            f"press {FIX_KEY} to re-anchor it on {_with_version(python, interpreters, home)}",
        )
    if action.action == "rebuild":
        if python is None:
            found = candidate(interpreters, minor, avoid=avoid)
            if found is None:
                return None
            python = found.path
        return FixView(
            FIX_KEY,
            "rebuild",
            python,
            f"press {FIX_KEY} to rebuild it on {_with_version(python, interpreters, home)}, "
            "reinstalling its packages",
        )
    return None


def verdict_fix(
    action: FixAction | None,
    text: str,
    *,
    minor: str,
    interpreters: Sequence[InterpreterRow],
    home: str,
) -> tuple[str, FixView | None]:
    """A verdict's fix in the TUI's words, and the key that performs it."""
    if action is None:
        return tui_words(tilde_paths(text, home)), None
    view = fix_view(action, minor=minor, interpreters=interpreters, home=home)
    if view is not None:
        return view.text, view
    if action.action == "delete-link":
        link = short_path(action.path, home) if action.path else "the looping link"
        return f"remove {link} by hand, then press {FIX_KEY} to repair it", None
    if action.action in ("repair", "rebuild"):  # no interpreter of the version it needs
        wanted = _MINOR.match(action.python or "")
        version = wanted.group(1) if wanted else minor
        return (
            f"no Python {version} is installed: install one and rescan (ctrl+r), or press "
            f"{REBUILD_KEY} to rebuild it on an interpreter you pick",
            None,
        )
    if action.action == "confirm":
        return "rescan (ctrl+r) to run its python again", None
    return tui_words(tilde_paths(text, home)), None


def forecast_fix(
    before: FixAction | None,
    after: FixAction | None,
    *,
    minor: str,
    interpreters: Sequence[InterpreterRow],
    home: str,
    target: str,
) -> tuple[str, FixView | None]:
    """What to do before the event (the key when one performs it) and after it, in words."""
    parts: list[str] = []
    early = None
    if before is not None:
        early = fix_view(
            before, minor=minor, interpreters=interpreters, home=home, avoid=target, choose=True
        )
        if early is not None:
            parts.append(f"before it: {early.text}")
        elif before.action == "repair":
            parts.append(
                f"before it: install a Python {minor} that its installer keeps at one path "
                "(Homebrew opt/, a uv or mise minor-version link) and re-anchor it there"
            )
    if after is not None:
        late = fix_view(after, minor=minor, interpreters=interpreters, home=home, avoid=target)
        if late is not None:
            parts.append("after it: " + late.text.replace(f"press {FIX_KEY} to ", "", 1))
        else:
            parts.append(f"after it: rebuild it on another interpreter ({REBUILD_KEY})")
    return "; ".join(parts), early
