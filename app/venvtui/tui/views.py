"""Frozen view models the TUI shows: detail sections, plans and previews (the table rows are
in `rows.py`, re-exported here).

The facade (`core_service.py`) builds these from the core; widgets only read them. Statuses,
stability kinds and forecasts are the core's own values (`Health`, `StabilityKind`,
`Forecast`); `format.py` holds the one mapping from those words to badges and colours.
Nothing here imports textual, so the facade stays testable on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from venvtui.tui.rows import EnvRow as EnvRow
from venvtui.tui.rows import InterpreterRow as InterpreterRow
from venvtui.tui.rows import StabilityKind as StabilityKind

if TYPE_CHECKING:  # types only: the first frame does not import the core's engines
    from venvtui.core.base.models import Chain
    from venvtui.core.breaks.health import Health
    from venvtui.core.write.plan import Plan

FixVerb = Literal["repair", "rebuild", "delete"]


@dataclass(frozen=True, slots=True)
class FixView:
    """A fix the TUI can perform: the write `key` opens (after its dry run), and the words
    that say so ("press f to repair it in place")."""

    key: str  # "f" (fix) or "d" (delete)
    verb: FixVerb
    python: str | None  # the interpreter (a path or a version like 3.12); None: found by repair
    text: str


@dataclass(frozen=True, slots=True)
class VerdictView:
    code: str
    severity: str  # "error", "warning", "info"
    summary: str
    explanation: str = ""
    fix: str = ""  # what to do, in the TUI's words (keys, not commands)
    action: FixView | None = None


@dataclass(frozen=True, slots=True)
class ForecastView:
    event: str
    result: Health  # "ok" for an event the env survives
    why: str = ""
    fix: str = ""  # what to do before (or after) the event, in the TUI's words
    action: FixView | None = None  # what the fix key does before the event, if anything


@dataclass(frozen=True, slots=True)
class CreatorView:
    """What one creator (venv, virtualenv, uv) would record for an interpreter."""

    name: str
    home: str
    executable: str
    starts: str  # the creator's predicted start-up: "ok", "misbound", "fails"
    why: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ImpactView:
    """A what-if: the event and each environment that would break, with how."""

    event: str
    environments: tuple[tuple[str, Health, str], ...]  # (path, status after, why)

    @property
    def breaking(self) -> int:
        return sum(1 for _, status, _ in self.environments if status != "ok")


@dataclass(frozen=True, slots=True)
class PackageView:
    """One installed distribution; `source` is the editable or local directory/file it came
    from (PEP 610 direct_url.json), "" for an index install."""

    name: str
    version: str
    source: str = ""
    installer: str = ""  # the tool that installed it (INSTALLER), "" when not recorded


@dataclass(frozen=True, slots=True)
class PackageHit:
    """A distribution found in one environment by "find a package" (read from its dist-info)."""

    env: str
    name: str  # as the distribution spells it
    version: str
    installer: str  # the INSTALLER file (pip, uv, conda, ...), "" when not recorded
    source: str = ""  # editable or local directory/file it came from, "" for an index install


@dataclass(frozen=True, slots=True)
class ScanReach:
    """Where the last environment scan looked, and what its bounds cut off."""

    walked: tuple[str, ...]  # roots walked `depth` levels deep (the home, configured roots)
    depth: int
    places: tuple[str, ...]  # the tools' env folders that exist (looked at a level or two deep)
    usual: bool = True  # project envs (.venv here and above) and tool folders looked at too
    configured: tuple[str, ...] = ()  # the roots of the config file
    config_path: str = ""
    cut: tuple[str, ...] = ()  # roots whose walk a bound cut short
    limits: tuple[str, ...] = ()  # for each, what was left out ("1,234 directories deeper ...")
    config_error: str = ""  # the config file could not be used (the defaults were)


DetailKind = Literal["interpreter", "environment"]


@dataclass(frozen=True, slots=True)
class Detail:
    """Everything the detail pane shows for one selection."""

    kind: DetailKind
    key: str
    title: str
    status: str  # interpreter: stability kind; environment: health
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
    packages: tuple[PackageView, ...] | None = None  # None: not read (interpreters)
    notes: tuple[str, ...] = ()  # parts that could not be computed, and why
    fix: FixView | None = None  # what the fix key does for this environment, if anything


@dataclass(frozen=True, slots=True)
class PlanView:
    """A planned write, shown as a dry run before it is applied."""

    action: str  # "create", "repair", "rebuild", "delete"
    target: str
    text: str
    warnings: tuple[str, ...] = ()
    steps: tuple[str, ...] = ()  # the steps applying it reports, in order (`Plan.steps`)
    handle: Plan | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class WriteEvent:
    """Progress of a write: it reached `step`, or (`line`) an installer printed a line."""

    step: str
    line: str | None = None


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
