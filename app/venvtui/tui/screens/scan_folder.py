""" "Scan a folder": add a directory to the config file's scan roots, then the main screen
rescans. The dialog says where the scan looks now and where the root is kept; a folder that
is missing or not a directory is one line of error, and nothing is written."""

from __future__ import annotations

import asyncio
import os
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Button, Input, Static
from textual.worker import Worker, WorkerState

from venvtui.tui.format import short_path
from venvtui.tui.reach import reach_account
from venvtui.tui.screens.main import error_text
from venvtui.tui.services import Service
from venvtui.tui.views import ScanReach

if TYPE_CHECKING:
    from venvtui.core.base.config import RootAdded


def _complete(value: str) -> str | None:
    """`value` completed to the first subdirectory its last part begins (hidden ones only
    when that part starts with a dot), with a trailing slash."""
    head, part = os.path.split(value)
    try:
        names = sorted(os.listdir(os.path.expanduser(head or ".")))
    except OSError:
        return None
    for name in names:
        if not name.startswith(part) or name == part:
            continue
        if name.startswith(".") and not part.startswith("."):
            continue
        if os.path.isdir(os.path.join(os.path.expanduser(head or "."), name)):
            return value + name[len(part) :] + os.sep
    return None


class FolderSuggester(Suggester):
    """Completes directory names as they are typed (→ or end accepts)."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        return await asyncio.to_thread(_complete, value) if value else None


class ScanFolder(ModalScreen["RootAdded | None"]):
    """Ask for a folder; dismissed with what was added (None: cancelled)."""

    BINDINGS: ClassVar[list[Any]] = [Binding("escape", "cancel", "Cancel", id="scan.cancel")]

    def __init__(self, service: Service, reach: ScanReach | None, *, home: str) -> None:
        super().__init__()
        self.service = service
        self.reach = reach
        self.home = home

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="scan-folder"):
            yield Static(Text("Scan a folder for environments", style="bold"), id="dialog-title")
            with Horizontal(classes="form-row"):
                yield Static("Folder ", classes="field")
                field = Input(placeholder="~/projects", id="folder", suggester=FolderSuggester())
                field.cursor_blink = bool(getattr(self.app, "cursor_blink_enabled", True))
                yield field
            error = Static("", id="folder-error")
            error.display = False
            yield error
            yield Static(self._about(), id="folder-about")
            with Horizontal(id="dialog-buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Add and scan", id="add", variant="primary")

    def _about(self) -> Text:
        reach = self.reach
        text = Text()
        if reach is None:
            return text
        where = short_path(reach.config_path, self.home) if reach.config_path else "config file"
        text.append(
            f"The folder is added to the scan roots in {where} and walked {reach.depth} "
            f"level{'' if reach.depth == 1 else 's'} deep, now and at every start.\n\n",
        )
        text.append("Scanned now:\n", style="bold")
        text.append_text(reach_account(reach, self.home))
        return text

    def on_mount(self) -> None:
        self.query_one("#folder", Input).focus()

    @on(Input.Submitted, "#folder")
    @on(Button.Pressed, "#add")
    def _submit(self) -> None:
        self.query_one("#folder-error", Static).display = False
        self._add(self.query_one("#folder", Input).value)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

    @work(thread=True, exclusive=True, group="scan-folder", exit_on_error=False, name="add-root")
    def _add(self, folder: str) -> RootAdded:
        return self.service.add_scan_root(folder)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.name != "add-root":
            return
        if event.state == WorkerState.SUCCESS:
            self.dismiss(event.worker.result)
        elif event.state == WorkerState.ERROR:
            first, *rest = error_text(event.worker.error).splitlines() or [""]
            text = Text(f"✗ {first}", style="red")
            for line in rest:
                text.append(f"\n  {line}", style="dim")
            error = self.query_one("#folder-error", Static)
            error.update(text)
            error.display = True
