"""`StubService`: a service with no machine behind it, for tests of the app's own behaviour
(cancelled scans, failing calls, quitting while a call blocks) and for the benchmark.

It answers every call with the least the screens accept; tests override the one call they
are about. Nothing here stands in for the core's answers: those are tested on the real core.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from venvtui.core.base.config import RootAdded
from venvtui.core.base.errors import WriteRefused
from venvtui.core.breaks.whatif import Question
from venvtui.tui.services import Cancelled, Progress
from venvtui.tui.views import (
    ApplyOutcome,
    CreateOptions,
    CreatePreview,
    Detail,
    EnvRow,
    ImpactView,
    InterpreterRow,
    PackageHit,
    PackageView,
    PlanView,
    ScanReach,
)

NOW = 1_767_225_600.0


def env_row(path: str, *, health: str = "ok") -> EnvRow:
    return EnvRow(
        key=path,
        path=path,
        creator="venv",
        owner="",
        version="3.12.1",
        home="/usr/bin",
        health=health,  # type: ignore[arg-type]
        next_break=None,
        mtime=NOW,
    )


class StubService:
    def now(self) -> float:
        return NOW

    def home_dir(self) -> str:
        return "/home/dev"

    def scan_roots(self) -> tuple[str, ...]:
        return ("/home/dev",)

    def default_destination(self) -> str:
        return "/home/dev/.venv"

    def iter_interpreters(self, cancelled: Cancelled) -> Iterator[InterpreterRow]:
        yield from ()

    def iter_environments(self, cancelled: Cancelled) -> Iterator[EnvRow]:
        yield from ()

    def scan_reach(self) -> ScanReach:
        return ScanReach(walked=("/home/dev",), depth=6, places=())

    def add_scan_root(self, folder: str) -> RootAdded:
        raise WriteRefused("the stub writes nothing")

    def find_package(
        self, name: str, envs: Sequence[EnvRow], cancelled: Cancelled
    ) -> Iterator[PackageHit]:
        yield from ()

    def confirm(self, row: EnvRow) -> EnvRow:
        return row

    def dependents(
        self, interpreters: Sequence[InterpreterRow], envs: Sequence[EnvRow]
    ) -> dict[str, tuple[str, ...]]:
        return {}

    def env_size(self, row: EnvRow) -> int | None:
        return 0

    def packages(self, row: EnvRow) -> tuple[PackageView, ...]:
        return ()

    def interpreter_detail(self, row: InterpreterRow, envs: Sequence[EnvRow]) -> Detail:
        return Detail(kind="interpreter", key=row.key, title=row.path, status=row.stability)

    def whatif_questions(self, row: InterpreterRow, envs: Sequence[EnvRow]) -> tuple[Question, ...]:
        return ()

    def ask(self, question: Question, envs: Sequence[EnvRow]) -> ImpactView:
        return ImpactView(question.kind, ())

    def env_detail(self, row: EnvRow, interpreters: Sequence[InterpreterRow] = ()) -> Detail:
        return Detail(kind="environment", key=row.key, title=row.path, status=row.health)

    def load_env(self, path: str) -> EnvRow:
        return env_row(path)

    def preview_create(self, options: CreateOptions) -> CreatePreview:
        return CreatePreview(error="the stub creates nothing")

    def plan_repair(self, row: EnvRow, python: str | None = None) -> PlanView:
        raise WriteRefused("the stub plans nothing")

    def plan_rebuild(self, row: EnvRow, python: str) -> PlanView:
        raise WriteRefused("the stub plans nothing")

    def plan_fix(self, row: EnvRow, interpreters: Sequence[InterpreterRow]) -> PlanView:
        return self.plan_repair(row, None)

    def plan_delete(self, row: EnvRow) -> PlanView:
        raise WriteRefused("the stub plans nothing")

    def apply(self, plan: PlanView, progress: Progress | None = None) -> ApplyOutcome:
        raise WriteRefused("the stub writes nothing")
