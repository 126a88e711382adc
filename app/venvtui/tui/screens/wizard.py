"""The creation wizard: pick an interpreter (searchable), a destination and options, with a live
preview of the home, link target and pyvenv.cfg the writer would produce, and its warnings.
Creating runs the writer in a thread worker; the wizard dismisses with the outcome."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, OptionList, RadioSet, Static
from textual.worker import Worker, WorkerState, get_current_worker

from venvtui.core.base.errors import VenvtuiError
from venvtui.tui.format import tilde_paths, tui_words
from venvtui.tui.screens.picker import creatable, interpreter_options
from venvtui.tui.services import Service
from venvtui.tui.views import ApplyOutcome, CreateOptions, CreatePreview, HomePolicy, InterpreterRow
from venvtui.tui.widgets.detail import FitPath
from venvtui.tui.widgets.toggles import MarkedCheckbox, MarkedRadioButton

POLICIES: tuple[tuple[HomePolicy, str], ...] = (
    ("stable", "stable (recommended)"),
    ("venv", "like venv"),
    ("path", "a path"),
)


def render_preview(preview: CreatePreview, home: str) -> RenderableType:
    if preview.error:
        return Text(f"✗ {tui_words(preview.error)}", style="bold red")
    head = Table(box=None, show_header=False, pad_edge=False, padding=(0, 1, 0, 0))
    head.add_column(style="bold", no_wrap=True)
    head.add_column()
    # paths stay whole words: cut in the middle to fit, never wrapped inside a name
    head.add_row("home", FitPath(preview.home, home))
    head.add_row("bin/python →", FitPath(preview.link_target, home))
    parts: list[RenderableType] = [head, Text("\npyvenv.cfg", style="bold underline")]
    parts.append(Text(tilde_paths(preview.cfg_text.rstrip("\n"), home), style="cyan"))
    if preview.warnings:
        warn = Text("\n")
        for w in preview.warnings:
            warn.append(f"⚠ {tui_words(w)}\n", style="yellow")
        warn.rstrip()
        parts.append(warn)
    else:
        parts.append(Text("\nno warnings", style="green"))
    return Group(*parts)


class CreateWizard(ModalScreen[ApplyOutcome | None]):
    # Narrow terminals stack the preview under the form; wide ones put it beside.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]  # noqa: RUF012
    BINDINGS: ClassVar[list[Any]] = [
        Binding("escape", "cancel", "Cancel", id="wizard.cancel"),
        Binding("ctrl+s", "create", "Create", id="wizard.create"),
        # The search field drives the list under it (tab goes on to Destination).
        Binding("down", "move_interp(1)", "Next interpreter", id="wizard.next", show=False),
        Binding("up", "move_interp(-1)", "Previous interpreter", id="wizard.prev", show=False),
    ]

    def __init__(
        self,
        service: Service,
        interpreters: Sequence[InterpreterRow],
        *,
        home: str,
        selected: str | None = None,
    ) -> None:
        super().__init__()
        self.service = service
        self.rows = creatable(interpreters)
        self.home = home
        self.python: str | None = selected if any(r.key == selected for r in self.rows) else None
        if self.python is None and self.rows:
            self.python = self.rows[0].key
        self.preview: CreatePreview | None = None
        self.creating = False

    def compose(self) -> ComposeResult:
        with Vertical(id="wizard"):
            yield Static(
                Text.assemble(
                    ("New environment", "bold"),
                    ("   enter in Destination or ctrl+s: create · esc: cancel", "dim"),
                ),
                id="dialog-title",
            )
            with Container(id="wizard-body"):
                with Vertical(id="wizard-form"):
                    with Horizontal(classes="row"):
                        yield Label("Interpreter", classes="field")
                        yield Input(placeholder="search: version, path, source", id="interp-search")
                    yield OptionList(
                        *interpreter_options(self.rows, "", self.home), id="interp-list"
                    )
                    with Horizontal(classes="row"):
                        yield Label("Destination", classes="field")
                        yield Input(self.service.default_destination(), id="dest")
                    with Horizontal(classes="row"):
                        yield Label("Prompt", classes="field")
                        yield Input(placeholder="(the directory name)", id="prompt")
                    with Horizontal(classes="row", id="toggles"):
                        yield MarkedCheckbox("system site-packages", id="system-site")
                        yield MarkedCheckbox("seed pip", id="seed")
                        yield MarkedCheckbox("copies", id="copies")
                    with Horizontal(classes="row"):
                        yield Label("Home", classes="field")
                        with RadioSet(id="policy"):
                            for i, (_, label) in enumerate(POLICIES):
                                yield MarkedRadioButton(label, value=i == 0)
                    with Horizontal(classes="row", id="home-path-row"):
                        yield Label("", classes="field")
                        yield Input(
                            placeholder="base directory or executable for the home",
                            id="home-path",
                            disabled=True,
                        )
                with Vertical(id="wizard-preview"):
                    yield Static(Text("Preview", style="bold underline"))
                    yield Static(Text("computing…", style="dim"), id="preview")
            with Horizontal(id="dialog-buttons"):
                yield Button("Create", id="create", variant="primary")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        for widget in self.query(Input):
            widget.cursor_blink = bool(getattr(self.app, "cursor_blink_enabled", True))
        options = self.query_one("#interp-list", OptionList)
        options.can_focus = False  # driven from the search field (up/down, or a click)
        self._highlight(options)
        self.query_one("#interp-search", Input).focus()
        self.refresh_preview()

    def action_move_interp(self, step: int) -> None:
        if self.focused is not self.query_one("#interp-search", Input):
            return
        options = self.query_one("#interp-list", OptionList)
        if options.option_count:
            current = options.highlighted if options.highlighted is not None else -1
            options.highlighted = max(0, min(options.option_count - 1, current + step))

    def _highlight(self, options: OptionList) -> None:
        for index in range(options.option_count):
            if options.get_option_at_index(index).id == self.python:
                options.highlighted = index
                return
        if options.option_count:
            options.highlighted = 0

    # --- form state ----------------------------------------------------------------------------
    def options(self) -> CreateOptions:
        radio = self.query_one("#policy", RadioSet)
        index = radio.pressed_index if radio.pressed_index >= 0 else 0
        return CreateOptions(
            python=self.python or "",
            dest=self.query_one("#dest", Input).value.strip(),
            prompt=self.query_one("#prompt", Input).value,
            system_site_packages=self.query_one("#system-site", Checkbox).value,
            seed_pip=self.query_one("#seed", Checkbox).value,
            copies=self.query_one("#copies", Checkbox).value,
            home_policy=POLICIES[index][0],
            home_path=self.query_one("#home-path", Input).value.strip(),
        )

    @on(Input.Changed, "#interp-search")
    def _search(self, event: Input.Changed) -> None:
        options = self.query_one("#interp-list", OptionList)
        options.clear_options()
        options.add_options(interpreter_options(self.rows, event.value, self.home))
        self._highlight(options)

    @on(Input.Submitted, "#interp-search")
    def _search_submitted(self) -> None:
        self.query_one("#dest", Input).focus()

    @on(Input.Submitted, "#dest, #prompt")
    def _form_submitted(self) -> None:
        self.action_create()

    @on(OptionList.OptionHighlighted, "#interp-list")
    @on(OptionList.OptionSelected, "#interp-list")
    def _picked(self, event: OptionList.OptionHighlighted | OptionList.OptionSelected) -> None:
        if event.option.id and event.option.id != self.python:
            self.python = event.option.id
            self.refresh_preview()

    @on(Input.Changed, "#dest, #prompt, #home-path")
    @on(Checkbox.Changed)
    def _changed(self) -> None:
        self.refresh_preview()

    @on(RadioSet.Changed, "#policy")
    def _policy(self, event: RadioSet.Changed) -> None:
        path = POLICIES[event.index][0] == "path"
        self.query_one("#home-path", Input).disabled = not path
        self.query_one("#home-path-row").display = path
        self.refresh_preview()

    # --- preview -------------------------------------------------------------------------------
    def refresh_preview(self) -> None:
        self._compute_preview(self.options())

    @work(thread=True, exclusive=True, group="wizard-preview", exit_on_error=False)
    def _compute_preview(self, options: CreateOptions) -> None:
        worker = get_current_worker()
        try:
            preview = self.service.preview_create(options)
        except VenvtuiError as exc:
            preview = CreatePreview(error=f"{exc}" + (f" ({exc.hint})" if exc.hint else ""))
        if not worker.is_cancelled:
            self.app.call_from_thread(self._show_preview, preview)

    def _show_preview(self, preview: CreatePreview) -> None:
        self.preview = preview
        self.query_one("#preview", Static).update(render_preview(preview, self.home))
        self.query_one("#create", Button).disabled = preview.plan is None or self.creating

    # --- create --------------------------------------------------------------------------------
    @on(Button.Pressed, "#create")
    def action_create(self) -> None:
        if self.creating:
            return
        if self.preview is None or self.preview.plan is None:
            self.notify(
                self.preview.error
                if self.preview and self.preview.error
                else "nothing to create yet",
                severity="warning",
            )
            return
        self.creating = True
        self.query_one("#create", Button).disabled = True
        self.query_one("#preview", Static).update(Text("creating…", style="bold"))
        self._create(self.options())

    @work(thread=True, exclusive=True, group="wizard-create", exit_on_error=False, name="create")
    def _create(self, options: CreateOptions) -> ApplyOutcome:
        # Re-plan from the final options so the plan applied is the one for what is on screen.
        preview = self.service.preview_create(options)
        if preview.plan is None:
            raise VenvtuiError(preview.error or "cannot create with these options")
        return self.service.apply(preview.plan)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.name != "create":
            return
        if event.state == WorkerState.SUCCESS:
            result = event.worker.result
            if isinstance(result, ApplyOutcome):
                self.dismiss(result)
        elif event.state == WorkerState.ERROR:
            self.creating = False
            error = event.worker.error
            message = str(error)
            if isinstance(error, VenvtuiError) and error.hint:
                message += f"\n{error.hint}"
            self.notify(message, title="create failed", severity="error", timeout=10)
            self.refresh_preview()

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        if not self.creating:
            self.dismiss(None)
