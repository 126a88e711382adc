"""The help screen: every key binding (from the bindings themselves) and what the badges mean."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

BADGES = (
    ("✓ ok", "green", "starts, bound to the installation its pyvenv.cfg names"),
    ("✗ broken", "bold red", "does not start (dangling bin/python, home without a stdlib, ...)"),
    ("⚠ misbound", "bold magenta", "starts, but its stdlib comes from another installation"),
    ("⚠ drift", "bold yellow", "starts on another minor version than it was made for"),
)


def key_table(bindings: Iterable[Binding], display: Callable[[Binding], str]) -> Table:
    table = Table(box=None, show_header=False, pad_edge=False)
    table.add_column(style="bold cyan", no_wrap=True)
    table.add_column()
    seen = set()
    for b in bindings:
        if b.description and b.action not in seen:
            seen.add(b.action)
            keys = ", ".join(display(Binding(k.strip(), b.action)) for k in b.key.split(","))
            table.add_row(keys, b.description)
    return table


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[Any]] = [
        Binding("escape,q,question_mark,f1", "close", "Close", id="help.close"),
    ]

    def __init__(self, bindings: Iterable[Binding]) -> None:
        super().__init__()
        self.bindings = list(bindings)

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text("venvtui help", style="bold"), id="dialog-title")
            with VerticalScroll(id="help-scroll"):
                yield Static(
                    Text(
                        "Every interpreter and virtual environment on this machine, which base "
                        "each environment is tied to, and which upgrade will break it. Select a "
                        "row to see its symlink chain, home, health and forecast below. "
                        "Click a column header (or press s) to sort. ctrl+p opens the command "
                        "palette with every action."
                    )
                )
                yield Static(Text("\nKeys", style="bold underline"))
                yield Static(key_table(self.bindings, self.app.get_key_display))
                badges = Text("\nHealth\n", style="bold underline")
                for badge, style, meaning in BADGES:
                    badges.append(f"\n{badge:<11}", style=style)
                    badges.append(meaning, style="")
                yield Static(badges)

    def action_close(self) -> None:
        self.dismiss(None)
