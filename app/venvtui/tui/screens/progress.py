"""Progress of a write (or of several): the plan's steps with the current one marked, one line
per environment, the last lines of installer output, and the time elapsed, until every write
is done; then a summary."""

from __future__ import annotations

import time
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from venvtui.tui.format import short_path
from venvtui.tui.views import WriteEvent

MARKS = {"waiting": ("·", "dim"), "running": ("⟳", "bold yellow"), "done": ("✓", "green")}
# A plan step: done, the one running now (a mark, not only a colour), still to come, failed.
STEP_MARKS = {
    "done": ("✓", "green"),
    "current": ("▶", "bold yellow"),
    "todo": ("·", "dim"),
    "failed": ("✗", "bold red"),
}


class WriteProgress(ModalScreen[None]):
    """Shows `items` (environments) advancing through waiting -> running -> done / failed.
    The main screen drives it (`start`, `line`, `finish_item`, `finish`); escape hides it only
    once every write is over."""

    BINDINGS: ClassVar[list[Any]] = [
        Binding("escape,enter", "close", "Close", id="progress.close"),
        Binding("q", "app.quit", "Quit", id="progress.quit", show=False),
    ]
    TAIL = 5  # lines of installer output shown as they arrive

    def __init__(self, title: str, items: list[str], steps: tuple[str, ...], *, home: str) -> None:
        super().__init__()
        self.title_text = title
        self.items = items
        self.steps = steps
        self.home = home
        self.state: dict[str, tuple[str, str]] = {i: ("waiting", "") for i in items}
        self.tail: list[str] = []
        self.current = -1  # the index in `steps` of the step running now (-1: none yet)
        self.step_failed = False
        self.started = time.monotonic()
        self.finished: float | None = None
        self.summary = ""

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text(self.title_text, style="bold"), id="dialog-title")
            with VerticalScroll(id="plan-scroll"):
                if self.steps:
                    yield Static(self._steps(), id="progress-steps")
                yield Static(self._items(), id="progress-items")
                yield Static("", id="progress-tail")
            yield Static("", id="progress-clock")
            with Horizontal(id="dialog-buttons"):
                yield Button("Close", id="close", disabled=True)

    def on_mount(self) -> None:
        self.set_interval(0.5, self._tick)
        self._tick()

    def step_state(self, index: int) -> str:
        if index < self.current:
            return "done"
        if index == self.current:
            return "failed" if self.step_failed else "current"
        return "todo"

    def _steps(self) -> Text:
        text = Text("Plan\n", style="bold underline")
        for i, step in enumerate(self.steps):
            state = self.step_state(i)
            mark, style = STEP_MARKS[state]
            text.append(f"  {mark} ", style=style)
            line_style = "bold" if state == "current" else ("" if state == "done" else "dim")
            text.append(f"{short_path(step, self.home)}\n", style=line_style)
        text.rstrip()
        return text

    def _items(self) -> Text:
        text = Text()
        for item in self.items:
            state, message = self.state[item]
            mark, style = MARKS.get(state, ("✗", "bold red"))
            text.append(f"{mark} ", style=style)
            text.append(short_path(item, self.home))
            if message:
                text.append(f"  {message}", style="dim" if state != "failed" else "red")
            text.append("\n")
        text.rstrip()
        return text

    def _tick(self) -> None:
        end = self.finished if self.finished is not None else time.monotonic()
        seconds = int(end - self.started)
        done = sum(1 for s, _ in self.state.values() if s in ("done", "failed"))
        text = Text()
        if self.finished is None:
            text.append("⟳ working ", style="bold yellow")
        else:
            text.append(self.summary + " ", style="bold")
        text.append(f"{done}/{len(self.items)} · {seconds // 60}:{seconds % 60:02d}", style="dim")
        self.query_one("#progress-clock", Static).update(text)

    # --- driven by the main screen -----------------------------------------------------------
    def start(self, item: str, steps: tuple[str, ...] = ()) -> None:
        self.state[item] = ("running", "")
        self.query_one("#progress-items", Static).update(self._items())
        if steps != self.steps or self.current >= 0:  # the next environment's plan
            self.steps = steps
            self._set_step(-1)

    def event(self, event: WriteEvent) -> None:
        """The write reached a step (marked as the current one), or an installer printed."""
        if event.step and event.step in self.steps[max(self.current, 0) :]:
            self._set_step(self.steps.index(event.step, max(self.current, 0)))
        if event.line is not None:
            self.line(event.line)

    def _set_step(self, index: int, *, failed: bool = False) -> None:
        self.current, self.step_failed = index, failed
        found = self.query("#progress-steps").results(Static)
        widget = next(found, None)
        if widget is not None:
            widget.update(self._steps())
            if 0 <= index < len(self.steps):  # keep the running step in view (a long build)
                self.query_one("#plan-scroll").scroll_to(y=max(0, index - 2), animate=False)
        elif self.steps:
            self.query_one("#plan-scroll").mount(
                Static(self._steps(), id="progress-steps"), before=0
            )

    def line(self, text: str) -> None:
        self.tail = [*self.tail, text][-self.TAIL :]
        self.query_one("#progress-tail", Static).update(
            Text("\n".join(self.tail), style="dim italic")
        )

    def finish_item(self, item: str, ok: bool, message: str) -> None:
        self._set_step(len(self.steps) if ok else max(self.current, 0), failed=not ok)
        self.state[item] = ("done" if ok else "failed", message)
        self.query_one("#progress-items", Static).update(self._items())

    def finish(self, summary: str) -> None:
        self.finished = time.monotonic()
        self.summary = summary
        self._tick()
        button = self.query_one("#close", Button)
        button.disabled = False
        button.focus()

    @property
    def running(self) -> bool:
        return self.finished is None

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_close()

    def action_close(self) -> None:
        if not self.running:
            self.dismiss(None)
