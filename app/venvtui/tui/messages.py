"""Messages posted from scan and detail workers to the main screen (thread-safe via post_message)."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from venvtui.tui.rows import EnvRow, InterpreterRow
    from venvtui.tui.views import ApplyOutcome, Detail, ScanReach


class InterpretersFound(Message):
    """A batch of interpreter rows from the scan."""

    def __init__(self, scan: int, rows: list[InterpreterRow]) -> None:
        super().__init__()
        self.scan = scan
        self.rows = rows
        self.shown = threading.Event()  # set once the rows are on screen (back-pressure)


class EnvironmentsFound(Message):
    """A batch of environment rows from the scan."""

    def __init__(self, scan: int, rows: list[EnvRow]) -> None:
        super().__init__()
        self.scan = scan
        self.rows = rows
        self.shown = threading.Event()  # set once the rows are on screen (back-pressure)


class ScanPartDone(Message):
    """One half of the scan ("interpreters" or "environments") finished."""

    def __init__(
        self, scan: int, part: str, count: int, seconds: float, reach: ScanReach | None = None
    ) -> None:
        super().__init__()
        self.scan = scan
        self.part = part
        self.count = count
        self.seconds = seconds
        self.reach = reach  # environments: where the scan looked


class DependentsReady(Message):
    def __init__(self, scan: int, dependents: dict[str, tuple[str, ...]]) -> None:
        super().__init__()
        self.scan = scan
        self.dependents = dependents


class SizesFound(Message):
    def __init__(self, sizes: dict[str, int | None]) -> None:
        super().__init__()
        self.sizes = sizes
        self.shown = threading.Event()


class EnvsConfirmed(Message):
    """A batch of environment rows whose health was observed by running them."""

    def __init__(self, scan: int, rows: list[EnvRow]) -> None:
        super().__init__()
        self.scan = scan
        self.rows = rows
        self.shown = threading.Event()


class DetailReady(Message):
    def __init__(self, detail: Detail) -> None:
        super().__init__()
        self.detail = detail


class EnvUpdated(Message):
    """An environment was created, repaired or deleted: update or remove its row."""

    def __init__(self, outcome: ApplyOutcome, row: EnvRow | None, *, quiet: bool = False) -> None:
        super().__init__()
        self.outcome = outcome
        self.row = row
        self.quiet = quiet  # the progress screen already said it
