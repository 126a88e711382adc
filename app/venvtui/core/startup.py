"""What CPython does at start-up with a virtual environment, predicted from the files on disk.

`predict_startup(env_dir)` answers: when the env's `bin/python` runs, which base prefix (stdlib)
does CPython bind to, and is that the install the `bin/python` link actually reaches? It is a
static re-enactment of the interpreter's path calculation, per version family:

- 3.8-3.10 POSIX (`Modules/getpath.c`): the executable is resolved with a readlink loop on the
  final component; `pyvenv.cfg` is only looked for beside that *real* binary (so only copies
  read `home`); the stdlib is searched upwards from there, else the compiled PREFIX.
- 3.11-3.13 POSIX (`Modules/getpath.py`): the env's own `pyvenv.cfg` `home` is where the stdlib
  search starts, for symlinked envs too, with no retry from the resolved binary; when nothing is
  found the compiled PREFIX is used: a *different* install (silently mis-bound) or nothing
  (`No module named 'encodings'`).
- 3.14: as 3.11-3.13, but the directory of the loaded libpython is tried first for shared and
  framework builds.
- macOS framework builds: the prefix comes from the framework library; `home` is irrelevant.

Nothing is executed here: only the (cached) probe of the base interpreter is used, for its
version and its compiled-in PREFIX.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Literal

from venvtui.core import landmarks
from venvtui.core.models import ProbeResult
from venvtui.core.pyvenv_cfg import CFG_MAX_BYTES
from venvtui.core.safe_io import read_text
from venvtui.core.symlinks import getpath_realpath, readlink_chain

StartStatus = Literal["ok", "misbound", "fails", "drift"]

_VENV_CFG = "pyvenv.cfg"


@dataclass(frozen=True, slots=True)
class Reason:
    """One step of an explanation: `rule` names the behaviour applied (tool, file, versions),
    `text` says what it did with these paths."""

    rule: str
    text: str

    def to_json(self) -> dict[str, str]:
        return {"rule": self.rule, "text": self.text}


@dataclass(frozen=True, slots=True)
class Runtime:
    """The facts about the running interpreter that its path calculation depends on."""

    version: tuple[int, int, int]
    free_threaded: bool = False
    framework: bool = False  # a macOS framework build (PYTHONFRAMEWORK set, darwin)
    compiled_prefix: str | None = None  # sysconfig PREFIX, the getpath fallback
    library: str | None = None  # the shared libpython / framework dylib, when there is one
    standalone: bool = False  # python-build-standalone
    stdlib_name: str = ""  # "python3.12"

    @property
    def minor(self) -> tuple[int, int]:
        return (self.version[0], self.version[1])

    @classmethod
    def from_probe(cls, probe: ProbeResult) -> Runtime:
        framework = bool(probe.framework) and probe.platform == "darwin"
        library: str | None = None
        if framework:
            # getpath: `library` is the framework dylib (dladdr); its directory is
            # .../Python.framework/Versions/X.Y, which is the interpreter's own prefix.
            library = os.path.join(probe.base_prefix, probe.framework or "Python")
        elif probe.enable_shared and probe.libdir and probe.ldlibrary:
            library = os.path.join(probe.libdir, probe.ldlibrary)
        return cls(
            version=probe.version,
            free_threaded=probe.free_threaded,
            framework=framework,
            compiled_prefix=probe.config_prefix,
            library=library,
            standalone=probe.standalone,
            stdlib_name=landmarks.stdlib_name_for(probe),
        )

    def name(self) -> str:
        return self.stdlib_name or landmarks.stdlib_name(
            self.version, free_threaded=self.free_threaded
        )


@dataclass(frozen=True, slots=True)
class Startup:
    """The predicted start-up of an environment's interpreter.

    status: "ok" (binds to the install its bin/python reaches), "misbound" (starts, but on
    another install's stdlib), "fails" (cannot start: dangling link or no stdlib), "drift"
    (starts correctly, but is a different minor version than the env was made for).
    `prefix` is the sys.base_prefix it will use (None when it cannot start), `expected` the
    install the bin/python link reaches, `base_executable` the sys._base_executable it will
    report (what a nested env created from it records). `via_prefix_fallback`: no stdlib was
    found by searching from home (or the resolved binary), so the prefix is the compiled-in
    PREFIX: an "ok" that only holds while PREFIX is this very install.
    """

    status: StartStatus
    prefix: str | None
    expected: str | None
    version: str | None
    base_executable: str | None
    why: tuple[Reason, ...]
    code: str = ""  # breakage catalogue id: "B1", "B2", "B2'", "B3" or ""
    via_prefix_fallback: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "via_prefix_fallback": self.via_prefix_fallback,
            "prefix": self.prefix,
            "expected": self.expected,
            "version": self.version,
            "base_executable": self.base_executable,
            "code": self.code,
            "why": [r.to_json() for r in self.why],
        }


def same_dir(a: str | None, b: str | None) -> bool:
    """True when both name the same existing directory (after full symlink resolution)."""
    if not a or not b:
        return False
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


def _family(version: tuple[int, int]) -> str:
    if version <= (3, 10):
        return "CPython getpath.c 3.8-3.10"
    if version <= (3, 13):
        return "CPython getpath.py 3.11-3.13"
    return "CPython getpath.py 3.14+"


def _read_home(cfg_path: str) -> tuple[bool, str | None]:
    """(cfg exists, first `home` value) the way getpath reads it: the first `home =` line,
    key case-insensitive, value stripped."""
    try:
        lines = read_text(cfg_path, limit=CFG_MAX_BYTES).splitlines()
    except (FileNotFoundError, PermissionError, NotADirectoryError, IsADirectoryError):
        return False, None
    except OSError:
        return False, None
    for line in lines:
        key, had_equ, value = line.partition("=")
        if had_equ and key.strip().lower() == "home":
            return True, value.strip()
    return True, None


def venv_base_executable(exe: str, home: str | None, rt: Runtime, real: str) -> str:
    """`sys._base_executable` inside an env whose bin/python is `exe` (P1)."""
    if rt.minor <= (3, 10):
        # Python/pathconfig.c 3.8-3.10: base_executable defaults to executable, unresolved.
        return exe
    if rt.framework and rt.library:
        # getpath.py 3.11+ (bpo-46890): framework builds use dirname(library)/bin/pythonX.Y.
        return os.path.join(
            os.path.dirname(rt.library), "bin", f"python{rt.version[0]}.{rt.version[1]}"
        )
    if home is None:
        return exe
    if real != exe:
        # getpath.py 3.11+ (bpo-46028): realpath(executable) when it differs.
        return real
    candidate = os.path.join(home, os.path.basename(exe))
    if not os.path.isfile(candidate) and rt.version >= (3, 11, 1):
        # gh-99204 (3.11.1+): fall back to python3, then pythonX.Y in home.
        for name in ("python3", f"python{rt.version[0]}.{rt.version[1]}"):
            if name == os.path.basename(exe):
                continue
            alt = os.path.join(home, name)
            if os.path.isfile(alt):
                return alt
    return candidate


def simulate(
    *,
    exe: str,
    real: str,
    real_exists: bool,
    home: str | None,
    has_cfg: bool,
    rt: Runtime,
    cfg_version: str | None = None,
    expected: str | None = None,
    dangling: str | None = None,
) -> Startup:
    """Predict start-up of `exe` (an env's bin/python, lexical) whose getpath-resolved binary is
    `real`; `home` is the env's pyvenv.cfg `home` (`has_cfg`: the env has a pyvenv.cfg).

    `expected` is the install the binary belongs to when known (copies); otherwise it is found
    by searching up from the resolved binary, as an intact install would be.
    """
    why: list[Reason] = []
    name = rt.name()
    xy = f"{rt.version[0]}.{rt.version[1]}"
    family = _family(rt.minor)
    if not real_exists:
        missing = dangling or real
        why.append(
            Reason(
                "POSIX exec",
                f"bin/python resolves to {missing}, which does not exist: the shell reports "
                "'No such file or directory'",
            )
        )
        return Startup("fails", None, None, xy, None, tuple(why), "B1")

    if expected is None:
        expected = landmarks.search_up(os.path.dirname(real), name)
    base_exe = venv_base_executable(exe, home, rt, real)

    prefix: str | None = None
    start: str | None = None  # where the stdlib search started (None: not searched)
    if rt.framework and rt.library:
        lib_dir = os.path.dirname(rt.library)
        why.append(
            Reason(
                "CPython getpath (macOS framework)",
                f"the prefix comes from the framework library {rt.library}; pyvenv.cfg home "
                "is not used to find the stdlib",
            )
        )
        prefix = lib_dir if landmarks.has_stdlib(lib_dir, name) else None
        if expected is None:
            expected = lib_dir
    elif rt.minor <= (3, 10):
        start = os.path.dirname(real)
        why.append(
            Reason(
                family,
                f"resolves bin/python with a readlink loop on the final component: {real}",
            )
        )
        # getpath.c calculate_read_pyenv: pyvenv.cfg in argv0_path or its parent, where
        # argv0_path is the directory of the *resolved* binary.
        for cand in (
            os.path.join(start, _VENV_CFG),
            os.path.join(os.path.dirname(start), _VENV_CFG),
        ):
            found, cfg_home = _read_home(cand)
            if found and cfg_home:
                why.append(
                    Reason(
                        family,
                        f"{cand} is beside the resolved binary (a copied interpreter): its "
                        f"home {cfg_home} is where the stdlib search starts",
                    )
                )
                start = cfg_home
                break
        else:
            if has_cfg:
                why.append(
                    Reason(
                        family,
                        "the env's pyvenv.cfg is not beside the resolved binary, so its home is "
                        "not read (a symlinked env survives a barren home)",
                    )
                )
        prefix = landmarks.search_up(start, name)
        if prefix:
            why.append(
                Reason(family, f"found lib/{name}/os.py searching up from {start}: {prefix}")
            )
        else:
            why.append(Reason(family, f"no lib/{name}/os.py at or above {start}"))
    else:
        if rt.minor >= (3, 14) and rt.library:
            # getpath.py 3.14 (GH-127970): the libpython directory is tried first. Upstream
            # checks dirname(library)/lib/pythonX.Y; python-build-standalone patches it to
            # dirname(dirname(library)).
            lib_dir = os.path.dirname(rt.library)
            cands = [lib_dir] + ([os.path.dirname(lib_dir)] if rt.standalone else [])
            for cand in cands:
                if landmarks.has_stdlib(cand, name):
                    prefix = cand
                    why.append(
                        Reason(family, f"the stdlib sits beside the loaded libpython: {cand}")
                    )
                    break
        if prefix is None:
            if has_cfg and home is not None:
                start = home
                why.append(
                    Reason(
                        family,
                        f"pyvenv.cfg home = {home} is where the stdlib search starts, for "
                        "symlinked envs too (no retry from the resolved binary)",
                    )
                )
            else:
                start = os.path.dirname(real)
                if has_cfg:
                    why.append(
                        Reason(family, "pyvenv.cfg has no home key: searching from the binary")
                    )
            prefix = landmarks.search_up_zip(start, rt.version, free_threaded=rt.free_threaded)
            if prefix is None:
                prefix = landmarks.search_up(start, name)
            if prefix:
                why.append(
                    Reason(family, f"found lib/{name}/os.py searching up from {start}: {prefix}")
                )
            else:
                why.append(Reason(family, f"no lib/{name}/os.py at or above {start}"))
            if rt.standalone and has_cfg and home is not None:
                why.append(
                    Reason(
                        "python-build-standalone (Dec 2025+ builds)",
                        "newer standalone builds search from the resolved base executable "
                        "instead of home; older ones behave as above",
                    )
                )

    cfg_minor = _minor_of(cfg_version)
    code = ""
    status: StartStatus
    via_fallback = False
    if prefix is None:
        fallback = rt.compiled_prefix
        if fallback and landmarks.has_stdlib(fallback, name):
            prefix = fallback
            via_fallback = True
            # getpath warns ("Could not find platform independent libraries") only when PREFIX
            # lacks the landmark too: this fallback is silent.
            why.append(
                Reason(
                    family,
                    f"falls back to the compiled-in PREFIX {fallback}, silently (PREFIX holds "
                    "the stdlib, so no warning is printed)",
                )
            )
        else:
            why.append(
                Reason(
                    family,
                    f"the compiled-in PREFIX {fallback or '(unknown)'} has no stdlib either: "
                    "start-up fails with \"No module named 'encodings'\"",
                )
            )
            return Startup("fails", None, expected, xy, base_exe, tuple(why), "B2")
    if expected is not None and not same_dir(prefix, expected):
        status = "misbound"
        code = "B2'"
        why.append(
            Reason(
                family,
                f"binds to {prefix}, but bin/python is the interpreter of {expected}: "
                "a different install's stdlib",
            )
        )
    elif cfg_minor is not None and cfg_minor != rt.minor:
        status = "drift"
        code = "B3"
        why.append(
            Reason(
                "CPython site.venv",
                f"the env was made for {cfg_minor[0]}.{cfg_minor[1]} but bin/python now runs "
                f"{xy}: site adds lib/python{xy}/site-packages, installed packages vanish",
            )
        )
    else:
        status = "ok"
    if via_fallback and status != "misbound":
        why.append(
            Reason(
                "venvtui start-up (PREFIX fallback)",
                f"ok only via the compiled-in PREFIX fallback: no lib/{name}/os.py at or above "
                f"{start or 'the search start'}, so it starts only while the build's PREFIX is "
                "this very install (a relocated or standalone build fails, a PREFIX of another "
                "install misbinds)",
            )
        )
    return Startup(status, prefix, expected, xy, base_exe, tuple(why), code, via_fallback)


def _minor_of(version: str | None) -> tuple[int, int] | None:
    if not version:
        return None
    parts = version.strip().split(".")
    try:
        return (int(parts[0]), int("".join(ch for ch in parts[1] if ch.isdigit())))
    except (ValueError, IndexError):
        return None


def env_python(env_dir: str) -> str | None:
    """The env's interpreter entry point: bin/python, else the first bin/python3*."""
    bindir = os.path.join(env_dir, "bin")
    cand = os.path.join(bindir, "python")
    if os.path.lexists(cand):
        return cand
    try:
        names = sorted(n for n in os.listdir(bindir) if n.startswith("python3"))
    except OSError:
        return None
    return os.path.join(bindir, names[0]) if names else None


def _runtime_guess(real: str, cfg_version: str | None) -> Runtime | None:
    """A Runtime without a probe: the version from the binary's name or the cfg (no PREFIX)."""
    base = os.path.basename(real)
    minor: tuple[int, int] | None = None
    if base.startswith("python") and "." in base:
        minor = _minor_of(base[len("python") :])
    if minor is None:
        minor = _minor_of(cfg_version)
    if minor is None:
        return None
    return Runtime(version=(minor[0], minor[1], 0))


def predict_startup(env_dir: str, *, base: ProbeResult | None = None) -> Startup:
    """What CPython of the env's running version does with `env_dir` as it is on disk now.

    `base` is a probe of the base interpreter (the real binary bin/python reaches); when not
    given it is probed here (cached), and when that fails the version is taken from the binary's
    name or pyvenv.cfg and the compiled-PREFIX fallback is treated as unavailable.
    """
    env_dir = os.path.abspath(env_dir)
    cfg_path = os.path.join(env_dir, _VENV_CFG)
    has_cfg, home = _read_home(cfg_path)
    cfg_version = _cfg_version(cfg_path) if has_cfg else None
    exe = env_python(env_dir)
    if exe is None:
        why = (Reason("venv layout", f"{env_dir}/bin has no python executable"),)
        return Startup("fails", None, None, None, None, why, "B1")
    real_exists = os.path.exists(exe)
    copies = not os.path.islink(exe)
    rt: Runtime | None = None
    if base is None and real_exists:
        try:
            from venvtui.core.probe import probe as run_probe

            target = os.path.realpath(exe)
            if copies:
                # Probing the copy would run it inside the env: probe the binary it was
                # copied from when the cfg names one.
                source = _cfg_values(cfg_path).get("executable") or ""
                if os.path.isfile(source):
                    target = source
            base = run_probe(target)
        except Exception:  # a probe failure only limits what we can say
            base = None
    rt = (
        Runtime.from_probe(base)
        if base is not None
        else _runtime_guess(readlink_chain(exe), cfg_version)
    )
    real = getpath_realpath(exe, rt.version if rt else (3, 11))
    if rt is None:
        why = (Reason("venv layout", "cannot tell which Python version bin/python runs"),)
        status: StartStatus = "ok" if real_exists else "fails"
        return Startup(status, None, None, None, None, why, "" if real_exists else "B1")
    dangling = None
    if not real_exists:
        from venvtui.core.symlinks import walk_chain

        try:
            broken = walk_chain(exe).broken_hop
            dangling = broken.path if broken else None
        except Exception:
            dangling = None
    expected = None
    if copies and real_exists:
        # A copied binary has no link to follow back to its install: the creator recorded the
        # binary it copied (venv 3.11+ `executable`, virtualenv `base-executable`).
        values = _cfg_values(cfg_path)
        for key in ("executable", "base-executable"):
            recorded = values.get(key)
            if recorded and os.path.isfile(recorded):
                expected = landmarks.search_up(
                    os.path.dirname(getpath_realpath(recorded, rt.version)), rt.name()
                )
                if expected:
                    break
        if expected is None and base is not None:
            expected = base.base_prefix
    return simulate(
        exe=exe,
        real=real,
        real_exists=real_exists,
        home=home,
        has_cfg=has_cfg,
        rt=rt,
        cfg_version=cfg_version,
        expected=expected,
        dangling=dangling,
    )


def _cfg_values(cfg_path: str) -> dict[str, str]:
    """pyvenv.cfg keys (lower-cased) to their first value."""
    values: dict[str, str] = {}
    try:
        lines = read_text(cfg_path, limit=CFG_MAX_BYTES).splitlines()
    except OSError:
        lines = []
    for line in lines:
        key, had_equ, value = line.partition("=")
        k = key.strip().lower()
        if had_equ and k not in values:
            values[k] = value.strip()
    return values


def _cfg_version(cfg_path: str) -> str | None:
    """`version_info`, `version` or `python-version` from pyvenv.cfg (first found)."""
    values = _cfg_values(cfg_path)
    for key in ("version_info", "version", "python-version"):
        if values.get(key):
            return values[key]
    return None
