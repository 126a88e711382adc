"""Path containment and printable names: the one copy every module uses."""

from __future__ import annotations

import os


def inside(path: str, root: str) -> bool:
    """`path` is `root` or below it, compared lexically after `os.path.normpath` (no link is
    followed: callers pass physical paths when links matter)."""
    path, root = os.path.normpath(path), os.path.normpath(root)
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def safe_name(name: str) -> str:
    """A file name fit for one line of output: control characters and undecodable bytes
    escaped."""
    out = name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in out)
