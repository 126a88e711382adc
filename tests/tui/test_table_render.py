"""The tables keep the cells they rendered while rows stream in: rows appended below the
screen render no cell on screen again (a cell costs ~0.3 ms to render, a screenful ~50 ms of
the event loop), a changed row renders only its own cells again, and what changed is shown."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from rich.console import Console
from rich.padding import Padding
from rich.style import Style
from rich.text import Span, Text
from textual.geometry import Region
from textual.renderables.styled import Styled

from tests.tui.conftest import settle
from tests.tui.stub import StubService, env_row
from venvtui.tui.app import VenvtuiApp
from venvtui.tui.services import Cancelled
from venvtui.tui.views import EnvRow, InterpreterRow
from venvtui.tui.widgets import tables
from venvtui.tui.widgets.tables import EnvTable, RecordTable


class ManyEnvs(StubService):
    def iter_environments(self, cancelled: Cancelled) -> Iterator[EnvRow]:
        for i in range(120):
            yield env_row(f"/home/dev/p{i:03}/.venv")


def count_renders(
    app: VenvtuiApp, table: EnvTable, monkeypatch: pytest.MonkeyPatch
) -> tuple[list[object], list[object]]:
    """(table cells rendered, table frames rendered) from now on. A DataTable renders each cell
    as a Styled renderable through the app's console; the tables render one-line text cells
    with `tables.cell_line`."""
    cells: list[object] = []
    cell_line = tables.cell_line

    def counted_cell(*args: Any) -> Any:
        cells.append(args)
        return cell_line(*args)

    monkeypatch.setattr(tables, "cell_line", counted_cell)
    frames: list[object] = []
    console = app.console
    render_lines = console.render_lines
    table_lines = table.render_lines

    def counted_lines(renderable: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(renderable, Styled):
            cells.append(renderable)
        return render_lines(renderable, *args, **kwargs)

    def counted_frames(crop: Any) -> Any:
        frames.append(crop)
        return table_lines(crop)

    console.render_lines = counted_lines  # type: ignore[method-assign]
    table.render_lines = counted_frames  # type: ignore[method-assign]
    return cells, frames


def shown_text(table: RecordTable[Any]) -> str:
    """The table's lines as the screen gets them."""
    return "\n".join(strip.text for strip in table.render_lines(Region(0, 0, *table.size)))


async def test_rows_appended_below_the_screen_render_no_cell_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = VenvtuiApp(ManyEnvs(), cursor_blink=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        table = app.main.env_table
        assert table.row_count == 120
        assert "p000" in shown_text(table)
        cells, frames = count_renders(app, table, monkeypatch)
        table.add_records([env_row(f"/home/dev/q{i:03}/.venv") for i in range(50)])
        table.refresh()
        await pilot.pause()
        assert table.row_count == 170
        assert frames, "the table was not drawn again"
        assert cells == []
        await pilot.press("ctrl+end")
        await pilot.pause()
        assert "q049" in shown_text(table)
        assert cells, "the rows scrolled to were not rendered"


async def test_a_changed_row_renders_only_its_own_cells_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = VenvtuiApp(ManyEnvs(), cursor_blink=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        table = app.main.env_table
        records = table.records
        on_screen, below = "/home/dev/p005/.venv", "/home/dev/p100/.venv"
        cells, frames = count_renders(app, table, monkeypatch)
        table.update_records([replace(records[below], size=7 << 20)])
        table.refresh()
        await pilot.pause()
        assert frames and cells == []
        table.update_records([replace(records[on_screen], size=123 << 20)])
        await pilot.pause()
        assert 0 < len(cells) <= len(table.columns)  # that row's cells, none of the others'
        assert "123M" in shown_text(table)
        await pilot.press("ctrl+end")
        await pilot.pause()
        assert "7.0M" in shown_text(table)


class UnsortedInterpreters(StubService):
    def iter_interpreters(self, cancelled: Cancelled) -> Iterator[InterpreterRow]:
        for minor in (9, 12, 8, 13, 10, 11):
            yield InterpreterRow(
                key=f"/opt/py3.{minor}/bin/python3",
                version=f"3.{minor}.1",
                implementation="cpython",
                path=f"/opt/py3.{minor}/bin/python3",
                sources=("path",),
                stability="stable",
                install_dir=f"/opt/py3.{minor}",
            )


async def test_interpreters_found_out_of_order_end_up_newest_first() -> None:
    app = VenvtuiApp(UnsortedInterpreters(), cursor_blink=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        table = app.main.interp_table
        shown = [table.get_row_at(i)[0].plain for i in range(table.row_count)]
        assert shown == ["3.13.1", "3.12.1", "3.11.1", "3.10.1", "3.9.1", "3.8.1"]
        assert table.selected_key == "/opt/py3.13/bin/python3"
        await pilot.press("2")
        await pilot.pause()
        assert "3.13.1" in shown_text(table).splitlines()[1]  # the first row on screen


CELLS = [
    Text(""),
    Text("", style="bold"),
    Text("3.12.1"),
    Text("✓ ok", style="green"),
    Text("✗ broken", style=Style(color="red", bold=True)),
    Text("—", style=Style()),  # a null style
    Text("/home/dev/" + "deep/" * 12 + ".venv"),
    Text("/srv/日本語/[x]/.venv", style="yellow"),
    Text("trailing  "),
    Text.assemble(("● ", "bold cyan"), "~/p0/.venv"),
    Text("dim all", spans=[Span(0, 7, "dim")]),
]


@pytest.mark.parametrize("cell", CELLS, ids=lambda c: repr(c.plain))
def test_cell_line_is_the_line_datatable_renders(cell: Text) -> None:
    """A one-line cell at every width: the segments of DataTable's render (Textual 8.2
    `_render_cell`: Rich renders `Styled(Padding(cell, (0, padding)), base + meta + component,
    post)` one line high, without wrapping), with the meta given apart or in the base."""
    console = Console(width=120, color_system="truecolor", force_terminal=True)
    base = Style(color="white", bgcolor="black")
    meta = Style.from_meta({"row": 3, "column": 1})
    component = Style(color="#e0e0e0", italic=True)
    post = Style(bgcolor="blue")
    padding = 1  # DataTable's cell_padding, the tables'
    for width in range(2 * padding + 1, 40):
        options = console.options.update_dimensions(width, 1).update(no_wrap=True)
        pre = base + meta + component
        styled = Styled(Padding(cell, (0, padding)), pre_style=pre, post_style=post)
        [expected] = console.render_lines(styled, options)
        line = tables.cell_line(console, cell, width, padding, base + component, post, meta)
        assert line == expected, width
        assert tables.cell_line(console, cell, width, padding, pre, post) == expected, width
