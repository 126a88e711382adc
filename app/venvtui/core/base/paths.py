"""Path containment and printable names: the one copy every module uses."""

from __future__ import annotations

import os

# POSIX spelling only: elsewhere normpath also rewrites the alternative separator.
_POSIX = os.sep == "/" and os.altsep is None


def is_normal_abs(path: str) -> bool:
    """`path` is absolute and already what `os.path.normpath` returns (no empty, `.` or `..`
    component, no trailing separator): callers skip the normalisation, which dominates when
    thousands of paths are handled."""
    return (
        _POSIX
        and path[:1] == "/"
        and path[-1:] != "/"
        and "//" not in path
        and "/./" not in path
        and "/../" not in path
        and not path.endswith(("/.", "/.."))
    )


def parent_of(path: str) -> str:
    """`os.path.dirname` of a path for which `is_normal_abs` holds: a cut at the last
    separator."""
    if _POSIX:
        return path[: path.rfind("/")] or "/"
    return os.path.dirname(path)


def join_name(directory: str, name: str) -> str:
    """`os.path.join(directory, name)` for a `name` holding no separator (a listed entry,
    "bin", "pyvenv.cfg"): the same string, without join's general case."""
    if _POSIX and directory[-1:] not in ("", os.sep):
        return directory + os.sep + name
    return os.path.join(directory, name)


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
