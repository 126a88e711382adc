"""Stdlib landmarks: how CPython, virtualenv and uv decide that a directory holds an install.

Each tool uses a slightly different test, and the differences decide which `home` they write:

- CPython getpath (`search_up`): from a directory upwards, the first ancestor holding
  `lib/pythonX.Y/os.py` (or `os.pyc`), or for 3.11+ first `lib/pythonXY.zip`.
- virtualenv (python-discovery `_stdlib_landmark_exists`): only `<dir>/../{lib,lib64}/<stdlib
  dir name>/os.py`, resolved by the OS (so `..` follows a symlinked `<dir>` physically).
- uv (`find_base_python`): any ancestor of the executable holding `lib/pythonX.Y[t]/os.py`.

All checks here are pure filesystem look-ups: nothing is executed.
"""

from __future__ import annotations

import os

from venvtui.core.base.models import ProbeResult


def stdlib_name(version: tuple[int, ...], *, free_threaded: bool = False) -> str:
    """`python3.13` / `python3.13t` (CPython getpath STDLIB_SUBDIR; `t` is ABI_THREAD, 3.13+)."""
    suffix = "t" if free_threaded and tuple(version[:2]) >= (3, 13) else ""
    return f"python{version[0]}.{version[1]}{suffix}"


def stdlib_name_for(probe: ProbeResult) -> str:
    """The stdlib directory name of a probed interpreter (from its sysconfig stdlib when known)."""
    if probe.stdlib:
        name = os.path.basename(os.path.normpath(probe.stdlib))
        if name.startswith(("python", "pypy")):
            return name
    return stdlib_name(probe.version, free_threaded=probe.free_threaded)


def has_stdlib(prefix: str, name: str) -> bool:
    """CPython getpath landmark: `prefix/lib/<name>/os.py` or `os.pyc` is a file."""
    lib = os.path.join(prefix, "lib", name)
    return os.path.isfile(os.path.join(lib, "os.py")) or os.path.isfile(os.path.join(lib, "os.pyc"))


def has_zip(prefix: str, version: tuple[int, ...], *, free_threaded: bool = False) -> bool:
    """CPython getpath ZIP_LANDMARK: `prefix/lib/pythonXY[t].zip`."""
    t = "t" if free_threaded and tuple(version[:2]) >= (3, 13) else ""
    return os.path.isfile(os.path.join(prefix, "lib", f"python{version[0]}{version[1]}{t}.zip"))


def has_lib_dynload(prefix: str, name: str) -> bool:
    """CPython getpath PLATSTDLIB_LANDMARK: `prefix/lib/<name>/lib-dynload` is a directory."""
    return os.path.isdir(os.path.join(prefix, "lib", name, "lib-dynload"))


def _strip(path: str) -> str:
    """Drop trailing separators but keep `..` components: the interpreters search lexically
    from the string they computed (getpath.c `reduce`, getpath.py `dirname`)."""
    stripped = path.rstrip(os.sep)
    return stripped or os.sep


def search_up(start: str, name: str) -> str | None:
    """CPython getpath `search_up(start, 'lib/<name>/os.py', 'lib/<name>/os.pyc')`: `start`, then
    each lexical parent (`dirname`, no symlink resolution, no normalisation: a `..` component
    stays in the result), up to but excluding the root."""
    prefix = _strip(start)
    while prefix and prefix != os.path.dirname(prefix):
        if has_stdlib(prefix, name):
            return prefix
        prefix = os.path.dirname(prefix)
    return None


def search_up_zip(
    start: str, version: tuple[int, ...], *, free_threaded: bool = False
) -> str | None:
    """CPython getpath 3.11+: `search_up(executable_dir, ZIP_LANDMARK)`."""
    prefix = _strip(start)
    while prefix and prefix != os.path.dirname(prefix):
        if has_zip(prefix, version, free_threaded=free_threaded):
            return prefix
        prefix = os.path.dirname(prefix)
    return None


def search_up_dynload(start: str, name: str) -> str | None:
    """CPython getpath `search_up(executable_dir, PLATSTDLIB_LANDMARK, test=isdir)`."""
    prefix = _strip(start)
    while prefix and prefix != os.path.dirname(prefix):
        if has_lib_dynload(prefix, name):
            return prefix
        prefix = os.path.dirname(prefix)
    return None


def virtualenv_landmark(bin_dir: str, name: str) -> bool:
    """python-discovery `_stdlib_landmark_exists`: `<bin_dir>/../{lib,lib64}/<name>/os.py`,
    checked with os.path.exists on the unnormalised path (the OS resolves `..` physically)."""
    return any(
        os.path.exists(os.path.join(bin_dir, os.pardir, lib, name, "os.py"))
        for lib in ("lib", "lib64")
    )


def uv_landmark_ancestor(executable: str, name: str) -> str | None:
    """uv `find_base_python`: the first ancestor `a` of `executable` (short of the root) with
    `a/lib/<name>/os.py` as a file."""
    current = os.path.dirname(os.path.normpath(executable))
    while current and current != os.path.dirname(current):
        if os.path.isfile(os.path.join(current, "lib", name, "os.py")):
            return current
        current = os.path.dirname(current)
    return None
