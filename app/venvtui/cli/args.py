"""Argument helpers shared by the command modules."""

from __future__ import annotations

import argparse
import math

from venvtui.core.base.options import DEFAULT_OPTIONS, Options

MAX_TIMEOUT = 24 * 3600.0  # seconds; more is a typo, not a wish


def positive_float(text: str) -> float:
    """A finite number of seconds in (0, MAX_TIMEOUT] (`inf`, `nan`, 0 and negatives refused)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a finite number of seconds, not {text!r}")
    if not 0 < value <= MAX_TIMEOUT:
        raise argparse.ArgumentTypeError(
            f"must be more than 0 and at most {MAX_TIMEOUT:g} seconds, not {text}"
        )
    return value


def timeout_arg(p: argparse.ArgumentParser, who: str) -> None:
    """`--timeout SECONDS`: how long `who` gets to answer (default: `Options.probe_timeout`)."""
    p.add_argument(
        "--timeout",
        type=positive_float,
        default=None,
        metavar="SECONDS",
        help=f"how long {who} (default {DEFAULT_OPTIONS.probe_timeout:g})",
    )


def options_from(args: argparse.Namespace) -> Options:
    """The core's options for this command: `--timeout` (where it has one) and `--no-cache`."""
    timeout = getattr(args, "timeout", None)
    return Options(
        probe_timeout=DEFAULT_OPTIONS.probe_timeout if timeout is None else timeout,
        use_cache=not getattr(args, "no_cache", False),
    )
