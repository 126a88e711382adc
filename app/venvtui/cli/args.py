"""Argument helpers shared by the command modules."""

from __future__ import annotations

import argparse


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError("must be greater than 0")
    return value


def timeout_arg(p: argparse.ArgumentParser, who: str) -> None:
    """`--timeout SECONDS`: how long `who` gets to answer (default: core.settings)."""
    p.add_argument(
        "--timeout",
        type=positive_float,
        default=None,
        metavar="SECONDS",
        help=f"how long {who} (default 5)",
    )
