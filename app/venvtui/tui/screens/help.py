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

from venvtui.tui.format import HEALTH, HEALTH_MEANING, STABILITY, STABILITY_MEANING

LABELS = (
    (
        "[version-stamped]",
        "yellow",
        "a link-chain hop whose path names a full version X.Y.Z (versioned): a patch "
        "upgrade removes it",
    ),
    ("fix: press f …", "bold green", "what f does for this env (after a dry run you confirm)"),
    ("prevent: press f …", "bold green", "on a working env: what f does before a forecast event"),
    (
        "brew upgrade ✗",
        "yellow",
        "Forecast: the likeliest event that breaks it (⚠: misbinds or drifts)",
    ),
    ("—", "dim", "Forecast: no foreseen event makes it worse"),
    ("● path", "bold cyan", "marked (space; a marks all with problems; F fixes the marked)"),
    ("Changed", "bold", "when the env dir or its bin/ last changed (an install adds scripts)"),
    ("…", "dim", "still being computed (sizes, dependents)"),
)


# The words of the detail's Forecast section.
FORECAST_WORDS = (
    ("breaks", "bold red", "the event leaves it unable to start"),
    ("drifts", "bold yellow", "it starts on the next minor version, without its packages"),
    ("gets misbound", "bold magenta", "it starts on another installation's stdlib"),
    ("survives / keeps it", "green", "the event leaves it as it is"),
    ("before it / after it", "", "what to do before the event (to avoid it) or after it"),
)


def legend() -> Text:
    text = Text("\nEnvironment health\n", style="bold underline")
    for word, (badge, style) in HEALTH.items():
        text.append(f"\n{badge:<12}", style=style)
        text.append(HEALTH_MEANING[word])
    text.append("\n\nInterpreter stability\n", style="bold underline")
    for word, (label, style) in STABILITY.items():
        text.append(f"\n{label:<12}", style=style)
        text.append(STABILITY_MEANING[word])
    text.append("\n\nForecast words\n", style="bold underline")
    for word, style, meaning in FORECAST_WORDS:
        text.append(f"\n{word}", style=style)
        text.append(f"\n    {meaning}")
    text.append("\n\nOther labels\n", style="bold underline")
    for label, style, meaning in LABELS:
        text.append(f"\n{label}", style=style)
        text.append(f"\n    {meaning}")
    return text


WORDS = {"enter": "enter", "escape": "esc", "space": "space"}


def key_table(bindings: Iterable[Binding], display: Callable[[Binding], str]) -> Table:
    """One row per action with every key bound to it (`q` and `ctrl+q` both quit)."""
    keys: dict[str, list[str]] = {}
    descriptions: dict[str, str] = {}
    for b in bindings:
        if not b.description:
            continue
        descriptions.setdefault(b.action, b.tooltip or b.description)
        for k in b.key.split(","):
            k = k.strip()
            shown = WORDS.get(k) or display(Binding(k, b.action))
            if shown not in keys.setdefault(b.action, []):
                keys[b.action].append(shown)
    table = Table(box=None, show_header=False, pad_edge=False)
    table.add_column(style="bold cyan", no_wrap=True)
    table.add_column()
    for action, description in descriptions.items():
        table.add_row(", ".join(keys[action]), description)
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
                        "row to see its symlink chain, home, health and forecast below; z shows "
                        "the whole detail. Click a column header (or press s) to sort. ctrl+p "
                        "opens the command palette with every action."
                    )
                )
                yield Static(Text("\nKeys", style="bold underline"))
                yield Static(key_table(self.bindings, self.app.get_key_display))
                yield Static(legend())

    def action_close(self) -> None:
        self.dismiss(None)
