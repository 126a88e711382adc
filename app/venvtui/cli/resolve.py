"""`venvtui resolve PYTHON`: which base and `home` venv, virtualenv and uv record for it, why,
and whether the env would start.

The core is imported inside the handler so `venvtui --help` stays lean; nothing here imports
textual or rich.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from venvtui.cli.args import options_from, timeout_arg

if TYPE_CHECKING:
    from venvtui.core.base.models import Chain
    from venvtui.core.startup.resolver import Reason, Resolution, Start


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "resolve",
        help="the home and base executable each creator records for an interpreter",
        description="For PYTHON exactly as given (a symlink is not the same choice as its "
        "target): its symlink chain, sys._base_executable, the pyvenv.cfg home and bin/python "
        "link that `python -m venv`, virtualenv and `uv venv` write, whether the env would "
        "start, and the most upgrade-stable base to use instead.",
    )
    p.add_argument(
        "python",
        metavar="PYTHON",
        help="an interpreter path, a name on PATH, or a version (3.12, cpython@3.12)",
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument(
        "--patch-requested",
        action="store_true",
        help="model `uv venv -p X.Y.Z` (a patch version pinned: no uv minor-version link)",
    )
    timeout_arg(p, "the interpreter gets to answer the probe")
    p.set_defaults(func=cmd_resolve)


def cmd_resolve(args: argparse.Namespace) -> int:
    from venvtui.core.base.errors import UnsupportedPythonError
    from venvtui.core.installed.pyrequest import find_python
    from venvtui.core.startup.resolver import resolve

    # A shim is replaced by what it runs, a version request by the matching interpreter.
    options = options_from(args)
    choice = find_python(args.python, options=options)
    res = resolve(choice.path, patch_requested=args.patch_requested, options=options)
    if args.json:
        from venvtui.cli.output import emit_json

        emit_json({**res.to_json(), "requested": choice.to_json()})
    else:
        note = choice.note()
        if note:
            print(f"note: {note}\n")
        print(render(res))
    if res.unsupported:
        err = UnsupportedPythonError(res.unsupported)
        print(f"venvtui: error: {err}", file=sys.stderr)
        print(f"  hint: {err.hint}", file=sys.stderr)
        return 2
    return 0


def _chain_lines(chain: Chain) -> list[str]:
    from venvtui.cli.output import home_short

    lines = []
    for i, hop in enumerate(chain.hops):
        arrow = "   " if i == 0 else "-> "
        text = f"  {arrow}{home_short(hop.path)}"
        if hop.kind == "link" and hop.target is not None:
            text += f"   (link: {hop.target})"
        elif hop.kind in ("missing", "loop", "error"):
            text += f"   [{hop.kind}]"
        lines.append(text)
        for d, target in hop.dir_links:
            lines.append(f"       dir {home_short(d)} is a symlink -> {target}")
    return lines


def _starts(startup: Start) -> str:
    """The `starts` cell: the status, marked when it holds only through the PREFIX fallback."""
    if startup.via_prefix_fallback:
        return f"{startup.status} (via compiled PREFIX fallback)"
    return startup.status


def _reasons(why: tuple[Reason, ...], indent: str = "  ") -> list[str]:
    return [f"{indent}- [{r.rule}] {r.text}" for r in why]


def render(res: Resolution) -> str:
    """Human-readable report: chain as arrows, base executable, creators table, recommendation."""
    from venvtui.cli.output import home_short, table

    out = [f"{res.python}  (Python {res.version}, {res.probe.implementation})", ""]
    out.append("chain:")
    out.extend(_chain_lines(res.chain))
    out.append(f"realpath:          {home_short(res.realpath)}")
    out.append(f"sys.executable:    {home_short(res.probe.sys_executable)}")
    out.append(f"_base_executable:  {home_short(res.base_executable)}")
    if res.probe.in_venv:
        out.append("(this interpreter is itself inside a virtual environment)")
    out.append("")
    if res.unsupported:
        out.append(res.unsupported)
        return "\n".join(out)
    rows = [
        [
            name,
            _starts(plan.startup),
            "yes" if plan.version_stamped else "no",
            home_short(plan.home),
        ]
        for name, plan in res.creators.items()
    ]
    out.append(table(["creator", "starts", "version-stamped", "home"], rows))
    for name, plan in res.creators.items():
        out.append(f"  {name:<10}  bin/{plan.bin_name} -> {home_short(plan.executable)}")
    out.append("")
    rec = res.recommended
    out.append(f"recommended base:  {home_short(rec.executable)}")
    out.append(f"          home  =  {home_short(rec.home)}")
    out.extend(_reasons(rec.why))
    out.append("")
    out.append("why:")
    for name, plan in res.creators.items():
        out.append(f" {name}:")
        out.extend(_reasons(plan.why))
        if plan.starts != "ok" or plan.startup.via_prefix_fallback:
            out.append(f"   start-up: {_starts(plan.startup)}")
            out.extend(_reasons(plan.startup.why, "   "))
    for note in res.notes:
        out.append(f"note: [{note.rule}] {note.text}")
    return "\n".join(out)
