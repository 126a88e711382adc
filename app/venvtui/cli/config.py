"""`venvtui config path` and `venvtui config show`: where the config file is, and what it sets.

The file itself is described in `venvtui.core.base.config`.
"""

from __future__ import annotations

import argparse
import os
from typing import Any


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "config",
        help="where the config file is, and what it sets",
        description="The config file (TOML, in the platform's config dir; VENVTUI_CONFIG names "
        "another) sets extra scan roots and excluded paths ([scan] roots, exclude, depth) and "
        "the default home policy ([create] home-policy).",
    )
    csub = p.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    path = csub.add_parser("path", help="print the config file's path (it may not exist)")
    path.set_defaults(func=cmd_config_path)
    show = csub.add_parser("show", help="check the config file and print the settings in force")
    show.add_argument("--json", action="store_true", help="machine-readable output")
    show.set_defaults(func=cmd_config_show)


def cmd_config_path(args: argparse.Namespace) -> int:
    from venvtui.core.base.config import config_path

    print(config_path())
    return 0


def cmd_config_show(args: argparse.Namespace) -> int:
    from venvtui.core.base.config import load_config

    cfg = load_config()
    data: dict[str, Any] = {
        "path": cfg.path,
        "exists": os.path.isfile(cfg.path),
        "scan": {
            "roots": list(cfg.scan_roots),
            "exclude": list(cfg.exclude),
            "depth": cfg.scan_depth,
        },
        "create": {"home-policy": cfg.home_policy},
    }
    if args.json:
        from venvtui.cli.output import emit_json

        emit_json(data)
        return 0
    print(f"config file: {cfg.path}" + ("" if data["exists"] else "  (not present: defaults)"))
    print(f"scan.roots:         {', '.join(cfg.scan_roots) or '-'}")
    print(f"scan.exclude:       {', '.join(cfg.exclude) or '-'}")
    from venvtui.core.installed.envs import DEFAULT_DEPTH

    depth = cfg.scan_depth if cfg.scan_depth is not None else f"- ({DEFAULT_DEPTH})"
    print(f"scan.depth:         {depth}")
    print(f"create.home-policy: {cfg.home_policy}")
    return 0
