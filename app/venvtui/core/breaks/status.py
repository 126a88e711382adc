"""The one status shown for an environment, its order, and a forecast's record: a light module
(no start-up model behind it), so a table can show, sort and filter rows by status and forecast
before the engines are loaded."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from venvtui.core.breaks.breakage import FixAction
    from venvtui.core.startup.model import Status

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


@dataclass(frozen=True, slots=True)
class Forecast:
    """An installer event that makes an environment worse, and what it leaves
    (`core.breaks.forecast` finds them)."""

    event: str  # human text: "breaks after `brew upgrade python@3.12` and `brew cleanup`"
    kind: str  # patch-upgrade | minor-upgrade | uninstall | env-delete
    result: Status  # broken | misbound | drift
    why: str
    fix: str = ""
    target: str = ""
    # The fix as actions (`core.breaks.breakage`): before the event, and after it (derived
    # like `fix`, so not part of what makes two forecasts the same).
    before: FixAction | None = field(default=None, compare=False)
    after: FixAction | None = field(default=None, compare=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "event": self.event,
            "kind": self.kind,
            "result": self.result,
            "why": self.why,
            "fix": self.fix,
            "target": self.target,
        }
