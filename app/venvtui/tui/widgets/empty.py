"""The empty state: shown in place of the environments table when a scan found none, saying
where it looked and what to do next (create one, or scan another folder)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.widget import Widget
from textual.widgets import Static

from venvtui.tui.format import short_path
from venvtui.tui.reach import reach_account

if TYPE_CHECKING:
    from venvtui.tui.views import ScanReach


class EmptyState(Static):
    DEFAULT_CSS = """
    EmptyState {
        height: auto;
        padding: 1 2;
    }
    """


def show_empty(table: Widget, text: Text) -> None:
    """Hide `table` and say `text` in its place."""
    parent = table.parent
    assert isinstance(parent, Widget)
    found = parent.query(EmptyState)
    if found:
        found.first().update(text)
    else:
        parent.mount(EmptyState(text), before=table)
    table.display = False


def hide_empty(table: Widget) -> None:
    """Show `table` again (rows arrived)."""
    if not table.display:
        if table.parent is not None:
            table.parent.query(EmptyState).remove()
        table.display = True
        table.focus()


def empty_text(reach: ScanReach | None, roots: tuple[str, ...], home: str) -> Text:
    """What was scanned (`reach`, else the bare `roots`) and the keys that help."""
    text = Text("No environments found.\n\n", style="bold")
    text.append("Looked in:\n")
    if reach is not None:
        text.append_text(reach_account(reach, home))
        text.append("\n")
    else:
        for root in roots[:6]:
            text.append(f"  {short_path(root, home)}\n", style="bold")
        if len(roots) > 6:
            text.append(f"  and {len(roots) - 6} more\n", style="dim")
    text.append("\nPress ")
    text.append("n", style="bold cyan")
    text.append(" to create an environment, ")
    text.append("o", style="bold cyan")
    text.append(" to scan a folder where your projects are, or ")
    text.append("ctrl+r", style="bold cyan")
    text.append(" to scan again.")
    return text
