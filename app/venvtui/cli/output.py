"""Plain-text and JSON output helpers for the CLI (no rich, no textual)."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from typing import Any

from venvtui.core.models import SCHEMA_VERSION


def emit_json(payload: dict[str, Any], *, indent: int | None = 2) -> None:
    """Print `payload` as JSON with `schema_version` first (`indent=None`: one compact line,
    which json encodes in C: much faster for thousands of entries)."""
    data = {"schema_version": SCHEMA_VERSION, **payload}
    if indent is None:
        sys.stdout.write(json.dumps(data, sort_keys=False, default=str))
    else:
        json.dump(data, sys.stdout, indent=indent, sort_keys=False, default=str)
    sys.stdout.write("\n")


def home_short(path: str | None) -> str:
    """Show a path with the home directory as ~ (display only)."""
    if not path:
        return "-"
    home = os.path.expanduser("~")
    if home not in ("", os.sep) and (path == home or path.startswith(home + os.sep)):
        return "~" + path[len(home) :]
    return path


def term_width(default: int = 80) -> int:
    # os.get_terminal_size, not shutil's wrapper: shutil costs milliseconds to import.
    try:
        return int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        pass
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
    except (AttributeError, OSError, ValueError):
        return default


def ellipsize_left(text: str, width: int) -> str:
    if len(text) <= width:
        return text
    return "…" + text[len(text) - width + 1 :]


def table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    width: int | None = None,
    flex: int = -1,
) -> str:
    """Aligned columns fitting `width` (default: terminal, at most 80 when not a tty).

    The `flex` column (default: last) absorbs the squeeze; it is ellipsized on the left so the
    informative end of a path stays visible.
    """
    if width is None:
        width = term_width() if sys.stdout.isatty() else 80
    cols = len(headers)
    flex = flex % cols
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(cols)]
    gap = 2
    fixed = sum(w for i, w in enumerate(widths) if i != flex) + gap * (cols - 1)
    widths[flex] = max(12, min(widths[flex], width - fixed))
    lines = []
    for r in [headers, *rows]:
        cells = []
        for i, cell in enumerate(r):
            text = str(cell)
            if i == flex:
                text = ellipsize_left(text, widths[i])
            cells.append(text.ljust(widths[i]) if i < cols - 1 else text)
        lines.append((" " * gap).join(cells).rstrip())
    return "\n".join(lines)
