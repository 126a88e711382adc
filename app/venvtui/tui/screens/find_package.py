""" "Find a package": which environments have a distribution installed, with its version and
the tool that installed it, read from their dist-info (no environment is run). Choosing a
result selects that environment in the main table."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from packaging.utils import canonicalize_name
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Static
from textual.worker import Worker, WorkerState, get_current_worker

from venvtui.tui.format import short_path
from venvtui.tui.screens.main import error_text
from venvtui.tui.services import Service
from venvtui.tui.views import EnvRow, PackageHit


class FindPackage(ModalScreen[str | None]):
    """Ask for a distribution name; dismissed with the chosen environment (None: cancelled)."""

    BINDINGS: ClassVar[list[Any]] = [Binding("escape", "cancel", "Cancel", id="find.cancel")]

    def __init__(self, service: Service, envs: Sequence[EnvRow], *, home: str) -> None:
        super().__init__()
        self.service = service
        self.envs = list(envs)
        self.home = home
        self.hits: tuple[PackageHit, ...] = ()
        self.searched = ""  # the canonical name of the last search

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="find-package"):
            yield Static(
                Text(f"Find a package in all {len(self.envs)} environments", style="bold"),
                id="dialog-title",
            )
            with Horizontal(classes="form-row"):
                yield Static("Package ", classes="field")
                field = Input(placeholder="name, e.g. requests (enter searches)", id="package")
                field.cursor_blink = bool(getattr(self.app, "cursor_blink_enabled", True))
                yield field
            yield Static("", id="find-summary")
            table: DataTable[str] = DataTable(id="find-results", cursor_type="row")
            table.display = False
            yield table

    def on_mount(self) -> None:
        table = self.query_one("#find-results", DataTable)
        table.add_column("Environment", key="env")
        table.add_column("Version", key="version")
        table.add_column("Installer", key="installer")
        table.add_column("From", key="source")
        self.query_one("#package", Input).focus()

    @on(Input.Submitted, "#package")
    def _search(self, event: Input.Submitted) -> None:
        summary = self.query_one("#find-summary", Static)
        name = event.value.strip()
        if not name:
            summary.update(Text("✗ type the name of a package", style="red"))
            return
        self.searched = str(canonicalize_name(name))
        summary.update(Text(f"⟳ looking for {self.searched}…", style="yellow"))
        self._find(self.searched)

    @work(thread=True, exclusive=True, group="find", exit_on_error=False, name="find")
    def _find(self, name: str) -> tuple[str, tuple[PackageHit, ...]]:
        worker = get_current_worker()
        hits = self.service.find_package(name, self.envs, lambda: worker.is_cancelled)
        return name, tuple(sorted(hits, key=lambda h: h.env))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.name != "find":
            return
        summary = self.query_one("#find-summary", Static)
        if event.state == WorkerState.ERROR:
            first, *rest = error_text(event.worker.error).splitlines() or [""]
            text = Text(f"✗ {first}", style="red")
            for line in rest:
                text.append(f"\n  {line}", style="dim")
            summary.update(text)
            self.query_one("#find-results", DataTable).display = False
            return
        if event.state != WorkerState.SUCCESS or event.worker.result is None:
            return
        name, hits = event.worker.result
        if name != self.searched:
            return
        self.hits = hits
        table = self.query_one("#find-results", DataTable)
        table.clear()
        for hit in hits:
            table.add_row(
                short_path(hit.env, self.home),
                hit.version,
                hit.installer or "-",
                short_path(hit.source, self.home) if hit.source else "",
                key=hit.env,
            )
        table.display = bool(hits)
        total = len(self.envs)
        if hits:
            text = Text(f"{name}: in {len(hits)} of {total} environments", style="bold")
            text.append("  (enter selects it; esc closes)", style="dim")
            table.focus()
        else:
            text = Text(f"{name}: in none of the {total} environments", style="yellow")
        summary.update(text)

    @on(DataTable.RowSelected, "#find-results")
    def _chosen(self, event: DataTable.RowSelected) -> None:
        self.dismiss(event.row_key.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
