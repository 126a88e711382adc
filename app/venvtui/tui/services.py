"""The data source behind the TUI: the `Service` protocol the screens call, implemented by
`CoreService` (`core_service.py`, the real core) and by the test suite's fakes.

Every method is synchronous and may block (probes, disk walks); the TUI calls them from thread
workers only. Failures are raised as `VenvtuiError` and shown as notifications.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Protocol

from venvtui.core.base.options import DEFAULT_OPTIONS, Options

if TYPE_CHECKING:
    from venvtui.core.base.config import RootAdded
    from venvtui.core.breaks.whatif import Question
    from venvtui.tui.rows import EnvRow, InterpreterRow
    from venvtui.tui.views import (
        ApplyOutcome,
        CreateOptions,
        CreatePreview,
        Detail,
        ImpactView,
        PackageHit,
        PackageView,
        PlanView,
        ScanReach,
        WriteEvent,
    )

Cancelled = Callable[[], bool]
Progress = Callable[["WriteEvent"], None]  # a write reached a step, or an installer printed


class Service(Protocol):
    """What the TUI needs from the core."""

    def now(self) -> float:
        """The current time (injected so relative ages are deterministic in tests)."""
        ...

    def home_dir(self) -> str:
        """The user's home directory, shown as ~ in paths."""
        ...

    def scan_roots(self) -> tuple[str, ...]:
        """Where environments are looked for (said when none is found)."""
        ...

    def default_destination(self) -> str:
        """Where the creation wizard proposes a new environment."""
        ...

    def iter_interpreters(self, cancelled: Cancelled) -> Iterator[InterpreterRow]: ...

    def iter_environments(self, cancelled: Cancelled) -> Iterator[EnvRow]: ...

    def scan_reach(self) -> ScanReach:
        """Where the last environment scan looked and what its bounds cut off."""
        ...

    def add_scan_root(self, folder: str) -> RootAdded:
        """Keep `folder` as a scan root in the config file (raises VenvtuiError when it is
        not a directory or the file cannot be edited)."""
        ...

    def find_package(
        self, name: str, envs: Sequence[EnvRow], cancelled: Cancelled
    ) -> Iterator[PackageHit]:
        """The environments of `envs` that have distribution `name` installed."""
        ...

    def confirm(self, row: EnvRow) -> EnvRow:
        """`row` with its health observed by running the env's python."""
        ...

    def dependents(
        self, interpreters: Sequence[InterpreterRow], envs: Sequence[EnvRow]
    ) -> dict[str, tuple[str, ...]]:
        """Interpreter key -> the environment paths that depend on it."""
        ...

    def env_size(self, row: EnvRow) -> int | None: ...

    def packages(self, row: EnvRow) -> tuple[PackageView, ...]: ...

    def interpreter_detail(self, row: InterpreterRow, envs: Sequence[EnvRow]) -> Detail: ...

    def whatif_questions(
        self, row: InterpreterRow, envs: Sequence[EnvRow]
    ) -> tuple[Question, ...]: ...

    def ask(self, question: Question, envs: Sequence[EnvRow]) -> ImpactView: ...

    def env_detail(self, row: EnvRow, interpreters: Sequence[InterpreterRow] = ()) -> Detail:
        """The env's detail; its fixes name one of `interpreters` where the core leaves the
        interpreter to the user."""
        ...

    def load_env(self, path: str) -> EnvRow: ...

    def preview_create(self, options: CreateOptions) -> CreatePreview: ...

    def plan_repair(self, row: EnvRow, python: str | None = None) -> PlanView: ...

    def plan_rebuild(self, row: EnvRow, python: str) -> PlanView: ...

    def plan_fix(self, row: EnvRow, interpreters: Sequence[InterpreterRow]) -> PlanView:
        """The plan of the fix the detail names (what `f` performs)."""
        ...

    def plan_delete(self, row: EnvRow) -> PlanView: ...

    def apply(self, plan: PlanView, progress: Progress | None = None) -> ApplyOutcome: ...


def default_service(options: Options = DEFAULT_OPTIONS) -> Service:
    from venvtui.tui.core_service import CoreService

    return CoreService(core_options=options)
