"""Confirmation modal for a planned write: shows the dry run (`Plan.render()`) and warnings."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from venvtui.tui.views import PlanView

VERBS = {"create": "Create", "repair": "Repair", "rebuild": "Rebuild", "delete": "Delete"}


def render_plan(text: str) -> Text:
    """Colour a dry run: diff lines (`+` green, `-` red, `@@` cyan), warnings yellow."""
    out = Text()
    for line in text.splitlines():
        body = line.lstrip()
        if body.startswith(("+++", "---")):
            style = "dim"
        elif body.startswith("+"):
            style = "green"
        elif body.startswith("-"):
            style = "red"
        elif body.startswith("@@"):
            style = "cyan"
        elif body.startswith(("!", "warnings:")):
            style = "yellow"
        else:
            style = ""
        out.append(line + "\n", style=style)
    out.rstrip()
    return out


class ConfirmPlan(ModalScreen[bool]):
    """Shows a plan; dismisses True only when the user presses Apply."""

    BINDINGS: ClassVar[list[Any]] = [
        Binding("escape", "cancel", "Cancel", id="confirm.cancel"),
    ]

    def __init__(self, plan: PlanView, *, home: str) -> None:
        super().__init__()
        self.plan = plan
        self.home = home

    def compose(self) -> ComposeResult:
        verb = VERBS.get(self.plan.action, self.plan.action.title())
        with Vertical(id="dialog", classes=f"plan-{self.plan.action}"):
            yield Static(Text(f"{verb} {self.plan.target}?", style="bold"), id="dialog-title")
            yield Static(Text("Dry run: nothing has been written yet.", style="dim"))
            with VerticalScroll(id="plan-scroll"):
                yield Static(render_plan(self.plan.text), id="plan-text")
                if self.plan.warnings:
                    warn = Text()
                    for w in self.plan.warnings:
                        warn.append(f"⚠ {w}\n", style="yellow")
                    warn.rstrip()
                    yield Static(warn, id="plan-warnings")
            with Horizontal(id="dialog-buttons"):
                yield Button(
                    verb, id="apply", variant="error" if self.plan.action == "delete" else "primary"
                )
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "apply")

    def action_cancel(self) -> None:
        self.dismiss(False)
