"""Confirmation modal for planned writes: the dry run of each (`Plan.render()`, its warnings
included once), the environments that cannot be fixed and why, and one Apply for them all."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from venvtui.tui.format import short_path, tilde_paths
from venvtui.tui.views import PlanView

VERBS = {
    "create": "Create",
    "repair": "Repair",
    "rebuild": "Rebuild",
    "delete": "Delete",
    "fix": "Fix",
}


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


def without_warnings(text: str) -> str:
    """A dry run without its closing "warnings:" block (the dialog lists them once)."""
    lines = text.splitlines()
    if "warnings:" in lines:
        lines = lines[: lines.index("warnings:")]
    return "\n".join(lines)


def warnings_once(plans: list[PlanView], home: str) -> list[str]:
    """Every plan's warnings, each said once; in a combined plan, with the env it is about
    when not all of them share it."""
    said: dict[str, list[str]] = {}
    for plan in plans:
        for warning in plan.warnings:
            said.setdefault(warning, []).append(plan.target)
    out = []
    for warning, targets in said.items():
        if len(plans) > 1 and len(targets) < len(plans):
            names = ", ".join(short_path(t, home) for t in targets)
            warning = f"{warning} ({names})"
        out.append(warning)
    return out


class ConfirmPlan(ModalScreen[bool]):
    """Shows plans; dismisses True only when the user presses Apply."""

    BINDINGS: ClassVar[list[Any]] = [
        Binding("escape", "cancel", "Cancel", id="confirm.cancel"),
    ]

    def __init__(
        self,
        plans: list[PlanView],
        refused: list[tuple[str, str]] | None = None,
        *,
        home: str,
    ) -> None:
        super().__init__()
        self.plans = plans
        self.refused = refused or []
        self.home = home

    @property
    def plan(self) -> PlanView:
        return self.plans[0]

    def compose(self) -> ComposeResult:
        actions = {p.action for p in self.plans}
        action = self.plan.action if len(actions) == 1 else "fix"
        verb = VERBS.get(action, action.title())
        if len(self.plans) == 1:
            title = f"{verb} {short_path(self.plan.target, self.home)}?"
        else:
            title = f"{verb} {len(self.plans)} environments?"
        with Vertical(id="dialog", classes=f"plan-{action}"):
            yield Static(Text(title, style="bold"), id="dialog-title")
            yield Static(Text("Dry run: nothing has been written yet.", style="dim"))
            with VerticalScroll(id="plan-scroll"):
                text = Text()
                for plan in self.plans:
                    if len(self.plans) > 1:
                        head = f"\n{plan.action} {short_path(plan.target, self.home)}\n"
                        text.append(head, style="bold underline")
                    body = without_warnings(plan.text)
                    text.append_text(render_plan(tilde_paths(body, self.home)))
                    text.append("\n")
                warned = warnings_once(self.plans, self.home)
                if warned:
                    text.append("\nwarnings:\n", style="yellow")
                    for warning in warned:
                        text.append(f"  ! {tilde_paths(warning, self.home)}\n", style="yellow")
                for path, why in self.refused:
                    text.append(f"\nnot fixable: {short_path(path, self.home)}\n", style="bold red")
                    text.append(f"  {why}\n", style="red")
                text.rstrip()
                yield Static(text, id="plan-text")
            with Horizontal(id="dialog-buttons"):
                yield Button(verb, id="apply", variant="error" if action == "delete" else "primary")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        # enter applies a repair or rebuild (each keeps a backup or stages a new env); a delete
        # starts on Cancel.
        delete = any(p.action == "delete" for p in self.plans)
        self.query_one("#cancel" if delete else "#apply", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "apply")

    def action_cancel(self) -> None:
        self.dismiss(False)


class ConfirmQuit(ModalScreen[bool]):
    """Asked when quitting while a write runs: quitting stops it part-way."""

    BINDINGS: ClassVar[list[Any]] = [
        Binding("escape", "stay", "Stay", id="quit.stay"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="plan-delete"):
            yield Static(
                Text("A write is still running. Quit anyway?", style="bold"), id="dialog-title"
            )
            yield Static(
                "Quitting now stops it part-way; `venvtui doctor` reports an interrupted write "
                "and how to recover it. Stay to let it finish."
            )
            with Horizontal(id="dialog-buttons"):
                yield Button("Quit anyway", id="quit", variant="error")
                yield Button("Stay", id="stay")

    def on_mount(self) -> None:
        self.query_one("#stay", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "quit")

    def action_stay(self) -> None:
        self.dismiss(False)
