"""`venvtui create`, `repair`, `rebuild`, `delete`: planned writes, shown before they happen."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from venvtui.cli.args import options_from

POLICY_HELP = (
    "which base the environment records and links to: 'stable' (default: the alias that "
    "survives patch upgrades), 'venv' (exactly what `python -m venv` would record), or a path "
    "to a base interpreter or its bin directory; the config file's create.home-policy sets the "
    "default"
)

PY_HELP = "an interpreter path, a name on PATH, or a version: 3.12, 3.12.1, cpython@3.12"


def register(sub: Any) -> None:
    p = sub.add_parser(
        "create",
        help="create an environment tied to an upgrade-stable base",
        description="Create a virtual environment with the layout CPython's venv makes, tied "
        "to the base chosen by --home-policy. Shows the plan, then builds it aside and renames "
        "it into place.",
    )
    p.add_argument("dest", metavar="DEST")
    p.add_argument("--python", "-p", required=True, metavar="PY", help=PY_HELP)
    _home_policy_arg(p)
    p.add_argument("--prompt", help="the prompt prefix shown when activated")
    p.add_argument("--system-site-packages", action="store_true")
    p.add_argument("--seed", action="store_true", help="install pip from ensurepip (offline)")
    p.add_argument("--copies", action="store_true", help="copy the interpreter instead of linking")
    p.add_argument("--no-gitignore", action="store_true", help="do not write .gitignore")
    p.add_argument("--no-cachedir-tag", action="store_true", help="do not write CACHEDIR.TAG")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--clear", action="store_true", help="replace an existing environment")
    group.add_argument(
        "--upgrade",
        action="store_true",
        help="re-point an existing environment at PY (same minor), keeping its packages",
    )
    _common(p)
    p.set_defaults(func=cmd_create)

    p = sub.add_parser(
        "repair",
        help="re-point a broken environment at a working base of the same minor",
        description="Repair in place: replace the bin/python* links, rewrite home/version/"
        "executable in pyvenv.cfg (other lines kept), leave site-packages alone, then prove "
        "the environment starts. Everything changed is backed up first.",
    )
    p.add_argument("env", metavar="ENV")
    p.add_argument("--python", "-p", metavar="PY", help=PY_HELP + " (default: found)")
    _home_policy_arg(p)
    _common(p)
    p.set_defaults(func=cmd_repair)

    p = sub.add_parser(
        "rebuild",
        help="recreate an environment on another interpreter, reinstalling its packages",
        description="Rebuild: list the installed distributions, build a new environment from "
        "PY aside, reinstall them (uv when available, else pip), and swap it in once it works; "
        "the old environment is kept aside until then.",
    )
    p.add_argument("env", metavar="ENV")
    p.add_argument("--python", "-p", required=True, metavar="PY", help=PY_HELP)
    _home_policy_arg(p)
    p.add_argument("--find-links", action="append", default=[], metavar="DIR")
    p.add_argument("--no-index", action="store_true", help="install only from --find-links")
    p.add_argument("--installer", choices=("auto", "uv", "pip"), default="auto")
    _common(p)
    p.set_defaults(func=cmd_rebuild)

    p = sub.add_parser(
        "delete",
        help="delete an environment (refuses anything that is not one)",
        description="Delete an environment: a directory holding pyvenv.cfg or conda-meta/ whose "
        "every top-level entry an environment creator wrote. Never /, a system or home "
        "directory, a conda base, a project root or a link. Needs --yes.",
    )
    p.add_argument("env", metavar="ENV")
    p.add_argument("--yes", action="store_true", help="really delete it")
    _common(p)
    p.set_defaults(func=cmd_delete)


def _policy(args: argparse.Namespace) -> str:
    """--home-policy, else the config file's `create.home-policy` (default "stable")."""
    if args.home_policy:
        return str(args.home_policy)
    from venvtui.core.base.config import load_config

    return load_config().home_policy


def _home_policy_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--home-policy", default=None, metavar="stable|venv|PATH", help=POLICY_HELP)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dry-run", "-n", action="store_true", help="show the plan, change nothing")
    p.add_argument("--json", action="store_true", help="print the plan (and result) as JSON")


def _run(args: argparse.Namespace, plan: Any, *, confirm: bool = True) -> int:
    from venvtui.cli.output import emit_json
    from venvtui.core.base.errors import WriteRefused
    from venvtui.core.write.plan import apply

    if not plan.ops and plan.details.get("nothing_to_do"):
        # Nothing differs from what a repair would make: no backup, no write (exit 0).
        if args.json:
            emit_json({"plan": plan.to_json(), "applied": False, "nothing_to_do": True})
        else:
            print(f"{plan.summary}\n  {plan.env}")
        return 0
    if args.dry_run:
        if args.json:
            emit_json({"plan": plan.to_json(), "applied": False})
        else:
            print(plan.render())
            print("(dry run: nothing was changed)")
        return 0
    if not confirm:
        if not args.json:
            print(plan.render())
        raise WriteRefused(f"not deleting {plan.env} without --yes", "pass --yes to delete it")
    if not args.json:
        print(plan.render())
        sys.stdout.flush()
    result = apply(plan)
    if args.json:
        emit_json({"plan": plan.to_json(), "applied": True, "result": result.to_json()})
        return 0
    verb = {"create": "created", "repair": "repaired", "rebuild": "rebuilt", "delete": "deleted"}
    print(f"{verb.get(plan.action, plan.action + 'd')} {result.env}")
    if result.verified:
        v = result.verified
        print(f"  runs Python {v['version']}, sys.base_prefix = {v['base_prefix']}")
    if result.backup and plan.action == "delete":  # what could not be removed (e.g. a mount)
        print(f"  left in {result.backup}:")
        for line in result.log[1:]:
            print(f"    {line}")
    elif result.backup:
        print(f"  backup of the previous files: {result.backup}")
    return 0


def _settle_first(args: argparse.Namespace, path: str) -> None:
    """Before planning a real write: finish or roll back an interrupted write of `path`
    (core.journal), so the plan is made on the old or the new complete environment."""
    if args.dry_run or not path.strip():
        return
    from venvtui.core.write import journal

    for out in journal.recover_for(path):
        if not args.json:
            print(f"an interrupted {out.action} of {out.env} was settled: {out.detail}")


def cmd_create(args: argparse.Namespace) -> int:
    _settle_first(args, args.dest)
    if args.upgrade:
        from venvtui.core.write.repair import plan_repair

        plan = plan_repair(
            args.dest,
            args.python,
            home_policy=_policy(args),
            action="upgrade",
            options=options_from(args),
        )
        return _run(args, plan)
    from venvtui.core.write.create import CreateRequest, plan_create

    req = CreateRequest(
        python=args.python,
        dest=args.dest,
        home_policy=_policy(args),
        prompt=args.prompt,
        system_site_packages=args.system_site_packages,
        seed=args.seed,
        copies=args.copies,
        gitignore=not args.no_gitignore,
        cachedir_tag=not args.no_cachedir_tag,
        clear=args.clear,
    )
    return _run(args, plan_create(req, options_from(args)))


def cmd_repair(args: argparse.Namespace) -> int:
    from venvtui.core.write.repair import plan_repair

    _settle_first(args, args.env)
    return _run(
        args,
        plan_repair(args.env, args.python, home_policy=_policy(args), options=options_from(args)),
    )


def cmd_rebuild(args: argparse.Namespace) -> int:
    from venvtui.core.write.repair import plan_rebuild

    _settle_first(args, args.env)
    plan = plan_rebuild(
        args.env,
        args.python,
        home_policy=_policy(args),
        find_links=args.find_links,
        no_index=args.no_index,
        installer=args.installer,
        options=options_from(args),
    )
    return _run(args, plan)


def cmd_delete(args: argparse.Namespace) -> int:
    from venvtui.core.write.repair import plan_delete

    _settle_first(args, args.env)
    return _run(args, plan_delete(args.env), confirm=args.yes)
