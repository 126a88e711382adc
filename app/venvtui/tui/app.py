"""The venvtui Textual app: `VenvtuiApp(service)` and `run_tui()` for the console script."""

from __future__ import annotations

import asyncio
import gc
import os
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import Provider
from textual.screen import Screen

from venvtui.core.base.options import DEFAULT_OPTIONS, Options
from venvtui.tui.screens.main import MainScreen
from venvtui.tui.services import Service, default_service


class DaemonExecutor(ThreadPoolExecutor):
    """Runs each thread worker in a daemon thread and never waits for them on shutdown, so
    quitting is immediate even while a probe is still running (probes have their own timeout)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()

        def run() -> None:
            if not future.set_running_or_notify_cancel():
                return
            try:
                future.set_result(fn(*args, **kwargs))
            except BaseException as exc:
                future.set_exception(exc)

        threading.Thread(target=run, daemon=True, name="venvtui-worker").start()
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        return None


def _goto_provider() -> type[Provider]:
    """The palette's go-to provider, imported when the palette first opens."""
    from venvtui.tui.commands import GotoProvider

    return GotoProvider


class VenvtuiApp(App[None]):
    CSS_PATH = Path(__file__).parent / "app.tcss"
    # The modal screens' styles: read when the first modal screen opens, not for the first
    # frame (~8 ms to parse). No rule of it matches the main screen's widgets.
    MODAL_CSS = Path(__file__).parent / "modals.tcss"
    TITLE = "venvtui"
    COMMANDS = App.COMMANDS | {_goto_provider}
    BINDINGS: ClassVar[list[Any]] = [
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True, show=False),
        Binding("q", "quit", "Quit", id="quit-q"),
        Binding("question_mark,f1", "help", "Help", id="help"),
    ]

    def __init__(
        self,
        service: Service | None = None,
        *,
        scan_on_mount: bool = True,
        cursor_blink: bool = True,
        last_seen: bool = False,
    ) -> None:
        super().__init__()
        self.service = service if service is not None else default_service()
        self.scan_on_mount = scan_on_mount
        self.last_seen = last_seen  # paint the last scan's rows first (see tui.last_seen)
        self.cursor_blink_enabled = cursor_blink
        # What start-up built (modules, classes, the service) lives as long as the process:
        # kept out of the cyclic GC's full passes (one walked it all in the first frame, ~50 ms).
        gc.freeze()
        self._gc_paused = False

    def push_screen(self, *args: Any, **kwargs: Any) -> Any:
        """App.push_screen, the modal screens' styles read first (once). They come after
        app.tcss's, as they did at its end; the rules are parsed again (each source once)
        when the new screen's widgets are styled. The widgets already styled keep their
        styles (Textual's Screen.CSS_PATH would style every widget of the app again)."""
        if not self.stylesheet.has_source(os.path.abspath(self.MODAL_CSS)):  # as read() keys it
            self.stylesheet.read(self.MODAL_CSS)
        return super().push_screen(*args, **kwargs)

    def get_default_screen(self) -> Screen[Any]:
        return MainScreen(self.service, scan_on_mount=self.scan_on_mount, last_seen=self.last_seen)

    @property
    def main(self) -> MainScreen:
        screen = self.screen_stack[0]
        assert isinstance(screen, MainScreen)
        return screen

    def on_load(self) -> None:
        asyncio.get_running_loop().set_default_executor(DaemonExecutor())
        # Until the first frame the app builds what it keeps (widgets, styles): no cycles to
        # find, yet each collection walked it all again (~15 ms in all).
        self._gc_paused = gc.isenabled()
        gc.disable()

    def on_mount(self) -> None:
        self.call_after_refresh(self._resume_gc)

    def on_unmount(self) -> None:
        self._resume_gc()  # the app ended before its first frame

    def _resume_gc(self) -> None:
        if self._gc_paused:
            self._gc_paused = False
            gc.freeze()  # what the first frame built lives as long as the app, as start-up did
            gc.enable()

    async def action_quit(self) -> None:
        """Quit, but ask first while a write is running (quitting would interrupt it)."""
        main = self.main
        if not main.writing:
            self.exit()
            return
        from venvtui.tui.screens.confirm import ConfirmQuit

        if isinstance(self.screen, ConfirmQuit):
            return

        def answered(quit_now: bool | None) -> None:
            if quit_now:
                self.exit()

        self.push_screen(ConfirmQuit(), callback=answered)

    def action_help(self) -> None:
        from venvtui.tui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(self.all_bindings()))

    def all_bindings(self) -> list[Binding]:
        from venvtui.tui.widgets.tables import RecordTable

        out: list[Binding] = [
            Binding("up,down", "move", "Move through the rows"),
            Binding("enter", "enter", "Into the detail pane (scroll it)"),
            Binding("escape", "escape", "Back to the table; restore the zoom; clear the filter"),
        ]
        for source in (MainScreen.BINDINGS, RecordTable.BINDINGS, self.BINDINGS):
            out.extend(b for b in source if isinstance(b, Binding))
        out.append(Binding("ctrl+p", "palette", "Command palette: every action by name"))
        return out

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        main = self.main
        yield SystemCommand(
            "Rescan", "Discover interpreters and environments again", main.action_rescan
        )
        yield SystemCommand("Filter", "Show only rows matching some words (/)", main.action_filter)
        yield SystemCommand(
            "Toggle problems only",
            "Show only broken, misbound or drifting rows (p)",
            main.action_toggle_problems,
        )
        yield SystemCommand("New environment", "Open the creation wizard (n)", main.action_create)
        yield SystemCommand(
            "Scan a folder",
            "Add a folder to the scan roots (kept in the config file), then rescan (o)",
            main.action_scan_folder,
        )
        yield SystemCommand(
            "Find a package",
            "Which environments have a package installed, its version and installer (i)",
            main.action_find_package,
        )
        yield SystemCommand(
            "Repair environment", "Repair the selected environment in place (f)", main.action_repair
        )
        yield SystemCommand(
            "Rebuild environment",
            "Recreate the selected environment with another interpreter (b)",
            main.action_rebuild,
        )
        yield SystemCommand(
            "Delete environment",
            "Delete the selected environment, after confirmation (d)",
            main.action_delete,
        )
        yield SystemCommand(
            "Mark environment", "Mark or unmark the selected environment (space)", main.action_mark
        )
        yield SystemCommand(
            "Mark all with problems",
            "Mark every environment with a problem (a); press again to unmark",
            main.action_mark_problems,
        )
        yield SystemCommand(
            "Fix marked environments",
            "One dry run for every marked environment, one confirmation, progress per env (F)",
            main.action_fix_marked,
        )
        yield SystemCommand(
            "Shell in environment",
            "Open your shell with the selected environment activated (u); exit to come back",
            main.action_use_shell,
        )
        yield SystemCommand(
            "Python REPL in environment",
            "Run the selected environment's python (r); exit to come back",
            main.action_use_repl,
        )
        yield SystemCommand(
            "Copy activation command",
            "Copy `source ENV/bin/activate` for the selected environment (y)",
            main.action_copy_activate,
        )
        yield SystemCommand(
            "What if (upgrade / remove interpreter)",
            "Which environments break if the selected interpreter is upgraded or removed (w)",
            main.action_whatif,
        )
        yield SystemCommand(
            "Show environments",
            "Switch to the environments table (1)",
            lambda: main.action_show_tab("envs"),
        )
        yield SystemCommand(
            "Show interpreters",
            "Switch to the interpreters table (2)",
            lambda: main.action_show_tab("interpreters"),
        )
        yield SystemCommand(
            "Zoom detail", "Maximize or restore the detail pane (z)", main.action_zoom_detail
        )
        yield SystemCommand(
            "Sort table", "Choose the column to sort the current table by (s)", main.action_sort
        )
        yield SystemCommand("Help", "Keys and what the health badges mean (?)", self.action_help)
        yield from super().get_system_commands(screen)


def run_tui(options: Options = DEFAULT_OPTIONS) -> int:
    """Run the app on the real core (probing with `options`). Returns the process exit code."""
    try:
        VenvtuiApp(default_service(options), last_seen=options.use_cache).run()
    finally:
        # Quitting while interpreters are probed: stop those runs now, not at their timeout.
        import sys

        proc = sys.modules.get("venvtui.core.base.proc")
        if proc is not None:
            proc.stop_all()
    return 0
