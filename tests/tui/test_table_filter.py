"""Filtering and sorting 2,000 environments: a keystroke in the filter or a sort shows the same
rows, order, cells and selection as making the table again from its records would, without
adding the rows one by one nor formatting their cells again."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from rich.segment import Segment
from rich.text import Text
from textual.coordinate import Coordinate
from textual.geometry import Region
from textual.screen import Screen
from textual.widgets import DataTable, Input

from tests.tui.conftest import settle
from tests.tui.stub import NOW, StubService
from venvtui.tui.app import VenvtuiApp
from venvtui.tui.services import Cancelled
from venvtui.tui.views import EnvRow
from venvtui.tui.widgets import tables
from venvtui.tui.widgets.tables import EnvTable, RecordTable

N = 2000


class ThousandsOfEnvs(StubService):
    def iter_environments(self, cancelled: Cancelled) -> Iterator[EnvRow]:
        for i in range(N):
            yield EnvRow(
                key=f"/home/dev/p{i}/.venv",
                path=f"/home/dev/p{i}/.venv",
                creator="venv" if i % 3 else "uv",
                owner="project",
                version=f"3.{10 + i % 4}.1",
                home=f"/opt/py/{i % 10}/bin",
                health="ok" if i % 7 else "broken",  # type: ignore[arg-type]
                next_break=None,
                mtime=NOW - i * 3600,
            )


def shown(table: RecordTable[Any]) -> list[str]:
    return [str(table.coordinate_to_cell_key((i, 0)).row_key.value) for i in range(table.row_count)]


def cells_of(table: RecordTable[Any]) -> list[list[tuple[str, str, object]]]:
    """Every shown row's cells as the screen gets them (text, style, spans)."""
    out = []
    for i in range(table.row_count):
        row = table.get_row_at(i)
        out.append([(c.plain, str(c.style), c.spans) for c in row if isinstance(c, Text)])
    return out


def made_again(table: EnvTable) -> tuple[list[str], list[list[tuple[str, str, object]]]]:
    """What the table would show if each row were made from its record now."""
    records = table.visible_records()
    return [r.key for r in records], [
        [(c.plain, str(c.style), c.spans) for c in table.shown_cells(r)] for r in records
    ]


def count_calls(
    monkeypatch: pytest.MonkeyPatch, owner: object, name: str, *, method: bool = True
) -> list[object]:
    """The calls of `owner.name` from now on (`method`: a method of the class `owner`)."""
    calls: list[object] = []
    function = getattr(owner, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(args[1:] if method else args)
        return function(*args, **kwargs)

    monkeypatch.setattr(owner, name, counted)
    return calls


async def test_typing_in_the_filter_adds_no_row_one_by_one_and_formats_no_cell_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = VenvtuiApp(ThousandsOfEnvs(), cursor_blink=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        table = app.main.env_table
        assert table.row_count == N
        await pilot.press("down", "down", "down")
        await pilot.pause()
        chosen = table.selected_key
        assert chosen == "/home/dev/p3/.venv"
        add_row = count_calls(monkeypatch, DataTable, "add_row")
        cells = count_calls(monkeypatch, EnvTable, "cells")
        await pilot.press("slash", "p", "3", "1")
        await settle(pilot)
        assert table.selected_key == "/home/dev/p31/.venv"  # p3 is hidden: the first row
        await pilot.press("backspace")
        await settle(pilot)
        assert table.row_count == sum("/p3" in k for k in table.records)
        assert all("/p3" in k for k in shown(table))
        assert table.selected_key == "/home/dev/p31/.venv"  # still shown: the cursor stays
        rendered = count_calls(monkeypatch, tables, "cell_line", method=False)
        for _ in range(2):
            rendered.clear()
            await pilot.press("backspace")
            await settle(pilot)
            # The rows on screen (less the header) rendered again, no other: a screenful.
            assert 0 < len(rendered) <= (table.size.height - 1) * len(table.columns)
        assert table.row_count == N
        assert table.selected_key == "/home/dev/p31/.venv"
        assert add_row == []
        assert cells == []  # every row's cells were made once, while the scan streamed them
        assert (shown(table), cells_of(table)) == made_again(table)
        status = str(app.main.query_one("#status").render())
        assert f"{N} envs" in status


async def test_a_keystroke_that_keeps_the_rows_lays_nothing_out_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = VenvtuiApp(ThousandsOfEnvs(), cursor_blink=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("slash", "h")
        await settle(pilot)
        layouts = count_calls(monkeypatch, Screen, "_refresh_layout")
        await pilot.press("o")  # every path has "ho": the same rows, the same selection
        await settle(pilot)
        assert app.main.env_table.row_count == N
        assert app.main.query_one("#filter", Input).value == "ho"
        assert "matching “ho”" in str(app.main.query_one("#status").render())
        assert layouts == []  # the field and the status repaint in place


async def test_sorting_keeps_the_cursor_on_the_same_env_and_shows_what_a_rebuild_would() -> None:
    app = VenvtuiApp(ThousandsOfEnvs(), cursor_blink=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        table = app.main.env_table
        await pilot.press(*["down"] * 5)
        await pilot.pause()
        chosen = table.selected_key
        for column in ("health", "health", "age", "path"):
            table.sort_on(column)
            await pilot.pause()
            assert table.selected_key == chosen
            assert (shown(table), cells_of(table)) == made_again(table)
        assert app.main.selection == ("environment", chosen)


def screen_lines(table: RecordTable[Any]) -> list[list[Segment]]:
    """The table's lines on screen, as the next frame would draw them."""
    table._line_cache.clear()
    table._row_render_cache.clear()
    table._cell_render_cache.clear()
    return [list(strip) for strip in table.render_lines(Region(0, 0, *table.size))]


async def test_header_clicks_sort_stably_reverse_and_keep_the_cursor_on_its_env() -> None:
    """Clicks on the Health header (worst first, then reversed) and on Python's: the rows in
    stable order, the cursor on the env it was on, the screen as a table made again shows."""
    app = VenvtuiApp(ThousandsOfEnvs(), cursor_blink=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        table = app.main.env_table
        scanned = list(table.records)
        assert shown(table) == scanned
        starts, x = {}, 0
        for column in table.ordered_columns:
            starts[column.key.value], x = x + 1, x + column.get_render_width(table)
        await pilot.click(f"#{table.id}", offset=(starts["path"] + 2, 3))  # a row: focus
        await pilot.press(*["down"] * 41)  # an "ok" env, below the first screenful
        await settle(pilot)
        chosen = table.selected_key
        assert chosen is not None and table.scroll_y > 0
        broken = [k for i, k in enumerate(scanned) if i % 7 == 0]  # ThousandsOfEnvs' health
        ok = [k for i, k in enumerate(scanned) if i % 7]
        by_version = [k for minor in range(4) for k in scanned[minor::4]]  # 3.10 ... 3.13
        clicks = [("health", broken + ok), ("health", ok + broken), ("version", by_version)]
        for column, expected in clicks:
            await pilot.click(f"#{table.id}", offset=(starts[column], 0))
            await settle(pilot)
            assert shown(table) == expected, column
            assert table.selected_key == chosen
            assert table.cursor_row == expected.index(chosen)
            assert table.scroll_y <= table.cursor_row < table.scroll_y + table.size.height - 1
            drawn = screen_lines(table)
            table.rebuild()  # the rows made again in the same order
            await pilot.pause()
            assert (shown(table), table.cursor_row) == (expected, expected.index(chosen))
            assert screen_lines(table) == drawn, column
        assert table.sort_column == "version" and not table.sort_reverse
        assert "Python ▲" in str(table.columns[table.columns_key("version")].label)
        assert app.main.selection == ("environment", chosen)


async def test_rows_hidden_by_the_filter_come_back_with_their_changes() -> None:
    app = VenvtuiApp(ThousandsOfEnvs(), cursor_blink=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        table = app.main.env_table
        hidden = "/home/dev/p5/.venv"
        table.set_filter("p19", False)
        assert hidden not in table.rows
        table.toggle_mark(hidden)
        table.update_records([replace(table.records[hidden], size=5 << 20, health="broken")])
        table.set_now(NOW + 10 * 86400)  # the ages move on
        table.set_filter("", False)
        await pilot.pause()
        assert hidden in table.rows
        assert (shown(table), cells_of(table)) == made_again(table)
        path = table.get_cell(hidden, "path").plain
        assert path.startswith("● ")


class VariedEnvs(StubService):
    def iter_environments(self, cancelled: Cancelled) -> Iterator[EnvRow]:
        from venvtui.core.breaks.status import Forecast

        soon = Forecast(
            event="brew upgrade python@3.12", kind="minor-upgrade", result="broken", why=""
        )
        paths = [
            "/home/dev/p0/.venv",
            "/home/dev/" + "deep/" * 30 + ".venv",
            "/srv/日本語/[x]/.venv",
        ]
        for i, path in enumerate(paths * 4):
            yield EnvRow(
                key=f"{path}{i}",
                path=f"{path}{i}",
                creator="virtualenv",
                owner="project",
                version="3.13.0rc1",
                home="/opt/python/3.13/bin",
                health=("ok", "broken", "misbound", "drift")[i % 4],  # type: ignore[arg-type]
                next_break=soon if i % 2 else None,
                mtime=NOW - i * 86400,
                size=(i + 1) << 20,
            )


@pytest.mark.parametrize("size", [(120, 36), (80, 24)])
async def test_cells_render_as_datatable_renders_them(size: tuple[int, int]) -> None:
    """Every cell, with and without the cursor or the mouse over it, on odd and even rows,
    focused or not: the lines EnvTable renders are DataTable's own, segment for segment."""
    app = VenvtuiApp(VariedEnvs(), cursor_blink=False)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        table = app.main.env_table
        table.toggle_mark(next(iter(table.records)))
        table.add_stale([replace(env, key=env.key + "-old") for env in table.records.values()])
        await pilot.pause()
        compared = 0
        for focused in (True, False):
            if not focused:
                app.main.query_one("#status").focus()  # any other widget
                await pilot.pause()
            table._pseudo_class_state = table.get_pseudo_class_state()
            for row in range(table.row_count):
                base = table._get_row_style(row, table.rich_style)
                for column, col in enumerate(table.ordered_columns):
                    width = col.get_render_width(table)
                    for cursor, hover in ((False, False), (True, False), (False, True)):
                        args = (row, column, base, width, cursor, hover)
                        table._cell_render_cache.clear()
                        ours = table._render_cell(*args)
                        table._cell_render_cache.clear()
                        assert ours == DataTable._render_cell(table, *args), (row, col.key)
                        compared += 1
        assert compared == 2 * table.row_count * len(table.columns) * 3


@pytest.mark.parametrize("size", [(120, 36), (80, 24)])
async def test_lines_render_as_datatable_renders_them(size: tuple[int, int]) -> None:
    """The table's lines, the cursor and the mouse on each row in turn, focused or not: the
    strips EnvTable renders are the ones DataTable's own line and cell renders make."""
    app = VenvtuiApp(VariedEnvs(), cursor_blink=False)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        table = app.main.env_table
        table.toggle_mark(next(iter(table.records)))
        table.add_stale([replace(env, key=env.key + "-old") for env in table.records.values()])
        await pilot.pause()

        def strips(own: bool) -> list[list[Segment]]:
            for name in ("_render_line_in_row", "_render_cell"):
                if own:
                    vars(table).pop(name, None)
                else:
                    setattr(table, name, getattr(DataTable, name).__get__(table))
            table._styles_cache.clear()
            return screen_lines(table)

        compared = 0
        for focused in (True, False):
            if not focused:
                app.main.query_one("#status").focus()  # any other widget
                await pilot.pause()
            for row in range(table.row_count):
                table.move_cursor(row=row)
                for hover in (False, True):
                    table._show_hover_cursor = hover
                    table.hover_coordinate = Coordinate((row * 7) % table.row_count, 0)
                    assert strips(own=True) == strips(own=False), (focused, row, hover)
                    compared += 1
        assert compared == 2 * table.row_count * 2


@pytest.mark.parametrize("size", [(120, 36), (80, 24)])
async def test_header_and_empty_cells_render_as_datatable_renders_them(
    size: tuple[int, int],
) -> None:
    """The header's cells (no arrow, ▲, ▼), the mouse over them or not, and an empty cell
    with a style (DataTable shows its own empty text): DataTable's segments."""
    app = VenvtuiApp(VariedEnvs(), cursor_blink=False)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        table = app.main.env_table
        first = next(iter(table.records))
        table.update_cell(first, "version", Text("", style="bold red"))
        await pilot.pause()
        compared = 0
        for sort in (None, "health", "health"):
            if sort is not None:
                table.sort_on(sort)
                await pilot.pause()
            table._pseudo_class_state = table.get_pseudo_class_state()
            empty = table.get_row_index(first)
            for row in (-1, empty):
                base = table._get_row_style(row, table.rich_style)
                for column, col in enumerate(table.ordered_columns):
                    width = col.get_render_width(table)
                    for cursor, hover in ((False, False), (True, False), (False, True)):
                        args = (row, column, base, width, cursor, hover)
                        table._cell_render_cache.clear()
                        ours = table._render_cell(*args)
                        table._cell_render_cache.clear()
                        assert ours == DataTable._render_cell(table, *args), (row, col.key)
                        compared += 1
        assert compared == 3 * 2 * len(table.columns) * 3
