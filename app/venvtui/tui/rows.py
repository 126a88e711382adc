"""The table rows (`InterpreterRow`, `EnvRow`): the view models the first frame's tables are
typed with. The detail, plan and preview models are in `views.py`, imported once one is shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # types only: the first frame does not import the core's engines
    from venvtui.core.base.models import Environment, Interpreter
    from venvtui.core.breaks.health import Health
    from venvtui.core.breaks.status import Forecast

StabilityKind = str  # `core.stability.Stability.kind`: "fragile", "stable", "drift-risk", "neutral"


@dataclass(frozen=True, slots=True)
class InterpreterRow:
    """One interpreter as a table row (`key` is its preferred path)."""

    key: str
    version: str
    implementation: str
    path: str
    sources: tuple[str, ...]
    stability: StabilityKind  # "" when the interpreter could not be classified
    install_dir: str
    error: str | None = None
    dependents: int | None = None  # filled in once environments are known
    interpreter: Interpreter | None = field(default=None, compare=False, repr=False)

    @property
    def problem(self) -> bool:
        return self.error is not None


@dataclass(frozen=True, slots=True)
class EnvRow:
    """One environment as a table row (`key` is its directory)."""

    key: str
    path: str
    creator: str
    owner: str
    version: str
    home: str
    health: Health
    next_break: Forecast | None  # the most likely event that makes it worse, None if none
    mtime: float | None = None  # last change: the env dir or bin/ (installs add scripts)
    size: int | None = None  # bytes, filled in lazily
    confirmed: bool = False  # health observed by running the env's python (else predicted)
    environment: Environment | None = field(default=None, compare=False, repr=False)

    @property
    def problem(self) -> bool:
        from venvtui.core.breaks.status import is_problem  # the core's rule (imported after paint)

        return is_problem(self.health)
