"""The main screen: environments and interpreters tables (streamed in by thread workers), the
detail pane for the selection, filter bar, status line, and the write actions."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SuspendNotSupported
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import DataTable, Footer, Header, Input, Static, TabbedContent, TabPane
from textual.worker import Worker, WorkerState, get_current_worker

from venvtui.core.base.errors import VenvtuiError
from venvtui.core.base.paths import inside
from venvtui.tui.format import human_size, short_path, tui_words
from venvtui.tui.messages import (
    DependentsReady,
    DetailReady,
    EnvironmentsFound,
    EnvsConfirmed,
    EnvUpdated,
    InterpretersFound,
    ScanPartDone,
    SizesFound,
)
from venvtui.tui.pool import in_order
from venvtui.tui.reach import reach_status
from venvtui.tui.rows import EnvRow, InterpreterRow
from venvtui.tui.services import Service
from venvtui.tui.widgets.detail import DetailPane
from venvtui.tui.widgets.empty import empty_text, hide_empty, show_empty
from venvtui.tui.widgets.tables import EnvTable, InterpreterTable

if TYPE_CHECKING:
    from venvtui.core.base.config import RootAdded
    from venvtui.tui.screens.progress import WriteProgress
    from venvtui.tui.views import ApplyOutcome, PlanView, ScanReach

AGE_REFRESH_SECONDS = 60.0  # the Changed column is recomputed this often
BATCH_ROWS = 50  # flush a batch at this many rows ...
BATCH_SECONDS = 0.1  # ... or when this long has passed since the last flush
# A table's first screenful of new or changed rows goes FIRST_ROWS at a time: each row that
# appears or changes on screen renders all its cells (~0.3 ms a cell) in the frame showing it.
FIRST_ROWS = 4
SCREENFUL = 40
# Workers given rows have a description: @work's default is the repr of every argument (tens
# of ms for 2,000 rows, on the event loop).

T = TypeVar("T")


def batched(
    items: Iterator[T],
    post: Callable[[list[T]], threading.Event | None],
    cancelled: Callable[[], bool],
    *,
    top_first: bool = False,
) -> int:
    """Post `items` in batches of at most BATCH_ROWS, at least every BATCH_SECONDS while items
    keep coming (an item after a quiet spell is posted at once). When `post` returns an event,
    wait for it (the UI has shown the batch) before posting the next one: a fast producer then
    cannot flood the event loop with rows to render in one go. `top_first`: the items are rows
    for a table from its top (the first SCREENFUL go FIRST_ROWS a batch). Returns the count."""
    batch: list[T] = []
    count = 0
    last = time.monotonic()

    def flush() -> None:
        shown = post(batch)
        while shown is not None and not shown.wait(0.05):
            if cancelled():
                return

    for item in items:
        if cancelled():
            return count
        batch.append(item)
        count += 1
        now = time.monotonic()
        size = FIRST_ROWS if top_first and count <= SCREENFUL else BATCH_ROWS
        if len(batch) >= size or now - last >= BATCH_SECONDS:
            flush()
            batch, last = [], time.monotonic()
    if batch and not cancelled():
        flush()
    return count


def error_text(error: BaseException | None) -> str:
    if error is None:
        return "unknown error"
    message = str(error) or type(error).__name__
    if isinstance(error, VenvtuiError) and error.hint:
        message += f"\nhint: {tui_words(error.hint)}"
    elif not isinstance(error, (VenvtuiError, OSError)):
        message = f"{type(error).__name__}: {message}"
    return message


class MainScreen(Screen[None]):
    BINDINGS: ClassVar[list[Any]] = [
        Binding("slash", "filter", "Filter", id="filter", tooltip="Show rows matching words"),
        Binding(
            "p",
            "toggle_problems",
            "Problems",
            id="only-problems",
            tooltip="Only rows with problems (again: all rows)",
        ),
        Binding("n", "create", "New", id="create", tooltip="New environment (the wizard)"),
        Binding(
            "f",
            "repair",
            "Fix",
            id="repair",
            tooltip="Fix the selected env as its detail's fix line says (after a dry run)",
        ),
        Binding(
            "z",
            "zoom_detail",
            "Zoom",
            id="zoom-detail",
            tooltip="The whole detail on screen (esc or z restores)",
        ),
        Binding(
            "b",
            "rebuild",
            "Rebuild",
            id="rebuild",
            show=False,
            tooltip="Recreate the selected env on an interpreter you pick, same packages",
        ),
        Binding(
            "d",
            "delete",
            "Delete",
            id="delete",
            show=False,
            tooltip="Delete the selected env (after a dry run)",
        ),
        Binding("space", "mark", "Mark", id="mark", show=False),
        Binding("a", "mark_problems", "Mark all with problems", id="mark-problems", show=False),
        Binding("F", "fix_marked", "Fix marked", id="fix-marked", show=False),
        Binding("w", "whatif", "What if", id="whatif", show=False),
        Binding("u", "use_shell", "Shell in env", id="use-shell", show=False),
        Binding("r", "use_repl", "Python REPL in env", id="use-repl", show=False),
        Binding("y", "copy_activate", "Copy activation command", id="copy-activate", show=False),
        Binding(
            "o",
            "scan_folder",
            "Scan a folder",
            id="scan-folder",
            show=False,
            tooltip="Scan a folder: add it to the scan roots (kept in the config file), rescan",
        ),
        Binding(
            "i",
            "find_package",
            "Find a package",
            id="find-package",
            show=False,
            tooltip="Find a package: every environment that has it, its version and installer",
        ),
        Binding("ctrl+r,f5", "rescan", "Rescan", id="rescan", show=False),
        Binding("1", "show_tab('envs')", "Environments", id="tab-envs", show=False),
        Binding("2", "show_tab('interpreters')", "Interpreters", id="tab-interpreters", show=False),
    ]

    def __init__(
        self, service: Service, *, scan_on_mount: bool = True, last_seen: bool = False
    ) -> None:
        super().__init__()
        self.service = service
        self.last_seen = last_seen  # first scan: show the last one's rows until it ends
        self.home = service.home_dir()
        self.scan_on_mount = scan_on_mount
        self.scan_id = 0
        self.parts_done: set[str] = set()
        self.scanning = False
        self.confirming = 0  # rows still being confirmed by running them
        self.only_problems = False
        self.selection: tuple[str, str] | None = None  # (kind, key)
        self.pending_select: str | None = None  # env path to select once it appears
        self.progress: WriteProgress | None = None  # the write in progress, if any
        self.reach: ScanReach | None = None  # where the last scan looked
        self.pending_root: str | None = None  # a scan root just added (its first env is selected)

    def compose(self) -> ComposeResult:
        yield Header(icon="≡")
        with Horizontal(id="filter-bar"):
            # The Input is mounted on first use: it is hidden until then, and not composing it
            # keeps it out of the first frame's work.
            yield Static("Filter", id="filter-label")
        with TabbedContent(initial="envs", id="tabs"):
            with TabPane("Environments", id="envs"):
                yield EnvTable(home=self.home, now=self.service.now(), id="env-table")
            with TabPane("Interpreters", id="interpreters"):
                # Interpreters newest first; environments in the order they are found.
                yield InterpreterTable(
                    home=self.home,
                    now=self.service.now(),
                    sort=("version", True),
                    id="interp-table",
                )
        yield DetailPane(home=self.home, id="detail")
        yield Static("", id="status")
        yield Footer()

    @property
    def env_table(self) -> EnvTable:
        return self.query_one("#env-table", EnvTable)

    @property
    def interp_table(self) -> InterpreterTable:
        return self.query_one("#interp-table", InterpreterTable)

    @property
    def active_tab(self) -> str:
        return self.query_one("#tabs", TabbedContent).active

    @property
    def active_table(self) -> EnvTable | InterpreterTable:
        return self.env_table if self.active_tab == "envs" else self.interp_table

    @property
    def writing(self) -> bool:
        return self.progress is not None and self.progress.running

    def on_mount(self) -> None:
        self.env_table.focus()
        self.set_interval(AGE_REFRESH_SECONDS, self._refresh_ages)
        self._records = (self.interp_table.records, self.env_table.records)
        if self.scan_on_mount:
            if self.last_seen:
                self._show_last_seen()
            # Discovery starts after the first frame is on screen.
            self.call_after_refresh(self.action_rescan)

    def _refresh_ages(self) -> None:
        self.env_table.set_now(self.service.now())

    # --- scanning ------------------------------------------------------------------------------
    def action_rescan(self) -> None:
        self.scan_id += 1
        self.parts_done = set()
        self.scanning = True
        self.confirming = 0
        if not (self.last_seen and self.scan_id == 1):  # the first keeps the rows last seen
            self.env_table.clear_records()
            self.interp_table.clear_records()
        self._update_status()
        self._scan_interpreters(self.scan_id)
        self._scan_environments(self.scan_id)

    def _show_last_seen(self) -> None:
        """The last scan's rows, dim, in the first frame (read before it is painted: the scan
        imports the same core modules next)."""
        from venvtui.tui import last_seen

        found = last_seen.load()
        if found is not None:
            self.interp_table.add_stale(found[0])
            self.env_table.add_stale(found[1])

    @work(
        thread=True,
        exclusive=True,
        group="last-seen",
        exit_on_error=False,
        description="save as last seen",
    )
    def _save_last_seen(self, interps: list[InterpreterRow], envs: list[EnvRow]) -> None:
        from venvtui.tui import last_seen

        last_seen.save(interps, envs)

    def on_unmount(self) -> None:
        if self.last_seen and self.scan_id and not self.scanning:
            # Again at exit: statuses confirmed and sizes computed since the scan ended (the
            # tables are gone by now; their record dicts, kept at mount, are not).
            from venvtui.tui import last_seen

            interps, envs = self._records
            last_seen.save(interps.values(), envs.values())

    def _post(self, message: Message) -> None:
        self.post_message(message)

    def _post_shown(
        self, message: InterpretersFound | EnvironmentsFound | SizesFound | EnvsConfirmed
    ) -> threading.Event:
        self.post_message(message)
        return message.shown

    @work(thread=True, exclusive=True, group="scan-interpreters", exit_on_error=False, name="scan")
    def _scan_interpreters(self, scan: int) -> None:
        worker = get_current_worker()
        start = time.monotonic()

        def cancelled() -> bool:
            return worker.is_cancelled

        count = batched(
            self.service.iter_interpreters(cancelled),
            lambda rows: self._post_shown(InterpretersFound(scan, rows)),
            cancelled,
            top_first=True,
        )
        if not cancelled():
            self._post(ScanPartDone(scan, "interpreters", count, time.monotonic() - start))

    @work(thread=True, exclusive=True, group="scan-environments", exit_on_error=False, name="scan")
    def _scan_environments(self, scan: int) -> None:
        worker = get_current_worker()
        start = time.monotonic()

        def cancelled() -> bool:
            return worker.is_cancelled

        count = batched(
            self.service.iter_environments(cancelled),
            lambda rows: self._post_shown(EnvironmentsFound(scan, rows)),
            cancelled,
            top_first=True,
        )
        if not cancelled():
            reach = self.service.scan_reach()
            self._post(ScanPartDone(scan, "environments", count, time.monotonic() - start, reach))

    def on_interpreters_found(self, message: InterpretersFound) -> None:
        self.call_after_refresh(message.shown.set)
        if message.scan == self.scan_id:
            self.interp_table.add_records(message.rows, defer_sort=self.scanning)
            self._after_rows(self.interp_table)

    def on_environments_found(self, message: EnvironmentsFound) -> None:
        self.call_after_refresh(message.shown.set)
        if message.scan == self.scan_id:
            hide_empty(self.env_table)
            self.env_table.add_records(message.rows, defer_sort=self.scanning)
            self._after_rows(self.env_table)
            if self.pending_select and self.env_table.select_key(self.pending_select):
                self.pending_select = None

    def _after_rows(self, table: EnvTable | InterpreterTable) -> None:
        self._update_status()
        if self.selection is None and table is self.active_table and table.row_count:
            self._select_from(table)

    def on_scan_part_done(self, message: ScanPartDone) -> None:
        if message.scan != self.scan_id:
            return
        self.parts_done.add(message.part)
        self.reach = message.reach or self.reach
        table = self.interp_table if message.part == "interpreters" else self.env_table
        table.drop_stale()
        kind = "interpreter" if message.part == "interpreters" else "environment"
        pane = self.query_one(DetailPane)
        if (
            self.selection is not None
            and self.selection[0] == kind
            and (pane.detail is None or pane.detail.key != self.selection[1])
        ):
            self._select_from(table, force=True)  # a row as last seen waited for this part
        if table.unsorted:
            table.resort()
            if not table.has_focus and table.row_count:
                table.move_cursor(row=0)  # not browsed yet: start at the top of the sorted list
        if message.part == "interpreters" and self.selection and self.selection[0] == "environment":
            self._select_from(self.env_table, force=True)  # the detail waited for them
        if message.part == "environments":
            if message.count == 0:
                self._show_empty()
            root, self.pending_root = self.pending_root, None
            if root is not None:  # a folder just added: select its first env
                shown = self.env_table.visible_records()
                self.select_env(next((r.key for r in shown if inside(r.key, root)), None))
            self._confirm_envs(self.scan_id, [r for r in self.env_table.records.values()])
        if len(self.parts_done) == 2:
            self.scanning = False
            if self.last_seen:
                self._save_last_seen(
                    list(self.interp_table.records.values()), list(self.env_table.records.values())
                )
            self._compute_dependents(
                self.scan_id,
                list(self.interp_table.records.values()),
                list(self.env_table.records.values()),
            )
            self._compute_sizes(self.scan_id, self._unsized())
        self._update_status()

    def _show_empty(self) -> None:
        roots = () if self.reach else self.service.scan_roots()
        show_empty(self.env_table, empty_text(self.reach, roots, self.home))
        self.query_one(DetailPane).show_message(
            Text("2 shows the interpreters found; n creates an environment from one.", "dim")
        )

    @work(
        thread=True,
        exclusive=True,
        group="confirm",
        exit_on_error=False,
        name="confirm",
        description="confirm statuses",
    )
    def _confirm_envs(self, scan: int, rows: list[EnvRow]) -> None:
        """Run every environment's python once, in the background, so each row's status is
        the observed one without selecting it (the scan's static status until then)."""
        worker = get_current_worker()
        todo = [r for r in rows if not r.confirmed]
        self.confirming = len(todo)

        def confirmed(row: EnvRow) -> EnvRow:
            try:
                return self.service.confirm(row)
            except VenvtuiError:
                return replace(row, confirmed=True)

        def stop() -> bool:
            return worker.is_cancelled or scan != self.scan_id

        from venvtui.core.breaks.batch import confirm_workers  # the core's bound on runs at once

        batched(
            in_order(confirmed, todo, workers=confirm_workers(), cancelled=stop),
            lambda found: self._post_shown(EnvsConfirmed(scan, found)),
            stop,
            top_first=True,
        )

    def on_envs_confirmed(self, message: EnvsConfirmed) -> None:
        self.call_after_refresh(message.shown.set)
        if message.scan != self.scan_id:
            return
        table = self.env_table
        records = table.records
        table.update_records(
            [replace(row, size=records[row.key].size) for row in message.rows if row.key in records]
        )
        self.confirming = max(0, self.confirming - len(message.rows))
        self._update_status()

    @work(
        thread=True,
        exclusive=True,
        group="dependents",
        exit_on_error=False,
        description="count dependents",
    )
    def _compute_dependents(
        self, scan: int, interps: list[InterpreterRow], envs: list[EnvRow]
    ) -> None:
        deps = self.service.dependents(interps, envs)
        self._post(DependentsReady(scan, deps))

    def on_dependents_ready(self, message: DependentsReady) -> None:
        if message.scan != self.scan_id:
            return
        table = self.interp_table
        for key, deps in message.dependents.items():
            row = table.records.get(key)
            if row is not None and row.dependents != len(deps):
                table.records[key] = replace(row, dependents=len(deps))
        with self.app.batch_update():
            table.rebuild()

    @work(
        thread=True, exclusive=True, group="sizes", exit_on_error=False, description="measure sizes"
    )
    def _compute_sizes(self, scan: int, rows: list[EnvRow]) -> None:
        worker = get_current_worker()

        def sizes() -> Iterator[tuple[str, int | None]]:
            for row in rows:
                yield row.key, self.service.env_size(row)

        batched(
            sizes(),
            lambda found: self._post_shown(SizesFound(dict(found))),
            lambda: worker.is_cancelled or scan != self.scan_id,
            top_first=True,
        )

    def _unsized(self) -> list[EnvRow]:
        return [r for r in self.env_table.records.values() if r.size is None]

    def on_sizes_found(self, message: SizesFound) -> None:
        self.call_after_refresh(message.shown.set)
        table = self.env_table
        records = table.records
        table.update_records(
            [
                replace(records[key], size=size)
                for key, size in message.sizes.items()
                if key in records
            ]
        )
        self._update_status()

    def _update_status(self) -> None:
        envs = list(self.env_table.records.values())
        interps = list(self.interp_table.records.values())
        from venvtui.core.breaks.status import is_problem  # EnvRow.problem's rule, imported once

        problems = [e for e in envs if is_problem(e.health)]
        text = Text()
        if self.scanning:
            text.append("⟳ scanning… ", style="bold yellow")
            if self.env_table.stale or self.interp_table.stale:
                text.append("dim rows: as last seen · ", style="dim")
        elif self.confirming:
            text.append(f"⟳ checking {self.confirming}… ", style="yellow")
        text.append(
            f"{len(interps)} interpreter{'' if len(interps) == 1 else 's'} · "
            f"{len(envs)} env{'' if len(envs) == 1 else 's'}"
        )
        if problems:
            text.append(f" · {len(problems)} with problems", style="bold red")
        elif envs and not self.scanning:
            text.append(" · all healthy", style="green")
        sizes = [e.size for e in envs]
        if envs and all(s is not None for s in sizes):
            text.append(f" · disk {human_size(sum(s or 0 for s in sizes))}")
            if problems:
                text.append(f" ({human_size(sum(e.size or 0 for e in problems))} with problems)")
        marked = len(self.env_table.marked)
        if marked:
            text.append(f" · {marked} marked", style="bold cyan")
        table = self.active_table
        if table.filter_text or table.only_problems:
            text.append(f" · showing {table.row_count}", style="cyan")
            if table.filter_text:
                text.append(f" matching “{table.filter_text}”", style="cyan")
            if table.only_problems:
                text.append(" (problems only)", style="cyan")
        status = self.query_one("#status", Static)
        if self.reach is not None and not self.scanning:
            room = status.size.width - 2 - text.cell_len
            text.append_text(reach_status(self.reach, self.home, room))
        status.update(text, layout=False)  # fixed 1-line box
        if not self.scanning:
            # Tab labels change the tab bar's layout: not on every streamed batch.
            self._update_tab_labels(len(envs), len(interps))

    def _update_tab_labels(self, envs: int, interps: int) -> None:
        tabs = self.query_one("#tabs", TabbedContent)
        for tab, label in (
            ("envs", f"Environments ({envs})"),
            ("interpreters", f"Interpreters ({interps})"),
        ):
            # Setting a tab's label lays the screen out again, even to the same text (each
            # filter keystroke updates the status line).
            if tabs.get_tab(tab).label.plain != label:
                tabs.get_tab(tab).label = Text(label)

    # --- selection -> detail -------------------------------------------------------------------
    @on(DataTable.RowHighlighted)
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table is self.active_table:
            self._select_from(self.active_table)

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        # Enter on a row moves into the detail pane (scroll it; escape comes back).
        self.query_one(DetailPane).focus()

    @on(TabbedContent.TabActivated)
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        table = self.env_table if event.pane.id == "envs" else self.interp_table
        table.focus()
        self._select_from(table)
        self._update_status()

    def action_show_tab(self, tab: str) -> None:
        self.query_one("#tabs", TabbedContent).active = tab

    def _select_from(self, table: EnvTable | InterpreterTable, *, force: bool = False) -> None:
        key = table.selected_key
        if key is None:
            return
        kind = "environment" if isinstance(table, EnvTable) else "interpreter"
        if self.selection == (kind, key) and not force:
            return
        self.selection = (kind, key)
        if isinstance(table, EnvTable):
            table.pinned = key if table.pinned == key else None
        pane = self.query_one(DetailPane)
        if pane.detail is None or pane.detail.key != key:
            pane.show_placeholder(f"loading {short_path(key, self.home)}…")
        if key in table.stale:  # a row as last seen (it may be gone): wait for the scan
            return
        if isinstance(table, EnvTable):
            env = table.records.get(key)
            # an env's fixes name an interpreter: its detail waits for the interpreters
            if env is not None and ("interpreters" in self.parts_done or not self.scanning):
                self._load_detail(env, list(self.interp_table.records.values()))
        else:
            interp = table.records.get(key)
            if interp is not None:
                self._load_detail(interp, list(self.env_table.records.values()))

    @work(
        thread=True,
        exclusive=True,
        group="detail",
        exit_on_error=False,
        name="detail",
        description="load detail",
    )
    def _load_detail(
        self, row: EnvRow | InterpreterRow, others: list[EnvRow] | list[InterpreterRow]
    ) -> None:
        worker = get_current_worker()
        if isinstance(row, EnvRow):
            interps = [r for r in others if isinstance(r, InterpreterRow)]
            detail = self.service.env_detail(row, interps)
            try:
                packages = self.service.packages(row)
            except (OSError, VenvtuiError):
                packages = ()
            detail = replace(detail, packages=packages)
        else:
            detail = self.service.interpreter_detail(
                row, [r for r in others if isinstance(r, EnvRow)]
            )
        if not worker.is_cancelled:
            self._post(DetailReady(detail))

    def on_detail_ready(self, message: DetailReady) -> None:
        detail = message.detail
        if self.selection and self.selection[1] == detail.key:
            self.query_one(DetailPane).show(detail)

    # --- filter ----------------------------------------------------------------------------------
    @property
    def filter_input(self) -> Input | None:
        found = self.query("#filter").results(Input)
        return next(found, None)

    async def action_filter(self) -> None:
        bar = self.query_one("#filter-bar")
        bar.display = True
        field = self.filter_input
        if field is None:
            from venvtui.tui.widgets.filter_field import FilterField

            field = FilterField(
                placeholder="words to match in path, version, creator, health…", id="filter"
            )
            field.cursor_blink = bool(getattr(self.app, "cursor_blink_enabled", True))
            await bar.mount(field)
        field.focus()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self._apply_filter()

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        self.active_table.focus()

    def _apply_filter(self) -> None:
        field = self.filter_input
        text = field.value.strip() if field is not None else ""
        with self.app.batch_update():
            for table in (self.env_table, self.interp_table):
                table.set_filter(text, self.only_problems)
        self._update_status()

    def action_toggle_problems(self) -> None:
        self.only_problems = not self.only_problems
        self._apply_filter()

    def key_escape(self) -> None:
        if self.maximized is not None:
            self.minimize()
            self.active_table.focus()
            return
        pane = self.query_one(DetailPane)
        if pane.has_focus or pane.has_focus_within:
            self.active_table.focus()
            return
        bar = self.query_one("#filter-bar")
        if bar.display:
            field = self.filter_input
            if field is not None:
                field.value = ""
            bar.display = False
            self._apply_filter()
            self.active_table.focus()

    def action_zoom_detail(self) -> None:
        """Maximize the detail pane (the whole health, forecast and cfg), or restore it."""
        if self.maximized is not None:
            self.minimize()
            self.active_table.focus()
        else:
            pane = self.query_one(DetailPane)
            self.maximize(pane, container=False)
            pane.focus()

    def watch_maximized(self, maximized: Widget | None) -> None:
        if maximized is None and self.is_mounted:
            self.active_table.focus()  # escape restores the zoom: back to the table

    def action_sort(self) -> None:
        """Choose the column to sort the current table by (again: reverse it)."""
        from venvtui.tui.screens.picker import ColumnPicker

        table = self.active_table

        def chosen(column: str | None) -> None:
            if column:
                table.sort_on(column)

        self.app.push_screen(
            ColumnPicker(table.shown_columns, table.sort_column, table.sort_reverse),
            callback=chosen,
        )

    # --- using an environment ---------------------------------------------------------------------
    def action_use_shell(self) -> None:
        row = self.selected_env()
        if row is not None:
            self._run_in_env(row, None)

    def action_use_repl(self) -> None:
        row = self.selected_env()
        if row is not None:
            self._run_in_env(row, "python")

    def _run_in_env(self, row: EnvRow, program: str | None) -> None:
        """Suspend the app and run the user's shell (or the env's python) with the env
        activated as `bin/activate` does: VIRTUAL_ENV set, its bin first on PATH."""
        import os
        import subprocess

        from venvtui.tui.format import activated_environ

        environ = activated_environ(row.path, os.environ)
        argv = [os.path.join(row.path, "bin", "python")] if program else [_shell(environ)]
        try:
            try:
                with self.app.suspend():
                    print(
                        f"venvtui: {short_path(row.path, self.home)} is active; exit to come back"
                    )
                    subprocess.run(argv, env=environ, check=False)
            except SuspendNotSupported:
                # No terminal to hand over (headless): run it with no input, so it just ends.
                subprocess.run(argv, env=environ, check=False, stdin=subprocess.DEVNULL)
        except OSError as exc:
            self.notify(f"could not start {argv[0]}: {exc}", severity="error")

    def action_copy_activate(self) -> None:
        row = self.selected_env()
        if row is None:
            return
        import os
        import shlex

        command = f"source {shlex.quote(os.path.join(row.path, 'bin', 'activate'))}"
        self.app.copy_to_clipboard(command)
        self.notify(command, title="copied")

    # --- scan a folder, find a package --------------------------------------------------------------
    def action_scan_folder(self) -> None:
        from venvtui.tui.screens.scan_folder import ScanFolder

        screen = ScanFolder(self.service, self.reach, home=self.home)
        self.app.push_screen(screen, callback=self._root_added)

    def _root_added(self, added: RootAdded | None) -> None:
        if added is not None:
            root = short_path(added.root, self.home)
            self.notify(f"scanning {root}" + ("" if added.added else " (already a scan root)"))
            self.action_rescan()
            self.pending_root = added.root

    def action_find_package(self) -> None:
        from venvtui.tui.screens.find_package import FindPackage

        envs = list(self.env_table.records.values())
        if not envs:
            self.notify("no environments to search (o scans a folder)", severity="warning")
            return
        screen = FindPackage(self.service, envs, home=self.home)
        self.app.push_screen(screen, callback=self.select_env)

    def select_env(self, path: str | None) -> None:
        """Select the environment at `path`, shown even if the filter would hide it."""
        if path is None:
            return
        self.action_show_tab("envs")
        table = self.env_table
        table.pinned = path
        table.rebuild()
        if table.select_key(path):
            table.focus()
            self._select_from(table, force=True)

    # --- what if -----------------------------------------------------------------------------------
    def action_whatif(self) -> None:
        if self.active_tab != "interpreters":
            self.action_show_tab("interpreters")
            self.notify("choose an interpreter, then press w", severity="information")
            return
        row = self.interp_table.selected
        if row is None:
            return
        from venvtui.tui.screens.whatif import WhatIfScreen

        envs = list(self.env_table.records.values())
        self.app.push_screen(WhatIfScreen(self.service, row, envs, home=self.home))

    # --- writes ----------------------------------------------------------------------------------
    def selected_env(self) -> EnvRow | None:
        if self.active_tab != "envs":
            self.notify("switch to Environments and select one first", severity="warning")
            return None
        row = self.env_table.selected
        if row is None:
            self.notify("no environment selected", severity="warning")
        return row

    def action_create(self) -> None:
        interps = list(self.interp_table.records.values())
        if not interps:
            self.notify("no interpreters found yet; wait for the scan", severity="warning")
            return
        from venvtui.tui.screens.wizard import CreateWizard

        selected = self.interp_table.selected_key if self.active_tab == "interpreters" else None
        wizard = CreateWizard(self.service, interps, home=self.home, selected=selected)
        self.app.push_screen(wizard, callback=self._created)

    def _created(self, outcome: ApplyOutcome | None) -> None:
        if outcome is None:
            return
        self.notify(outcome.message, title="created")
        if outcome.env_path:
            self.pending_select = outcome.env_path
            self._refresh_env(outcome)

    def action_repair(self) -> None:
        row = self.selected_env()
        if row is not None:
            self._plan("repair", [row], None)

    def action_rebuild(self) -> None:
        row = self.selected_env()
        if row is None:
            return
        from venvtui.tui.screens.picker import InterpreterPicker

        picker = InterpreterPicker(
            list(self.interp_table.records.values()),
            title=f"Rebuild {short_path(row.path, self.home)} with which interpreter?",
            home=self.home,
        )

        def picked(python: str | None) -> None:
            if python:
                self._plan("rebuild", [row], python)

        self.app.push_screen(picker, callback=picked)

    def action_delete(self) -> None:
        row = self.selected_env()
        if row is not None:
            self._plan("delete", [row], None)

    def action_mark(self) -> None:
        row = self.selected_env()
        if row is not None:
            self.env_table.toggle_mark(row.key)
            self._update_status()

    def action_mark_problems(self) -> None:
        table = self.env_table
        problems = {k for k, r in table.records.items() if r.problem}
        table.set_marks(set() if problems and problems <= table.marked else problems)
        self._update_status()

    def action_fix_marked(self) -> None:
        rows = [r for k, r in self.env_table.records.items() if k in self.env_table.marked]
        if not rows:
            self.notify(
                "mark environments with space (or a: all with problems)", severity="warning"
            )
            return
        self._plan("repair", rows, None)

    @work(
        thread=True,
        exclusive=True,
        group="plan",
        exit_on_error=False,
        name="plan",
        description="plan",
    )
    def _plan(self, action: str, rows: list[EnvRow], python: str | None) -> None:
        plans: list[PlanView] = []
        refused: list[tuple[str, str]] = []
        interps = list(self.interp_table.records.values())
        for row in rows:
            try:
                if action == "repair":
                    plans.append(self.service.plan_fix(row, interps))
                elif action == "rebuild":
                    plans.append(self.service.plan_rebuild(row, python or ""))
                else:
                    plans.append(self.service.plan_delete(row))
            except VenvtuiError as exc:
                if len(rows) == 1:
                    raise
                refused.append((row.path, error_text(exc).splitlines()[0]))
        self.app.call_from_thread(self._confirm, plans, refused)

    def _confirm(self, plans: list[PlanView], refused: list[tuple[str, str]]) -> None:
        from venvtui.tui.screens.confirm import ConfirmPlan

        if not plans:
            self.notify(
                "\n".join(f"{short_path(p, self.home)}: {why}" for p, why in refused),
                title="nothing to do",
                severity="warning",
            )
            return

        def done(ok: bool | None) -> None:
            if ok:
                self._start_writes(plans)

        self.app.push_screen(ConfirmPlan(plans, refused, home=self.home), callback=done)

    def _start_writes(self, plans: list[PlanView]) -> None:
        from venvtui.tui.screens.progress import WriteProgress

        verb = plans[0].action if len({p.action for p in plans}) == 1 else "fix"
        title = (
            f"{verb.title()} {short_path(plans[0].target, self.home)}"
            if len(plans) == 1
            else f"Fixing {len(plans)} environments"
        )
        self.progress = WriteProgress(
            title, [p.target for p in plans], plans[0].steps, home=self.home
        )
        self.app.push_screen(self.progress)
        self._apply(plans, self.progress)

    @work(thread=True, exclusive=True, group="apply", exit_on_error=False, name="apply")
    def _apply(self, plans: list[PlanView], progress: WriteProgress) -> None:
        call = self.app.call_from_thread
        ok = 0
        last = ""
        for plan in plans:
            call(progress.start, plan.target, plan.steps)
            try:
                outcome = self.service.apply(plan, lambda event: call(progress.event, event))
                row = self.service.load_env(outcome.env_path) if outcome.env_path else None
            except VenvtuiError as exc:
                call(progress.finish_item, plan.target, False, error_text(exc).splitlines()[0])
                continue
            ok += 1
            status = row.health if row is not None else "removed"
            last = f"{plan.action} {short_path(plan.target, self.home)}: {status}"
            call(progress.finish_item, plan.target, True, f"{plan.action}: {status}")
            self._post(EnvUpdated(outcome, row, quiet=True))
        failed = len(plans) - ok
        summary = f"{ok} done" + (f", {failed} failed" if failed else "")
        call(progress.finish, summary)
        if len(plans) == 1 and not failed:
            call(progress.dismiss, None)
            call(self.notify, last)

    @work(thread=True, exclusive=True, group="apply", exit_on_error=False, name="load")
    def _refresh_env(self, outcome: ApplyOutcome) -> None:
        row = self.service.load_env(outcome.env_path) if outcome.env_path else None
        self._post(EnvUpdated(outcome, row))

    def on_env_updated(self, message: EnvUpdated) -> None:
        table = self.env_table
        outcome = message.outcome
        if outcome.removed:
            table.remove_record(outcome.removed)
            if self.selection and self.selection[1] == outcome.removed:
                self.selection = None
                self.query_one(DetailPane).show_placeholder(
                    f"deleted {short_path(outcome.removed, self.home)}"
                )
        if message.row is not None:
            old = table.records.get(message.row.key)
            # The acted-on env stays visible (even when "problems only" would now hide it)
            # and selected, until the selection moves elsewhere.
            table.pinned = message.row.key
            table.add_records([replace(message.row, size=old.size if old else None)])
            table.unmark(message.row.key)
            self.action_show_tab("envs")
            if self.selection is None or self.selection[1] == message.row.key or not message.quiet:
                table.select_key(message.row.key)
                self._select_from(table, force=True)
            self._compute_sizes(self.scan_id, self._unsized())
        if outcome.message and not message.quiet and (outcome.removed or not self.pending_select):
            self.notify(outcome.message)
        self.pending_select = None
        self._update_status()

    # --- errors ------------------------------------------------------------------------------------
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            what = {
                "scan": "scan",
                "detail": "details",
                "plan": "planning",
                "apply": "write",
                "load": "reload",
                "confirm": "check",
            }
            title = f"{what.get(event.worker.name, event.worker.name or 'task')} failed"
            self.notify(error_text(event.worker.error), title=title, severity="error", timeout=10)
            if event.worker.name == "scan":
                self.scanning = False
                self._update_status()
            elif event.worker.name == "detail":
                first = error_text(event.worker.error).splitlines()[0]
                self.query_one(DetailPane).show_placeholder(f"details unavailable: {first}")
            elif event.worker.name == "apply" and self.progress is not None:
                self.progress.finish("the write stopped: " + error_text(event.worker.error))


def _shell(environ: dict[str, str]) -> str:
    import shutil

    return environ.get("SHELL") or shutil.which("bash") or shutil.which("sh") or "/bin/sh"
