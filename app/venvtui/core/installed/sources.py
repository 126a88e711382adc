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

from venvtui.core.base.config import loads_toml
from venvtui.core.base.models import Source
from venvtui.core.base.observed import note, note_cwd
from venvtui.core.base.safe_io import SMALL_FILE, read_text

# python, python3, python3.12, python3.13t, python3.6m, python2.7, pypy, pypy3.10 (+ .exe).
# `-config` scripts and `-gdb.py` helpers do not match. This module's patterns are strings,
# compiled (by re's cache) on first use: a listing of envs seldom needs them.
INTERPRETER_NAME = r"(?i)(?:python(?:\d+(?:\.\d+)?)?[dmt]*|pypy(?:\d+(?:\.\d+)?)?)(?:\.exe)?"


_PREFIXES = ("python", "pypy", "Python", "PyPy", "PYTHON", "PYPY")


def is_interpreter_name(name: str) -> bool:
    # The startswith test first: /usr/bin holds thousands of names, few of them pythons.
    return name.startswith(_PREFIXES) and re.fullmatch(INTERPRETER_NAME, name) is not None


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
        return cls(os.environ.copy(), os.path.expanduser("~"), cwd, sys.platform)

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
            if not os.path.isabs(entry):
                note_cwd()
            # Like CPython's shutil.which and execvp: a `~` in PATH is not expanded.
            d = os.path.normpath(os.path.join(self.cwd, entry))
            if d not in seen:
                seen.add(d)
                out.append(d)
        return out

    def which(self, name: str) -> str | None:
        """`name` looked up on this context's PATH (the one PATH lookup)."""
        import shutil  # start-up: a listing of envs never looks PATH up

        return shutil.which(name, path=os.pathsep.join(self.path_dirs()))


def scan_dir(
    directory: str, source: Source, shim: str | None = None, ctx: Context | None = None
) -> Iterator[Candidate]:
    """Every entry of `directory` named like an interpreter (one listing per real directory
    when `ctx` is given; no stat of the entries)."""
    names: list[str] | None = None
    key: tuple[int, int] | None = None
    note(directory)
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
    note(directory)
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
        if p and p not in out:
            note(os.path.join(p, "Cellar"))
            if os.path.isdir(os.path.join(p, "Cellar")):
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
        if g not in out:
            note(os.path.join(g, "conda-meta"))
            if os.path.isdir(os.path.join(g, "conda-meta")):
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
    """Every PATH entry; entries that are a version manager's shim dir yield shims (also a
    `shims` dir of another root than the configured one, told by its shims' text)."""
    shims = shim_dirs(ctx)
    for d in ctx.path_dirs():
        manager = shims.get(d)
        if manager is None and os.path.basename(d) == "shims":
            manager = _sniff_shim_dir(d, ctx)
        yield from scan_dir(d, Source.PATH, manager, ctx)


def _sniff_shim_dir(directory: str, ctx: Context) -> str | None:
    for c in scan_dir(directory, Source.PATH, ctx=ctx):
        found = shim_of(c.path, ctx)
        return found[0] if found else None
    return None


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


class ShimTarget(NamedTuple):
    """What a shim runs now: the executable (None when the selection lacks that command), the
    version name that selected it, and where that selection came from (a file or a variable)."""

    target: str | None
    version: str
    origin: str


def _find_upwards(start: str, filename: str) -> str | None:
    d = start
    while True:
        p = os.path.join(d, filename)
        note(p)
        if os.path.isfile(p):
            return p
        parent = os.path.dirname(d)
        if parent == d:
            return None
        d = parent


def _read_small(path: str) -> str | None:
    note(path)
    try:
        return read_text(path, limit=SMALL_FILE, errors="replace")
    except OSError:
        return None


def _version_file_words(path: str) -> list[str]:
    """pyenv-version-file-read: the first word of each line; blank and `#` lines skipped;
    a name with `/` or `..` is ignored (CVE-2022-35861)."""
    out = []
    for line in (_read_small(path) or "").splitlines():
        words = line.split()
        if not words or words[0].startswith("#"):
            continue
        if words[0] == ".." or "/" in words[0]:
            continue
        out.append(words[0])
    return out


def _version_key(name: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", name))


# pyenv-latest drops these from a prefix match: -dev/-src/-latest and pre-releases, and
# free-threaded `t` builds unless the prefix asks for one.
_NOT_LATEST = r"(?:-dev|-src|-latest|(?:a|b|rc)\d+)$"


def _pick_version(versions_dir: str, name: str, *, prefix_ok: bool = True) -> str | None:
    """pyenv-prefix / pyenv-latest: `versions_dir/name`, else the newest installed
    `name[-.]*` release (pyenv 2.3+ resolves "3.12" to the latest 3.12.x; mise does too;
    asdf does not: `prefix_ok=False`)."""
    exact = os.path.join(versions_dir, name)
    note(exact)
    if os.path.isdir(exact):
        return exact
    if not prefix_ok:
        return None
    want_t = bool(re.fullmatch(r".*\dt", name))
    prefix = name[:-1] if want_t else name
    best: tuple[tuple[int, ...], str] | None = None
    for d in _subdirs(versions_dir):
        base = os.path.basename(d)
        if not base.startswith((prefix + ".", prefix + "-")) or re.search(_NOT_LATEST, base):
            continue
        if base.endswith("t") != want_t or (os.path.islink(d) and "envs" in os.readlink(d)):
            continue  # pyenv-latest --skip-envs: pyenv-virtualenv's links into envs/
        key = _version_key(base)
        if best is None or key > best[0]:
            best = (key, d)
    return best[1] if best else None


def _system_command(ctx: Context, command: str, skip: str | None = None) -> str | None:
    """pyenv-which "system": the first `command` on PATH outside the shim dir(s)."""
    shims = set(shim_dirs(ctx)) | ({skip} if skip else set())
    for d in ctx.path_dirs():
        if d in shims:
            continue
        p = os.path.join(d, command)
        note(p)
        if os.path.isfile(p) and os.access(p, os.X_OK):
            return p
    return None


def pyenv_selection(ctx: Context, root: str | None = None) -> tuple[list[str], str]:
    """The selected pyenv versions and their origin (pyenv-version-name): PYENV_VERSION, else
    the nearest `.python-version` above PYENV_DIR (default: the cwd), else
    `$PYENV_ROOT/version`; an empty or missing file selects "system"."""
    env = ctx.env("PYENV_VERSION")
    if env:
        return [v for v in env.split(":") if v] or ["system"], "PYENV_VERSION"
    note_cwd()  # the nearest .python-version above the cwd
    local = _find_upwards(ctx.env("PYENV_DIR") or ctx.cwd, ".python-version")
    if local is None and ctx.env("PYENV_DIR"):
        local = _find_upwards(ctx.cwd, ".python-version")
    origin = local or os.path.join(root or pyenv_root(ctx), "version")
    return _version_file_words(origin) or ["system"], origin


def pyenv_which(command: str, ctx: Context, root: str | None = None) -> ShimTarget:
    """`pyenv which COMMAND` without running pyenv: each selected version's bin/COMMAND (a
    "3.12" prefix or "python-3.12" name resolved as pyenv-latest does), then always "system"
    (PATH without `$PYENV_ROOT/shims`)."""
    root = root or pyenv_root(ctx)
    versions, origin = pyenv_selection(ctx, root)
    versions_dir = os.path.join(root, "versions")
    for v in [*versions, "system"]:
        if v == "system":
            found = _system_command(ctx, command, os.path.normpath(os.path.join(root, "shims")))
            if found:
                why = origin if "system" in versions else f"{origin}; no selected version has it"
                return ShimTarget(found, "system", why)
            continue
        d = _pick_version(versions_dir, v) or _pick_version(versions_dir, v.removeprefix("python-"))
        if d:
            p = os.path.join(_bin(d, ctx), command)
            note(p)
            if os.path.isfile(p) and os.access(p, os.X_OK):
                return ShimTarget(p, os.path.basename(d), origin)
    return ShimTarget(None, ":".join(versions), origin)


def _tool_versions(
    ctx: Context, tool: str, env_key: str, *, mise: bool = False
) -> tuple[list[str], str]:
    """asdf/mise: `<TOOL>_VERSION`-style variable, else the nearest config above the cwd
    (`.tool-versions`; mise also `mise.toml`/`.mise.toml` `[tools] python = ...`), else the
    global one (`~/.tool-versions`; mise `~/.config/mise/config.toml`)."""
    env = ctx.env(env_key)
    if env:
        return env.split(), env_key
    note_cwd()  # the nearest config above the cwd
    d = ctx.cwd
    names = ("mise.toml", ".mise.toml", ".tool-versions") if mise else (".tool-versions",)
    while True:
        for name in names:
            p = os.path.join(d, name)
            note(p)
            if os.path.isfile(p):
                got = _config_versions(p, tool)
                if got:
                    return got, p
        parent = os.path.dirname(d)
        if parent == d:
            break
        d = parent
    xdg = ctx.env("XDG_CONFIG_HOME")
    config = xdg if xdg and os.path.isabs(xdg) else os.path.join(ctx.home, ".config")
    globals_ = [os.path.join(config, "mise", "config.toml")] if mise else []
    globals_.append(os.path.join(ctx.home, ".tool-versions"))
    for p in globals_:
        got = _config_versions(p, tool)
        if got:
            return got, p
    return [], ""


def _config_versions(path: str, tool: str) -> list[str]:
    text = _read_small(path)
    if text is None:
        return []
    if path.endswith(".toml"):
        try:
            data = loads_toml(text)
        except ValueError:
            return []
        tools = data.get("tools")
        value = tools.get(tool) if isinstance(tools, dict) else None
        items = value if isinstance(value, list) else [value]
        out = []
        for item in items:
            if isinstance(item, dict):  # python = { version = "3.12", ... }
                item = item.get("version")
            if isinstance(item, str):
                out.append(item)
        return out
    for line in text.splitlines():
        words = line.split("#", 1)[0].split()
        if words and words[0] == tool:
            return words[1:]
    return []


def shim_target(manager: str, command: str, ctx: Context, root: str | None = None) -> ShimTarget:
    """What the `manager` shim named `command` runs now (never by running the manager)."""
    if manager == "pyenv":
        return pyenv_which(command, ctx, root)
    mise = manager == "mise"
    root = root or (mise_root(ctx) if mise else asdf_root(ctx))
    installs = os.path.join(root, "installs", "python")
    env_key = "MISE_PYTHON_VERSION" if mise else "ASDF_PYTHON_VERSION"
    versions, origin = _tool_versions(ctx, "python", env_key, mise=mise)
    for v in versions:
        if v == "system":
            found = _system_command(ctx, command)
            if found:
                return ShimTarget(found, "system", origin)
            continue
        d = _pick_version(installs, v.removeprefix("python-"), prefix_ok=mise)
        if d:
            p = os.path.join(_bin(d, ctx), command)
            note(p)
            if os.path.isfile(p):
                return ShimTarget(p, os.path.basename(d), origin)
    return ShimTarget(None, " ".join(versions), origin)


def resolve_shim(candidate: Candidate, ctx: Context) -> str | None:
    """The executable a shim runs right now, or None when the shim is inactive (the selected
    version lacks that command)."""
    if candidate.shim is None:
        return None
    root = None
    if os.path.normpath(os.path.dirname(candidate.path)) not in shim_dirs(ctx):
        found = shim_of(candidate.path, ctx)  # another root: a pyenv shim names its own
        root = found[1] if found else None
    return shim_target(candidate.shim, os.path.basename(candidate.path), ctx, root).target


_PYENV_SHIM_ROOT = r'(?m)^export PYENV_ROOT="([^"\n]+)"$'


def shim_of(path: str, ctx: Context) -> tuple[str, str | None] | None:
    """(manager, its root when the shim names one) when `path` is a pyenv, asdf or mise shim:
    it sits in a shim dir, or its text is one (pyenv: `exec ".../libexec/pyenv" exec`, which
    also exports the PYENV_ROOT it belongs to; asdf: `asdf exec`), or it is a link to the
    `mise` binary (mise's shims are links to itself; `rtx` was its name)."""
    path = os.path.normpath(os.path.abspath(path))
    note(path)
    manager = shim_dirs(ctx).get(os.path.dirname(path))
    if os.path.islink(path) and os.path.basename(os.path.realpath(path)) in ("mise", "rtx"):
        return "mise", None
    text = None
    try:
        if os.path.getsize(path) <= 8192:
            text = _read_small(path)
    except OSError:
        text = None
    if text and text.startswith("#!"):
        if '/libexec/pyenv" exec' in text or "pyenv exec" in text:
            m = re.search(_PYENV_SHIM_ROOT, text)
            return "pyenv", m.group(1) if m else None
        if "asdf exec" in text:
            return "asdf", None
    if manager is not None:
        return manager, None
    return None
