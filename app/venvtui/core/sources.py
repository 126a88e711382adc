"""Where interpreters live: one locator per source, each yielding candidate executables.

Locators only list directories (no stat of candidates, no spawning); `discovery` stats, dedupes
and probes. To add a source, write a locator and add it to `LOCATORS`.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from venvtui.core.models import Source

# python, python3, python3.12, python3.13t, python3.6m, python2.7, pypy, pypy3.10 (+ .exe).
# `-config` scripts and `-gdb.py` helpers do not match.
INTERPRETER_NAME = re.compile(
    r"(?:python(?:\d+(?:\.\d+)?)?[dmt]*|pypy(?:\d+(?:\.\d+)?)?)(?:\.exe)?", re.IGNORECASE
)


_PREFIXES = ("python", "pypy", "Python", "PyPy", "PYTHON", "PYPY")


def is_interpreter_name(name: str) -> bool:
    # The startswith test first: /usr/bin holds thousands of names, few of them pythons.
    return name.startswith(_PREFIXES) and INTERPRETER_NAME.fullmatch(name) is not None


class Candidate(NamedTuple):
    """A path that may run an interpreter, and the source that listed it.

    `shim` names the version manager ("pyenv", "asdf", "mise") when the path is one of its
    shims: a shim is resolved to what it runs and never probed itself. (A NamedTuple, not a
    dataclass: it never leaves the core, and start-up time matters on this path.)
    """

    path: str
    source: Source
    shim: str | None = None


@dataclass(frozen=True, slots=True)
class Context:
    """What locators read: the environment, home, cwd and platform (injectable for tests)."""

    environ: Mapping[str, str]
    home: str
    cwd: str
    platform: str = sys.platform
    fs_root: str = os.sep  # where the fixed system locations (/usr/bin, /opt/...) are looked up
    # Interpreter-like names per directory, keyed by (st_dev, st_ino): /bin and /usr/bin (or a
    # dir both on PATH and a system location) are listed once.
    listings: dict[tuple[int, int], list[str]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def sys_path(self, path: str) -> str:
        """A fixed system location (e.g. "/usr/bin") under `fs_root`."""
        if self.fs_root == os.sep:
            return path
        return os.path.join(self.fs_root, path.lstrip("/"))

    @classmethod
    def current(cls) -> Context:
        try:
            cwd = os.getcwd()
        except OSError:
            cwd = os.sep
        return cls(dict(os.environ), os.path.expanduser("~"), cwd, sys.platform)

    def env(self, key: str) -> str | None:
        value = self.environ.get(key)
        return value if value else None

    @property
    def windows(self) -> bool:
        return self.platform == "win32"

    @property
    def macos(self) -> bool:
        return self.platform == "darwin"

    def xdg_data_home(self) -> str:
        # XDG base dirs spec: ignore relative values.
        value = self.env("XDG_DATA_HOME")
        if value and os.path.isabs(value):
            return value
        return os.path.join(self.home, ".local", "share")

    def path_dirs(self) -> list[str]:
        seen: set[str] = set()
        out = []
        for entry in (self.env("PATH") or "").split(os.pathsep):
            if not entry:
                continue
            d = os.path.normpath(os.path.join(self.cwd, os.path.expanduser(entry)))
            if d not in seen:
                seen.add(d)
                out.append(d)
        return out


def scan_dir(
    directory: str, source: Source, shim: str | None = None, ctx: Context | None = None
) -> Iterator[Candidate]:
    """Every entry of `directory` named like an interpreter (one listing per real directory
    when `ctx` is given; no stat of the entries)."""
    names: list[str] | None = None
    key: tuple[int, int] | None = None
    if ctx is not None:
        try:
            st = os.stat(directory)
        except OSError:
            return
        key = (st.st_dev, st.st_ino)
        names = ctx.listings.get(key)
    if names is None:
        try:
            names = sorted(n for n in os.listdir(directory) if is_interpreter_name(n))
        except OSError:
            return
        if key is not None and ctx is not None:
            ctx.listings[key] = names
    for name in names:
        yield Candidate(os.path.join(directory, name), source, shim)


def _subdirs(directory: str) -> list[str]:
    try:
        return sorted(os.path.join(directory, n) for n in os.listdir(directory))
    except OSError:
        return []


def _bin(prefix: str, ctx: Context) -> str:
    # Windows installs keep python.exe at the prefix root; POSIX ones under bin/.
    return prefix if ctx.windows else os.path.join(prefix, "bin")


# --- roots of each tool (also used by the shim resolver and the environment scanner) ----------


def pyenv_root(ctx: Context) -> str:
    return ctx.env("PYENV_ROOT") or os.path.join(ctx.home, ".pyenv")


def asdf_root(ctx: Context) -> str:
    return ctx.env("ASDF_DATA_DIR") or os.path.join(ctx.home, ".asdf")


def mise_root(ctx: Context) -> str:
    return ctx.env("MISE_DATA_DIR") or os.path.join(ctx.xdg_data_home(), "mise")


def uv_data_dir(ctx: Context) -> str:
    """uv's own data dir rules (uv-dirs `user_state_dir`/`user_data_dir`), not platformdirs':
    `$XDG_DATA_HOME/uv` or `~/.local/share/uv` on Linux *and* macOS, `%APPDATA%\\uv\\data` on
    Windows."""
    if ctx.windows:
        appdata = ctx.env("APPDATA") or os.path.join(ctx.home, "AppData", "Roaming")
        return os.path.join(appdata, "uv", "data")
    return os.path.join(ctx.xdg_data_home(), "uv")


def uv_python_dir(ctx: Context) -> str:
    return ctx.env("UV_PYTHON_INSTALL_DIR") or os.path.join(uv_data_dir(ctx), "python")


def uv_tool_dir(ctx: Context) -> str:
    return ctx.env("UV_TOOL_DIR") or os.path.join(uv_data_dir(ctx), "tools")


def uv_bin_dir(ctx: Context) -> str:
    """Where `uv python install` puts `pythonX.Y` links (uv: UV_PYTHON_BIN_DIR, XDG_BIN_HOME,
    `$XDG_DATA_HOME/../bin`, ~/.local/bin)."""
    for key in ("UV_PYTHON_BIN_DIR", "XDG_BIN_HOME"):
        value = ctx.env(key)
        if value:
            return value
    xdg = ctx.env("XDG_DATA_HOME")
    if xdg and os.path.isabs(xdg):
        return os.path.normpath(os.path.join(xdg, os.pardir, "bin"))
    return os.path.join(ctx.home, ".local", "bin")


HOMEBREW_PREFIXES = ("/opt/homebrew", "/usr/local", "/home/linuxbrew/.linuxbrew")


def homebrew_prefixes(ctx: Context) -> list[str]:
    prefixes = [ctx.env("HOMEBREW_PREFIX") or "", *(ctx.sys_path(p) for p in HOMEBREW_PREFIXES)]
    prefixes.append(os.path.join(ctx.home, ".linuxbrew"))
    out: list[str] = []
    for p in prefixes:
        # A prefix is Homebrew's only when it holds a Cellar (/usr/local is also the system's).
        if p and p not in out and os.path.isdir(os.path.join(p, "Cellar")):
            out.append(p)
    return out


CONDA_BASE_NAMES = (
    "miniconda3",
    "anaconda3",
    "miniforge3",
    "mambaforge",
    "micromamba",
    "miniconda",
)


def conda_bases(ctx: Context) -> list[str]:
    """conda/mamba base installs (a prefix with conda-meta/ that is not inside an envs/ dir)."""
    guesses: list[str] = []
    for key in ("CONDA_ROOT", "MAMBA_ROOT_PREFIX"):
        value = ctx.env(key)
        if value:
            guesses.append(value)
    conda_exe = ctx.env("CONDA_EXE")
    if conda_exe:
        # <base>/bin/conda or <base>/condabin/conda
        guesses.append(os.path.dirname(os.path.dirname(conda_exe)))
    prefix = ctx.env("CONDA_PREFIX")
    if prefix:
        parent = os.path.dirname(os.path.normpath(prefix))
        guesses.append(os.path.dirname(parent) if os.path.basename(parent) == "envs" else prefix)
    for name in CONDA_BASE_NAMES:
        guesses.append(os.path.join(ctx.home, name))
        guesses.append(ctx.sys_path(os.path.join("/opt", name)))
    guesses += [ctx.sys_path("/opt/conda"), os.path.join(ctx.home, "opt", "miniconda3")]
    out: list[str] = []
    for g in guesses:
        g = os.path.normpath(g)
        if g not in out and os.path.isdir(os.path.join(g, "conda-meta")):
            out.append(g)
    return out


def shim_dirs(ctx: Context) -> dict[str, str]:
    """Shim directory -> the version manager owning it."""
    return {
        os.path.normpath(os.path.join(pyenv_root(ctx), "shims")): "pyenv",
        os.path.normpath(os.path.join(asdf_root(ctx), "shims")): "asdf",
        os.path.normpath(os.path.join(mise_root(ctx), "shims")): "mise",
    }


# --- locators ------------------------------------------------------------------------------


def locate_path(ctx: Context) -> Iterator[Candidate]:
    """Every PATH entry; entries that are a version manager's shim dir yield shims."""
    shims = shim_dirs(ctx)
    for d in ctx.path_dirs():
        yield from scan_dir(d, Source.PATH, shims.get(d), ctx)


def locate_pyenv(ctx: Context) -> Iterator[Candidate]:
    """Every `$PYENV_ROOT/versions/*` install, active or not (not just what the shims run).
    `versions/<name>` links made by pyenv-virtualenv point into envs; discovery drops them as
    venv interpreters."""
    for d in _subdirs(os.path.join(pyenv_root(ctx), "versions")):
        yield from scan_dir(_bin(d, ctx), Source.PYENV, ctx=ctx)


def locate_uv(ctx: Context) -> Iterator[Candidate]:
    """uv-managed installs: `cpython-X.Y.Z-<plat>` dirs and the `cpython-X.Y-<plat>` minor links
    (which become aliases of the patch install), plus uv's `pythonX.Y` links in its bin dir."""
    root = uv_python_dir(ctx)
    for d in _subdirs(root):
        name = os.path.basename(d)
        if name.startswith(".") or "-" not in name:
            continue  # .lock, .temp, .cache
        yield from scan_dir(_bin(d, ctx), Source.UV, ctx=ctx)
    bindir = uv_bin_dir(ctx)
    real_root = os.path.realpath(root)
    for c in scan_dir(bindir, Source.UV, ctx=ctx):
        try:
            target = os.readlink(c.path)
        except OSError:
            continue
        target = os.path.realpath(os.path.join(bindir, target))
        if target.startswith(real_root + os.sep):
            yield c


def locate_mise(ctx: Context) -> Iterator[Candidate]:
    """mise installs (`installs/python/X.Y.Z` plus its `X.Y` / `latest` links)."""
    for d in _subdirs(os.path.join(mise_root(ctx), "installs", "python")):
        yield from scan_dir(_bin(d, ctx), Source.MISE, ctx=ctx)


def locate_asdf(ctx: Context) -> Iterator[Candidate]:
    for d in _subdirs(os.path.join(asdf_root(ctx), "installs", "python")):
        yield from scan_dir(_bin(d, ctx), Source.ASDF, ctx=ctx)


def locate_homebrew(ctx: Context) -> Iterator[Candidate]:
    """Homebrew: Cellar/python*/<ver>/bin (and the macOS framework bin inside the keg),
    opt/python*/bin and the prefix's bin/python3*."""
    for prefix in homebrew_prefixes(ctx):
        for formula in _subdirs(os.path.join(prefix, "Cellar")):
            if not os.path.basename(formula).startswith(("python", "pypy")):
                continue
            for keg in _subdirs(formula):
                yield from scan_dir(os.path.join(keg, "bin"), Source.HOMEBREW, ctx=ctx)
                fw = os.path.join(keg, "Frameworks", "Python.framework", "Versions")
                for v in _subdirs(fw):
                    if os.path.basename(v) != "Current":
                        yield from scan_dir(os.path.join(v, "bin"), Source.HOMEBREW, ctx=ctx)
        for opt in _subdirs(os.path.join(prefix, "opt")):
            if os.path.basename(opt).startswith(("python", "pypy")):
                yield from scan_dir(os.path.join(opt, "bin"), Source.HOMEBREW, ctx=ctx)
        yield from scan_dir(os.path.join(prefix, "bin"), Source.HOMEBREW, ctx=ctx)


def locate_conda(ctx: Context) -> Iterator[Candidate]:
    for base in conda_bases(ctx):
        yield from scan_dir(_bin(base, ctx), Source.CONDA, ctx=ctx)


SYSTEM_DIRS = ("/usr/bin", "/bin", "/usr/local/bin", "/opt/local/bin")
MACOS_FRAMEWORKS = ("/Library/Frameworks/Python.framework/Versions",)


def locate_system(ctx: Context) -> Iterator[Candidate]:
    """System locations (even when not on PATH): /usr/bin, /bin, /usr/local/bin, MacPorts, and on
    macOS the python.org framework installs."""
    if ctx.windows:
        return
    for d in SYSTEM_DIRS:
        yield from scan_dir(ctx.sys_path(d), Source.SYSTEM, ctx=ctx)
    if ctx.macos:
        for fw in MACOS_FRAMEWORKS:
            for v in _subdirs(ctx.sys_path(fw)):
                if os.path.basename(v) != "Current":
                    yield from scan_dir(os.path.join(v, "bin"), Source.SYSTEM, ctx=ctx)


Locator = Callable[[Context], Iterable[Candidate]]

# The order sets the order of sources and aliases in the output.
LOCATORS: tuple[tuple[Source, Locator], ...] = (
    (Source.PATH, locate_path),
    (Source.PYENV, locate_pyenv),
    (Source.UV, locate_uv),
    (Source.MISE, locate_mise),
    (Source.ASDF, locate_asdf),
    (Source.HOMEBREW, locate_homebrew),
    (Source.CONDA, locate_conda),
    (Source.SYSTEM, locate_system),
)


def candidates(ctx: Context) -> Iterator[Candidate]:
    for _source, locate in LOCATORS:
        yield from locate(ctx)


# --- shims ---------------------------------------------------------------------------------


def _find_upwards(start: str, filename: str) -> str | None:
    d = start
    while True:
        p = os.path.join(d, filename)
        if os.path.isfile(p):
            return p
        parent = os.path.dirname(d)
        if parent == d:
            return None
        d = parent


def _read_words(path: str) -> list[str]:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            text = fh.read(65536)
    except OSError:
        return []
    words = []
    for line in text.splitlines():
        line = line.split("#", 1)[0]
        words += line.split()
    return words


def _pick_version(versions_dir: str, name: str) -> str | None:
    """`versions_dir/name`, else the newest `name.*` (pyenv 2.3+ resolves a prefix like
    "3.12" to the latest installed 3.12.x)."""
    exact = os.path.join(versions_dir, name)
    if os.path.isdir(exact):
        return exact
    best: tuple[tuple[int, ...], str] | None = None
    for d in _subdirs(versions_dir):
        base = os.path.basename(d)
        if base.startswith(name + "."):
            key = tuple(int(p) if p.isdigit() else -1 for p in base.split("."))
            if best is None or key > best[0]:
                best = (key, d)
    return best[1] if best else None


def _system_command(ctx: Context, command: str) -> str | None:
    """The first `command` on PATH outside every shim dir (pyenv's "system" version)."""
    shims = shim_dirs(ctx)
    for d in ctx.path_dirs():
        if d in shims:
            continue
        p = os.path.join(d, command)
        if os.path.isfile(p) and os.access(p, os.X_OK):
            return p
    return None


def pyenv_versions(ctx: Context) -> list[str]:
    """The selected pyenv versions (pyenv-version-name order): PYENV_VERSION, the nearest
    `.python-version` above the cwd, `$PYENV_ROOT/version`, else "system"."""
    env = ctx.env("PYENV_VERSION")
    if env:
        return [v for v in env.split(":") if v]
    found = _find_upwards(ctx.cwd, ".python-version")
    words = _read_words(found) if found else []
    if not words:
        words = _read_words(os.path.join(pyenv_root(ctx), "version"))
    return words or ["system"]


def _tool_versions(ctx: Context, tool: str, env_key: str) -> list[str]:
    """asdf/mise: `<TOOL>_VERSION`-style variable, else `.tool-versions` above the cwd, else
    `~/.tool-versions`."""
    env = ctx.env(env_key)
    if env:
        return env.split()
    for path in (
        _find_upwards(ctx.cwd, ".tool-versions"),
        os.path.join(ctx.home, ".tool-versions"),
    ):
        if not path:
            continue
        try:
            with open(path, encoding="utf-8", errors="replace") as fh:
                lines = fh.read(65536).splitlines()
        except OSError:
            continue
        for line in lines:
            words = line.split("#", 1)[0].split()
            if words and words[0] == tool:
                return words[1:]
    return []


def resolve_shim(candidate: Candidate, ctx: Context) -> str | None:
    """The executable a shim runs right now, or None when the shim is inactive (the selected
    version lacks that command)."""
    command = os.path.basename(candidate.path)
    if candidate.shim == "pyenv":
        versions_dir = os.path.join(pyenv_root(ctx), "versions")
        for v in pyenv_versions(ctx):
            if v == "system":
                found = _system_command(ctx, command)
                if found:
                    return found
                continue
            d = _pick_version(versions_dir, v)
            if d:
                p = os.path.join(_bin(d, ctx), command)
                if os.path.isfile(p):
                    return p
        return None
    if candidate.shim in ("asdf", "mise"):
        root = asdf_root(ctx) if candidate.shim == "asdf" else mise_root(ctx)
        installs = os.path.join(root, "installs", "python")
        env_key = "ASDF_PYTHON_VERSION" if candidate.shim == "asdf" else "MISE_PYTHON_VERSION"
        for v in _tool_versions(ctx, "python", env_key):
            if v == "system":
                found = _system_command(ctx, command)
                if found:
                    return found
                continue
            d = _pick_version(installs, v)
            if d:
                p = os.path.join(_bin(d, ctx), command)
                if os.path.isfile(p):
                    return p
        return None
    return None
