"""`venvtui` entry point: argparse dispatcher.

Each command module in COMMAND_MODULES exposes `register(subparsers)`, which adds its
sub-commands and sets `func=<handler(args) -> int>` on them. Command modules import the core
lazily inside handlers, and never import textual: only the no-argument TUI path does.

Conventions every command shares, kept here once:
* a usage mistake is one line and a hint, exit 2 (no argparse usage block);
* with `--json`, an error is a JSON object (`error`, `hint`) on stdout, with the same exit;
* text output goes through `output.SafeStream`: control characters and undecodable bytes from
  files and paths are escaped, and a closed pipe (`venvtui doctor | head`) ends the output,
  not the command, so the exit status is the command's own.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import re
import sys
from collections.abc import Sequence
from typing import NoReturn

from venvtui import __version__
from venvtui.cli.args import options_from
from venvtui.core.base.errors import VenvtuiError
from venvtui.core.base.options import DEFAULT_OPTIONS, Options

COMMAND_MODULES = {
    "venvtui.cli.inventory": ("interpreters", "envs", "show"),
    "venvtui.cli.resolve": ("resolve",),
    "venvtui.cli.doctor": ("doctor", "whatif"),
    "venvtui.cli.write": ("create", "repair", "rebuild", "delete"),
    "venvtui.cli.config": ("config",),
    "venvtui.cli.completion": ("completion",),
}
USAGE_EXIT = 2


class UsageError(VenvtuiError):
    """A mistake in the command line (raised instead of argparse's usage block and exit);
    `choices` lists what could have been typed ({name: one-line help})."""

    def __init__(self, message: str, hint: str = "", choices: dict[str, str] | None = None):
        super().__init__(message, hint)
        self.choices = choices or {}


class Parser(argparse.ArgumentParser):
    """argparse, with errors raised as one-line UsageErrors carrying a specific hint."""

    def error(self, message: str) -> NoReturn:
        command = self.prog.partition(" ")[2]
        help_cmd = f"venvtui help {command}".rstrip()
        subs = _subcommands(self)
        if subs and "required" in message:
            # A command group called without its sub-command: list them.
            raise UsageError(f"`{self.prog}` needs one of:", f"see `{help_cmd}`", subs)
        bad = re.match(r"argument \S+: invalid choice: '?([^' ]*)'?", message)
        if subs and bad:
            import difflib

            word = bad.group(1)
            near = difflib.get_close_matches(word, list(subs), n=1)
            raise UsageError(
                f"unknown command {word!r}" + (f"; did you mean `{near[0]}`?" if near else ""),
                f"commands: {', '.join(subs)}; see `{help_cmd}`",
            )
        raise UsageError(message, f"see `{help_cmd}`")


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, str]:
    """{name: one-line help} of a parser's sub-commands ({} when it has none)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return {a.dest: a.help or "" for a in action._choices_actions}
    return {}


def _modules_for(argv: Sequence[str]) -> tuple[str, ...]:
    """The command modules to register: only the one owning the command when argv names one
    (start-up cost: each module's sub-parsers take milliseconds to build), else all (help)."""
    command = next((a for a in argv if not a.startswith("-")), None)
    for module, commands in COMMAND_MODULES.items():
        if command in commands:
            return (module,)
    return tuple(COMMAND_MODULES)


def build_parser(argv: Sequence[str] | None = None) -> Parser:
    parser = Parser(
        prog="venvtui",
        description=(
            "Every Python interpreter and virtual environment on this machine: which base each "
            "venv is tied to, which are broken, and which will break at the next upgrade. "
            "With no command, opens the TUI."
        ),
    )
    parser.add_argument("--version", action="version", version=f"venvtui {__version__}")
    _no_cache(parser, default=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for name in _modules_for(argv) if argv is not None else COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    for command in _every_subparser(parser):
        # after the command too (`venvtui envs --no-cache`); SUPPRESS: a command that is not
        # given it keeps what was given before it
        _no_cache(command, default=argparse.SUPPRESS)
    h = sub.add_parser(
        "help",
        help="show help for venvtui or one command",
        description="Show help for venvtui, or for COMMAND (the same as COMMAND --help).",
    )
    h.add_argument("topic", nargs="*", metavar="COMMAND")
    h.set_defaults(func=lambda args: _help(args.topic))
    return parser


def _no_cache(parser: argparse.ArgumentParser, default: object) -> None:
    parser.add_argument(
        "--no-cache",
        action="store_true",
        default=default,
        help="do not read or write venvtui's caches (interpreter probes, kept answers)",
    )


def _every_subparser(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    """Every command's parser below `parser`, sub-commands' included."""
    found: list[argparse.ArgumentParser] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in dict.fromkeys(action.choices.values()):
                found += [child, *_every_subparser(child)]
    return found


def _help(topic: Sequence[str]) -> int:
    parser: argparse.ArgumentParser = build_parser()
    for word in topic:
        subs = next((a for a in parser._actions if isinstance(a, argparse._SubParsersAction)), None)
        if subs is None or word not in subs.choices:
            known = ", ".join(subs.choices) if subs is not None else ""
            raise UsageError(
                f"no such command: {' '.join(topic)}",
                f"commands: {known}" if known else "see `venvtui help`",
            )
        parser = subs.choices[word]
    parser.print_help()
    return 0


def _error(
    message: str, hint: str, code: int, as_json: bool, choices: dict[str, str] | None = None
) -> int:
    if as_json:
        from venvtui.cli.output import emit_json

        extra = {"choices": choices} if choices else {}
        if choices:
            message = f"{message.rstrip(':')}: {', '.join(choices)}"
        emit_json({"error": message, "hint": hint or None, **extra})
    else:
        print(f"venvtui: error: {message}", file=sys.stderr)
        width = max((len(name) for name in choices or {}), default=0)
        for name, text in (choices or {}).items():
            print(f"  {name.ljust(width)}  {text}", file=sys.stderr)
        if hint:
            print(f"  hint: {hint}", file=sys.stderr)
    return code


class _Terminated(BaseException):
    """SIGTERM or SIGHUP: unwinds like KeyboardInterrupt so every `finally` runs."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _raise_terminated(signum: int, _frame: object) -> None:
    raise _Terminated(signum)


def _stop_runs() -> None:
    """Kill what running commands started (probes in worker threads included)."""
    proc = sys.modules.get("venvtui.core.base.proc")
    if proc is not None:
        proc.stop_all()


def _tui(options: Options = DEFAULT_OPTIONS) -> int:
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        return _error(
            "venvtui needs a terminal; try `venvtui envs` or `venvtui doctor`",
            "",
            USAGE_EXIT,
            False,
        )
    from venvtui.tui.app import run_tui

    return run_tui(options)


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    as_json = "--json" in args_list
    if not args_list:
        return _tui()
    from venvtui.cli.output import safe_streams

    with safe_streams():
        try:
            args = build_parser(args_list).parse_args(args_list)
        except UsageError as exc:
            return _error(str(exc), exc.hint, USAGE_EXIT, as_json, exc.choices)
        except VenvtuiError as exc:
            return _error(str(exc), exc.hint, USAGE_EXIT, as_json)
    if args.command is None:
        return _tui(options_from(args))
    as_json = bool(getattr(args, "json", False))
    import signal

    # SIGTERM/SIGHUP unwind like Ctrl-C (a write in progress installs its own handlers).
    saved = {}
    with contextlib.suppress(ValueError):  # only the main thread may set handlers
        for sig in (signal.SIGTERM, signal.SIGHUP):
            saved[sig] = signal.signal(sig, _raise_terminated)
    with safe_streams():
        try:
            code: int = _answer(args, args_list)
            return code
        except _Terminated as exc:
            _stop_runs()
            name = signal.Signals(exc.signum).name
            return _error(f"stopped by {name}", "", 128 + exc.signum, as_json)
        except VenvtuiError as exc:
            return _error(str(exc), exc.hint, USAGE_EXIT, as_json)
        except KeyboardInterrupt:
            _stop_runs()
            return _error("interrupted", "", 130, as_json)
        except RecursionError:  # a last resort: paths are followed without recursion per level
            _stop_runs()
            return _error(
                "a path nests too deeply to follow",
                "look for a pyvenv.cfg `home` or a link naming thousands of directories",
                USAGE_EXIT,
                as_json,
            )
        except OSError as exc:
            where = exc.filename if exc.filename is not None else ""
            return _error(
                f"{where}: {exc.strerror or exc}" if where else str(exc.strerror or exc),
                getattr(exc, "hint", "") or "check the path and its permissions",
                USAGE_EXIT,
                as_json,
            )
        finally:
            for sig, old in saved.items():
                signal.signal(sig, old)


def _answer(args: argparse.Namespace, argv: list[str]) -> int:
    """The command's exit status; `envs` and `doctor` print their kept answer when nothing they
    read has changed (see `cli.kept`)."""
    if args.command in ("envs", "doctor") and not args.no_cache:
        from venvtui.cli import kept

        return kept.answer(argv, lambda: int(args.func(args)))
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
