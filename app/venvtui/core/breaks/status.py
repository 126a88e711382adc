"""The one status shown for an environment, and its order: a light module (no start-up model
behind it), so a table can sort and filter rows by status before the engines are loaded."""

from __future__ import annotations

from typing import Literal

# The one status shown for an environment (list badge, doctor line, JSON "status", counts, exit
# code): the start-up status when it is not ok, raised to "error" / "warning" by the worst
# verdict, so an env with an error verdict is never "ok".
Health = Literal["ok", "warning", "uncertain", "drift", "misbound", "error", "broken"]
# Worst last. "broken": does not start; "error": starts, but an error verdict holds (console
# scripts run a missing python, a parent env is gone, ...).
HEALTH_RANK: dict[str, int] = {
    "ok": 0,
    "warning": 1,
    "uncertain": 2,
    "drift": 3,
    "misbound": 4,
    "error": 5,
    "broken": 6,
}
# Worst first: the order lists and counts show statuses in.
HEALTH_ORDER: tuple[str, ...] = tuple(
    sorted(HEALTH_RANK, key=HEALTH_RANK.__getitem__, reverse=True)
)
BADGE: dict[str, str] = {
    "ok": "OK",
    "warning": "WARNING",
    "uncertain": "UNCERTAIN",
    "drift": "DRIFT",
    "misbound": "MISBOUND",
    "error": "ERROR",
    "broken": "BROKEN",
}


def is_problem(status: str) -> bool:
    """Whether a status counts as a problem (problems filter, doctor's exit status 1)."""
    return status != "ok"
