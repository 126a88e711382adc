"""Diagnosis and forecast for virtual environments.

`diagnose(env)` returns typed verdicts for what is wrong now and a forecast of which installer
event will break the env later:

1. Static checks, no process spawned: pyvenv.cfg (missing, malformed, no `home`), the
   start-up model (`core.startmodel`: dangling chain B1, no stdlib B2, misbound B2', minor drift
   B3, missing shared library B4), nested envs (B7), console-script shebangs.
2. With `confirm=True` and an interpreter to run: the base interpreter is probed (its compiled
   PREFIX) and the env's python is run (site enabled, scrubbed environment, timeout) to observe
   `sys.base_prefix` and `sys.version_info`. The static prediction and the observation are both
   kept; the observation decides the status when there is one.
3. Forecast by simulation: each fragile install on the env's paths, each unversioned alias in
   its chain and each parent env yields an installer event (`core.events`); the event's changes
   are laid over the real disk (`core.overlay.Overlay`) and the same start-up model is re-run
   against that view. An event is reported when it makes the env worse.

`whatif_remove` / `whatif_upgrade` apply the same machinery to one named install across a set
of environments; `dependents` is the reverse index (interpreter -> environments).
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from venvtui.core.events import (
    Event,
    UnknownInstallError,
    env_delete_event,
    install_for,
    remove_path_event,
    repoint_event,
    shared_prefix,
    system_uninstall_event,
    uninstall_event,
    upgrade_event,
)
from venvtui.core.models import Environment, Interpreter
from venvtui.core.overlay import REAL, View, search_up
from venvtui.core.stability import (
    Install,
    Stability,
    classify_path,
    exe_minor,
    find_install,
    unversioned_alias,
)
from venvtui.core.startmodel import RANK, BaseFacts, Start, Status, minor_of, predict

__all__ = [
    "Diagnosis",
    "Forecast",
    "Observed",
    "Stability",
    "Verdict",
    "WhatIf",
    "WhatIfResult",
    "classify_path",
    "dependents",
    "diagnose",
    "whatif_remove",
    "whatif_upgrade",
]

Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True, slots=True)
class Verdict:
    code: str
    severity: Severity
    summary: str
    explanation: str
    fix: str
    catalogue: str = ""  # the breakage catalogue id (B1..B7) when there is one

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "summary": self.summary,
            "explanation": self.explanation,
            "fix": self.fix,
            "catalogue": self.catalogue,
        }


@dataclass(frozen=True, slots=True)
class Forecast:
    event: str  # human text: "breaks after `brew upgrade python@3.12` and `brew cleanup`"
    kind: str  # patch-upgrade | minor-upgrade | uninstall | env-delete
    result: Status  # broken | misbound | drift
    why: str
    fix: str = ""
    target: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "event": self.event,
            "kind": self.kind,
            "result": self.result,
            "why": self.why,
            "fix": self.fix,
            "target": self.target,
        }


@dataclass(frozen=True, slots=True)
class Observed:
    """What running the env's python showed."""

    status: Status
    returncode: int | None
    base_prefix: str | None = None
    prefix: str | None = None
    version: str | None = None
    executable: str | None = None
    error: str | None = None
    reasons: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "returncode": self.returncode,
            "base_prefix": self.base_prefix,
            "prefix": self.prefix,
            "version": self.version,
            "executable": self.executable,
            "error": self.error,
            "reasons": list(self.reasons),
        }


@dataclass(frozen=True, slots=True)
class Diagnosis:
    path: str
    status: Status
    verdicts: tuple[Verdict, ...]
    forecast: tuple[Forecast, ...]
    static: Start
    observed: Observed | None = None
    survives: tuple[str, ...] = ()
    paths: tuple[Stability, ...] = ()
    creator: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "status": self.status,
            "creator": self.creator,
            "verdicts": [v.to_json() for v in self.verdicts],
            "forecast": [f.to_json() for f in self.forecast],
            "survives": list(self.survives),
            "static": self.static.to_json(),
            "observed": self.observed.to_json() if self.observed else None,
            "paths": [p.to_json() for p in self.paths],
        }


# --- helpers ----------------------------------------------------------------------------------


def _inside(path: str, root: str) -> bool:
    path, root = os.path.normpath(path), os.path.normpath(root)
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _home(env: Environment) -> str | None:
    h = env.cfg_get("home")
    return h.strip() if h and h.strip() else None


def base_facts(python: str | None, *, spawn: bool) -> BaseFacts:
    """The base interpreter's version and compiled PREFIX: from the probe cache, or (when
    `spawn`) by probing the real binary bin/python reaches."""
    if python is None or not os.path.exists(python):
        return BaseFacts()
    real = os.path.realpath(python)
    from venvtui.core import probe as probe_mod
    from venvtui.core import probe_cache

    result = None
    try:
        if spawn:
            result = probe_mod.probe(real)
        else:
            key = probe_cache.cache_key(real, probe_mod.script_hash())
            cached = probe_cache.load(key)
            if cached is not None:
                result = probe_mod.parse_payload(real, cached)
    except Exception:  # a failing probe only limits what the model knows
        result = None
    if result is None:
        return BaseFacts()
    return BaseFacts(
        version=result.version,
        config_prefix=result.config_prefix,
        framework=bool(result.framework) and result.platform == "darwin",
    )


# --- static verdicts --------------------------------------------------------------------------

_GENERIC_REPAIR = "`venvtui repair {env}` (previews the change; deletes dangling bin/python* links first, since `venv --upgrade` keeps them)"


def _start_verdicts(env: Environment, start: Start) -> list[Verdict]:
    out: list[Verdict] = []
    envp = env.path
    rec = start.recorded_minor or start.running_minor or "X.Y"
    for f in start.findings:
        if f.code == "B1":
            out.append(
                Verdict(
                    "dangling-python",
                    "error",
                    f"bin/python is dangling: {f.text}",
                    "The interpreter this env was made from is gone (an upgrade's cleanup, "
                    "`pyenv uninstall`, `uv python uninstall`, or the install moved). Running it "
                    "prints 'No such file or directory'; console scripts fail with 'bad "
                    "interpreter'.",
                    _dangling_fix(envp, rec, start),
                    "B1",
                )
            )
        elif f.code == "loop":
            out.append(
                Verdict(
                    "symlink-loop",
                    "error",
                    f"bin/python never reaches a file: {f.text}",
                    "A link in the chain points back into it; the kernel gives up with "
                    "'Too many levels of symbolic links'.",
                    f"Remove the looping link; then {_GENERIC_REPAIR.format(env=envp)}.",
                    "B1",
                )
            )
        elif f.code == "unreadable":
            out.append(
                Verdict(
                    "unreadable",
                    "error",
                    f"bin/python cannot be followed: {f.text}",
                    "A directory on the way cannot be read or searched by this user.",
                    "Check the permissions of the directories on the path.",
                )
            )
        elif f.code == "B2":
            out.append(
                Verdict(
                    "no-stdlib",
                    "error",
                    "does not start: " + f.text,
                    "CPython 3.11+ starts the stdlib search at pyvenv.cfg `home` (3.10 and "
                    "older: for copied interpreters); nothing there or above holds "
                    "lib/pythonX.Y/os.py and the compiled-in PREFIX is no help, so start-up "
                    "dies with 'No module named encodings'.",
                    f"Re-anchor `home` on the install: {_GENERIC_REPAIR.format(env=envp)}, or "
                    f"`python{rec} -m venv --upgrade {envp}` run from an interpreter whose own "
                    "directory holds the stdlib.",
                    "B2",
                )
            )
        elif f.code == "B2'":
            out.append(
                Verdict(
                    "misbound",
                    "warning",
                    "starts on another install's stdlib",
                    f.text
                    + ". Packages with compiled extensions or sysconfig paths may then point at "
                    "the wrong install (CPython #106045).",
                    f"Re-anchor `home` on the install bin/python runs: "
                    f"{_GENERIC_REPAIR.format(env=envp)}.",
                    "B2'",
                )
            )
        elif f.code == "B3":
            out.append(
                Verdict(
                    "minor-drift",
                    "warning",
                    f"minor-version drift: {f.text}",
                    "An unversioned link in the chain now reaches the next minor version. site "
                    "adds lib/pythonX.Y/site-packages for the *running* version, so packages "
                    "installed for the old one are not seen, and compiled extensions do not "
                    "match. `venv --upgrade` only rewrites pyvenv.cfg.",
                    f"Rebuild on the version it was made for (`venvtui rebuild {envp} --python "
                    f"python{start.recorded_minor}`) or on the new one, reinstalling packages.",
                    "B3",
                )
            )
        elif f.code == "B4":
            out.append(
                Verdict(
                    "missing-shared-lib",
                    "error",
                    f"the interpreter binary cannot load: {f.text}",
                    "The copied (or linked) interpreter binary needs a shared library that is no "
                    "longer where its RUNPATH or the system directories say: 'error while "
                    "loading shared libraries'.",
                    f"Replace the copied binary from an existing install: "
                    f"{_GENERIC_REPAIR.format(env=envp)} --python <python{rec}>.",
                    "B4",
                )
            )
        elif f.code == "unknown-version":
            out.append(
                Verdict(
                    "unknown-version",
                    "info",
                    "cannot tell which Python version bin/python runs without running it",
                    "Neither the binary's name nor pyvenv.cfg gives the version.",
                    "Run `venvtui doctor` with confirmation (the default) to probe it.",
                )
            )
    return out


def _version_key(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", text))


def replacement_for(missing: str, minor: str | None) -> str | None:
    """An existing interpreter of the same minor version to repair with, when the missing hop
    was in a known install: the installer's stable alias (opt/, the uv/mise minor link), else
    the newest sibling install of that minor (the keg/version an upgrade put beside it)."""
    inst = find_install(missing)
    if inst is None:
        return None
    minor = minor or inst.minor
    alt = _stable_alternative(inst)
    if alt and os.path.isfile(alt):
        return alt
    parent = os.path.dirname(inst.root)
    best: tuple[tuple[int, ...], str] | None = None
    try:
        names = os.listdir(parent)
    except OSError:
        return None
    for name in names:
        sib = find_install(os.path.join(parent, name))
        exe = os.path.join(parent, name, "bin", f"python{minor}")
        if sib is None or sib.minor != minor or not os.path.isfile(exe):
            continue
        key = _version_key(sib.version)
        if best is None or key > best[0]:
            best = (key, exe)
    return best[1] if best else None


def _dangling_fix(envp: str, rec: str, start: Start) -> str:
    broken = start.chain.broken_hop if start.chain is not None else None
    repl = replacement_for(broken.path, start.recorded_minor) if broken is not None else None
    if repl:
        return (
            f"{_GENERIC_REPAIR.format(env=envp)} --python {repl}; or by hand: delete "
            f"{envp}/bin/python*, then `{repl} -m venv --upgrade {envp}`."
        )
    return (
        f"With a Python {rec} still installed: {_GENERIC_REPAIR.format(env=envp)} "
        f"--python <python{rec}>; otherwise `venvtui rebuild {envp} --python …`."
    )


def _cfg_verdicts(env: Environment) -> list[Verdict]:
    out: list[Verdict] = []
    cfg_path = os.path.join(env.path, "pyvenv.cfg")
    if env.kind != "venv":
        return out
    if not os.path.isfile(cfg_path):
        out.append(
            Verdict(
                "cfg-missing",
                "error",
                "pyvenv.cfg is missing",
                "Without pyvenv.cfg the interpreter does not know it is in a venv: it runs as the "
                "base install, with the base's site-packages.",
                f"Recreate the file: `venvtui repair {env.path}`.",
            )
        )
        return out
    if env.cfg_problems:
        shown = "; ".join(env.cfg_problems[:3])
        out.append(
            Verdict(
                "cfg-malformed",
                "warning",
                f"pyvenv.cfg has {len(env.cfg_problems)} malformed line(s)",
                f"CPython skips lines it cannot parse: {shown}",
                f"Review the file; `venvtui repair {env.path}` rewrites it keeping valid keys.",
            )
        )
    if _home(env) is None:
        out.append(
            Verdict(
                "home-missing",
                "warning",
                "pyvenv.cfg has no `home`",
                "CPython 3.11-3.13 getpath ignores a pyvenv.cfg without `home` (site still "
                "activates the env); 3.14 deduces it from the bin/python link. Tools that read "
                "`home` (uv, virtualenv, IDEs) cannot tell the base.",
                f"Add `home` (the base interpreter's directory): `venvtui repair {env.path}`.",
            )
        )
    return out


def _parent_env_of(view: View, path: str, env_dir: str) -> str | None:
    d = os.path.dirname(os.path.normpath(path))
    while d != os.path.dirname(d):
        if not _inside(env_dir, d) and view.isfile(os.path.join(d, "pyvenv.cfg")):
            return d
        d = os.path.dirname(d)
    return None


def _nesting(env: Environment, start: Start, view: View = REAL) -> tuple[list[str], list[Verdict]]:
    """Parent envs this env runs through (B7), and the verdicts about them."""
    parents: list[str] = []
    verdicts: list[Verdict] = []
    paths: list[str] = []
    if start.chain is not None:
        paths.extend(h.path for h in start.chain.hops)
    home = _home(env)
    if home:
        paths.append(os.path.join(home, "python"))
    for p in paths:
        par = _parent_env_of(view, p, env.path)
        if par and par not in parents:
            parents.append(par)
    for par in parents:
        verdicts.append(
            Verdict(
                "nested-env",
                "info",
                f"made from another environment: {par}",
                "On 3.8-3.10 `python -m venv` run from a venv records the parent venv's bin as "
                "`home` and links bin/python into it (uv does the same): this env breaks when "
                "the parent is deleted.",
                f"Re-anchor on the base install: `venvtui repair {env.path} --python <base>`.",
                "B7",
            )
        )
    broken = start.chain.broken_hop if start.chain is not None else None
    if broken is not None and broken.kind == "missing" and home:
        gone = os.path.dirname(os.path.normpath(home))
        if (
            os.path.basename(os.path.normpath(home)) == "bin"
            and _inside(broken.path, gone)
            and not view.exists(gone)
            and find_install(gone) is None
        ):
            verdicts.append(
                Verdict(
                    "parent-env-gone",
                    "error",
                    f"the environment it was made from is gone: {gone}",
                    "`home` and bin/python point into another venv's bin (a venv made from a "
                    "venv on 3.8-3.10), and that venv no longer exists.",
                    f"`venvtui repair {env.path} --python <python{start.recorded_minor or 'X.Y'}>`"
                    " or rebuild it.",
                    "B7",
                )
            )
    return parents, verdicts


def _shebang_of(path: str) -> str | None:
    """The interpreter a console script runs: `#!<path>`, or pip's `/bin/sh` trampoline for
    long paths (`'''exec' "<path>" "$0" "$@"`)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(1024)
    except OSError:
        return None
    if not head.startswith(b"#!"):
        return None
    lines = head.split(b"\n")
    first = lines[0][2:].strip().decode("utf-8", "replace")
    if not first:
        return None
    interp = first.split()[0]
    if interp == "/bin/sh" and len(lines) > 1 and lines[1].startswith(b"'''exec' "):
        rest = lines[1][len(b"'''exec' ") :].decode("utf-8", "replace").strip()
        if rest.startswith('"'):
            end = rest.find('"', 1)
            return rest[1:end] if end > 0 else None
        return rest.split()[0] if rest else None
    return interp


def shebang_verdicts(env: Environment) -> list[Verdict]:
    """Console scripts in bin/ whose shebang points outside the env or at a missing path."""
    bindir = os.path.join(env.path, "bin")
    missing: list[tuple[str, str]] = []
    outside: list[tuple[str, str]] = []
    try:
        entries = sorted(os.scandir(bindir), key=lambda e: e.name)
    except OSError:
        return []
    for entry in entries:
        try:
            if entry.is_symlink() or not entry.is_file() or entry.stat().st_size > 512 * 1024:
                continue
        except OSError:
            continue
        interp = _shebang_of(entry.path)
        if interp is None or not os.path.basename(interp).startswith(("python", "pypy")):
            continue
        if not os.path.isabs(interp) or _inside(interp, env.path):
            continue
        if not os.path.lexists(interp) or not os.path.exists(interp):
            missing.append((entry.name, interp))
        else:
            outside.append((entry.name, interp))
    out: list[Verdict] = []

    def listing(items: list[tuple[str, str]]) -> str:
        shown = ", ".join(f"{n} → {i}" for n, i in items[:3])
        return shown + (f" and {len(items) - 3} more" if len(items) > 3 else "")

    if missing:
        out.append(
            Verdict(
                "shebang-missing",
                "error",
                f"{len(missing)} console script(s) run a missing interpreter: {listing(missing)}",
                "The scripts' #! line names a python that does not exist (the env was moved or "
                "copied from elsewhere): running them fails with 'bad interpreter'.",
                f"Reinstall the packages in place (`{env.path}/bin/python -m pip install "
                "--force-reinstall <pkgs>`) or rebuild the env where it now lives.",
            )
        )
    if outside:
        out.append(
            Verdict(
                "shebang-outside",
                "warning",
                f"{len(outside)} console script(s) run an interpreter outside this env: "
                f"{listing(outside)}",
                "The scripts were installed by another environment (the env was copied, or the "
                "scripts were put here by another pip), so they do not see this env's packages.",
                "Reinstall the packages with this env's pip.",
            )
        )
    return out


# --- confirmation by running ---------------------------------------------------------------

_OBSERVE = (
    "import sys, json; print(json.dumps({'prefix': sys.prefix, 'base_prefix': getattr(sys, "
    "'base_prefix', getattr(sys, 'real_prefix', sys.prefix)), 'version': "
    "list(sys.version_info[:3]), 'executable': sys.executable}))"
)


def _error_line(stderr: str) -> str:
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    for ln in reversed(lines):
        if "Error" in ln or "error" in ln:
            return ln[:200]
    return (lines[-1] if lines else "no output")[:200]


def observe(env: Environment, static: Start, *, timeout: float) -> Observed | None:
    """Run the env's python (site enabled: we want what the user gets) and compare."""
    from venvtui.core import proc
    from venvtui.core.errors import ProbeError, ProbeTimeout

    python = env.python
    if python is None or not os.path.exists(python):
        return None
    try:
        cp = proc.run([python, "-E", "-s", "-c", _OBSERVE], timeout=timeout)
    except ProbeTimeout:
        return Observed(
            "broken", None, error=f"did not answer within {timeout:g}s", reasons=("hangs",)
        )
    except ProbeError as exc:
        return Observed("broken", None, error=str(exc), reasons=("cannot execute",))
    data: dict[str, Any] | None = None
    if cp.returncode == 0:
        for line in reversed(cp.stdout.splitlines()):
            try:
                parsed = json.loads(line)
            except ValueError:
                continue
            if isinstance(parsed, dict):
                data = parsed
                break
    if data is None:
        return Observed("broken", cp.returncode, error=_error_line(cp.stderr + cp.stdout))
    base_prefix = str(data.get("base_prefix"))
    ver = data.get("version") or []
    version = ".".join(str(v) for v in ver)
    reasons: list[str] = []
    status: Status = "ok"
    expected = static.expected_prefix
    if expected is not None and os.path.realpath(base_prefix) != os.path.realpath(expected):
        status = "misbound"
        reasons.append(f"sys.base_prefix is {base_prefix}, not {expected}")
    running = minor_of(version)
    if static.recorded_minor and running and running != static.recorded_minor:
        reasons.append(f"runs {running}, made for {static.recorded_minor}")
        if status == "ok":
            status = "drift"
    return Observed(
        status,
        cp.returncode,
        base_prefix=base_prefix,
        prefix=str(data.get("prefix")),
        version=version,
        executable=str(data.get("executable")),
        reasons=tuple(reasons),
    )


# --- forecast ---------------------------------------------------------------------------------


def _stable_alternative(inst: Install) -> str | None:
    if inst.installer == "homebrew":
        return os.path.join(inst.container, "opt", inst.name, "bin", f"python{inst.minor}")
    if inst.installer == "uv" and inst.name:
        return os.path.join(
            inst.container, f"cpython-{inst.minor}-{inst.name}", "bin", f"python{inst.minor}"
        )
    if inst.installer == "mise":
        return os.path.join(inst.container, inst.minor, "bin", f"python{inst.minor}")
    return None


def _forecast_fix(env: Environment, ev: Event, after: Start, inst: Install | None) -> str:
    codes = after.codes
    if "B3" in codes and after.status == "drift":
        return (
            f"a minor change needs a rebuild: `venvtui rebuild {env.path} --python "
            f"python{after.recorded_minor}` (pins the versioned name) before it happens"
        )
    stable = _stable_alternative(inst) if inst else None
    before = (
        f"before it, re-anchor on the stable {stable}: `venvtui repair {env.path} --python {stable}`"
        if stable
        else None
    )
    if ev.new_root and ev.kind == "patch-upgrade":
        minor = inst.minor if inst else (after.running_minor or "X.Y")
        after_fix = (
            f"after it, `venvtui repair {env.path} --python {ev.new_root}/bin/python{minor}` "
            f"(or delete {env.path}/bin/python* and run `python{minor} -m venv --upgrade`)"
        )
    elif "B2" in codes or "B2'" in codes:
        after_fix = f"after it, `venvtui repair {env.path}` (`venv --upgrade` also fixes home)"
    else:
        after_fix = f"after it, `venvtui rebuild {env.path} --python <another interpreter>`"
    return "; ".join(x for x in (before, after_fix) if x)


def _aliases(env: Environment, start: Start) -> list[str]:
    """Unversioned public links in the chain (outside the env and any install's own tree)."""
    out: list[str] = []
    if start.chain is None:
        return out
    for hop in start.chain.hops:
        if hop.kind != "link" or _inside(hop.path, env.path):
            continue
        if find_install(hop.path) is not None or _parent_env_of(REAL, hop.path, env.path):
            continue
        if unversioned_alias(hop.path) and hop.path not in out:
            out.append(hop.path)
    return out


def _installs(env: Environment, start: Start, base: BaseFacts, view: View = REAL) -> list[Install]:
    paths: list[str] = []
    if start.chain is not None:
        paths.extend(h.path for h in start.chain.hops)
        paths.append(start.chain.realpath)
    home = _home(env)
    if home:
        paths.append(home)
        paths.append(view.realpath(home))
    for p in (start.prefix, start.expected_prefix):
        if p:
            paths.extend((p, view.realpath(p)))
    if base.config_prefix:
        paths.append(base.config_prefix)
    if start.chain is not None and start.chain.ok:
        from venvtui.core.elfdeps import check_libs

        libs = check_libs(start.chain.final, view=view)
        if libs is not None:
            paths.extend(v for k, v in libs.found.items() if k.startswith("libpython"))
    found: dict[str, Install] = {}
    for p in paths:
        inst = find_install(p)
        if inst is not None and inst.root not in found and view.exists(inst.root):
            found[inst.root] = inst
    return list(found.values())


def candidate_events(
    env: Environment, start: Start, base: BaseFacts, parents: Sequence[str] = ()
) -> list[tuple[Event, Install | None]]:
    known = [h.path for h in start.chain.hops] if start.chain is not None else []
    events: list[tuple[Event, Install | None]] = []
    for inst in _installs(env, start, base):
        try:
            if inst.installer in ("homebrew", "uv", "mise"):
                events.append((upgrade_event(inst, known_links=known), inst))
            events.append((uninstall_event(inst, known_links=known), inst))
        except UnknownInstallError:
            continue
    if start.chain is not None and start.chain.ok and start.running_minor and not start.copied:
        real = start.chain.realpath
        prefix = start.expected_prefix
        if find_install(real) is None and prefix and shared_prefix(prefix):
            events.append((system_uninstall_event(real, prefix, start.running_minor), None))
    for alias in _aliases(env, start):
        ev = repoint_event(alias)
        if ev is not None:
            events.append((ev, None))
    for par in parents:
        events.append((env_delete_event(par), None))
    return events


def run_forecast(
    env: Environment, now: Start, base: BaseFacts, parents: Sequence[str] = ()
) -> tuple[list[Forecast], list[str]]:
    forecasts: list[Forecast] = []
    survives: list[str] = []
    events = candidate_events(env, now, base, parents)
    for ev, inst in events:
        after = predict(ev.overlay(), env.path, env.python, env.cfg, base)
        if RANK[after.status] > RANK[now.status]:
            verb = (
                "breaks"
                if after.status == "broken"
                else ("drifts" if after.status == "drift" else "gets misbound")
            )
            when = "after" if ev.kind == "patch-upgrade" else "on"
            if ev.kind in ("minor-upgrade", "env-delete"):
                when = "when"
            forecasts.append(
                Forecast(
                    f"{verb} {when} {ev.text}",
                    ev.kind,
                    after.status,
                    after.summary(),
                    _forecast_fix(env, ev, after, inst),
                    ev.target,
                )
            )
        elif after.status == now.status:
            survives.append(ev.text)
    kept = {
        ev.target: ev.text
        for ev, _ in events
        if ev.kind == "patch-upgrade" and not ev.removes_old and ev.text in survives
    }
    for i, f in enumerate(forecasts):
        if f.kind == "uninstall" and f.target in kept:
            # uv: the env is pinned to the patch install, which an upgrade leaves in place
            event = f"{f.event}; {kept[f.target]} keeps it"
            forecasts[i] = dataclasses.replace(f, event=event)
        elif f.kind == "patch-upgrade" and "brew cleanup" in f.event:
            why = f"{f.why} (HOMEBREW_NO_INSTALL_CLEANUP=1 only postpones it to the next cleanup)"
            forecasts[i] = dataclasses.replace(f, why=why)
    return forecasts, survives


# --- diagnosis --------------------------------------------------------------------------------


def diagnose(env: Environment, *, confirm: bool = True, timeout: float | None = None) -> Diagnosis:
    """Verdicts for `env` now, and the forecast of which event breaks it (see module doc)."""
    from venvtui.core import settings

    if timeout is None:
        timeout = settings.PROBE_TIMEOUT
    verdicts: list[Verdict] = []
    if env.kind != "venv":
        # conda envs carry their own interpreter: nothing points outside them
        static = predict(REAL, env.path, env.python, (), BaseFacts())
        return Diagnosis(env.path, static.status, (), (), static, creator=env.creator)
    verdicts.extend(_cfg_verdicts(env))
    base = base_facts(env.python, spawn=confirm)
    static = predict(REAL, env.path, env.python, env.cfg, base)
    verdicts.extend(_start_verdicts(env, static))
    parents, nest = _nesting(env, static)
    verdicts.extend(nest)
    verdicts.extend(shebang_verdicts(env))
    observed = observe(env, static, timeout=timeout) if confirm else None
    status: Status = static.status
    if observed is not None:
        status = observed.status
        if observed.status != static.status:
            verdicts.append(
                Verdict(
                    "observed-differs",
                    "error" if observed.status == "broken" else "info",
                    f"running it: {observed.status}"
                    + (f" ({observed.error})" if observed.error else "")
                    + f"; the static model said {static.status}",
                    "The env's python was run (site enabled, scrubbed environment) and its "
                    "sys.base_prefix / version compared with the static expectation."
                    + (" " + "; ".join(observed.reasons) if observed.reasons else ""),
                    f"Run `{env.python} -c 'import sys; print(sys.base_prefix)'` to see it.",
                )
            )
    forecasts, survives = run_forecast(env, static, base, parents)
    paths: list[Stability] = []
    if static.chain is not None:
        paths.extend(
            classify_path(h.path) for h in static.chain.hops if not _inside(h.path, env.path)
        )
    home = _home(env)
    if home:
        paths.append(classify_path(home))
    return Diagnosis(
        env.path,
        status,
        tuple(verdicts),
        tuple(forecasts),
        static,
        observed,
        tuple(survives),
        tuple(paths),
        env.creator,
    )


# --- what-if and the reverse index --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WhatIfResult:
    path: str
    status_before: Status
    status_after: Status
    why: str

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "status_before": self.status_before,
            "status_after": self.status_after,
            "why": self.why,
        }


@dataclass(frozen=True, slots=True)
class WhatIf:
    event: Event
    environments: tuple[WhatIfResult, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "event": self.event.text,
            "kind": self.event.kind,
            "target": self.event.target,
            "changes": [c.describe() for c in self.event.changes],
            "environments": [r.to_json() for r in self.environments],
        }


def env_paths(
    env: Environment, view: View = REAL, base: BaseFacts | None = None
) -> tuple[str, ...]:
    """Every path `env` runs through: its link chain (and its realpath), `home`, the prefix it
    starts on and the one it should, and its binary's libpython."""
    start = predict(view, env.path, env.python, env.cfg, base)
    paths: list[str] = []
    if start.chain is not None:
        paths.extend(h.path for h in start.chain.hops)
        paths.append(start.chain.realpath)
    home = _home(env)
    if home:
        paths.extend((home, view.realpath(home)))
    for p in (start.prefix, start.expected_prefix):
        if p:
            paths.extend((p, view.realpath(p)))
    if start.chain is not None and start.chain.ok:
        from venvtui.core.elfdeps import check_libs

        libs = check_libs(start.chain.final, view=view)
        if libs is not None:
            paths.extend(v for k, v in libs.found.items() if k.startswith("libpython"))
    return tuple(dict.fromkeys(paths))


def depends_on(
    env: Environment,
    root: str,
    view: View = REAL,
    base: BaseFacts | None = None,
    paths: Sequence[str] | None = None,
) -> bool:
    """Does `env` run through `root` (see `env_paths`), lexically or after resolving links?"""
    root = os.path.normpath(root)
    real_root = view.realpath(root)
    if paths is None:
        paths = env_paths(env, view, base)
    return any(_inside(p, root) or _inside(p, real_root) for p in paths)


def _whatif(event: Event, envs: Iterable[Environment], *, spawn: bool = False) -> WhatIf:
    results: list[WhatIfResult] = []
    ov = event.overlay()
    for env in envs:
        if env.kind != "venv":
            continue
        base = base_facts(env.python, spawn=spawn)
        if not depends_on(env, event.target, REAL, base):
            continue
        before = predict(REAL, env.path, env.python, env.cfg, base)
        after = predict(ov, env.path, env.python, env.cfg, base)
        results.append(WhatIfResult(env.path, before.status, after.status, after.summary()))
    return WhatIf(event, tuple(results))


def _install_or_path(path: str) -> tuple[Install | None, str]:
    p = os.path.normpath(os.path.abspath(os.path.expanduser(path)))
    if not os.path.lexists(p):
        from venvtui.core.errors import NotFoundError

        raise NotFoundError(f"{p} does not exist")
    return install_for(p), p


def whatif_remove(path: str, envs: Iterable[Environment], *, spawn: bool = False) -> WhatIf:
    """Every env depending on the install at `path` (an install dir or its executable), and
    its status once the installer removes it. A path no installer owns is simply removed."""
    envs = list(envs)
    inst, p = _install_or_path(path)
    if inst is not None:
        known = [h.path for e in envs if e.chain is not None for h in e.chain.hops]
        event = uninstall_event(inst, known_links=known)
    else:
        event = remove_path_event(p)
        real = os.path.realpath(p)
        minor = exe_minor(real) if os.path.isfile(real) else None
        root = search_up(REAL, os.path.dirname(real), minor) if minor else None
        if root is not None and minor is not None:
            event = (
                system_uninstall_event(real, root, minor)
                if shared_prefix(root)
                else remove_path_event(root)
            )
    return _whatif(event, envs, spawn=spawn)


def whatif_upgrade(
    path: str,
    to_version: str,
    envs: Iterable[Environment],
    *,
    remove_old: bool | None = None,
    spawn: bool = False,
) -> WhatIf:
    """Every env depending on the install at `path`, and its status after the installer's
    upgrade to `to_version` (Homebrew, pyenv, uv, mise: see `core.events`)."""
    inst, _p = _install_or_path(path)
    if inst is None:
        raise UnknownInstallError(f"{path} is not an install venvtui knows how to upgrade")
    envs = list(envs)
    known = [h.path for e in envs if e.chain is not None for h in e.chain.hops]
    event = upgrade_event(inst, to_version, remove_old=remove_old, known_links=known)
    return _whatif(event, envs, spawn=spawn)


@dataclass(frozen=True, slots=True)
class Dependents:
    interpreter: str
    install_dir: str
    environments: tuple[str, ...]

    @property
    def safe_to_remove(self) -> bool:
        return not self.environments

    def to_json(self) -> dict[str, Any]:
        return {
            "interpreter": self.interpreter,
            "install_dir": self.install_dir,
            "environments": list(self.environments),
            "safe_to_remove": self.safe_to_remove,
        }


def dependents(
    interpreters: Iterable[Interpreter], envs: Iterable[Environment]
) -> list[Dependents]:
    """The reverse index: for each interpreter, the envs that run through its install (via
    `home`, the link chain including directory links, or the stdlib they start on)."""
    envs = [e for e in envs if e.kind == "venv"]
    paths = {e.path: env_paths(e, REAL, base_facts(e.python, spawn=False)) for e in envs}
    out: list[Dependents] = []
    for interp in interpreters:
        inst = find_install(interp.real_path)
        root = inst.root if inst else interp.install_dir
        deps = tuple(e.path for e in envs if depends_on(e, root, paths=paths[e.path]))
        out.append(Dependents(interp.path, root, deps))
    return out
