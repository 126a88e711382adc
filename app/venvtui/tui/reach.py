"""The scan's reach in words: the status line's part (as long as fits), and the full account
the "scan a folder" dialog and the empty state give (roots walked, depth, what a bound cut)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from rich.text import Text

from venvtui.tui.format import short_path

if TYPE_CHECKING:
    from venvtui.tui.views import ScanReach


def _roots(paths: tuple[str, ...], home: str, most: int, *, tail: bool = False) -> str:
    """Up to `most` paths (`tail`: a long one as …/its-name), then +N for the others."""
    shown = []
    for p in paths[:most]:
        path = short_path(p, home)
        if tail and len(path) > 16:
            path = "…/" + os.path.basename(p)
        shown.append(path)
    return ", ".join(shown) + (f" +{len(paths) - most}" if len(paths) > most else "")


def reach_status(reach: ScanReach, home: str, room: int) -> Text:
    """The longest account of `reach` that fits `room` cells (starting with " · "): where the
    walk went and how deep, and a warning when a bound cut it short or the config was bad."""
    warn = ""
    if reach.config_error:
        warn = "⚠ config file ignored"
    elif reach.cut:
        warn = f"⚠ {_roots(reach.cut, home, 1, tail=True)} cut at depth {reach.depth}"
    n = len(reach.places)
    places = f" + {n} tool dir{'' if n == 1 else 's'}" if n else ""
    walked, depth = reach.walked, reach.depth
    forms = [
        (f"scanned {_roots(walked, home, 3)} to depth {depth}{places}", " (o: scan a folder)"),
        (f"scanned {_roots(walked, home, 2)} to depth {depth}", ""),
        (f"scanned {_roots(walked, home, 2, tail=True)} to depth {depth}", ""),
        (f"scanned {_roots(walked, home, 1, tail=True)}, depth {depth}", ""),
        (f"depth {depth}", ""),
        ("", ""),
    ]
    for where, hint in forms:
        for tail in (hint, ""):
            parts = [p for p in (where, warn and warn + tail) if p]
            if not parts:
                return Text()
            line = " · " + " · ".join(parts)
            if len(line) <= room or not where:
                text = Text(" · ")
                if where:
                    text.append(where, style="dim")
                if warn:
                    text.append(" · " if where else "")
                    text.append(warn + tail, style="bold yellow")
                return text
    return Text()


def reach_account(reach: ScanReach, home: str) -> Text:
    """Every root walked (with its depth and what a bound left out), the tool locations, and
    the config file the roots are kept in."""
    cut = dict(zip(reach.cut, reach.limits, strict=False))
    text = Text()
    for root in (*reach.walked, *(c for c in reach.cut if c not in reach.walked)):
        text.append(f"  {short_path(root, home)}", style="bold")
        what = " (configured)" if root in reach.configured else ""
        text.append(f"{what}, {reach.depth} level{'' if reach.depth == 1 else 's'} deep")
        if root in cut:
            text.append(f"\n    ⚠ {cut[root]}", style="yellow")
        text.append("\n")
    if reach.places:
        text.append(f"  + the tools' env folders: {_roots(reach.places, home, 3)}\n", style="dim")
    if reach.usual:
        text.append("  + .venv, venv, .env, env here and in each parent folder\n", style="dim")
    if reach.config_error:
        text.append(f"  ⚠ {reach.config_error}\n", style="bold red")
    text.rstrip()
    return text
