"""A searchable interpreter picker (used to choose the interpreter for a rebuild)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from venvtui.tui.format import short_path, version_key
from venvtui.tui.views import InterpreterRow

PATH_CELLS = 40


def interpreter_options(rows: Sequence[InterpreterRow], query: str, home: str) -> list[Option]:
    """Options for the interpreters matching every word of `query` (creatable ones only)."""
    words = query.lower().split()
    out = []
    for row in rows:
        hay = f"{row.version} {row.implementation} {row.path} {row.key} {' '.join(row.sources)}".lower()
        if all(w in hay for w in words):
            label = Text()
            label.append(f"{row.version:<9}", style="bold")
            path = short_path(row.path, home)
            # One line per option: long paths keep their informative end.
            label.append(path if len(path) <= PATH_CELLS else "…" + path[-PATH_CELLS + 1 :])
            out.append(Option(label, id=row.key))
    return out


def creatable(rows: Sequence[InterpreterRow]) -> list[InterpreterRow]:
    """Interpreters that can make a venv (probed, 3.3+), newest first."""
    out = []
    for row in rows:
        if row.error or not row.version[:1].isdigit():
            continue
        parts = row.version.split(".")
        if int(parts[0]) >= 3 and (int(parts[0]) > 3 or int(parts[1]) >= 3):
            out.append(row)
    return sorted(out, key=lambda r: version_key(r.version), reverse=True)


class InterpreterPicker(ModalScreen[str | None]):
    BINDINGS: ClassVar[list[Any]] = [Binding("escape", "cancel", "Cancel", id="picker.cancel")]

    def __init__(self, rows: Sequence[InterpreterRow], *, title: str, home: str) -> None:
        super().__init__()
        self.rows = creatable(rows)
        self.title_text = title
        self.home = home

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text(self.title_text, style="bold"), id="dialog-title")
            yield Input(placeholder="search: version, path, source", id="picker-search")
            yield OptionList(*interpreter_options(self.rows, "", self.home), id="picker-list")

    def on_input_changed(self, event: Input.Changed) -> None:
        options = self.query_one("#picker-list", OptionList)
        options.clear_options()
        options.add_options(interpreter_options(self.rows, event.value, self.home))
        if options.option_count:
            options.highlighted = 0

    def on_input_submitted(self, event: Input.Submitted) -> None:
        options = self.query_one("#picker-list", OptionList)
        if options.highlighted is not None:
            self.dismiss(options.get_option_at_index(options.highlighted).id)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ColumnPicker(ModalScreen[str | None]):
    """Choose the column to sort by; the current one is marked and choosing it again reverses."""

    BINDINGS: ClassVar[list[Any]] = [Binding("escape", "cancel", "Cancel", id="sort.cancel")]

    def __init__(
        self, columns: Sequence[tuple[str, str]], current: str | None, reverse: bool
    ) -> None:
        super().__init__()
        self.columns = list(columns)
        self.current = current
        self.reverse = reverse

    def compose(self) -> ComposeResult:
        options = []
        for key, label in self.columns:
            text = Text(label)
            if key == self.current:
                text.append("  ▼ (again: ▲)" if self.reverse else "  ▲ (again: ▼)", style="cyan")
            options.append(Option(text, id=key))
        with Vertical(id="dialog", classes="narrow"):
            yield Static(Text("Sort by", style="bold"), id="dialog-title")
            yield OptionList(*options, id="picker-list")

    def on_mount(self) -> None:
        options = self.query_one("#picker-list", OptionList)
        keys = [k for k, _ in self.columns]
        options.highlighted = keys.index(self.current) if self.current in keys else 0
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
