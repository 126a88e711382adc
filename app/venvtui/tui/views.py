"""Frozen view models the TUI shows: table rows, detail sections, plans and previews.

The service layer (`services.py`) builds these from the core (or from demo data); widgets only
read them. Nothing here imports textual, so services stay testable on their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from venvtui.core.models import Chain, Environment, Interpreter

Health = Literal["ok", "broken", "misbound", "drift", "unknown"]
PROBLEM_HEALTH = frozenset({"broken", "misbound", "drift"})


@dataclass(frozen=True, slots=True)
class InterpreterRow:
    """One interpreter as a table row (`key` is its preferred path)."""

    key: str
    version: str
    implementation: str
    path: str
    sources: tuple[str, ...]
    stability: str  # "stable", "versioned", "drifting", "unknown"
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
    forecast: str  # shortest "breaks on ..." line, "" when nothing foreseen
    mtime: float | None = None
    size: int | None = None  # bytes, filled in lazily
    environment: Environment | None = field(default=None, compare=False, repr=False)

    @property
    def problem(self) -> bool:
        return self.health in PROBLEM_HEALTH


@dataclass(frozen=True, slots=True)
class VerdictView:
    code: str
    severity: str  # "error", "warning", "info"
    summary: str
    explanation: str = ""
    fix: str = ""


@dataclass(frozen=True, slots=True)
class ForecastView:
    event: str
    result: str  # "broken", "misbound", "drift", "ok"
    why: str = ""


@dataclass(frozen=True, slots=True)
class CreatorView:
    """What one creator (venv, virtualenv, uv) would record for an interpreter."""

    name: str
    home: str
    executable: str
    starts: str  # "ok", "misbound", "fails"
    why: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ImpactView:
    """A what-if: the event and each environment that would break, with how."""

    event: str
    environments: tuple[tuple[str, str, str], ...]  # (path, status after, why)

    @property
    def breaking(self) -> int:
        return sum(1 for _, status, _ in self.environments if status != "ok")


DetailKind = Literal["interpreter", "environment"]


@dataclass(frozen=True, slots=True)
class Detail:
    """Everything the detail pane shows for one selection."""

    kind: DetailKind
    key: str
    title: str
    status: str  # interpreter: stability; environment: health
    chain: Chain | None = None
    stamped: frozenset[str] = frozenset()  # chain hop paths that carry a version number
    facts: tuple[tuple[str, str], ...] = ()  # (label, value)
    creators: tuple[CreatorView, ...] = ()
    recommended: str = ""  # the home venvtui recommends
    recommended_why: tuple[str, ...] = ()
    cfg_text: str | None = None
    verdicts: tuple[VerdictView, ...] = ()
    forecast: tuple[ForecastView, ...] = ()
    dependents: tuple[str, ...] = ()
    impacts: tuple[ImpactView, ...] = ()
    notes: tuple[str, ...] = ()  # parts that could not be computed, and why


@dataclass(frozen=True, slots=True)
class PlanView:
    """A planned write, shown as a dry run before it is applied."""

    action: str  # "create", "repair", "rebuild", "delete"
    target: str
    text: str
    warnings: tuple[str, ...] = ()
    handle: object = field(default=None, compare=False, repr=False)  # the core plan


HomePolicy = Literal["stable", "venv", "path"]


@dataclass(frozen=True, slots=True)
class CreateOptions:
    python: str
    dest: str
    prompt: str = ""
    system_site_packages: bool = False
    seed_pip: bool = False
    copies: bool = False
    home_policy: HomePolicy = "stable"
    home_path: str = ""


@dataclass(frozen=True, slots=True)
class CreatePreview:
    """What creating with these options would write (or why it cannot)."""

    home: str = ""
    link_target: str = ""
    cfg_text: str = ""
    warnings: tuple[str, ...] = ()
    plan: PlanView | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class ApplyOutcome:
    """The result of applying a plan: a message and the environment it produced, if any."""

    message: str
    env_path: str | None = None
    removed: str | None = None
