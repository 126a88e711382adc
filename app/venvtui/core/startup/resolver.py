"""Which base interpreter and `home` each creator records for a picked interpreter, and why.

`resolve(python)` takes an interpreter path exactly as the user typed it (a symlink is a
different choice from its target) and predicts, for the stdlib `venv`, `virtualenv` (21.x) and
`uv venv` (0.10+), the `pyvenv.cfg` `home`, the target of the `bin/python` link and the other
keys they write, each with the ordered rules that produced them, and whether CPython will then
start from that env (`core.startup.model`). It also names the most upgrade-stable base that still
starts (`Resolution.recommended`), and what older releases of virtualenv/uv wrote
(`CreatorPlan.history`).

The rules (policy P1-P5 of the project's research, checked against the real tools):

- P1 `sys._base_executable`: 3.8-3.10 POSIX = sys.executable, unresolved, also in a venv;
  3.11+ outside a venv = the invoked path; 3.11+ inside a venv = getpath's readlink chain of the
  venv's python (or home/<name>); macOS framework 3.11+ = dirname(library)/bin/pythonX.Y;
  Homebrew's sitecustomize rewrites a Cellar interpreter to opt/<formula>/bin outside a venv.
- P2 venv: home = dirname(abspath(sys._base_executable)); bin/<name> -> that path verbatim.
- P4 virtualenv 21.4.3+: follow the executable's own links while `<dir>/../lib/<stdlib>/os.py`
  is absent (framework builds exempt); a <=3.10 venv is mapped to its base via base_prefix/bin.
- P5 uv 0.5+: absolute sys._base_executable; standalone builds walk links until an ancestor
  holds the stdlib; a uv-managed CPython uses its `cpython-X.Y-<plat>` minor link when no patch
  version was requested (0.10+).
"""

from __future__ import annotations

import dataclasses
import os
import re
from dataclasses import dataclass, field
from typing import Any

from venvtui.core.base.errors import NotAnInterpreterError, NotFoundError
from venvtui.core.base.models import Chain, ProbeResult
from venvtui.core.base.options import DEFAULT_OPTIONS, Options
from venvtui.core.base.safe_io import read_head
from venvtui.core.base.stability import version_stamped
from venvtui.core.installed.probe import probe_through_cache
from venvtui.core.installed.sources import Context, uv_python_dir
from venvtui.core.layout import landmarks
from venvtui.core.layout.symlinks import walk_chain
from venvtui.core.layout.view import REAL, snapshot
from venvtui.core.startup.model import Reason, Start, Status, predict_planned, same_dir
from venvtui.core.startup.runtime import Runtime, runtime_from_probe

__all__ = [
    "CREATORS",
    "CreatorPlan",
    "HistoricalPlan",
    "Reason",
    "Recommendation",
    "Resolution",
    "Start",
    "recommend",
    "resolve",
]

CREATORS = ("venv", "virtualenv", "uv")
# The releases whose behaviour the current rules describe (the versions they were checked with).
VIRTUALENV_MODELLED = "21.15.11"
UV_MODELLED = "0.13.9"
ENV_PLACEHOLDER = "<env>"

_UV_KEY = re.compile(
    r"^(?P<impl>cpython)-(?P<major>\d+)\.(?P<minor>\d+)\.(?P<patch>\d+)"
    r"(?P<pre>(?:a|b|rc)\d+)?(?P<variant>\+[a-z]+)?-(?P<plat>.+)$"
)


@dataclass(frozen=True, slots=True)
class HistoricalPlan:
    """What an older release range of a creator wrote for the same interpreter."""

    versions: str  # e.g. "20.25.1-20.37.x"
    home: str | None
    executable: str | None
    why: tuple[Reason, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "versions": self.versions,
            "home": self.home,
            "executable": self.executable,
            "why": [r.to_json() for r in self.why],
        }


@dataclass(frozen=True, slots=True)
class CreatorPlan:
    """What one creator writes for the picked interpreter.

    `executable` is the target of the env's `bin/<bin_name>` symlink; `cfg` the pyvenv.cfg pairs
    in the order the tool writes them (values that depend on the destination or the tool's own
    version are filled with the modelled release / `<env>`); `starts` the start-up prediction.
    """

    creator: str
    home: str
    executable: str
    bin_name: str
    cfg: tuple[tuple[str, str], ...]
    why: tuple[Reason, ...]
    startup: Start
    history: tuple[HistoricalPlan, ...] = ()
    # home or the bin/python target path itself names a patch-versioned directory (removed by
    # the installer's next patch upgrade); links further down the chain are not judged here.
    version_stamped: bool = False

    @property
    def starts(self) -> Status:
        return self.startup.status

    def to_json(self) -> dict[str, Any]:
        return {
            "home": self.home,
            "executable": self.executable,
            "bin_name": self.bin_name,
            "cfg": dict(self.cfg),
            "why": [r.to_json() for r in self.why],
            "starts": self.starts,
            # "ok" reached only through getpath's compiled-PREFIX fallback (see Start)
            "via_prefix_fallback": self.startup.via_prefix_fallback,
            "version_stamped": self.version_stamped,
            "startup": self.startup.to_json(),
            "history": [h.to_json() for h in self.history],
        }


@dataclass(frozen=True, slots=True)
class Recommendation:
    """The most upgrade-stable base path that still starts correctly.

    `self_locating`: CPython finds the stdlib by its own search up from `home` and it is the
    install the executable reaches (False only when no path to the interpreter does);
    `startup` the predicted start-up of a symlinked env made from it; `rejected` the more
    stable-looking paths that were turned down, each with why.
    """

    home: str
    executable: str
    why: tuple[Reason, ...]
    stable: bool = True
    self_locating: bool = True
    startup: Start | None = None
    rejected: tuple[tuple[str, Reason], ...] = ()

    @property
    def via_prefix_fallback(self) -> bool:
        return bool(self.startup and self.startup.via_prefix_fallback)

    def to_json(self) -> dict[str, Any]:
        return {
            "home": self.home,
            "executable": self.executable,
            "stable": self.stable,
            "self_locating": self.self_locating,
            "starts": self.startup.status if self.startup else None,
            "via_prefix_fallback": self.via_prefix_fallback,
            "why": [r.to_json() for r in self.why],
            "rejected": [{"path": p, **r.to_json()} for p, r in self.rejected],
        }


@dataclass(frozen=True, slots=True)
class Resolution:
    """The answer of `resolve()` for one picked interpreter path."""

    python: str  # as given
    path: str  # absolute (PATH lookup applied), unresolved
    chain: Chain
    probe: ProbeResult
    recommended: Recommendation
    creators: dict[str, CreatorPlan] = field(default_factory=dict)
    unsupported: str | None = None  # why no environment can be created from it
    notes: tuple[Reason, ...] = ()

    @property
    def realpath(self) -> str:
        return self.chain.realpath

    @property
    def version(self) -> str:
        return self.probe.version_full

    @property
    def base_executable(self) -> str | None:
        return self.probe.base_executable

    def to_json(self) -> dict[str, Any]:
        return {
            "python": self.python,
            "path": self.path,
            "chain": list(self.chain.paths),
            "hops": [h.to_json() for h in self.chain.hops],
            "realpath": self.realpath,
            "version": self.version,
            "implementation": self.probe.implementation,
            "base_executable": self.base_executable,
            "sys_executable": self.probe.sys_executable,
            "in_venv": self.probe.in_venv,
            "unsupported": self.unsupported,
            "creators": {k: v.to_json() for k, v in self.creators.items()},
            "recommended": self.recommended.to_json(),
            "notes": [r.to_json() for r in self.notes],
        }


# --- helpers ------------------------------------------------------------------------------------


def locate(python: str) -> str:
    """The invoked path: a bare name is looked up on PATH (as the creators do); never resolved."""
    if os.sep not in python and not os.path.lexists(python):
        found = Context.current().which(python)
        if not found:
            raise NotFoundError(f"{python} was not found on PATH")
        return os.path.abspath(found)
    return os.path.abspath(python)


def _version_info_str(probe: ProbeResult) -> str:
    """Python's `.".join(str(i) for i in sys.version_info)` (virtualenv `version_info`)."""
    level = str(probe.raw.get("releaselevel") or "final")
    serial = 0
    m = re.search(r"(a|b|rc)(\d+)$", probe.version_full)
    if m:
        level = {"a": "alpha", "b": "beta", "rc": "candidate"}[m.group(1)]
        serial = int(m.group(2))
    return ".".join(str(i) for i in probe.version) + f".{level}.{serial}"


def _xy(probe: ProbeResult) -> str:
    return f"{probe.version[0]}.{probe.version[1]}"


def _xyz(probe: ProbeResult) -> str:
    v = probe.version
    return f"{v[0]}.{v[1]}.{v[2]}"


def homebrew_rewrite(probe: ProbeResult) -> str | None:
    """P1.6: the path Homebrew's `sitecustomize.py` assigns to sys.executable and
    sys._base_executable, when it applies to this (unisolated) interpreter; else None.

    The formula's sitecustomize does, when realpath(sys.executable) starts with the formula's
    rack (`<prefix>/Cellar/python@X.Y`), PYTHONEXECUTABLE is unset and not in a venv:
    `sys.executable = sys._base_executable = '<prefix>/opt/python@X.Y/bin/pythonX.Y'`.
    The probe runs with -S, so this is re-enacted from the file itself.
    """
    if probe.in_venv:
        return None
    text = _homebrew_sitecustomize_text(probe)
    if text is None:
        return None
    real = os.path.realpath(probe.sys_executable)
    rack_m = re.search(r"realpath\(sys\.executable\)\.startswith\(\s*['\"]([^'\"]+)['\"]", text)
    exe_m = re.search(r"sys\._base_executable\s*=\s*['\"]([^'\"]+)['\"]", text)
    if rack_m and exe_m:
        return exe_m.group(1) if real.startswith(rack_m.group(1)) else None
    # An unparsable formula file: derive rack and opt from the Cellar path itself.
    m = re.match(r"^(?P<prefix>.*)/Cellar/(?P<formula>python@[\d.]+)/", real)
    if not m:
        return None
    xy = f"{probe.version[0]}.{probe.version[1]}"
    return os.path.join(m.group("prefix"), "opt", m.group("formula"), "bin", f"python{xy}")


def _homebrew_sitecustomize_text(probe: ProbeResult) -> str | None:
    paths: list[str] = []
    if probe.sitecustomize:
        paths.append(probe.sitecustomize)
    if probe.stdlib:
        paths.append(os.path.join(probe.stdlib, "sitecustomize.py"))
    flagged = probe.has_homebrew_sitecustomize
    for p in paths:
        try:
            text = read_head(p, 65536).decode("utf-8", "replace")
        except OSError:
            continue
        if flagged or "homebrew" in text.lower():
            return text
    return None


def _runtime(probe: ProbeResult) -> Runtime:
    """The base's facts as `resolve()` measured them (no process: see `resolve`)."""
    return runtime_from_probe(probe, spawn=False)


def _plan_startup(target: str, home: str, bin_name: str, probe: ProbeResult) -> Start:
    """Start-up of a freshly created symlinked env whose bin/<bin_name> -> target."""
    return predict_planned(target, home, bin_name, _runtime(probe), (("version", _xyz(probe)),))


# --- venv -----------------------------------------------------------------------------------------


def _effective_executables(probe: ProbeResult) -> tuple[str, str | None, list[Reason]]:
    """(sys.executable, sys._base_executable) as the creating interpreter sees them when run
    normally (with site): the probe's values, plus Homebrew's sitecustomize rewrite."""
    why: list[Reason] = []
    sys_exe = probe.sys_executable
    base = probe.base_executable
    v = probe.version
    if base is None and v[:2] < (3, 8):
        base = sys_exe  # Lib/venv <=3.7: getattr(sys, '_base_executable', sys.executable)
    elif v[:2] <= (3, 10) and probe.platform != "win32":
        why.append(
            Reason(
                "CPython Python/pathconfig.c 3.8-3.10",
                f"sys._base_executable = sys.executable, unresolved: {base}"
                + (
                    " (the venv's own python: a nested env records the parent env)"
                    if probe.in_venv
                    else ""
                ),
            )
        )
    elif probe.in_venv and probe.framework and probe.platform == "darwin":
        why.append(
            Reason(
                "CPython getpath.py 3.11+ (macOS framework, bpo-46890)",
                f"in a venv sys._base_executable = dirname(library)/bin/python{v[0]}.{v[1]}: {base} "
                "(the framework path inside the install, gh-128670)",
            )
        )
    elif probe.in_venv:
        why.append(
            Reason(
                "CPython getpath.py 3.11+",
                f"in a venv sys._base_executable = the readlink chain of the venv's python "
                f"(directories not resolved), or home/<name>: {base}",
            )
        )
    else:
        why.append(
            Reason(
                "CPython getpath.py 3.11+",
                f"outside a venv sys._base_executable = the invoked path, unresolved: {base}",
            )
        )
    rewrite = homebrew_rewrite(probe)
    if rewrite:
        why.append(
            Reason(
                "Homebrew python@X.Y sitecustomize.py",
                f"realpath(sys.executable) is in the formula's Cellar and not in a venv: "
                f"sys.executable = sys._base_executable = {rewrite}",
            )
        )
        return rewrite, rewrite, why
    return sys_exe, base, why


def _venv_plan(probe: ProbeResult) -> CreatorPlan:
    sys_exe, base, why = _effective_executables(probe)
    v = probe.version
    if not base:
        why.append(
            Reason(
                "CPython Lib/venv gh-96861",
                "sys._base_executable is empty: venv raises 'Unable to determine path to the "
                "running Python interpreter'",
            )
        )
        base = sys_exe
    abs_base = os.path.abspath(base)
    home = os.path.dirname(abs_base)
    bin_name = os.path.basename(abs_base)
    why.append(
        Reason(
            "CPython Lib/venv 3.8+",
            f"home = dirname(abspath(sys._base_executable)) = {home}; symlinks are not resolved",
        )
    )
    why.append(
        Reason(
            "CPython Lib/venv setup_python (POSIX)",
            f"bin/{bin_name} -> {base} (absolute symlink to sys._base_executable verbatim); "
            f"python, python3{f', python{v[0]}.{v[1]}' if v[:2] >= (3, 9) else ''} -> {bin_name}",
        )
    )
    cfg: list[tuple[str, str]] = [
        ("home", home),
        ("include-system-site-packages", "false"),
        ("version", _xyz(probe)),
    ]
    if v[:2] >= (3, 11):
        cfg.append(("executable", os.path.realpath(sys_exe)))
        cfg.append(("command", f"{sys_exe} -m venv {ENV_PLACEHOLDER}"))
    startup = _plan_startup(base, home, bin_name, probe)
    return CreatorPlan("venv", home, base, bin_name, tuple(cfg), tuple(why), startup)


# --- virtualenv -----------------------------------------------------------------------------------


def resolve_executable_symlink(path: str, stdlib: str, *, framework: bool) -> str:
    """python-discovery (virtualenv 21.4.3+) `_resolve_executable_symlink`: follow the
    executable's own links (never its directories) while `<dir>/../lib/<stdlib>/os.py` is
    absent; stop where the next hop is not the same file. Framework builds are not resolved."""
    result = os.path.abspath(path)
    if framework:
        return result
    real_path = os.path.realpath(result)
    if not os.path.exists(real_path):
        return result
    while os.path.islink(result):
        if landmarks.virtualenv_landmark(os.path.dirname(result), stdlib):
            return result
        link = os.readlink(result)
        candidate = (
            link
            if os.path.isabs(link)
            else os.path.normpath(os.path.join(os.path.dirname(result), link))
        )
        try:
            same = os.path.exists(candidate) and os.path.samefile(real_path, candidate)
        except OSError:
            same = False
        if not same:
            return result
        result = candidate
    return result


def _discover_exe(prefix: str, probe: ProbeResult) -> str | None:
    """python-discovery `discover_exe(prefix, exact=False)` for a CPython venv: the first existing
    `{cpython,CPython,CPYTHON,python,PYTHON}{X.Y.Z,X.Y,X,}[-64]` in prefix/bin, then prefix."""
    v = probe.version
    versions = [f"{v[0]}.{v[1]}.{v[2]}", f"{v[0]}.{v[1]}", f"{v[0]}", ""]
    bases = ["cpython", "CPython", "CPYTHON", "python", "PYTHON"]
    arch = "-64" if probe.raw.get("maxsize_64bit", True) else "-32"
    names = [f"{b}{ver}{a}" for b in bases for ver in versions for a in (arch, "")]
    folders = []
    exe_dir = os.path.dirname(probe.sys_executable)
    if exe_dir.startswith(probe.prefix):
        folders.append(prefix + exe_dir[len(probe.prefix) :])
    folders.append(prefix)
    for folder in folders:
        if not os.path.exists(folder):
            continue
        for name in names:
            cand = os.path.join(folder, name)
            if os.path.exists(cand):
                return cand
    return None


def _virtualenv_system_executable(
    probe: ProbeResult, sys_exe: str, base: str | None
) -> tuple[str, list[Reason]]:
    why: list[Reason] = []
    rule = "virtualenv 21.4.3+ (python-discovery _resolve_executable_symlink)"
    stdlib = landmarks.stdlib_name_for(probe)
    framework = bool(probe.framework) and probe.platform == "darwin"
    if not probe.in_venv:
        s = resolve_executable_symlink(sys_exe, stdlib, framework=framework)
        why.append(
            Reason(
                "python-discovery _fast_get_system_executable",
                f"not a venv: start from sys.executable {sys_exe}",
            )
        )
    elif base is None or base == probe.sys_executable:
        why.append(
            Reason(
                "python-discovery resolve_to_system",
                f"a venv whose sys._base_executable is its own python (<=3.10): look for the "
                f"base in sys.base_prefix {probe.base_prefix}",
            )
        )
        found = _discover_exe(probe.base_prefix, probe)
        if found is None:
            why.append(
                Reason("python-discovery discover_exe", "no python found there: virtualenv fails")
            )
            return sys_exe, why
        why.append(Reason("python-discovery discover_exe", f"first matching name: {found}"))
        s = resolve_executable_symlink(found, stdlib, framework=framework)
    else:
        cand = base
        if os.path.exists(base):
            if os.path.basename(base) in ("python", f"python{probe.version[0]}"):
                versioned = os.path.join(
                    os.path.dirname(base), f"python{probe.version[0]}.{probe.version[1]}"
                )
                try:
                    if os.path.exists(versioned) and not os.path.samefile(base, versioned):
                        cand = versioned
                except OSError:
                    pass
            why.append(
                Reason(
                    "python-discovery _fast_get_system_executable",
                    f"a venv: start from sys._base_executable {cand}",
                )
            )
            s = resolve_executable_symlink(cand, stdlib, framework=framework)
        else:
            versioned = os.path.join(
                os.path.dirname(base), f"python{probe.version[0]}.{probe.version[1]}"
            )
            s = versioned if os.path.exists(versioned) else base
            why.append(
                Reason(
                    "python-discovery _try_posix_fallback_executable",
                    f"sys._base_executable is missing: {s}",
                )
            )
    if framework:
        why.append(Reason(rule, "a macOS framework build: the executable is not resolved"))
    elif s != os.path.abspath(sys_exe if not probe.in_venv else (base or sys_exe)):
        why.append(
            Reason(
                rule,
                f"followed the executable's links until <dir>/../lib/{stdlib}/os.py exists: {s}",
            )
        )
    else:
        why.append(
            Reason(rule, f"<dir>/../lib/{stdlib}/os.py is reachable (or it is no link): kept {s}")
        )
    return s, why


def _own_prefixes(executable: str, probe: ProbeResult) -> tuple[str, str]:
    """sys.base_prefix / sys.base_exec_prefix of `executable` run outside any venv (virtualenv
    records the system interpreter's own): getpath's search up from the directory of its
    readlink chain, else the compiled PREFIX."""
    if (bool(probe.framework) and probe.platform == "darwin") or (
        not probe.in_venv and os.path.abspath(executable) == os.path.abspath(probe.sys_executable)
    ):
        return probe.base_prefix, probe.base_exec_prefix
    name = landmarks.stdlib_name_for(probe)
    start = os.path.dirname(REAL.getpath_realpath(executable, probe.version))
    fallback = _runtime(probe).compiled_prefix or probe.base_prefix
    prefix = landmarks.search_up(start, name) or fallback
    exec_prefix = landmarks.search_up_dynload(start, name) or fallback
    return prefix, exec_prefix


def _virtualenv_plan(probe: ProbeResult) -> CreatorPlan:
    sys_exe, base, why = _effective_executables(probe)
    s, more = _virtualenv_system_executable(probe, sys_exe, base)
    why.extend(more)
    home = os.path.dirname(os.path.abspath(s))
    why.append(
        Reason(
            "virtualenv 20.38.0+ creator.set_pyenv_cfg",
            f"home = dirname(abspath(system_executable)) = {home}",
        )
    )
    why.append(
        Reason(
            "virtualenv builtin creator",
            f"bin/python -> {s}; python3, python{probe.version[0]}.{probe.version[1]} -> python",
        )
    )
    v = probe.version
    system_prefix, system_exec_prefix = _own_prefixes(s, probe)
    cfg: list[tuple[str, str]] = [
        ("home", home),
        (
            "implementation",
            "CPython" if probe.implementation == "cpython" else probe.implementation,
        ),
        ("python-version", f"{v[0]}.{v[1]}"),
        ("version_info", _version_info_str(probe)),
        ("version", _xyz(probe)),
        ("executable", os.path.realpath(s)),
        ("command", f"<virtualenv's python> -m virtualenv {ENV_PLACEHOLDER}"),
        ("virtualenv", VIRTUALENV_MODELLED),
        ("include-system-site-packages", "false"),
        ("base-prefix", system_prefix),
        ("base-exec-prefix", system_exec_prefix),
        ("base-executable", s),
    ]
    startup = _plan_startup(s, home, "python", probe)
    history = _virtualenv_history(probe, sys_exe, base, s)
    return CreatorPlan("virtualenv", home, s, "python", tuple(cfg), tuple(why), startup, history)


def _virtualenv_history(
    probe: ProbeResult, sys_exe: str, base: str | None, current: str
) -> tuple[HistoricalPlan, ...]:
    # Before 21.4.3 the system executable was not resolved (python-discovery <1.4.2).
    if not probe.in_venv:
        old = os.path.abspath(sys_exe)
    elif base and base != probe.sys_executable:
        old = os.path.abspath(base)
    else:
        found = _discover_exe(probe.base_prefix, probe)
        old = os.path.abspath(found) if found else os.path.abspath(sys_exe)
    old_home = os.path.dirname(old)
    return (
        HistoricalPlan(
            "20.38.0-21.4.2",
            old_home,
            old,
            (Reason("virtualenv #3022", "home = dirname(abspath(system_executable)), unresolved"),),
        ),
        HistoricalPlan(
            "20.25.1-20.37.x",
            os.path.realpath(old_home),
            # virtualenv #2686 realpaths the pyvenv.cfg values (home, base-executable) only:
            # the bin/python link keeps the system executable as given
            old,
            (
                Reason(
                    "virtualenv #2686",
                    "every existing path value in pyvenv.cfg (home, base-executable) is "
                    f"realpath'd; bin/python still links to {old} as given",
                ),
            ),
        ),
        HistoricalPlan(
            "20.16.7-20.25.0",
            old_home,
            old,
            (Reason("virtualenv #2441", "home = dirname(abspath(system_executable))"),),
        ),
        HistoricalPlan(
            "20.0.0-20.16.6",
            probe.base_exec_prefix,
            old,
            (
                Reason(
                    "virtualenv 20.0",
                    "home = sys.base_exec_prefix of the system interpreter (not a bin dir)",
                ),
            ),
        ),
    )


# --- uv ---------------------------------------------------------------------------------------------


def uv_minor_link(probe: ProbeResult) -> tuple[str, str] | None:
    """uv 0.10+ `ManagedPythonInstallation::try_from_interpreter` + `PythonMinorVersionLink`:
    (minor link executable, minor link dir) when the interpreter's base prefix lies in uv's
    managed root under a valid `cpython-X.Y.Z-<plat>` key and the `cpython-X.Y-<plat>` link is a
    symlink whose target equals that installation's path; else None."""
    if probe.implementation != "cpython":
        return None
    root = uv_python_dir(Context.current())  # one copy of uv's dir rules (relative XDG ignored)
    base_prefix = os.path.realpath(probe.base_prefix)
    real_root = os.path.realpath(root)
    rel = os.path.relpath(base_prefix, real_root)
    if rel.startswith(os.pardir) or rel == os.curdir or os.path.isabs(rel):
        return None
    name = rel.split(os.sep)[0]
    m = _UV_KEY.match(name)
    if not m:
        return None
    install = os.path.join(root, name)
    variant = m.group("variant") or ""
    t = "t" if variant == "+freethreaded" else ""
    exe_name = f"python{m.group('major')}.{m.group('minor')}{t}"
    link_dir = os.path.join(
        root, f"{m.group('impl')}-{m.group('major')}.{m.group('minor')}{variant}-{m.group('plat')}"
    )
    try:
        if not os.path.islink(link_dir) or os.readlink(link_dir) != install:
            return None
    except OSError:
        return None
    return os.path.join(link_dir, "bin", exe_name), link_dir


def uv_find_base_python(executable: str, stdlib: str) -> tuple[str, bool]:
    """uv 0.5.8+ `find_base_python` (standalone builds): while no ancestor holds
    lib/<stdlib>/os.py, follow the executable's link (lexically normalised). Returns
    (path, ok); on failure uv falls back to the full realpath."""
    current = os.path.abspath(executable)
    seen: set[str] = set()
    while True:
        if landmarks.uv_landmark_ancestor(current, stdlib):
            return current, True
        if current in seen:
            break
        seen.add(current)
        try:
            link = os.readlink(current)
        except OSError:
            break
        current = os.path.normpath(
            link if os.path.isabs(link) else os.path.join(os.path.dirname(current), link)
        )
    return os.path.realpath(executable), False


def _uv_plan(probe: ProbeResult, *, patch_requested: bool) -> CreatorPlan:
    sys_exe, base, why = _effective_executables(probe)
    stdlib = landmarks.stdlib_name_for(probe)
    start = base or sys_exe
    if probe.standalone and probe.platform != "win32":
        b, ok = uv_find_base_python(start, stdlib)
        why.append(
            Reason(
                "uv 0.5.8+ find_base_python (standalone build)",
                f"followed {start} until an ancestor holds lib/{stdlib}/os.py: {b}"
                if ok
                else f"no ancestor of the link chain holds the stdlib: full realpath {b}",
            )
        )
    else:
        b = os.path.abspath(start)
        why.append(
            Reason(
                "uv 0.5.0+ (#8481)",
                f"base = absolute(sys._base_executable or sys.executable) = {b}",
            )
        )
    target = b
    version_info = probe.version_full
    minor = None if patch_requested else uv_minor_link(probe)
    if minor is not None:
        target = minor[0]
        version_info = _xy(probe)
        why.append(
            Reason(
                "uv 0.10+ minor-version link (#13954, #17766)",
                f"a uv-managed CPython and no patch version requested: use {minor[1]} "
                f"(version_info = {version_info}), which survives `uv python upgrade`",
            )
        )
    elif patch_requested:
        why.append(
            Reason(
                "uv 0.10+ minor-version link",
                "a patch version was requested: the patch directory is kept",
            )
        )
    home = os.path.dirname(target)
    why.append(
        Reason(
            "uv virtualenv.rs",
            f"home = parent(base) = {home}; bin/python -> {target}; python3, python{probe.version[0]}.{probe.version[1]} -> python",
        )
    )
    cfg: list[tuple[str, str]] = [
        ("home", home),
        (
            "implementation",
            "CPython" if probe.implementation == "cpython" else probe.implementation,
        ),
        ("uv", UV_MODELLED),
        ("version_info", version_info),
        ("include-system-site-packages", "false"),
    ]
    startup = _plan_startup(target, home, "python", probe)
    old_real = os.path.realpath(probe.sys_executable)
    history = (
        HistoricalPlan(
            "0.5.8-0.9.x",
            os.path.dirname(b),
            b,
            (Reason("uv #9723", "no minor-version link (preview only from 0.7.14)"),),
        ),
        HistoricalPlan(
            "0.5.0-0.5.7",
            os.path.dirname(old_real)
            if probe.standalone
            else os.path.dirname(os.path.abspath(start)),
            old_real if probe.standalone else os.path.abspath(start),
            (Reason("uv #8481", "absolute sys._base_executable; standalone builds canonicalized"),),
        ),
        HistoricalPlan(
            "<0.5.0",
            os.path.dirname(old_real),
            old_real,
            (Reason("uv #250", "canonicalize_executable(sys.executable): the full realpath"),),
        ),
    )
    return CreatorPlan("uv", home, target, "python", tuple(cfg), tuple(why), startup, history)


# --- recommendation -------------------------------------------------------------------------------


def _fragile(path: str, probe: ProbeResult) -> bool:
    """A directory of `path` is stamped with this interpreter's full patch version."""
    return version_stamped(os.path.dirname(path), _xyz(probe))


def _stable_aliases(real: str, probe: ProbeResult) -> list[tuple[str, str]]:
    """Version-independent aliases of the real binary: Homebrew opt/<formula>, and any sibling
    symlink of a version-stamped directory that points at it (uv cpython-X.Y-..., mise X.Y)."""
    out: list[tuple[str, str]] = []
    xy = _xy(probe)
    parts = real.split(os.sep)
    m = re.match(r"^(?P<prefix>.*)/Cellar/(?P<formula>[^/]+)/(?P<ver>[^/]+)/(?P<rest>.*)$", real)
    if m:
        opt = os.path.join(m.group("prefix"), "opt", m.group("formula"))
        for rest in (os.path.join("bin", f"python{xy}"), m.group("rest")):
            cand = os.path.join(opt, rest)
            if _same_file(cand, real):
                out.append((cand, f"Homebrew opt/{m.group('formula')} is re-pointed on upgrade"))
                break
    full = _xyz(probe)
    for i in range(len(parts) - 1, 0, -1):
        comp = parts[i]
        if full not in comp:
            continue
        dir_path = os.sep.join(parts[: i + 1])
        parent = os.sep.join(parts[:i]) or os.sep
        rest = os.sep.join(parts[i + 1 :])
        try:
            siblings = sorted(os.listdir(parent))
        except OSError:
            continue
        for sib in siblings:
            sp = os.path.join(parent, sib)
            if sib == comp or full in sib or not os.path.islink(sp):
                continue
            if xy not in sib:
                continue
            if not same_dir(sp, dir_path):
                continue
            for cand in (os.path.join(sp, "bin", f"python{xy}"), os.path.join(sp, rest)):
                if _same_file(cand, real):
                    out.append((cand, f"{sp} is a minor-version link re-pointed on upgrade"))
                    break
    return out


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _versioned_sibling(path: str, probe: ProbeResult) -> str:
    """Prefer pythonX.Y over an unversioned python3/python in the same directory (an
    unversioned alias drifts to the next minor version on a distribution upgrade)."""
    name = os.path.basename(path)
    xy = _xy(probe)
    if name in ("python", "python3", f"python{probe.version[0]}"):
        cand = os.path.join(os.path.dirname(path), f"python{xy}")
        if _same_file(cand, path):
            return cand
    return path


def _own_search(cand: str, probe: ProbeResult) -> tuple[str | None, str | None]:
    """(the prefix CPython finds by its own search up from home = dirname(cand), the install
    `cand` really reaches: the search up from the directory of its getpath readlink chain)."""
    name = landmarks.stdlib_name_for(probe)
    home = os.path.dirname(cand)
    expected = landmarks.search_up(
        os.path.dirname(REAL.getpath_realpath(cand, probe.version)), name
    )
    found = None
    if probe.version[:2] >= (3, 11):
        # CPython getpath.py 3.11+: the zip landmark is searched for first.
        found = landmarks.search_up_zip(home, probe.version, free_threaded=probe.free_threaded)
    if found is None:
        found = landmarks.search_up(home, name)
    return found, expected


def _rejection(
    cand: str, origin: str, st: Start, probe: ProbeResult, *, framework: bool
) -> Reason | None:
    """Why `cand` may not be recommended as executable + home, or None when it may.

    A home is acceptable only when CPython finds the stdlib by its own search up from it
    (getpath `search_up(home)`) and that is the install the link chain reaches. The rule is
    the same for every version: 3.11+ searches from home for symlinked envs too; 3.8-3.10
    search from the resolved binary for a symlinked env, but from home for a `--copies` env
    (pyvenv.cfg beside the binary), so a barren home would leave those, and any 3.11+ rebuild
    keeping the cfg, to the compiled-PREFIX fallback. macOS framework builds take the prefix
    from the framework library: home is irrelevant there.
    """
    home = os.path.dirname(cand)
    name = landmarks.stdlib_name_for(probe)
    xy = _xy(probe)
    rule = "venvtui recommendation"
    predicted = f"{st.status} ({st.code})" if st.code else st.status
    if framework:
        if st.status == "ok":
            return None
        return Reason(rule, f"rejected {cand} ({origin}): an env from it is predicted {predicted}")
    found, expected = _own_search(cand, probe)
    if found is None:
        prefix = _runtime(probe).compiled_prefix or "(unknown)"
        if st.via_prefix_fallback or st.status != "ok":
            outcome = (
                "which happens to be this install"
                if st.status == "ok"
                else f"so it is predicted {predicted}"
            )
            text = (
                f"rejected {cand} ({origin}): no lib/{name}/os.py at or above {home}, so CPython "
                f"{xy} would start an env with this home only through the compiled-in PREFIX "
                f"fallback ({prefix}), {outcome}: a relocated or standalone build fails there, "
                "and a PREFIX belonging to another install misbinds"
            )
        else:
            text = (
                f"rejected {cand} ({origin}): no lib/{name}/os.py at or above {home}; CPython "
                f"{xy} finds the stdlib another way for a symlinked env (the resolved binary on "
                "3.8-3.10, the libpython directory on 3.14), but a --copies env or a 3.11+ "
                f"interpreter reading this home would rely on the compiled-in PREFIX fallback "
                f"({prefix})"
            )
        return Reason("venvtui recommendation: relies on the PREFIX fallback", text)
    if st.status != "ok":
        return Reason(rule, f"rejected {cand} ({origin}): an env from it is predicted {predicted}")
    if expected is None or not same_dir(found, expected):
        return Reason(
            rule,
            f"rejected {cand} ({origin}): searching up from {home} finds {found}, not the "
            f"install {expected or os.path.realpath(cand)} its link chain reaches",
        )
    return None


def recommend(path: str, probe: ProbeResult, chain: Chain | None = None) -> Recommendation:
    """The most upgrade-stable path to the same interpreter that still starts correctly when
    used as both the bin/python target and `home` (the way venv and uv use it), and whose
    home locates the stdlib by CPython's own search (never through the compiled-PREFIX
    fallback; see `_rejection`). When the path as given fails that, the real install's bin
    reached through its most stable directory alias is used (Homebrew opt/<formula>, uv
    cpython-X.Y-<plat>, mise X.Y), else the real binary's own directory."""
    chain = chain or walk_chain(path)
    real = chain.realpath
    cands: list[tuple[str, str, bool]] = [(os.path.abspath(path), "the path as given", False)]
    for hop in chain.hops[1:]:
        cands.append((hop.path, "a hop of its link chain", False))
    cands.extend((p, why, True) for p, why in _stable_aliases(real, probe))
    cands.append((real, "the real binary", False))
    seen: set[str] = set()
    scored: list[tuple[tuple[int, int, int, int], str, str, Start]] = []
    rejected: list[tuple[str, Reason]] = []
    name = landmarks.stdlib_name_for(probe)
    framework = bool(probe.framework) and probe.platform == "darwin"
    for i, (orig, origin, alias) in enumerate(cands):
        cand = _versioned_sibling(orig, probe)
        if cand != orig:
            origin = f"the versioned name beside {orig}"
        if cand in seen or not os.path.isfile(cand):
            continue
        seen.add(cand)
        st = _plan_startup(cand, os.path.dirname(cand), os.path.basename(cand), probe)
        reason = _rejection(cand, origin, st, probe, framework=framework)
        if reason is not None:
            rejected.append((cand, reason))
            continue
        unversioned = os.path.basename(cand) in ("python", "python3")
        key = (int(_fragile(cand, probe)), int(unversioned), int(not alias), i)
        scored.append((key, cand, origin, st))
    if not scored:
        real_home = os.path.dirname(real)
        return Recommendation(
            real_home,
            real,
            (
                Reason(
                    "venvtui recommendation",
                    "no path to this interpreter locates its stdlib from its own directory "
                    f"without the compiled-PREFIX fallback; falling back to the real binary {real}",
                ),
                *(r for _, r in rejected),
            ),
            stable=not _fragile(real, probe),
            self_locating=False,
            startup=_plan_startup(real, real_home, os.path.basename(real), probe),
            rejected=tuple(rejected),
        )
    scored.sort(key=lambda t: t[0])
    key, cand, origin, st = scored[0]
    fragile = bool(key[0])
    home = os.path.dirname(cand)
    why = [
        Reason(
            "venvtui recommendation",
            f"{cand} ({origin}) is the most upgrade-stable path that starts correctly",
        )
    ]
    why.extend(r for _, r in rejected)
    if fragile:
        why.append(
            Reason(
                "venvtui recommendation",
                "it is version-stamped: no stable alias of this install was found, so envs "
                "break when this patch release is removed",
            )
        )
    else:
        why.append(
            Reason("venvtui recommendation", "no directory in it is stamped with the patch version")
        )
    if not framework:
        found, _ = _own_search(cand, probe)
        why.append(
            Reason(
                "CPython getpath search_up",
                f"lib/{name}/os.py is found searching up from {home} ({found}), the install "
                "the executable reaches: home alone locates the stdlib, with no compiled-PREFIX "
                "fallback, on every version and for linked or copied envs",
            )
        )
    return Recommendation(
        home, cand, tuple(why), stable=not fragile, startup=st, rejected=tuple(rejected)
    )


# --- entry points ---------------------------------------------------------------------------------


def _located(
    python: str, probe: ProbeResult | None, options: Options
) -> tuple[str, Chain, ProbeResult]:
    """The interpreter at `python` found, its link chain walked and checked, it probed (when
    `probe` is None) and its compiled PREFIX measured, once (memoised: the plans only read it).
    Raises as `resolve()` does."""
    path = locate(python)
    chain = walk_chain(path)
    broken = chain.broken_hop
    if broken is not None:
        if broken.kind == "missing":
            raise NotFoundError(
                f"{path} is a dangling link: {broken.path} does not exist",
                "the interpreter it pointed to was removed; pick an existing one",
            )
        raise NotAnInterpreterError(f"{path}: {broken.error or 'unreadable link chain'}")
    if chain.hops[-1].kind == "dir":
        raise NotAnInterpreterError(
            f"{path} is a directory",
            "pass an interpreter file; for an environment, its bin/python",
        )
    if probe is None:
        probe = probe_through_cache(path, options)
    runtime_from_probe(probe, options=options)
    return path, chain, probe


def recommended(
    python: str, probe: ProbeResult | None = None, *, options: Options = DEFAULT_OPTIONS
) -> Recommendation:
    """`resolve(python).recommended` without planning each creator."""
    path, chain, probe = _located(python, probe, options)
    return recommend(path, probe, chain)


def venv_plan(
    python: str, probe: ProbeResult | None = None, *, options: Options = DEFAULT_OPTIONS
) -> CreatorPlan | None:
    """`resolve(python).creators.get("venv")` without the other creators' plans."""
    _path, _chain, probe = _located(python, probe, options)
    return _venv_plan(probe) if probe.version[:2] >= (3, 3) else None


def resolve(
    python: str,
    probe: ProbeResult | None = None,
    *,
    patch_requested: bool = False,
    options: Options = DEFAULT_OPTIONS,
) -> Resolution:
    """Predict what each creator writes for the interpreter at `python` (as typed).

    Raises NotFoundError (no such path / dangling link), NotAnInterpreterError, ProbeError /
    ProbeTimeout (from the probe). A Python without venv support (2.7) gives a Resolution with
    `unsupported` set and no creators.
    """
    # one reading of the disk for the chain, each creator's choice and each event simulated:
    # a path's directories are resolved once, not once per question (a batch's goes on)
    with snapshot():
        return _resolve(python, probe, patch_requested=patch_requested, options=options)


def _resolve(
    python: str, probe: ProbeResult | None, *, patch_requested: bool, options: Options
) -> Resolution:
    path, chain, probe = _located(python, probe, options)
    notes: list[Reason] = []
    if probe.version[:2] < (3, 3) or probe.implementation != "cpython":
        if probe.version[:2] < (3, 3):
            msg = f"Python {probe.version_full} has no venv module: environments cannot be created from it"
            return Resolution(
                python, path, chain, probe, recommend(path, probe, chain), unsupported=msg
            )
        notes.append(
            Reason(
                "venvtui",
                f"{probe.implementation} is modelled with the CPython rules; expect differences",
            )
        )
    creators = {
        "venv": _venv_plan(probe),
        "virtualenv": _virtualenv_plan(probe),
        "uv": _uv_plan(probe, patch_requested=patch_requested),
    }
    for name, plan in creators.items():
        stamped = _fragile(plan.executable, probe) or _fragile(plan.home + os.sep, probe)
        why = plan.why
        if not stamped and os.path.basename(plan.executable) in ("python", "python3"):
            why += (
                Reason(
                    "venvtui drift risk (B3)",
                    f"bin/{plan.bin_name} goes through the unversioned "
                    f"{os.path.basename(plan.executable)}: when an upgrade re-points it to the next "
                    "minor version, the env runs that version and its packages vanish",
                ),
            )
        creators[name] = dataclasses.replace(plan, version_stamped=stamped, why=why)
    rec = recommend(path, probe, chain)
    return Resolution(python, path, chain, probe, rec, creators=creators, notes=tuple(notes))
