"""`venvtui interpreters`, `venvtui envs` and `venvtui show`: what is on this machine.

Handlers import the core lazily so `venvtui --help` and the `--json` paths stay lean.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import sys
from typing import TYPE_CHECKING, Any

from venvtui.cli.args import options_from, timeout_arg

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from venvtui.core.base.errors import VenvtuiError
    from venvtui.core.base.models import Chain, Environment, Interpreter, ProbeResult
    from venvtui.core.base.options import Options
    from venvtui.core.installed.envs import WalkLimit
    from venvtui.core.layout.view import Snapshot


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "interpreters",
        help="list every Python interpreter on this machine",
        description="Every interpreter (one per real executable file) with its aliases and "
        "the sources that found it: PATH, pyenv, uv, mise, asdf, Homebrew, conda, system.",
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument(
        "--no-probe",
        action="store_true",
        help="do not run the interpreters (no versions; stat/readlink only)",
    )
    timeout_arg(p, "each interpreter gets to answer the probe")
    p.set_defaults(func=cmd_interpreters)

    p = sub.add_parser(
        "envs",
        help="list virtual environments (static: runs no interpreter)",
        description="Environments under ROOTs, or by default: .venv/venv in the current "
        "directory and its parents, the central locations of virtualenvwrapper, pipenv, "
        "poetry, pdm, hatch, pipx, uv tools, pyenv-virtualenv and conda, and a bounded walk of "
        "the home directory.",
    )
    p.add_argument("roots", nargs="*", metavar="ROOT", help="directories to scan")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument(
        "--depth",
        type=_depth,
        default=None,
        metavar="N",
        help="how many directory levels below each root to search (default 6, or scan.depth "
        "in the config file)",
    )
    p.set_defaults(func=cmd_envs)

    p = sub.add_parser(
        "show",
        help="one interpreter (a file) or environment (a directory) in full",
        description="The full symlink chain hop by hop, the probe, and for an environment its "
        "pyvenv.cfg.",
    )
    p.add_argument("path", metavar="PATH", help="an interpreter file or an environment dir")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    timeout_arg(p, "each interpreter gets to answer the probe")
    p.set_defaults(func=cmd_show)


def _depth(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def _warn(message: str) -> None:
    print(f"venvtui: warning: {message}", file=sys.stderr)


def _emit_list(payload: dict[str, Any]) -> None:
    from venvtui.cli.output import emit_json, list_indent

    emit_json(payload, indent=list_indent())


def _error_entry(path: str | None, err: VenvtuiError | str) -> dict[str, Any]:
    if isinstance(err, str):
        return {"path": path, "error": err, "hint": ""}
    return {"path": path, "error": str(err), "hint": err.hint}


# --- interpreters ----------------------------------------------------------------------------


def version_label(interp: Interpreter) -> str:
    pr = interp.probe
    if pr is None:
        return "error" if interp.error else "?"
    label = pr.version_full + ("t" if pr.free_threaded else "")
    return label if pr.implementation == "cpython" else f"{pr.implementation} {label}"


def cmd_interpreters(args: argparse.Namespace) -> int:
    from venvtui.core.installed import interpreters, snapshot

    # Probed: through the snapshot, which `venvtui.cli.entry` answers from when it is valid.
    options = options_from(args)
    found = (
        interpreters.find_interpreters(probe=False, options=options)
        if args.no_probe
        else snapshot.find_interpreters(options=options)
    )
    errors = [_error_entry(i.path, i.error) for i in found if i.error]
    if args.json:
        _emit_list({"interpreters": [i.to_json() for i in found], "errors": errors})
        return 0
    from venvtui.cli.output import home_short, table

    rows = [
        (
            version_label(i),
            ",".join(s.value for s in i.sources),
            str(len(i.aliases) + len(i.shims)),
            home_short(i.path),
        )
        for i in found
    ]
    if rows:
        print(table(("VERSION", "SOURCES", "ALIASES", "PATH"), rows))
    else:
        print("no interpreters found")
    for e in errors:
        _warn(f"{e['path']}: {e['error']}")
    return 0


# --- envs ------------------------------------------------------------------------------------


def link_state(chain: Chain | None) -> str:
    if chain is None:
        return "none"
    if chain.ok:
        return "ok"
    hop = chain.broken_hop
    return "loop" if hop is not None and hop.kind == "loop" else "broken"


def note_limits(limits: Sequence[WalkLimit]) -> None:
    """Say where a walk was cut short (stderr: stdout stays the listing)."""
    from venvtui.cli.output import home_short

    for lim in limits:
        msg = lim.message().replace(lim.root, home_short(lim.root), 1)
        print(f"venvtui: note: {msg}", file=sys.stderr)


@contextlib.contextmanager
def no_cycle_collection() -> Iterator[None]:
    """The cyclic garbage collector paused for the duration. A listing builds a large heap that
    lives until the command ends and leaves almost no cycles (353 unreachable objects over
    2,000 envs), while each collection walks the whole heap: 0.3 s of 2 s CPU at 2,000 envs.
    Reference counting still frees everything else at once."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            # What the command built stays out of later collections (reference counting or the
            # exit frees it): re-enabled as it is, the next collection would walk it all once.
            gc.freeze()
            gc.enable()


def cmd_envs(args: argparse.Namespace) -> int:
    from venvtui.core.layout.view import Snapshot, snapshot

    # one reading of the disk for the scan and the statuses: the scan adds what it read to
    # the snapshot's answers
    memo = Snapshot()
    with no_cycle_collection(), snapshot(memo):
        return _envs(args, memo)


def _envs(args: argparse.Namespace, memo: Snapshot) -> int:
    from venvtui.core.base.config import load_config
    from venvtui.core.breaks.batch import diagnose_many
    from venvtui.core.installed.envs import iter_environments

    config = load_config()  # a bad config file is a one-line error, before any scan
    problems: list[VenvtuiError] = []
    limits: list[WalkLimit] = []
    envs = sorted(
        iter_environments(
            args.roots or None,
            max_depth=args.depth,
            on_error=problems.append,
            on_limit=limits.append,
            config=config,
            nodes=memo.nodes,
        ),
        key=lambda e: e.path,
    )
    # The health status (static: no interpreter is run), the same one doctor shows, from
    # one reading of the disk (envs share their bases' directories).
    statuses = [
        d.status
        for d in diagnose_many(envs, confirm=False, forecast=False, options=options_from(args))
    ]
    errors = [_error_entry(None, p) for p in problems]
    if args.json:
        rows = [e.to_json() for e in envs]
        for row, st in zip(rows, statuses, strict=True):
            row["status"] = st  # last, as in every row
        _emit_list(
            {
                "environments": rows,
                "errors": errors,
                "limits": [lim.to_json() for lim in limits],
            }
        )
    else:
        from venvtui.cli.output import home_short, short_version, table

        rows_t = [
            (
                short_version(e.cfg_version or "-"),
                e.creator,
                e.owner or "-",
                st,
                home_short(e.path),
            )
            for e, st in zip(envs, statuses, strict=True)
        ]
        if rows_t:
            print(table(("VERSION", "CREATOR", "OWNER", "STATUS", "PATH"), rows_t))
        else:
            print("no environments found")
        for p in problems:
            _warn(f"{p}" + (f" ({p.hint})" if p.hint else ""))
        note_limits(limits)
    return 2 if problems else 0


# --- show ------------------------------------------------------------------------------------


def chain_lines(chain: Chain) -> list[str]:
    """The chain hop by hop: `path -> next` per link, then where it ends."""
    lines = []
    for hop in chain.hops:
        via = "".join(f"  (dir {d} -> {t})" for d, t in hop.dir_links)
        if hop.kind == "link":
            lines.append(f"{hop.path} -> {hop.target}{via}")
        elif hop.kind in ("file", "dir"):
            lines.append(f"{hop.path}  [{hop.kind}]{via}")
        else:
            lines.append(f"{hop.path}  [{hop.kind.upper()}: {hop.error or ''}]{via}")
    if chain.ok and chain.realpath != chain.final:
        lines.append(f"realpath: {chain.realpath}")
    return lines


def _probe_lines(pr: ProbeResult) -> list[str]:
    rows = [
        (
            "version",
            f"{pr.version_full} ({pr.implementation}{', free-threaded' if pr.free_threaded else ''})",
        ),
        ("sys.executable", pr.sys_executable),
        ("_base_executable", pr.base_executable or "-"),
        ("prefix", pr.prefix),
        ("base_prefix", pr.base_prefix),
        ("platform", f"{pr.platform} {pr.machine}"),
        ("in venv", "yes" if pr.in_venv else "no"),
    ]
    if pr.config_prefix:
        rows.append(("compiled prefix", pr.config_prefix))
    if pr.stdlib:
        rows.append(("stdlib", pr.stdlib))
    return [f"  {k + ':':<18}{v}" for k, v in rows]


def cmd_show(args: argparse.Namespace) -> int:
    from venvtui.core.base.errors import NotAnInterpreterError, NotFoundError, missing_hint

    path = os.path.abspath(os.path.expanduser(args.path))
    if not os.path.lexists(path):
        raise NotFoundError(f"{path} does not exist", missing_hint(path))
    if os.path.isdir(path) or (os.path.basename(path) == ".venv" and os.path.isfile(path)):
        return _show_env(path, args.json, options_from(args))
    if os.path.isfile(path) and not os.access(path, os.X_OK):
        raise NotAnInterpreterError(
            f"{path} is a file, neither an environment directory nor an interpreter",
            "pass an environment's directory or a Python executable",
        )
    return _show_interpreter(path, args.json, options_from(args))


def _show_interpreter(path: str, as_json: bool, options: Options) -> int:
    from venvtui.core.installed.interpreters import interpreter_for

    interp = interpreter_for(path, options=options)
    inside = _enclosing_env(path)
    if as_json:
        from venvtui.cli.output import emit_json

        emit_json(
            {
                "kind": "interpreter",
                "interpreter": interp.to_json(),
                "environment": inside,
                "errors": [],
            }
        )
        return 0
    print(f"interpreter {interp.path}")
    if inside:
        print(f"  inside environment {inside}")
    print(f"  real file:        {interp.real_path}")
    print(f"  install dir:      {interp.install_dir}")
    print("chain:")
    for line in chain_lines(interp.aliases[0].chain):
        print(f"  {line}")
    if interp.probe is not None:
        print("probe:")
        for line in _probe_lines(interp.probe):
            print(line)
    return 0


def _enclosing_env(path: str) -> str | None:
    """The env dir an interpreter path sits in (pyvenv.cfg beside it or one level up)."""
    d = os.path.dirname(os.path.abspath(path))
    for cand in (d, os.path.dirname(d)):
        if os.path.isfile(os.path.join(cand, "pyvenv.cfg")):
            return cand
    return None


def _show_env(path: str, as_json: bool, options: Options) -> int:
    from venvtui.core.base.errors import VenvtuiError
    from venvtui.core.installed.envs import load_environment

    env = load_environment(path)
    probe: ProbeResult | None = None
    problem: VenvtuiError | None = None
    if env.python and env.chain is not None and env.chain.ok:
        from venvtui.core.installed.probe import probe_through_cache

        try:
            probe = probe_through_cache(env.python, options)
        except VenvtuiError as exc:
            problem = exc
    errors = [_error_entry(env.python, problem)] if problem else []
    if as_json:
        from venvtui.cli.output import emit_json

        emit_json(
            {
                "kind": "environment",
                "environment": env.to_json(),
                "probe": probe.to_json() if probe else None,
                "errors": errors,
            }
        )
    else:
        _print_env(env, probe)
        if problem is not None:
            _warn(f"{env.python}: {problem}" + (f" ({problem.hint})" if problem.hint else ""))
    return 1 if problem else 0


def _print_env(env: Environment, probe: ProbeResult | None) -> None:
    print(f"environment {env.path}")
    print(f"  kind:             {env.kind}")
    print(f"  creator:          {env.creator}")
    print(f"  owner:            {env.owner or '-'}")
    if env.project:
        print(f"  project:          {env.project}")
    print(f"  python:           {env.python or '- (no bin/python)'}")
    if env.chain is not None:
        print(f"chain ({link_state(env.chain)}):")
        for line in chain_lines(env.chain):
            print(f"  {line}")
    if env.kind == "venv":
        print("pyvenv.cfg:")
        for k, v in env.cfg:
            print(f"  {k} = {v}")
        for problem in env.cfg_problems:
            print(f"  ! {problem}")
    if probe is not None:
        print("probe:")
        for line in _probe_lines(probe):
            print(line)
