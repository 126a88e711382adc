"""Display helpers for the TUI: short paths, sizes, ages, status styles."""

from __future__ import annotations

import os

HEALTH_STYLE = {
    "ok": "green",
    "broken": "bold red",
    "misbound": "bold magenta",
    "drift": "bold yellow",
    "unknown": "dim",
}
HEALTH_BADGE = {
    "ok": "✓ ok",
    "broken": "✗ broken",
    "misbound": "⚠ misbound",
    "drift": "⚠ drift",
    "unknown": "? unknown",
}
STABILITY_STYLE = {"stable": "green", "versioned": "yellow", "drifting": "yellow", "unknown": "dim"}
SEVERITY_STYLE = {"error": "bold red", "warning": "bold yellow", "info": "cyan"}


def short_path(path: str | None, home: str) -> str:
    """`path` with the home directory shown as ~ (display only)."""
    if not path:
        return "-"
    if home not in ("", os.sep) and (path == home or path.startswith(home + os.sep)):
        return "~" + path[len(home) :]
    return path


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


def version_key(version: str) -> tuple[int, ...]:
    """Sort key for "3.12.1", "3.13.0rc2", "?" (unknown sorts last ascending)."""
    parts: list[int] = []
    for piece in version.replace("-", ".").split("."):
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits) if digits else -1)
    return tuple(parts)
