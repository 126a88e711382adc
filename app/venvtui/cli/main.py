"""`venvtui` entry point: argparse dispatcher.

Each command module in COMMAND_MODULES exposes `register(subparsers)`, which adds its
sub-commands and sets `func=<handler(args) -> int>` on them. Command modules import the core
lazily inside handlers, and never import textual: only the no-argument TUI path does.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from venvtui import __version__
from venvtui.core.errors import VenvtuiError

COMMAND_MODULES = {
    "venvtui.cli.inventory": ("interpreters", "envs", "show"),
    "venvtui.cli.resolve": ("resolve",),
    "venvtui.cli.doctor": ("doctor", "whatif"),
    "venvtui.cli.write": ("create", "repair", "rebuild", "delete"),
    "venvtui.cli.config": ("config",),
}


def _modules_for(argv: Sequence[str]) -> tuple[str, ...]:
    """The command modules to register: only the one owning the command when argv names one
    (start-up cost: each module's sub-parsers take milliseconds to build), else all (help)."""
    command = next((a for a in argv if not a.startswith("-")), None)
    for module, commands in COMMAND_MODULES.items():
        if command in commands:
            return (module,)
    return tuple(COMMAND_MODULES)


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="venvtui",
        description=(
            "Every Python interpreter and virtual environment on this machine: which base each "
            "venv is tied to, which are broken, and which will break at the next upgrade. "
            "With no command, opens the TUI."
        ),
    )
    parser.add_argument("--version", action="version", version=f"venvtui {__version__}")
    parser.add_argument(
        "--no-cache", action="store_true", help="do not read or write the interpreter probe cache"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _modules_for(argv) if argv is not None else COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def _error(message: str, hint: str = "") -> None:
    print(f"venvtui: error: {message}", file=sys.stderr)
    if hint:
        print(f"  hint: {hint}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(args_list)
    args = parser.parse_args(args_list)
    if args.no_cache:
        from venvtui.core import settings

        settings.USE_CACHE = False
    try:
        if args.command is None:
            if not (sys.stdin.isatty() and sys.stdout.isatty()):
                _error("venvtui needs a terminal; try `venvtui envs` or `venvtui doctor`")
                return 2
            from venvtui.tui.app import run_tui

            return run_tui()
        code: int = args.func(args)
        return code
    except VenvtuiError as exc:
        _error(str(exc), exc.hint)
        return 2
    except KeyboardInterrupt:
        print("venvtui: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except OSError as exc:
        _error(
            f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": "),
            "check the path and its permissions",
        )
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
