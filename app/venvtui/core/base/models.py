"""Frozen models passed across module boundaries (core -> CLI/TUI).

Every model has `to_json()` returning plain JSON-able data with stable keys.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Literal

SCHEMA_VERSION = 1

# pyvenv.cfg keys holding the creator's recorded version, in the order we trust them:
# virtualenv/uv `version_info`, the stdlib venv's `version`, then `python-version`.
CFG_VERSION_KEYS = ("version_info", "version", "python-version")

_MINOR_RE = re.compile(r"^\s*(\d+)\.(\d+)")


def minor_of(version: str | None) -> str | None:
    """ "X.Y" from a version string ("3.12.1", "3.12.1.final.0", "3.13"); None otherwise."""
    if not version:
        return None
    m = _MINOR_RE.match(version)
    return f"{m[1]}.{m[2]}" if m else None


# CPython's versioned executable names: `pythonX.Y`, `pythonX.Yt` (free-threaded)
_VERSIONED_EXE = re.compile(r"^python(?P<minor>\d+\.\d+)t?$")


def exe_minor(path: str) -> str | None:
    """X.Y from an executable name `pythonX.Y[t]`, else None."""
    m = _VERSIONED_EXE.match(os.path.basename(path))
    return m["minor"] if m else None


def cfg_get(cfg: Iterable[tuple[str, str]], key: str) -> str | None:
    """The first value of `key` among pyvenv.cfg `(key, value)` pairs, key case-insensitive,
    both stripped: CPython's getpath and Lib/site.py venv() split a line at the first `=` and
    strip key and value (getpath takes the first `home`)."""
    k = key.lower()
    for name, value in cfg:
        if name.strip().lower() == k:
            return value.strip()
    return None


class Source(str, Enum):
    """Where an interpreter or environment was found."""

    PATH = "path"
    PYENV = "pyenv"
    UV = "uv"
    MISE = "mise"
    ASDF = "asdf"
    HOMEBREW = "homebrew"
    SYSTEM = "system"
    CONDA = "conda"
    VENV_SCAN = "venv-scan"
    EXPLICIT = "explicit"


HopKind = Literal["link", "file", "dir", "missing", "loop", "error"]


@dataclass(frozen=True, slots=True)
class Hop:
    """One step of a symlink chain.

    `path` is the path at this step (lexically normalised, absolute).
    `kind`: "link" (path is a symlink; `target` is the raw readlink() text and `next` the
    absolute next path), "file"/"dir" (the chain ends here on an existing file/dir),
    "missing" (nothing exists at `path`: the chain is dangling here), "loop", "error".
    `dir_links` lists symlinked *directories* among path's parents, as (dir, raw target)
    pairs, e.g. ("/bin", "usr/bin").
    """

    path: str
    kind: HopKind
    target: str | None = None
    next: str | None = None
    dir_links: tuple[tuple[str, str], ...] = ()
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "kind": self.kind,
            "target": self.target,
            "next": self.next,
            "dir_links": [list(p) for p in self.dir_links] if self.dir_links else [],
            "error": self.error,
        }


@dataclass(frozen=True, slots=True)
class Chain:
    """The file-link chain from `start`, hop by hop (CPython getpath's readlink loop: only the
    final component is resolved at each hop; directories are not), plus the full realpath."""

    start: str
    hops: tuple[Hop, ...]
    realpath: str

    @property
    def final(self) -> str:
        """The last path reached (the real file when the chain is intact)."""
        return self.hops[-1].path

    @property
    def ok(self) -> bool:
        return self.hops[-1].kind in ("file", "dir")

    @property
    def broken_hop(self) -> Hop | None:
        """The hop where the chain fails (missing target, loop, error), or None."""
        last = self.hops[-1]
        return None if last.kind in ("file", "dir") else last

    @property
    def paths(self) -> tuple[str, ...]:
        return tuple(h.path for h in self.hops)

    def to_json(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "hops": [h.to_json() for h in self.hops],
            "realpath": self.realpath,
            "ok": self.ok,
        }


@dataclass(frozen=True, slots=True)
class ProbeResult:
    """What an interpreter reported about itself (run isolated with -I -S / -E -s)."""

    executable: str  # the path that was invoked (absolute, unresolved)
    sys_executable: str
    base_executable: str | None  # sys._base_executable, None when absent (2.7, <3.x)
    prefix: str
    base_prefix: str
    exec_prefix: str
    base_exec_prefix: str
    version: tuple[int, int, int]
    version_full: str  # e.g. "3.12.1" or "3.13.0rc2"
    implementation: str  # "cpython", "pypy", ...
    free_threaded: bool
    platform: str  # sys.platform
    machine: str  # platform.machine()
    config_prefix: str | None  # compiled sysconfig prefix (PREFIX)
    framework: str | None  # sysconfig PYTHONFRAMEWORK ("" or None when not a framework)
    enable_shared: bool
    ldlibrary: str | None
    libdir: str | None
    stdlib: str | None  # sysconfig "stdlib" path
    standalone: bool  # python-build-standalone (PREFIX == "/install" or PYTHON_BUILD_STANDALONE)
    # a pyvenv.cfg sits beside/above the executable (prefix != base_prefix or cfg seen)
    in_venv: bool
    site_packages: tuple[str, ...]
    abiflags: str = ""
    raw: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    pyvenv_cfg: str | None = None  # the pyvenv.cfg site.venv() would read, in a venv
    sitecustomize: str | None = None  # stdlib/site-packages sitecustomize.py (-S skips it)
    has_homebrew_sitecustomize: bool = False  # it is Homebrew's (rewrites sys.executable)

    @property
    def minor(self) -> str:
        return f"{self.version[0]}.{self.version[1]}"

    def to_json(self) -> dict[str, Any]:
        return {
            "executable": self.executable,
            "sys_executable": self.sys_executable,
            "base_executable": self.base_executable,
            "prefix": self.prefix,
            "base_prefix": self.base_prefix,
            "exec_prefix": self.exec_prefix,
            "base_exec_prefix": self.base_exec_prefix,
            "version": self.version_full,
            "version_info": list(self.version),
            "implementation": self.implementation,
            "free_threaded": self.free_threaded,
            "platform": self.platform,
            "machine": self.machine,
            "config_prefix": self.config_prefix,
            "framework": self.framework,
            "enable_shared": self.enable_shared,
            "ldlibrary": self.ldlibrary,
            "libdir": self.libdir,
            "stdlib": self.stdlib,
            "standalone": self.standalone,
            "in_venv": self.in_venv,
            "site_packages": list(self.site_packages),
            "abiflags": self.abiflags,
            "pyvenv_cfg": self.pyvenv_cfg,
            "sitecustomize": self.sitecustomize,
            "has_homebrew_sitecustomize": self.has_homebrew_sitecustomize,
        }


@dataclass(frozen=True, slots=True)
class Alias:
    """One path that runs an interpreter (a PATH entry, a pyenv version's bin/python3, ...)."""

    path: str
    sources: tuple[Source, ...]
    chain: Chain

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "sources": [s.value for s in self.sources],
            "chain": self.chain.to_json(),
        }


@dataclass(frozen=True, slots=True)
class Interpreter:
    """One real interpreter executable file (deduplicated by st_dev+st_ino), with every alias.

    `path` is the preferred alias to show and invoke (a versioned name in the install's own bin,
    e.g. ~/.pyenv/versions/3.12.1/bin/python3.12); `real_path` is its realpath.
    `install_dir` is the installation root (base_prefix when probed, else guessed from the path).
    """

    path: str
    real_path: str
    dev_ino: tuple[int, int]
    aliases: tuple[Alias, ...]
    sources: tuple[Source, ...]
    install_dir: str
    probe: ProbeResult | None = None
    error: str | None = None  # why probing failed, when it did
    shims: tuple[str, ...] = ()  # shims (pyenv/asdf/mise) resolved to this interpreter

    @property
    def version(self) -> str | None:
        return self.probe.version_full if self.probe else None

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "real_path": self.real_path,
            "install_dir": self.install_dir,
            "version": self.version,
            "implementation": self.probe.implementation if self.probe else None,
            "sources": [s.value for s in self.sources],
            "aliases": [a.to_json() for a in self.aliases],
            "shims": list(self.shims),
            "probe": self.probe.to_json() if self.probe else None,
            "error": self.error,
        }


EnvKind = Literal["venv", "conda"]


@dataclass(frozen=True, slots=True)
class Environment:
    """A virtual environment (a dir with pyvenv.cfg) or a conda env (a dir with conda-meta/).

    `creator` comes from pyvenv.cfg keys: "uv", "virtualenv", "venv" (stdlib), "venvtui",
    "conda", or "unknown". `owner` from location/metadata: "poetry", "pipenv", "pdm", "hatch",
    "pipx", "uv-tool", "tox", "nox", "pyenv-virtualenv", "virtualenvwrapper", "conda", "project"
    (a .venv/venv beside a project) or "" when unknown.
    `python` is the env's bin/python (or the first bin/python* present); `chain` its link chain.
    `cfg` is the parsed pyvenv.cfg as ordered (key, value) pairs; `cfg_problems` the malformed lines.
    """

    path: str
    kind: EnvKind
    creator: str
    owner: str
    python: str | None
    chain: Chain | None
    cfg: tuple[tuple[str, str], ...]
    cfg_problems: tuple[str, ...]
    sources: tuple[Source, ...] = (Source.VENV_SCAN,)
    mtime: float | None = None
    # the project dir it belongs to, when known (.project, parent of .venv)
    project: str | None = None

    def cfg_get(self, key: str) -> str | None:
        """First value of `key` (see `cfg_get`)."""
        return cfg_get(self.cfg, key)

    @property
    def home(self) -> str | None:
        return self.cfg_get("home")

    @property
    def cfg_version(self) -> str | None:
        """The version the creator recorded: `version`, `version_info` or `python-version`."""
        for key in CFG_VERSION_KEYS:
            v = self.cfg_get(key)
            if v:
                return v
        return None

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "kind": self.kind,
            "creator": self.creator,
            "owner": self.owner,
            "python": self.python,
            "home": self.home,
            "version": self.cfg_version,
            "chain": self.chain.to_json() if self.chain else None,
            "cfg": dict(self.cfg),
            "cfg_problems": list(self.cfg_problems),
            "sources": [s.value for s in self.sources],
            "mtime": self.mtime,
            "project": self.project,
        }
