"""TUI benchmark: time to first paint, and the longest event-loop stall while rows stream in.

    .venv/bin/python bench/tui_bench.py [--rows 2000] [--runs 5]
    .venv/bin/python bench/tui_bench.py --why [--rows 2000]   # what the longest stalls are

- first paint: wall time from spawning `python -c <start the app>` (the same imports as the
  `venvtui` console script, real core service) until the app's first frame has been rendered
  (headless driver), median of --runs. Discovery starts only after that frame.
- stall: the app on a synthetic service that yields --rows environments (and a tenth as many
  interpreters) as fast as it can; a probe task on the event loop measures the longest gap
  between its 5 ms ticks until the scan is done. Also measured on the real machine's scan.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "app"), str(ROOT)]

# The first frame is timed when the app hands it to the display (`App._display`), not when a
# callback after it runs: the discovery workers start after that frame and would otherwise
# delay the callback (the frame is already on screen by then). Printed: the wall clock, and
# the process's CPU time so far (which load does not stretch).
_PROBE = r"""
import sys, time
from {module} import {app} as Base

class Probe(Base):
    painted = None
    def _display(self, screen, renderable):
        if renderable is not None and Probe.painted is None:
            Probe.painted = (time.time(), time.process_time())
        super()._display(screen, renderable)
    def on_mount(self):
        self.call_after_refresh(self._painted)
    def _painted(self):
        wall, cpu = Probe.painted or (time.time(), time.process_time())
        sys.stdout.write(repr(wall) + " " + repr(cpu) + "\n"); sys.stdout.flush()
        self.exit()

Probe().run(headless=True, size=(120, 36))
"""
FIRST_PAINT = _PROBE.format(module="venvtui.tui.app", app="VenvtuiApp")
BARE_APP = _PROBE.format(module="textual.app", app="App")


def first_paint(runs: int, script: str = FIRST_PAINT) -> list[float]:
    """Process start to first frame, seconds, for each of `runs` runs of `script`."""
    return [wall for wall, _cpu in first_paints(runs, script)]


def first_paints(runs: int, script: str = FIRST_PAINT) -> list[tuple[float, float]]:
    """(wall seconds, CPU seconds) from process start to first frame, for each of `runs` runs
    of `script`."""
    times = []
    for _ in range(runs):
        start = time.time()
        out = subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=str(ROOT),
            env={**os.environ, "PYTHONPATH": str(ROOT / "app")},
        )
        lines = [ln for ln in out.stdout.splitlines() if ln.strip()]
        if out.returncode != 0 or not lines:
            raise SystemExit(f"first-paint run failed:\n{out.stderr[-2000:]}")
        wall, cpu = lines[-1].split()
        times.append((float(wall) - start, float(cpu)))
    return times


_SERVERS = itertools.count()
VERSION_ROW = re.compile(r"\b3\.\d{1,2}\.\d{1,2}\b")  # a row showing a Python version


def tmux_first_rows(
    argv: list[str], cwd: str, env: dict[str, str], timeout: float = 60, linger: float = 0.0
) -> float:
    """Seconds from starting `argv` in a fresh 120x36 tmux server until its screen shows a
    Python version (a row with one), polled every 10 ms. The same stopwatch for any TUI.
    `linger`: seconds it keeps running afterwards (a warm-up run lets it finish its scan and
    write its caches, as a user's earlier session would have)."""
    tmux = shutil.which("tmux")
    if tmux is None:
        raise RuntimeError("tmux not found")
    sock = f"venvtui-bench-{os.getpid()}-{next(_SERVERS)}"  # a fresh server every run
    base = [tmux, "-L", sock, "-f", "/dev/null"]
    cmd = " ".join(_quote(a) for a in argv)
    start = time.perf_counter()
    subprocess.run(
        [*base, "new-session", "-d", "-x", "120", "-y", "36", "-c", cwd, cmd],
        env={**env, "TERM": "xterm-256color"},
        check=True,
    )
    try:
        while time.perf_counter() - start < timeout:
            screen = subprocess.run(
                [*base, "capture-pane", "-p"], capture_output=True, text=True, check=False
            ).stdout
            if VERSION_ROW.search(screen):
                elapsed = time.perf_counter() - start
                time.sleep(linger)
                return elapsed
            time.sleep(0.01)
        raise RuntimeError(f"no row with a Python version within {timeout:.0f} s: {argv!r}")
    finally:
        subprocess.run([*base, "kill-server"], capture_output=True, check=False)


def _quote(arg: str) -> str:
    import shlex

    return shlex.quote(arg)


async def max_stall(
    service: object, timeout: float = 120.0, gaps: list[tuple[float, float]] | None = None
) -> tuple[float, float, float, int]:
    """(longest loop stall wall-clock, longest stall in main-thread CPU time, scan seconds, rows
    shown) for the app on `service`. The CPU-time figure excludes time the thread was merely
    descheduled, so it stays meaningful on a busy machine. `gaps`: gets the main thread's CPU
    clock at the start and end of every gap between ticks."""
    from venvtui.tui.app import VenvtuiApp

    app = VenvtuiApp(service, cursor_blink=False)  # type: ignore[arg-type]
    worst = 0.0
    worst_cpu = 0.0
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        start = time.perf_counter()
        app.main.action_rescan()
        tick = 0.005
        last = time.perf_counter()
        last_cpu = time.thread_time()
        while app.main.scanning and time.perf_counter() - start < timeout:
            await asyncio.sleep(tick)
            now = time.perf_counter()
            now_cpu = time.thread_time()
            worst = max(worst, now - last - tick)
            worst_cpu = max(worst_cpu, now_cpu - last_cpu)
            if gaps is not None:
                gaps.append((last_cpu, now_cpu))
            last, last_cpu = now, now_cpu
        elapsed = time.perf_counter() - start
        await pilot.pause()
        rows = app.main.env_table.row_count + app.main.interp_table.row_count
    return worst, worst_cpu, elapsed, rows


async def interaction_stalls(
    service: object, gaps: list[tuple[float, float]] | None = None
) -> dict[str, tuple[float, float]]:
    """After the scan of `service` (and the work after it) is done: type 3 characters into the
    env filter, delete them, then sort by a column twice (again: reversed) and by another, by
    clicking its header and with `s` (a modal screen lists the columns). For each of those
    actions: (longest event-loop stall in main-thread CPU time, most main-thread CPU one key
    press or click cost, from the key to the idle screen). `gaps`:
    gets the main thread's CPU clock at the start and end of every gap between the probe's
    5 ms ticks while keys are pressed."""
    from venvtui.tui.app import VenvtuiApp

    app = VenvtuiApp(service, cursor_blink=False)  # type: ignore[arg-type]
    out: dict[str, tuple[float, float]] = {}
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        app.main.action_rescan()
        while app.main.scanning or app.workers:
            await asyncio.sleep(0.05)
        await pilot.pause()
        await pilot.press("slash")  # the filter bar opens (not a filter keystroke)
        await pilot.pause()
        worst = [0.0]
        done = asyncio.Event()

        async def probe() -> None:
            last = time.thread_time()
            while not done.is_set():
                await asyncio.sleep(0.005)
                now = time.thread_time()
                worst[0] = max(worst[0], now - last)
                if gaps is not None:
                    gaps.append((last, now))
                last = now

        async def costs(keys: list[list[str]]) -> tuple[float, float]:
            worst[0] = 0.0
            most = 0.0
            for group in keys:
                start = time.thread_time()
                await pilot.press(*group)
                await pilot.pause()
                most = max(most, time.thread_time() - start)
            return worst[0], most

        task = asyncio.create_task(probe())
        try:
            out["filter keystroke"] = await costs([[c] for c in "p12"] + [["backspace"]] * 3)
            await pilot.press("enter")  # back to the table
            await pilot.pause()
            # A click on a column's header sorts by it: Health, Health again, then Python.
            table = app.main.env_table
            starts, x = {}, 0
            for column in table.ordered_columns:
                starts[column.key.value], x = x + 1, x + column.get_render_width(table)
            worst[0], most = 0.0, 0.0
            for name in ("health", "health", "version"):
                start = time.thread_time()
                await pilot.click(f"#{table.id}", offset=(starts[name], 0))
                await pilot.pause()
                most = max(most, time.thread_time() - start)
            assert table.sort_column == "version", "the header clicks did not sort"
            out["sort (header click)"] = worst[0], most
            # `s` opens the column picker (a modal screen): Python, Python again, then Health.
            out["sort (s, pick a column)"] = await costs(
                [["s", "down", "down", "enter"], ["s", "enter"], ["s", "up", "enter"]]
            )
        finally:
            done.set()
            await task
    return out


def synthetic(rows: int) -> object:
    from tests.tui.stub import StubService

    from venvtui.tui.services import Cancelled
    from venvtui.tui.views import EnvRow, InterpreterRow

    class Synthetic(StubService):
        def iter_interpreters(self, cancelled: Cancelled) -> Iterator[InterpreterRow]:
            for i in range(max(1, rows // 10)):
                yield InterpreterRow(
                    key=f"/opt/py/{i}/bin/python3.12",
                    version=f"3.12.{i}",
                    implementation="cpython",
                    path=f"/opt/py/{i}/bin/python3.12",
                    sources=("path",),
                    stability="stable",
                    install_dir=f"/opt/py/{i}",
                )

        def iter_environments(self, cancelled: Cancelled) -> Iterator[EnvRow]:
            for i in range(rows):
                if cancelled():
                    return
                yield EnvRow(
                    key=f"/home/dev/p{i}/.venv",
                    path=f"/home/dev/p{i}/.venv",
                    creator="venv",
                    owner="project",
                    version="3.12.1",
                    home=f"/opt/py/{i % 10}/bin",
                    health="ok" if i % 7 else "broken",
                    next_break=None,
                    mtime=self.now() - i * 3600,
                )

    return Synthetic()


def why(rows: int, shown: int = 3, keys: bool = False) -> None:
    """Print the `shown` longest gaps of max_stall on synthetic(rows) (`keys`: of
    interaction_stalls): each event-loop callback run in them (main-thread CPU ms) and, inside
    it, the app's handlers and Textual's frame steps that took over 0.5 ms."""
    import asyncio.events
    import functools
    import gc

    from textual._compositor import Compositor
    from textual.screen import Screen
    from textual.widgets import DataTable

    from venvtui.tui.screens.main import MainScreen
    from venvtui.tui.widgets.tables import RecordTable

    inside: list[tuple[str, float]] = []
    timed = {
        Screen: ("_refresh_layout",),
        Compositor: ("reflow",),
        DataTable: ("render_lines", "_on_idle"),
        RecordTable: (
            "add_records",
            "update_records",
            "rebuild",
            "resort",
            "set_filter",
            "sort_on",
        ),
        MainScreen: (
            "on_interpreters_found",
            "on_environments_found",
            "on_scan_part_done",
            "on_envs_confirmed",
            "on_sizes_found",
            "_update_status",
            "_select_from",
        ),
    }

    def timer(label: str, method: Callable[..., object]) -> Callable[..., object]:
        if asyncio.iscoroutinefunction(method):

            async def timed_async(*args: object, **kwargs: object) -> object:
                start = time.thread_time()
                try:
                    return await method(*args, **kwargs)
                finally:
                    inside.append((label, time.thread_time() - start))

            return functools.wraps(method)(timed_async)

        def timed_sync(*args: object, **kwargs: object) -> object:
            start = time.thread_time()
            try:
                return method(*args, **kwargs)
            finally:
                inside.append((label, time.thread_time() - start))

        return functools.wraps(method)(timed_sync)

    for cls, names in timed.items():
        for name in names:
            setattr(cls, name, timer(f"{cls.__name__}.{name}", getattr(cls, name)))
    gc_start = [0.0]

    def on_gc(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            gc_start[0] = time.thread_time()
        else:
            inside.append((f"gc generation {info['generation']}", time.thread_time() - gc_start[0]))

    gc.callbacks.append(on_gc)
    callbacks: list[tuple[float, float, list[tuple[str, float]]]] = []  # (end, cpu, inside)
    run = asyncio.events.Handle._run

    def timed_run(handle: asyncio.events.Handle) -> None:
        inside.clear()
        start = time.thread_time()
        try:
            run(handle)
        finally:
            end = time.thread_time()
            callbacks.append((end, end - start, list(inside)))

    asyncio.events.Handle._run = timed_run  # type: ignore[method-assign]
    gaps: list[tuple[float, float]] = []
    try:
        if keys:
            asyncio.run(interaction_stalls(synthetic(rows), gaps=gaps))
        else:
            asyncio.run(max_stall(synthetic(rows), gaps=gaps))
    finally:
        asyncio.events.Handle._run = run  # type: ignore[method-assign]
        gc.callbacks.remove(on_gc)
    for start, end in sorted(gaps, key=lambda g: g[0] - g[1])[:shown]:
        print(f"gap of {(end - start) * 1000:.1f} ms CPU:")
        for done, cpu, parts in callbacks:
            if start <= done <= end and cpu >= 0.001:
                print(f"  callback {cpu * 1000:5.1f} ms")
                totals: dict[str, float] = {}
                for label, seconds in parts:
                    totals[label] = totals.get(label, 0.0) + seconds
                for label, seconds in sorted(totals.items(), key=lambda t: -t[1]):
                    if seconds >= 0.0005:
                        print(f"    {label:40s} {seconds * 1000:5.1f} ms")


def print_interaction(rows: int) -> None:
    for action, (stall, most) in asyncio.run(interaction_stalls(synthetic(rows))).items():
        print(
            f"{action} over {rows} envs (synthetic): longest event-loop stall "
            f"{stall * 1000:.0f} ms CPU, most CPU for one key {most * 1000:.0f} ms "
            "(target <= 50 ms)"
        )
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--why", action="store_true", help="break the longest stalls down")
    parser.add_argument(
        "--keys",
        action="store_true",
        help="only filter keystrokes and sorting (with --why: theirs)",
    )
    args = parser.parse_args()
    if args.why:
        why(args.rows, keys=args.keys)
        return 0
    if args.keys:
        print_interaction(args.rows)
        return 0

    bare = first_paint(args.runs, BARE_APP)
    paints = first_paint(args.runs)
    print(
        f"first paint, bare Textual app (baseline, same run): median "
        f"{statistics.median(bare) * 1000:.0f} ms  (min {min(bare) * 1000:.0f}, "
        f"max {max(bare) * 1000:.0f})"
    )
    print(
        f"first paint (headless, real service): median {statistics.median(paints) * 1000:.0f} ms"
        f"  (min {min(paints) * 1000:.0f}, max {max(paints) * 1000:.0f}; see `./dev bench` for the goal)"
    )

    stall, cpu, seconds, shown = asyncio.run(max_stall(synthetic(args.rows)))
    print(
        f"stream {args.rows} envs + {args.rows // 10} interpreters (synthetic): {shown} rows in "
        f"{seconds:.2f} s, longest event-loop stall {stall * 1000:.0f} ms wall, "
        f"{cpu * 1000:.0f} ms CPU (target < 100 ms)"
    )

    print_interaction(args.rows)

    from venvtui.tui.core_service import CoreService

    stall, cpu, seconds, shown = asyncio.run(max_stall(CoreService()))
    print(
        f"real scan of this machine: {shown} rows in {seconds:.2f} s, "
        f"longest event-loop stall {stall * 1000:.0f} ms wall, {cpu * 1000:.0f} ms CPU"
    )
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
