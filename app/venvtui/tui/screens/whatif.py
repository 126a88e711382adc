"""What if this interpreter is upgraded or removed: every environment that depends on it and
its status afterwards (the same core functions as `venvtui whatif`). `u` upgrades to the version
in the field (the next patch by default), `r` removes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static
from textual.worker import Worker, WorkerState

from venvtui.tui.format import health_badge, short_path
from venvtui.tui.services import Service
from venvtui.tui.views import EnvRow, ImpactView, InterpreterRow


def next_patch(version: str) -> str:
    parts = version.split(".")
    if len(parts) == 3 and parts[2].isdigit():
        return f"{parts[0]}.{parts[1]}.{int(parts[2]) + 1}"
    return version


def render_impact(impact: ImpactView, home: str) -> Table:
    table = Table(box=None, show_header=False, pad_edge=False, padding=(0, 2, 0, 0))
    table.add_column(no_wrap=True)
    table.add_column(overflow="fold")
    for path, status, why in impact.environments:
        body = Text(short_path(path, home))
        if why:
            body.append(f"\n{why}", style="dim")
        table.add_row(Text(*health_badge(status)), body)
    return table


class WhatIfScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[Any]] = [
        Binding("escape", "close", "Close", id="whatif.close"),
        Binding("u", "run('upgrade')", "Upgrade", id="whatif.upgrade"),
        Binding("r", "run('remove')", "Remove", id="whatif.remove"),
    ]

    def __init__(
        self, service: Service, row: InterpreterRow, envs: Sequence[EnvRow], *, home: str
    ) -> None:
        super().__init__()
        self.service = service
        self.row = row
        self.envs = list(envs)
        self.home = home
        self.impact: ImpactView | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(
                Text(
                    f"What if Python {self.row.version} ({short_path(self.row.path, self.home)})…",
                    style="bold",
                ),
                id="dialog-title",
            )
            with Horizontal(id="whatif-keys"):
                yield Static(Text.assemble(("u", "bold cyan"), " upgrade to "), classes="key")
                yield Input(next_patch(self.row.version), id="whatif-version")
                yield Label(Text.assemble("   ", ("r", "bold cyan"), " remove it"))
            with VerticalScroll(id="plan-scroll"):
                yield Static(Text("press u or r", style="dim"), id="whatif-result")

    def on_mount(self) -> None:
        field = self.query_one("#whatif-version", Input)
        field.cursor_blink = bool(getattr(self.app, "cursor_blink_enabled", True))
        self.query_one("#plan-scroll").focus()

    @on(Input.Submitted, "#whatif-version")
    def _submitted(self) -> None:
        self.action_run("upgrade")

    def action_run(self, what: str) -> None:
        version = self.query_one("#whatif-version", Input).value.strip()
        label = f"upgrade to {version}" if what == "upgrade" else "remove"
        self.query_one("#whatif-result", Static).update(Text(f"⟳ {label}…", style="yellow"))
        self._compute(what, version)

    @work(thread=True, exclusive=True, group="whatif", exit_on_error=False, name="whatif")
    def _compute(self, what: str, version: str) -> ImpactView:
        return self.service.whatif(self.row, what, self.envs, version)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.name != "whatif":
            return
        result = self.query_one("#whatif-result", Static)
        if event.state == WorkerState.SUCCESS and isinstance(event.worker.result, ImpactView):
            impact = event.worker.result
            self.impact = impact
            head = Text()
            head.append(impact.event.replace("`", ""), style="bold yellow")
            n = impact.breaking
            head.append(
                f"\n{n} of {len(impact.environments)} environment"
                f"{'s' if len(impact.environments) != 1 else ''} get worse\n"
                if impact.environments
                else "\nno environment depends on it: nothing breaks\n",
                style="bold red" if n else "green",
            )
            from rich.console import Group

            result.update(Group(head, render_impact(impact, self.home)))
        elif event.state == WorkerState.ERROR:
            result.update(Text(f"✗ {event.worker.error}", style="bold red"))

    def action_close(self) -> None:
        self.dismiss(None)
