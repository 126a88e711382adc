"""What if this interpreter is upgraded, removed, or a link to it re-pointed: every environment
that depends on it and its status afterwards. The questions and answers are the core's
(`whatif.questions_for` / `whatif.ask`, the same as `venvtui whatif`): `u` upgrades to the
version in its field (the next patch the installer would lay down), `r` removes the install,
`p` re-points the first link you own on the way to it at the target you type."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Static
from textual.worker import Worker, WorkerState

from venvtui.tui.format import health_badge, short_path, tilde_paths
from venvtui.tui.services import Service
from venvtui.tui.views import EnvRow, ImpactView, InterpreterRow

if TYPE_CHECKING:
    from venvtui.core.breaks.whatif import Question

KEYS = {"upgrade": "u", "remove": "r", "repoint": "p"}


def render_impact(impact: ImpactView, home: str) -> Group:
    head = Text()
    head.append(tilde_paths(impact.event.replace("`", ""), home), style="bold yellow")
    n = impact.breaking
    total = len(impact.environments)
    if total:
        head.append(
            f"\n{n} of {total} environment{'s' if total != 1 else ''} "
            f"get{'s' if n == 1 or total == 1 else ''} worse\n",
            style="bold red" if n else "green",
        )
    else:
        head.append("\nno environment depends on it: nothing breaks\n", style="green")
    table = Table(box=None, show_header=False, pad_edge=False, padding=(0, 2, 0, 0))
    table.add_column(no_wrap=True)
    table.add_column(overflow="fold")
    for path, status, why in impact.environments:
        body = Text(short_path(path, home))
        if why:
            body.append(f"\n{tilde_paths(why, home)}", style="dim")
        table.add_row(Text(*health_badge(status)), body)
    return Group(head, table)


class WhatIfScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[Any]] = [
        Binding("escape", "close", "Close", id="whatif.close"),
        Binding("u", "run('upgrade')", "Upgrade", id="whatif.upgrade"),
        Binding("r", "run('remove')", "Remove", id="whatif.remove"),
        Binding("p", "run('repoint')", "Re-point", id="whatif.repoint"),
    ]

    def __init__(
        self, service: Service, row: InterpreterRow, envs: Sequence[EnvRow], *, home: str
    ) -> None:
        super().__init__()
        self.service = service
        self.row = row
        self.envs = list(envs)
        self.home = home
        self.questions: dict[str, Question] = {}
        self.impact: ImpactView | None = None
        self.pending: str | None = None  # a key pressed before the questions were known

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(
                Text(
                    f"What if Python {self.row.version} ({short_path(self.row.path, self.home)})…",
                    style="bold",
                ),
                id="dialog-title",
            )
            with Horizontal(classes="whatif-row"):
                yield Static(Text.assemble(("r", "bold cyan"), " is removed"), id="whatif-remove")
            with Horizontal(classes="whatif-row", id="whatif-upgrade-row"):
                yield Static(Text.assemble(("u", "bold cyan"), " is upgraded to "))
                yield Input(id="whatif-version")
            with Horizontal(classes="whatif-row", id="whatif-repoint-row"):
                yield Static("", id="whatif-repoint")
                yield Input(placeholder="python3.12 or a path", id="whatif-target")
            with VerticalScroll(id="plan-scroll"):
                yield Static(Text("⟳ finding the questions…", style="dim"), id="whatif-result")

    def on_mount(self) -> None:
        for field in self.query(Input):
            field.cursor_blink = bool(getattr(self.app, "cursor_blink_enabled", True))
        self.query_one("#whatif-upgrade-row").display = False
        self.query_one("#whatif-repoint-row").display = False
        self.query_one("#plan-scroll").focus()
        self._questions()

    @work(thread=True, exclusive=True, group="whatif", exit_on_error=False, name="questions")
    def _questions(self) -> tuple[Question, ...]:
        return self.service.whatif_questions(self.row, self.envs)

    def _show_questions(self, questions: tuple[Question, ...]) -> None:
        for q in questions:
            self.questions.setdefault(q.kind, q)
        upgrade = self.questions.get("upgrade")
        if upgrade is not None:
            self.query_one("#whatif-upgrade-row").display = True
            self.query_one("#whatif-version", Input).value = upgrade.to or ""
        repoint = self.questions.get("repoint")
        if repoint is not None:
            self.query_one("#whatif-repoint-row").display = True
            self.query_one("#whatif-repoint", Static).update(
                Text.assemble(
                    ("p", "bold cyan"), f" {short_path(repoint.path, self.home)} is re-pointed to "
                )
            )
        self.query_one("#whatif-result", Static).update(
            Text("press " + ", ".join(KEYS[k] for k in self.questions), style="dim")
        )
        if self.pending is not None:
            self.action_run(self.pending)

    @on(Input.Submitted, "#whatif-version")
    def _version_submitted(self) -> None:
        self.action_run("upgrade")

    @on(Input.Submitted, "#whatif-target")
    def _target_submitted(self) -> None:
        self.action_run("repoint")

    def action_run(self, kind: str) -> None:
        if not self.questions:
            self.pending = kind
            return
        self.pending = None
        question = self.questions.get(kind)
        if question is None:
            self.notify(f"no {kind} question for this interpreter", severity="warning")
            return
        if kind == "upgrade":
            question = replace(question, to=self.query_one("#whatif-version", Input).value.strip())
        elif kind == "repoint":
            target = self.query_one("#whatif-target", Input)
            if not target.value.strip():
                target.focus()
                self.notify("type where the link should point, then enter")
                return
            question = replace(question, to=target.value.strip())
        self.query_one("#whatif-result", Static).update(Text("⟳ computing…", style="yellow"))
        self._ask(question)

    @work(thread=True, exclusive=True, group="whatif", exit_on_error=False, name="whatif")
    def _ask(self, question: Question) -> ImpactView:
        return self.service.ask(question, self.envs)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.name not in ("questions", "whatif"):
            return
        result = self.query_one("#whatif-result", Static)
        if event.state == WorkerState.SUCCESS:
            value = event.worker.result
            if isinstance(value, ImpactView):
                self.impact = value
                result.update(render_impact(value, self.home))
            elif isinstance(value, tuple):
                self._show_questions(value)
        elif event.state == WorkerState.ERROR:
            result.update(Text(f"✗ {event.worker.error}", style="bold red"))

    def action_close(self) -> None:
        self.dismiss(None)
