"""`venvtui doctor` (is each env healthy, and which event breaks it) and `venvtui whatif`
(what removing or upgrading one install would do to every env, without touching the disk).

Handlers import the core lazily so `venvtui --help` stays lean.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from venvtui.cli.args import options_from, timeout_arg

if TYPE_CHECKING:
    from venvtui.core.base.errors import VenvtuiError
    from venvtui.core.base.models import Environment
    from venvtui.core.breaks.health import Diagnosis
    from venvtui.core.breaks.whatif import QuestionKind
    from venvtui.core.installed.envs import WalkLimit
    from venvtui.core.layout.view import Node

# Badges of the start-up statuses (whatif); doctor uses the core's `health.BADGE`.
BADGE = {
    "ok": "OK",
    "broken": "BROKEN",
    "misbound": "MISBOUND",
    "drift": "DRIFT",
    "uncertain": "UNCERTAIN",
}


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "doctor",
        help="diagnose environments and forecast which upgrade breaks them",
        description="For each environment: is it broken (does not start), in error (starts, "
        "but e.g. its console scripts run a missing python), misbound (starts on another "
        "install's stdlib), drifting (runs another minor version), warned about or ok; why; how to "
        "fix it; and which installer event (brew upgrade + cleanup, pyenv/uv uninstall, a "
        "re-pointed python3) would break it. Static checks first; then each env's python is "
        "run (with a timeout) to confirm. Exit status: 0 all ok, 1 something is not ok.",
    )
    p.add_argument(
        "targets",
        nargs="*",
        metavar="ENV-or-ROOT",
        help="environment directories, or directories to scan (default: the usual places)",
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument(
        "--no-confirm",
        action="store_true",
        help="static checks only: run no interpreter",
    )
    p.add_argument(
        "-v", "--verbose", action="store_true", help="also print explanations and hop stability"
    )
    p.add_argument(
        "--recover",
        action="store_true",
        help="finish or roll back interrupted writes (create, repair, rebuild, delete) found "
        "beside the environments, and remove their half-built leftovers",
    )
    timeout_arg(p, "each env's python gets to start")
    p.set_defaults(func=cmd_doctor)

    w = sub.add_parser(
        "whatif",
        help="which environments break if an install is removed or upgraded, or a link re-pointed",
        description="Simulate an installer's removal or patch upgrade of one install (Homebrew "
        "keg, pyenv version, uv or mise install, or any directory), or your re-point of a link, "
        "and show what happens to every environment that depends on it. Nothing on disk is "
        "changed. Exit status: 0 nothing gets worse, 1 some environment would get worse.",
    )
    wsub = w.add_subparsers(dest="whatif_command", metavar="EVENT", required=True)
    r = wsub.add_parser(
        "remove",
        help="the install at PATH is removed (uninstall, cleanup)",
        description="PATH: an install dir (…/Cellar/python@3.12/3.12.1, …/versions/3.12.1, "
        "…/cpython-3.12.1-linux-x86_64-gnu, …/installs/python/3.12.1) or its executable.",
    )
    r.add_argument("path", metavar="PATH", help="an install dir or its executable")
    _whatif_common(r)
    r.set_defaults(func=cmd_whatif_remove)
    u = wsub.add_parser(
        "upgrade",
        help="the install at PATH gets a patch upgrade, as its installer does it",
        description="Homebrew: new keg, opt/ and bin/ links re-pointed, `brew cleanup` removes "
        "the old keg. pyenv: the new version installed and the old one uninstalled. uv: new "
        "patch install, minor link re-pointed, old one kept (use --remove-old for a later "
        "`uv python uninstall`). mise: new install, minor link re-pointed, old one removed.",
    )
    u.add_argument("path", metavar="PATH", help="an install dir or its executable")
    u.add_argument(
        "--to",
        required=True,
        metavar="X.Y.Z",
        help="the new patch version (a conda prefix: the next minor, X.Y)",
    )
    old = u.add_mutually_exclusive_group()
    old.add_argument(
        "--remove-old",
        dest="remove_old",
        action="store_const",
        const=True,
        default=None,
        help="the old install is removed afterwards (default for Homebrew, pyenv, mise)",
    )
    old.add_argument(
        "--keep-old",
        dest="remove_old",
        action="store_const",
        const=False,
        help="the old install stays (default for uv; HOMEBREW_NO_INSTALL_CLEANUP)",
    )
    _whatif_common(u)
    u.set_defaults(func=cmd_whatif_upgrade)
    rp = wsub.add_parser(
        "repoint",
        help="the link LINK is re-pointed at TARGET (optionally removing the old install)",
        description="A link you own (a `versions/3.12 -> 3.12.1` link, ~/.local/bin/python3.11, "
        "/usr/local/bin/python3, a tool-cache or /project link) re-pointed at another install, "
        "or a minor re-point such as `/usr/bin/python3 --to python3.12`. TARGET is taken as "
        "`ln -s` takes it: relative to LINK's directory unless absolute.",
    )
    rp.add_argument("path", metavar="LINK", help="the symbolic link to re-point")
    rp.add_argument("--to", required=True, metavar="TARGET", help="the new link target")
    rp.add_argument(
        "--remove-old",
        action="store_true",
        help="the install LINK leads to now is removed afterwards",
    )
    _whatif_common(rp)
    rp.set_defaults(func=cmd_whatif_repoint)


def _whatif_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument(
        "--env-root",
        action="append",
        default=[],
        metavar="DIR",
        help="scan DIR for environments (repeatable; default: the usual places)",
    )


def _warn(message: str) -> None:
    print(f"venvtui: warning: {message}", file=sys.stderr)


# --- collecting environments ---------------------------------------------------------------


def _problems_json(problems: Sequence[VenvtuiError], limits: Sequence[WalkLimit]) -> dict[str, Any]:
    """The scan's errors and the walk limits it reached (envs beyond them are not counted)."""
    return {
        "errors": [{"error": str(p), "hint": p.hint} for p in problems],
        "limits": [lim.to_json() for lim in limits],
    }


def _print_problems(problems: Sequence[VenvtuiError], limits: Sequence[WalkLimit]) -> None:
    for p in problems:
        _warn(f"{p}" + (f" ({p.hint})" if p.hint else ""))
    from venvtui.cli.inventory import note_limits

    note_limits(limits)


def collect(
    targets: Sequence[str],
    problems: list[VenvtuiError],
    limits: list[WalkLimit] | None = None,
    nodes: dict[str, Node] | None = None,
) -> list[tuple[str, Environment]]:
    """(path as given or found, env) for each target: an env dir, or a root to scan. Where a
    walk was cut short is appended to `limits`; what a scan read is added to `nodes` (a
    snapshot's lstat answers)."""
    from venvtui.core.base.errors import NotAnEnvironmentError
    from venvtui.core.installed.envs import iter_environments, load_environment
    from venvtui.core.layout.view import REAL

    found: list[tuple[str, Environment]] = []
    seen: set[str] = set()
    on_limit = limits.append if limits is not None else None

    def add(shown: str, env: Environment) -> None:
        key = REAL.realpath(env.path)  # os.path.realpath's answer, shared with the diagnoses
        if key not in seen:
            seen.add(key)
            found.append((shown, env))

    if not targets:
        for env in iter_environments(
            None, on_error=problems.append, on_limit=on_limit, nodes=nodes
        ):
            add(env.path, env)
        return found
    for target in targets:
        try:
            add(target, load_environment(target))
            continue
        except NotAnEnvironmentError as exc:
            if not os.path.isdir(target):
                raise
            why = exc
        before = len(found)
        for env in iter_environments(
            [target], on_error=problems.append, on_limit=on_limit, nodes=nodes
        ):
            add(env.path, env)
        if len(found) == before and os.path.lexists(os.path.join(target, "pyvenv.cfg")):
            problems.append(why)  # a stray pyvenv.cfg and nothing below: say why it is not one
    return found


# --- doctor -------------------------------------------------------------------------------


def cmd_doctor(args: argparse.Namespace) -> int:
    from venvtui.cli.inventory import no_cycle_collection

    with no_cycle_collection():
        return _doctor(args)


def _doctor(args: argparse.Namespace) -> int:
    from venvtui.core.breaks.batch import diagnose_many
    from venvtui.core.breaks.health import HEALTH_ORDER, is_problem
    from venvtui.core.layout.view import Snapshot, snapshot

    options = options_from(args)
    from venvtui.core.base.config import load_config

    load_config()  # a bad config file is a one-line error, before any scan
    problems: list[VenvtuiError] = []
    limits: list[WalkLimit] = []
    interrupted = _interrupted_writes(args.targets, recover=args.recover)
    gone = {row["env"] for row in interrupted if not os.path.lexists(row["env"])}
    # one reading of the disk for the scan and the diagnoses (not across a recovery's writes)
    memo = Snapshot()
    with snapshot(memo):
        envs = collect(
            [t for t in args.targets if os.path.abspath(t) not in gone],
            problems,
            limits,
            memo.nodes,
        )
    if not args.targets:  # journals sit beside environments: look beside the ones found
        interrupted += _interrupted_writes(
            sorted({os.path.dirname(env.path) for _shown, env in envs}),
            recover=args.recover,
            envs=[env.path for _shown, env in envs],
        )
    with snapshot(None if args.recover else memo):
        diags = diagnose_many(
            [env for _shown, env in envs], confirm=not args.no_confirm, options=options
        )
    unhealthy = any(is_problem(d.status) for d in diags)
    if args.json:
        from venvtui.cli.output import emit_json, list_indent

        rows: list[dict[str, Any]] = []
        for (shown, _env), d in zip(envs, diags, strict=True):
            data = d.to_json()
            data["path"] = shown
            rows.append(data)
        emit_json(
            {
                "environments": rows,
                **_problems_json(problems, limits),
                "interrupted_writes": interrupted,
            },
            indent=list_indent(),
        )
    else:
        _print_interrupted(interrupted, recover=args.recover)
        if not diags:
            print("no environments found")
        for (shown, _env), d in zip(envs, diags, strict=True):
            print_diagnosis(shown, d, verbose=args.verbose)
        _print_problems(problems, limits)
        if diags:
            counts: dict[str, int] = {}
            for d in diags:
                counts[d.status] = counts.get(d.status, 0) + 1
            print(
                f"{len(diags)} environment(s): "
                + ", ".join(f"{counts[s]} {s}" for s in HEALTH_ORDER if s in counts)
            )
    if unhealthy or any(row["state"] != "settled" for row in interrupted):
        return 1
    return 2 if problems and not diags else 0


def _interrupted_writes(
    paths: Sequence[str], *, recover: bool, envs: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """Writes interrupted by a signal, a crash or power loss (their journals and leftover
    siblings; for `envs`, journals kept inside), recovered when asked: one row each."""
    from venvtui.core.write import journal

    found = {p.path: p for p in (*journal.pending(paths), *journal.pending_inside(envs))}
    rows: list[dict[str, Any]] = []
    for p in found.values():
        row: dict[str, Any] = {"env": p.env, "path": p.path, "what": p.describe()}
        row["state"] = "pending"
        if recover:
            out = journal.recover(p)
            row["state"] = "settled" if out.result in ("restored", "finished") else out.result
            row["result"] = out.result
            row["detail"] = out.detail
            row["leftovers"] = list(out.leftovers)
        rows.append(row)
    return rows


def _print_interrupted(rows: list[dict[str, Any]], *, recover: bool) -> None:
    for row in rows:
        print(f"{'INTERRUPTED':<9} {row['what']}")
        if recover:
            print(f"  {row['result']}: {row['detail']}")
            for left in row["leftovers"]:
                print(f"  left behind: {left}")
    if rows and not recover:
        print(
            "  run `venvtui doctor --recover` to finish or roll back (the old or the new "
            "complete environment is kept, never a half-made one)"
        )


def print_diagnosis(shown: str, d: Diagnosis, *, verbose: bool = False) -> None:
    from venvtui.cli.output import home_short
    from venvtui.core.breaks.health import BADGE as HEALTH_BADGE

    running = d.observed.version if d.observed and d.observed.version else d.static.running_minor
    made = d.static.recorded_minor
    ver = running or "?"
    if made and running and not running.startswith(made):
        ver = f"{running}, made for {made}"
    print(f"{HEALTH_BADGE[d.status]:<9} {home_short(shown)}  ({d.creator or '?'}, {ver})")
    for v in d.verdicts:
        print(f"  {v.severity:<7} {v.summary}")
        if verbose:
            print(f"          why: {v.explanation}")
        if v.severity != "info" or verbose:
            print(f"          fix: {v.fix}")
    if d.observed is not None:
        ran = d.observed.status + (f" ({d.observed.error})" if d.observed.error else "")
        if verbose and d.observed.base_prefix:
            ran += f", sys.base_prefix={d.observed.base_prefix}"
        print(f"  checked: static model {d.static.status}; ran it: {ran}")
    elif verbose:
        print(f"  checked: static model {d.static.status} (not run)")
    for f in d.forecast:
        print(f"  forecast: {f.event} -> {f.result}")
        if verbose:
            print(f"          why: {f.why}")
            if f.fix:
                print(f"          fix: {f.fix}")
    if d.survives:
        print("  survives: " + "; ".join(sv.event for sv in d.survives))
    if verbose:
        for s in d.paths:
            print(f"  {s.kind:<10} {home_short(s.path)}: {s.reason}")


# --- whatif -------------------------------------------------------------------------------


def _envs_for_whatif(
    args: argparse.Namespace, problems: list[VenvtuiError], limits: list[WalkLimit]
) -> list[Environment]:
    from venvtui.core.installed.envs import iter_environments

    return list(
        iter_environments(args.env_root or None, on_error=problems.append, on_limit=limits.append)
    )


def _emit_whatif(
    args: argparse.Namespace,
    result: Any,
    problems: list[VenvtuiError],
    limits: Sequence[WalkLimit] = (),
) -> int:
    from venvtui.core.startup.model import RANK

    worse = any(RANK[r.status_after] > RANK[r.status_before] for r in result.environments)
    if args.json:
        from venvtui.cli.output import emit_json, list_indent

        data = result.to_json()
        data.update(_problems_json(problems, limits))
        emit_json(data, indent=list_indent())
    else:
        from venvtui.cli.output import home_short

        print(f"event: {result.event.text}")
        for ch in result.event.changes:
            print(f"  {ch.describe()}")
        n = len(result.environments)
        if not n:
            print("no environment depends on it: safe")
        else:
            print(f"{n} environment(s) depend on it:")
        for r in result.environments:
            was = "" if r.status_after == r.status_before else f" (now {r.status_before})"
            print(f"  {BADGE[r.status_after]:<9} {home_short(r.path)}{was}")
            if r.status_after != "ok":
                print(f"            {r.why}")
        _print_problems(problems, limits)
    return 1 if worse else 0


def _ask(args: argparse.Namespace, kind: QuestionKind) -> int:
    from venvtui.core.breaks.whatif import Question, ask

    problems: list[VenvtuiError] = []
    limits: list[WalkLimit] = []
    envs = _envs_for_whatif(args, problems, limits)
    question = Question(
        kind, args.path, getattr(args, "to", None), getattr(args, "remove_old", None)
    )
    return _emit_whatif(args, ask(question, envs, options=options_from(args)), problems, limits)


def cmd_whatif_remove(args: argparse.Namespace) -> int:
    return _ask(args, "remove")


def cmd_whatif_upgrade(args: argparse.Namespace) -> int:
    return _ask(args, "upgrade")


def cmd_whatif_repoint(args: argparse.Namespace) -> int:
    return _ask(args, "repoint")
