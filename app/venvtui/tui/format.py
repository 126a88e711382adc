"""Display helpers for the TUI: short paths, sizes, ages, and the one mapping from the core's
status words to badges and colours.

The core has one vocabulary per concept (environment health: `core.startup.model.Status`;
interpreter paths: `core.stability` kinds; forecast event kinds: `core.breaks.events`), but no display
form of it for a terminal UI; the badges below are that display form, defined once here.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Mapping

# Environment health, core words -> (badge, style). "warning"/"error" are the verdict-raised
# statuses of `core.breaks.health` (shown when the core reports them).
HEALTH = {
    "ok": ("✓ ok", "green"),
    "uncertain": ("? uncertain", "dim"),
    "warning": ("! warning", "yellow"),
    "drift": ("⚠ drift", "bold yellow"),
    "misbound": ("⚠ misbound", "bold magenta"),
    "error": ("✗ error", "bold red"),
    "broken": ("✗ broken", "bold red"),
}
HEALTH_MEANING = {
    "ok": "starts, bound to the installation its pyvenv.cfg names",
    "uncertain": "could not be checked (its base interpreter did not answer)",
    "warning": "starts; something needs attention (see Health in the detail)",
    "drift": "starts on another minor version than it was made for",
    "misbound": "starts, but its stdlib comes from another installation",
    "error": "starts, but something it needs is broken (see Health in the detail)",
    "broken": "does not start (dangling bin/python, home without a stdlib, ...)",
}

# Interpreter path stability (`core.stability` kinds).
STABILITY = {
    "stable": ("stable", "green"),
    "fragile": ("fragile", "yellow"),
    "drift-risk": ("drift-risk", "yellow"),
    "neutral": ("neutral", ""),
}
STABILITY_MEANING = {
    "stable": "a path its installer keeps across patch upgrades (opt/, a minor-version link)",
    "fragile": "a version-stamped path: the next patch upgrade removes it",
    "drift-risk": "an unversioned alias (python3): an upgrade re-points it to a new minor",
    "neutral": "not managed by a known installer",
}
SEVERITY_STYLE = {"error": "bold red", "warning": "bold yellow", "info": "cyan"}

# Forecast: abbreviations of installer commands for the table's short form.
_VERB = {"uninstall": "rm", "upgrade": "upgrade", "install": "install"}
_RESULT_MARK = {"broken": "✗", "misbound": "⚠", "drift": "⚠"}
_COMMAND = re.compile(r"`([^`]+)`")


# The core's messages name CLI options and commands; in the TUI the same choice is a control
# or a key. Longest phrases first.
CLI_TO_TUI = (
    (
        "pass --clear to replace it, or --upgrade to re-point it at the interpreter",
        "choose another destination",
    ),
    (
        "and pass it with --python, or rebuild on another version",
        "and rescan (ctrl+r), or rebuild on another interpreter (b)",
    ),
    ("pass a Python", "choose a Python"),
    ("pass --seed", "tick “seed pip”"),
    ("--seed", "“seed pip”"),
    ("--prompt", "the Prompt field"),
    ("--home-policy", "the Home choice"),
    ("--copies", "“copies”"),
    (" with --python or", ","),
    ("--python", "the interpreter"),
)
# A venvtui command line (in backticks, or ending a hint) as the key that does the same.
_COMMANDS = (
    (re.compile(r"`?venvtui (?:repair|rebuild)\b[^`;,)]*`?"), "the fix (f; b rebuilds)"),
    (re.compile(r"`?venvtui delete\b[^`;,)]*`?"), "delete (d)"),
    (re.compile(r"`?venvtui doctor\b[^`;,)]*`?"), "a rescan (ctrl+r)"),
)


def tui_words(text: str) -> str:
    """A core message with its CLI commands and options named as the TUI's keys and controls."""
    for pattern, words in _COMMANDS:
        text = pattern.sub(words, text)
    for cli, tui in CLI_TO_TUI:
        text = text.replace(cli, tui)
    return text


def tilde_paths(text: str, home: str) -> str:
    """Every path under the home directory in free text shown with ~ (display only)."""
    if home in ("", os.sep):
        return text
    pattern = r"(?<![\w.~/-])" + re.escape(home.rstrip(os.sep)) + r"(?=/|$|[^\w.-])"
    return re.sub(pattern, "~", text)


def ellipsize(path: str, width: int) -> str:
    """`path` cut in the middle to `width` characters ("~/src/…/bin/python3.12"), keeping its
    start and, preferably, whole trailing components."""
    if len(path) <= width:
        return path
    if width < 5:
        return path[:width]
    keep = width - 1
    tail = path[-(keep - keep // 3) :]
    cut = tail.find(os.sep)
    if cut >= 0:
        tail = tail[cut:]  # start the tail at a component
    head = path[: keep - len(tail)]
    return f"{head}…{tail}"


def health_badge(status: str) -> tuple[str, str]:
    return HEALTH.get(status, (status, ""))


def short_event(text: str, result: str) -> str:
    """The table's short form of a forecast: the installer command, abbreviated, and a mark
    for the outcome ("breaks after `brew upgrade python@3.12` and `brew cleanup`" -> "brew
    upgrade ✗", "`pyenv uninstall 3.11.7`" -> "pyenv rm 3.11 ✗")."""
    found = _COMMAND.search(text)
    words = (found.group(1) if found else text).split()
    out: list[str] = []
    for word in words:
        if word in _VERB:
            out.append(_VERB[word])
        elif word == "python" and out:  # "uv python upgrade" -> "uv upgrade"
            continue
        elif re.fullmatch(r"\d+\.\d+\.\d+", word):
            out.append(word.rsplit(".", 1)[0])
        elif word.startswith("python@") and out and out[-1] in ("upgrade", "rm"):
            continue  # the formula is in the detail; the table keeps the verb
        else:
            out.append(word)
    return " ".join(out[:3]) + " " + _RESULT_MARK.get(result, "?")


def activated_environ(env: str, environ: Mapping[str, str]) -> dict[str, str]:
    """`environ` as the env's `bin/activate` leaves it (CPython Lib/venv/scripts/common/
    activate): VIRTUAL_ENV set, the env's bin first on PATH, PYTHONHOME unset."""
    out = {k: v for k, v in environ.items() if k != "PYTHONHOME"}
    out["VIRTUAL_ENV"] = env
    out["VIRTUAL_ENV_PROMPT"] = os.path.basename(env)
    out["PATH"] = os.pathsep.join([os.path.join(env, "bin"), environ.get("PATH", "")])
    return out


def short_path(path: str | None, home: str) -> str:
    """`path` with the home directory shown as ~ (display only)."""
    if not path:
        return "-"
    if home not in ("", os.sep) and (path == home or path.startswith(home + os.sep)):
        return "~" + path[len(home) :]
    return path


def clip_path(path: str, width: int) -> str:
    """`path` in at most `width` cells, its end kept after "…": from a component's start when
    the cut lands in one and dropping that piece keeps at least half the room
    ("…/3.11.7/bin", not "…s/3.11.7/bin"), else its last characters."""
    if len(path) <= width:
        return path
    if width < 1:
        return ""
    tail = path[len(path) - width + 1 :] if width > 1 else ""  # the room left after "…"
    if path[len(path) - width] != os.sep:  # the cut lands inside a component
        cut = tail.find(os.sep)
        if 0 < cut <= len(tail) // 2:
            tail = tail[cut:]
    return "…" + tail


def human_size(size: int | None) -> str:
    if size is None:
        return "…"
    value = float(size)
    for unit in ("B", "K", "M", "G"):
        if value < 1024 or unit == "G":
            return f"{value:.0f}{unit}" if unit == "B" or value >= 10 else f"{value:.1f}{unit}"
        value /= 1024
    return f"{value:.0f}T"


def age(mtime: float | None, now: float) -> str:
    """A relative age ("3d", "5mo") from `now`, which is injected for deterministic output."""
    if mtime is None:
        return "-"
    seconds = max(0.0, now - mtime)
    if seconds < 3600:
        return f"{int(seconds // 60)}m"
    if seconds < 86_400:
        return f"{int(seconds // 3600)}h"
    days = int(seconds // 86_400)
    if days < 60:
        return f"{days}d"
    if days < 730:
        return f"{days // 30}mo"
    return f"{days // 365}y"


@functools.lru_cache(maxsize=1024)
def version_key(version: str) -> tuple[int, ...]:
    """Sort key for "3.12.1", "3.13.0rc2", "?" (unknown sorts last ascending). Cached: a sort
    by version asks it for every row, and rows share a few versions."""
    parts: list[int] = []
    for piece in version.replace("-", ".").split("."):
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits) if digits else -1)
    return tuple(parts)
