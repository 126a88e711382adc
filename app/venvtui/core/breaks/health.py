"""Diagnosis and forecast for virtual environments.

`diagnose(env)` returns typed verdicts for what is wrong now and a forecast of which installer
event will break the env later:

1. Static checks, no process spawned: pyvenv.cfg (missing, malformed, no `home`), the
   start-up model (`core.startup.model`: dangling chain B1, no stdlib B2, misbound B2', minor drift
   B3, missing shared library B4), nested envs (B7), console-script shebangs.
2. With `confirm=True` and an interpreter to run: the base interpreter is probed (its compiled
   PREFIX) and the env's python is run (site enabled, scrubbed environment, timeout) to observe
   `sys.base_prefix` and `sys.version_info`. The static prediction and the observation are both
   kept; the observation decides the status when there is one.
3. Forecast by simulation: each fragile install on the env's paths, each unversioned alias in
   its chain and each parent env yields an installer event (`core.breaks.events`); the event's changes
   are laid over the real disk (`core.layout.view.Overlay`) and the same start-up model is re-run
   against that view. An event is reported when it makes the env worse.

The forecast lives in `core.breaks.forecast` (loaded when a forecast is asked for: a listing's
statuses need none); `whatif_remove` / `whatif_upgrade` (the same machinery applied to one named
install across a set of environments) and `dependents` (the reverse index, interpreter ->
environments) in `core.breaks.whatif`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from venvtui.core.base.errors import ProbeError, ProbeTimeout
from venvtui.core.base.models import Environment
from venvtui.core.base.options import DEFAULT_OPTIONS, Options
from venvtui.core.base.paths import inside, join_name
from venvtui.core.base.safe_io import is_regular_file, kind_of, loads_json, read_head
from venvtui.core.breaks.nesting import base_facts, env_home, parent_env_in
from venvtui.core.breaks.status import BADGE, HEALTH_ORDER, HEALTH_RANK, Health, is_problem
from venvtui.core.installed.envs import env_location
from venvtui.core.layout.view import REAL, View
from venvtui.core.startup.model import Start, Status, minor_of, predict, same_install
from venvtui.core.startup.runtime import Runtime

if TYPE_CHECKING:
    from venvtui.core.base.stability import Stability
    from venvtui.core.breaks.breakage import Action, FixAction
    from venvtui.core.breaks.forecast import Survival
    from venvtui.core.breaks.status import Forecast

# Start-up: `core.breaks.breakage` (the catalogue, FixAction), shlex and `core.base.proc` (with
# subprocess) are imported where a verdict is made or the env is run: a listing of healthy
# envs' statuses makes no verdict and runs nothing.

__all__ = [
    "BADGE",
    "HEALTH_ORDER",
    "HEALTH_RANK",
    "Diagnosis",
    "Health",
    "Observed",
    "Verdict",
    "diagnose",
    "health_status",
    "is_problem",
]

Severity = Literal["error", "warning", "info"]

_SEVERITY_HEALTH: dict[str, Health] = {"error": "error", "warning": "warning"}


@dataclass(frozen=True, slots=True)
class Verdict:
    code: str
    severity: Severity
    summary: str
    explanation: str
    fix: str
    catalogue: str = ""  # the breakage catalogue id (B1..B7) when there is one
    action: FixAction | None = None  # the fix as data (`core.breakage`)

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "summary": self.summary,
            "explanation": self.explanation,
            "fix": self.fix,
            "catalogue": self.catalogue,
            "action": self.action.to_json() if self.action else None,
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


def health_status(start: Status, verdicts: Sequence[Verdict]) -> Health:
    """The worst of the start-up status and the verdicts' severities (see `Health`)."""
    worst: Health = start
    for v in verdicts:
        h = _SEVERITY_HEALTH.get(v.severity)
        if h is not None and HEALTH_RANK[h] > HEALTH_RANK[worst]:
            worst = h
    return worst


@dataclass(frozen=True, slots=True)
class Diagnosis:
    """`status` is the aggregate (`health_status`); `starts` is the start-up status alone
    (observed when the env's python was run, else the static prediction)."""

    path: str
    status: Health
    verdicts: tuple[Verdict, ...]
    forecast: tuple[Forecast, ...]
    static: Start
    observed: Observed | None = None
    survives: tuple[Survival, ...] = ()
    paths: tuple[Stability, ...] = ()
    creator: str = ""
    starts: Status = "ok"

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "status": self.status,
            "starts": self.starts,
            "creator": self.creator,
            "verdicts": [v.to_json() for v in self.verdicts],
            "forecast": [f.to_json() for f in self.forecast],
            "survives": [sv.to_json() for sv in self.survives],
            "static": self.static.to_json(),
            "observed": self.observed.to_json() if self.observed else None,
            "paths": [p.to_json() for p in self.paths],
        }


# --- static verdicts --------------------------------------------------------------------------


def _cmd(*argv: str) -> str:
    """A complete, copy-pasteable command line in backticks (arguments shell-quoted)."""
    import shlex  # start-up: only for a verdict

    return f"`{shlex.join(argv)}`"


def _fix(action: Action, env: str, python: str | None = None, path: str | None = None) -> FixAction:
    """`FixAction(action, env, python, path)`."""
    from venvtui.core.breaks.breakage import FixAction  # start-up: only for a verdict

    return FixAction(action, env, python, path)


def _repair(envp: str, python: str | None = None) -> str:
    """The repair command (with `--python` when given: a path or a version request like 3.11)
    and what it does."""
    argv = ["venvtui", "repair", envp, *(["--python", python] if python else [])]
    return (
        f"{_cmd(*argv)} (previews the change; deletes dangling bin/python* links first, "
        "since `venv --upgrade` keeps them)"
    )


def _catalogued(
    code: str, detail: str, fix: str, action: FixAction, explanation: str | None = None
) -> Verdict:
    """A verdict for catalogue entry `code` (`core.breakage`): its kind, severity, title and
    explanation, with this env's detail and fix."""
    from venvtui.core.breaks.breakage import CATALOGUE  # start-up: only for a verdict

    b = CATALOGUE[code]
    summary = f"{b.title}: {detail}" if detail else b.title
    return Verdict(b.kind, b.severity, summary, explanation or b.explanation, fix, code, action)


def _start_verdicts(env: Environment, start: Start) -> list[Verdict]:
    out: list[Verdict] = []
    envp = env.path
    rec = start.recorded_minor or start.running_minor or "X.Y"
    for f in start.findings:
        if f.code == "B1":
            fix, repl = _dangling_fix(envp, rec, start)
            out.append(_catalogued("B1", f.text, fix, _fix("repair", envp, repl)))
        elif f.code == "loop":
            broken = start.chain.broken_hop if start.chain is not None else None
            out.append(
                Verdict(
                    "symlink-loop",
                    "error",
                    f"bin/python never reaches a file: {f.text}",
                    "A link in the chain points back into it; the kernel gives up with "
                    "'Too many levels of symbolic links'.",
                    f"Remove the looping link; then {_repair(envp)}.",
                    "B1",
                    _fix("delete-link", envp, path=broken.path if broken else None),
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
            fix = (
                f"Re-anchor `home` on the install: {_repair(envp)}, or "
                f"{_cmd(f'python{rec}', '-m', 'venv', '--upgrade', envp)} run from an "
                "interpreter whose own directory holds the stdlib."
            )
            out.append(_catalogued("B2", f.text, fix, _fix("repair", envp)))
        elif f.code == "uncertain":
            out.append(
                Verdict(
                    "base-unprobed",
                    "warning",
                    "start-up prediction is uncertain: " + f.text,
                    "No stdlib is found from where getpath starts its search, so whether the "
                    "env starts (and on which install) depends on the interpreter's compiled "
                    "PREFIX, which only running it tells; it did not answer in time or failed.",
                    f"Run {_cmd('venvtui', 'doctor', envp)} again on a quieter machine, or run "
                    f"{_cmd(env.python or 'python', '-c', 'import sys; print(sys.base_prefix)')}.",
                    "",
                    _fix("confirm", envp),
                )
            )
        elif f.code == "B2'":
            fix = f"Re-anchor `home` on the install bin/python runs: {_repair(envp)}."
            why = (
                f.text + ". Packages with compiled extensions or sysconfig paths may then point "
                "at the wrong install (CPython #106045)."
            )
            out.append(_catalogued("B2'", "", fix, _fix("repair", envp), why))
        elif f.code == "B3":
            target = start.recorded_minor or "X.Y"
            fix = (
                "Rebuild on the version it was made for ("
                + _cmd("venvtui", "rebuild", envp, "--python", target)
                + ") or on the new one, reinstalling packages."
            )
            out.append(_catalogued("B3", f.text, fix, _fix("rebuild", envp, target)))
        elif f.code == "B4":
            fix = f"Replace the copied binary from an existing install: {_repair(envp, rec)}."
            out.append(_catalogued("B4", f.text, fix, _fix("repair", envp, rec)))
        elif f.code == "unknown-version":
            out.append(
                Verdict(
                    "unknown-version",
                    "info",
                    "cannot tell which Python version bin/python runs without running it",
                    "Neither the binary's name nor pyvenv.cfg gives the version.",
                    "Run `venvtui doctor` with confirmation (the default) to probe it.",
                    "",
                    _fix("confirm", envp),
                )
            )
    return out


def _version_key(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", text))


def replacement_for(missing: str, minor: str | None) -> str | None:
    """An existing interpreter of the same minor version to repair with, when the missing hop
    was in a known install: the installer's stable alias (opt/, the uv/mise minor link), else
    the newest sibling install of that minor (the keg/version an upgrade put beside it)."""
    from venvtui.core.base.stability import find_install  # start-up: only for a fix

    inst = find_install(missing)
    if inst is None:
        return None
    minor = minor or inst.minor
    from venvtui.core.breaks.forecast import stable_alternative  # start-up: only for a fix

    alt = stable_alternative(inst)
    if alt and os.path.isfile(alt):
        return alt
    parent = os.path.dirname(inst.root)
    best: tuple[tuple[int, ...], str] | None = None
    try:
        names = sorted(os.listdir(parent))  # ties go to the first name, not the disk's order
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


def _dangling_fix(envp: str, rec: str, start: Start) -> tuple[str, str | None]:
    """(the fix text, the interpreter to repair with: a path, or the version to ask for)."""
    broken = start.chain.broken_hop if start.chain is not None else None
    repl = replacement_for(broken.path, start.recorded_minor) if broken is not None else None
    if repl:
        import shlex  # start-up: only for a verdict

        return (
            f"{_repair(envp, repl)}; or by hand: delete {shlex.quote(envp)}/bin/python*, "
            f"then {_cmd(repl, '-m', 'venv', '--upgrade', envp)}.",
            repl,
        )
    return (
        f"With a Python {rec} still installed: {_repair(envp, rec)}; otherwise rebuild it on "
        f"another version: {_cmd('venvtui', 'rebuild', envp, '--python', 'X.Y')}.",
        rec,
    )


def _cfg_verdicts(env: Environment) -> list[Verdict]:
    out: list[Verdict] = []
    cfg_path = join_name(env.path, "pyvenv.cfg")
    if env.kind != "venv":
        return out
    if not (REAL.listed_file(cfg_path) or os.path.isfile(cfg_path)):  # in a batch: the scan's
        out.append(
            Verdict(
                "cfg-missing",
                "error",
                "pyvenv.cfg is missing",
                "Without pyvenv.cfg the interpreter does not know it is in a venv: it runs as the "
                "base install, with the base's site-packages.",
                f"Recreate the file: {_cmd('venvtui', 'repair', env.path)}.",
                action=_fix("repair", env.path),
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
                f"Review the file; {_cmd('venvtui', 'repair', env.path)} rewrites it keeping valid keys.",
                action=_fix("repair", env.path),
            )
        )
    if env_home(env) is None:
        out.append(
            Verdict(
                "home-missing",
                "warning",
                "pyvenv.cfg has no `home`",
                "CPython 3.11-3.13 getpath ignores a pyvenv.cfg without `home` (site still "
                "activates the env); 3.14 deduces it from the bin/python link. Tools that read "
                "`home` (uv, virtualenv, IDEs) cannot tell the base.",
                f"Add `home` (the base interpreter's directory): {_cmd('venvtui', 'repair', env.path)}.",
                action=_fix("repair", env.path),
            )
        )
    return out


def _nesting(
    env: Environment, start: Start, view: View = REAL, *, parents_too: bool = True
) -> tuple[list[str], list[Verdict]]:
    """Parent envs this env runs through (B7), and the verdicts about them; without
    `parents_too`, only whether the env it was made from is gone (the parents' own verdict is
    an info note: it never changes a status)."""
    parents: list[str] = []
    verdicts: list[Verdict] = []
    paths: list[str] = []
    home = env_home(env)
    if parents_too:
        if start.chain is not None:
            paths.extend(h.path for h in start.chain.hops)
        if home:
            paths.append(os.path.join(home, "python"))
    asked: set[str] = set()
    top = os.path.normpath(env.path)
    for p in paths:
        where = os.path.dirname(os.path.normpath(p))
        if where in asked:
            continue  # its answer is its directory's (the env's links share bin/)
        asked.add(where)
        par = parent_env_in(view, where, top)
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
                "Re-anchor on the base install: "
                + _cmd("venvtui", "repair", env.path, "--python", start.recorded_minor or "X.Y")
                + ".",
                "B7",
                _fix("repair", env.path, start.recorded_minor),
            )
        )
    broken = start.chain.broken_hop if start.chain is not None else None
    if broken is not None and broken.kind == "missing" and home:
        from venvtui.core.base.stability import find_install  # start-up: only a broken env

        gone = os.path.dirname(os.path.normpath(home))
        # Only where the place says it was an env: a removed plain install (/opt/python3.12)
        # looks the same from here, and is explained by the dangling-python verdict.
        if (
            os.path.basename(os.path.normpath(home)) == "bin"
            and inside(broken.path, gone)
            and not view.exists(gone)
            and find_install(gone) is None
            and env_location(gone)
        ):
            verdicts.append(
                Verdict(
                    "parent-env-gone",
                    "error",
                    f"the environment it was made from is gone: {gone}",
                    "`home` and bin/python point into another venv's bin (a venv made from a "
                    "venv on 3.8-3.10), and that venv no longer exists.",
                    _cmd("venvtui", "repair", env.path, "--python", start.recorded_minor or "X.Y")
                    + " or rebuild it.",
                    "B7",
                    _fix("repair", env.path, start.recorded_minor),
                )
            )
    return parents, verdicts


def _shebang_of(path: str) -> str | None:
    """The interpreter a console script runs: `#!<path>`, or pip's `/bin/sh` trampoline for
    long paths (`'''exec' "<path>" "$0" "$@"`)."""
    try:
        head = read_head(path, 1024)  # never opens a FIFO standing in for a script
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
    bindir = join_name(env.path, "bin")
    missing: list[tuple[str, str]] = []
    outside: list[tuple[str, str]] = []
    try:
        with os.scandir(bindir) as it:
            entries = list(it)
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
        if not os.path.isabs(interp) or inside(interp, env.path):
            continue
        if not os.path.lexists(interp) or not os.path.exists(interp):
            missing.append((entry.name, interp))
        else:
            outside.append((entry.name, interp))
    out: list[Verdict] = []

    def listing(items: list[tuple[str, str]]) -> str:
        items.sort()  # by script name, whatever order the directory listed them in
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
                action=_fix("rebuild", env.path),
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


# Central envs whose tool names them after the project but records no path: poetry
# (`<name>-<sha256(project dir)[:8] b64>-pyX.Y`, EnvManager.generate_env_name), pdm
# (`<name>-<hash of the root>-<python>`), hatch (`<name>/<hash of the root>/<env>`). The hash
# cannot be turned back into the path.
_HASHED_PROJECT = {"poetry", "pdm", "hatch"}


def project_verdicts(env: Environment) -> list[Verdict]:
    """`orphan` when the project an env records (`.project`: virtualenvwrapper's
    setvirtualenvproject, pipenv's do_create_virtualenv) no longer exists; for the tools that
    record none, say that it cannot be told."""
    if env.project and env.owner not in ("project", "tox", "nox"):
        project = os.path.expanduser(env.project)
        if os.path.isabs(project) and not os.path.lexists(project):
            return [
                Verdict(
                    "orphan",
                    "warning",
                    f"its project is gone: {env.project}",
                    f"{env.owner or 'Its tool'} recorded the project directory in .project; "
                    "that directory no longer exists, so this environment is probably left "
                    "over from a deleted or moved project.",
                    f"If nothing uses it: `venvtui delete {env.path} --yes`; if the project "
                    f"moved, write its new path into {os.path.join(env.path, '.project')}.",
                    action=_fix("delete", env.path),
                )
            ]
        return []
    if env.owner in _HASHED_PROJECT:
        return [
            Verdict(
                "project-unknown",
                "info",
                f"{env.owner} does not record which project directory this environment serves",
                f"{env.owner} names its environments after the project name and a hash of the "
                "project's path, which cannot be turned back into the path: whether the "
                "project still exists cannot be told from the environment.",
                f"In the project, `{_ENV_INFO[env.owner]}` names its environment.",
            )
        ]
    return []


_ENV_INFO = {"poetry": "poetry env info -p", "pdm": "pdm venv list", "hatch": "hatch env find"}


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

    python = env.python
    if python is None or not os.path.exists(python):
        return None
    if not is_regular_file(python):  # a FIFO or device standing in for bin/python
        kind = kind_of(os.stat(python).st_mode)
        return Observed("broken", None, error=f"{python} is {kind}", reasons=("not a program",))
    from venvtui.core.base import proc  # start-up: only when an env is run

    try:
        cp = proc.run(
            [python, "-E", "-s", "-c", _OBSERVE], timeout=timeout, max_output=proc.ANSWER_MAX
        )
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
                parsed = loads_json(line)
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
    abi = (static.running_minor or "") + ("t" if static.free_threaded else "")
    if expected is not None and not same_install(REAL, base_prefix, expected, abi or None):
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


# --- diagnosis --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Examined:
    """Everything `diagnose` finds without running the env: the static prediction and
    verdicts, the forecast, the stability of its paths."""

    env: Environment
    static: Start
    verdicts: tuple[Verdict, ...] = ()
    forecast: tuple[Forecast, ...] = ()
    survives: tuple[Survival, ...] = ()
    paths: tuple[Stability, ...] = ()

    @property
    def runnable(self) -> bool:
        """Whether confirming runs the env's python (a venv; a conda env is taken as is)."""
        return self.env.kind == "venv"


def examine(
    env: Environment, *, spawn: bool, forecast: bool = True, options: Options = DEFAULT_OPTIONS
) -> Examined:
    """The static part of `diagnose` (one pass over the env's chain: the prediction's chain
    feeds the verdicts, the forecast and the path stabilities); `spawn`: the base may be
    probed when the probe cache does not know it (`options`); `forecast=False`: what the
    status needs alone (a listing): no forecast, no path stabilities, no note of the parent
    envs it runs through (an info verdict, which never changes a status)."""
    if env.kind != "venv":
        # conda envs carry their own interpreter: nothing points outside them
        return Examined(env, predict(REAL, env.path, env.python, (), Runtime()))
    verdicts: list[Verdict] = []
    verdicts.extend(_cfg_verdicts(env))
    base = base_facts(env.python, spawn=spawn, options=options)
    static = predict(REAL, env.path, env.python, env.cfg, base)
    verdicts.extend(_start_verdicts(env, static))
    parents, nest = _nesting(env, static, parents_too=forecast)
    verdicts.extend(nest)
    verdicts.extend(shebang_verdicts(env))
    verdicts.extend(project_verdicts(env))
    if not forecast:
        return Examined(env, static, tuple(verdicts))
    from venvtui.core.base.stability import classify_path  # start-up: a listing needs none
    from venvtui.core.breaks.forecast import run_forecast

    forecasts, survives = run_forecast(env, static, base, parents, spawn=spawn, options=options)
    paths: list[Stability] = []
    if static.chain is not None:
        paths.extend(
            classify_path(h.path) for h in static.chain.hops if not inside(h.path, env.path)
        )
    home = env_home(env)
    if home:
        paths.append(classify_path(home))
    return Examined(env, static, tuple(verdicts), tuple(forecasts), tuple(survives), tuple(paths))


def conclude(ex: Examined, observed: Observed | None) -> Diagnosis:
    """The diagnosis from the static findings and, when the env was run, what running it
    showed (which then decides the start-up status)."""
    env, static = ex.env, ex.static
    verdicts = list(ex.verdicts)
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
                    f"Run {_cmd(env.python or 'python', '-c', 'import sys; print(sys.base_prefix)')}"
                    " to see it.",
                )
            )
    return Diagnosis(
        env.path,
        health_status(status, verdicts),
        tuple(verdicts),
        ex.forecast,
        static,
        observed,
        ex.survives,
        ex.paths,
        env.creator,
        status,
    )


def diagnose(
    env: Environment,
    *,
    confirm: bool = True,
    options: Options = DEFAULT_OPTIONS,
    forecast: bool = True,
) -> Diagnosis:
    """Verdicts for `env` now, and the forecast of which event breaks it (see module doc).
    `forecast=False` gives what the status needs alone (`examine`); `confirm` runs the env's
    python and may probe its base (`options`). Many envs: `core.breaks.batch` (one reading of
    the disk, the runs in parallel)."""
    ex = examine(env, spawn=confirm, forecast=forecast, options=options)
    run = confirm and ex.runnable
    observed = observe(env, ex.static, timeout=options.probe_timeout) if run else None
    return conclude(ex, observed)
