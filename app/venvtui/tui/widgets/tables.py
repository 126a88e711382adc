"""The interpreter and environment tables: explicit column keys, row key = path, sortable by
header click (or `s`: choose a column; ▲/▼ marks the sorted one), filtered by text and "only
problems", fed in batches. Environments can be marked (for one combined fix)."""

from __future__ import annotations

import functools
import gc
from collections.abc import Iterable
from typing import Any, ClassVar, Generic, NamedTuple, Self, TypeVar

from rich.cells import cell_len, set_cell_size
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual._two_way_dict import TwoWayDict
from textual.binding import Binding
from textual.cache import LRUCache
from textual.color import Color
from textual.coordinate import Coordinate
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.widgets import DataTable
from textual.widgets._data_table import _EMPTY_TEXT, Row
from textual.widgets.data_table import ColumnKey, RowKey

from venvtui.tui.format import (
    STABILITY,
    age,
    clip_path,
    health_badge,
    human_size,
    short_event,
    short_path,
    version_key,
)
from venvtui.tui.rows import EnvRow, InterpreterRow

R = TypeVar("R", InterpreterRow, EnvRow)


def same_text(a: object, b: Text) -> bool:
    """`a` renders as `b` (Text's == ignores the base style)."""
    return isinstance(a, Text) and (a.plain, a.style, a.spans) == (b.plain, b.style, b.spans)


def cell_line(
    console: Console,
    text: Text,
    width: int,
    padding: int,
    pre: Style,
    post: Style,
    meta: Style | None = None,
) -> list[Segment]:
    """The one line of a one-line `text` cell `width` cells wide, as DataTable renders it
    (Textual 8.2 `_render_cell`: `console.render_lines(Styled(Padding(text, (0, padding)),
    pre + meta, post), options)`, options `width` wide, 1 high, no_wrap) and Rich (13-15) does
    it, without the layers between (~0.3 ms a cell there, ~0.02 ms here): Text.__rich_console__'s
    wrap, join and render, Padding's line cropped or padded to its inner width with the padding
    style ("none"), a padding cell each side, then Styled's styles (`styled`)."""
    inner = width - 2 * padding
    blank = console.get_style("none")
    side = Segment(" " * padding, blank)
    plain = text.plain
    if (
        text.justify in (None, "default")
        and text.overflow in (None, "fold")
        and not ("\n" in plain or "\t" in plain)
    ):
        # The usual cell (one line, no tab, default justify and overflow): what the steps
        # below come to (wrap: a copy cut to `inner` cells; join: its style as a span).
        if not text.spans:
            # Rendered, the one span is one segment in its style (none for an empty text);
            # without a style, the text is one segment without one.
            if cell_len(plain) > inner:
                plain = set_cell_size(plain, inner)
            if not text.style:
                body = [Segment(plain)]
            else:
                style = console.get_style(text.style, default=Style.null())
                body = [Segment(plain, style)] if plain else []
            body = Segment.adjust_line_length(body, inner, blank)
            return styled([side, *body, side], pre, post, meta)
        line = text.copy()
        line.truncate(inner, overflow="fold")
        segments = Text("\n").join([line]).render(console, end="")
        body = Segment.adjust_line_length(list(segments), inner, blank)
        return styled([side, *body, side], pre, post, meta)
    tab_size = console.tab_size if text.tab_size is None else text.tab_size
    lines = text.wrap(
        console,
        inner,
        justify=text.justify or "default",
        overflow=text.overflow or "fold",
        tab_size=tab_size or 8,
        no_wrap=True,
    )
    segments = Text("\n").join(lines).render(console, end=text.end)
    lines_in = Segment.split_and_crop_lines(
        segments, inner, include_new_lines=False, pad=True, style=blank
    )
    first = next(iter(lines_in))
    return styled([side, *first, side], pre, post, meta)


def styled(segments: list[Segment], pre: Style, post: Style, meta: Style | None) -> list[Segment]:
    """`Segment.apply_style(segments, pre + meta, post)`: each segment's style is `pre + meta +
    its style + post`. A style sum is the same in any grouping, and `meta` (a cell's row and
    column, no colour nor attribute; the other styles carry no meta) adds only its meta and
    link id wherever it is added: so here it is added last, to each distinct style once. Rich
    caches each sum of two styles, and the sums without `meta` recur from cell to cell."""
    if meta is None:
        return list(Segment.apply_style(segments, pre, post))
    made: dict[Style | None, Style] = {}
    out = []
    for text, style, control in segments:
        if control:
            out.append(Segment(text, None, control))
            continue
        new = made.get(style)
        if new is None:
            new = made[style] = pre + style + post + meta
        out.append(Segment(text, new))
    return out


@functools.cache
def health_rank() -> dict[str, int]:
    """The core's order of health words (imported on the first sort by health, not for each
    row: an import statement in a function costs ~3 us a call)."""
    from venvtui.core.breaks.status import HEALTH_RANK

    return HEALTH_RANK


def _drop_rows(cache: LRUCache[Any, Any], rows: set[RowKey]) -> None:
    """Drop a DataTable render cache's entries for `rows` (its keys start with the row's)."""
    for key in [k for k in cache.keys() if k[0] in rows]:  # noqa: SIM118 (no __iter__)
        cache.discard(key)


class FrameCells(NamedTuple):
    """What every cell and line of a frame reads from the table (reactives and properties,
    ~1-10 us a read): the same for the whole frame."""

    console: Console
    padding: int
    show_cursor: bool
    foreground_css: bool
    background_css: bool
    widths: list[int]  # each column's render width, in order
    width: int  # the widget's


class RecordTable(DataTable[Any], Generic[R]):
    """A DataTable over records keyed by path; keeps the records, rebuilds rows on demand."""

    COLUMNS: ClassVar[tuple[tuple[str, str], ...]] = ()  # (key, label)
    # Fixed column widths; the other columns share what is left, in proportion to FLEX weights,
    # and their cells are shortened with an ellipsis to fit.
    WIDTHS: ClassVar[dict[str, int]] = {}
    FLEX: ClassVar[dict[str, tuple[int, int]]] = {}  # key -> (minimum width, weight)
    # Columns left out below a table width (their values are in the detail pane).
    HIDE_BELOW: ClassVar[dict[str, int]] = {}
    BINDINGS: ClassVar[list[Any]] = [
        Binding("s", "screen.sort", "Sort by column", id="table.sort", show=False),
    ]

    def __init__(
        self, *, home: str, now: float, sort: tuple[str, bool] | None = None, id: str | None = None
    ) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.home = home
        self.now = now
        self.records: dict[str, R] = {}
        self.filter_text = ""
        self.only_problems = False
        self.sort_column: str | None = sort[0] if sort else None
        self.sort_reverse = sort[1] if sort else False
        self.unsorted = False  # rows were appended out of order while streaming
        self.pinned: str | None = None  # shown even when the filter would hide it
        # Rows shown as the last scan left them (dim) until this scan finds them again.
        self.stale: set[str] = set()
        self.flex_widths: dict[str, int] = {key: low for key, (low, _) in self.FLEX.items()}
        self.shown_columns: tuple[tuple[str, str], ...] = self.COLUMNS
        self._kept = 0  # DataTable update counts whose changes the caches were kept across
        # The table's lines (row key, line in row), kept up to date by appends.
        self._lines: list[tuple[RowKey, int]] = []
        self._lines_at = 0  # the `_changes` they are for
        self._frame_style: Style | None = None  # the widget's style while a frame renders
        # While a frame renders: the background colours and each row style (by its
        # `_get_row_style` arguments but the row's parity): DataTable works them out on every
        # line, walking the ancestors' styles each time.
        self._frame_background: tuple[Color, Color] | None = None
        self._frame_row_styles: dict[tuple[bool, bool, int, Style], Style] = {}
        # While a frame renders, in a table without fixed rows or columns nor row labels.
        self._frame_cells: FrameCells | None = None
        # Each record's row data ({column: cell}) as last made, with what it was made from (the
        # record object, `variant`): a rebuild (filter, sort) reuses it instead of formatting
        # every cell again. Shown rows share it with DataTable's `_data`, so updated cells
        # update it too.
        self._row_data: dict[str, tuple[R, tuple[bool, ...], dict[ColumnKey, Any]]] = {}
        # Made from a record alone, kept as long as the record (a filter keystroke or a sort
        # goes over every record): its filter haystack (lower case), its value in the sorted
        # column, its row's key and metadata.
        self._hay: dict[str, tuple[R, str]] = {}
        self._sort_keys: dict[str, tuple[R, Any]] = {}
        self._sort_keys_of: str | None = None  # the column `_sort_keys` are for
        self._row_meta: dict[str, Row] = {}

    def render_lines(self, crop: Region) -> list[Strip]:
        """Render with the caches kept across appends and cell updates. DataTable keys its
        cell, row and line caches on an update count that every `add_row` and `update_cell`
        bumps, so each streamed batch re-rendered every cell on screen (~50 ms a frame at
        120x36) though those rows did not change. Here rows are only appended at the end,
        and updated cells drop their row's renders (`_kept_across`); anything else clears the
        table or bumps the count. So while rendering, the count stands for the other changes:
        negative, so it never meets a key made outside rendering."""
        count = self._update_count
        self._update_count = -1 - self._changes
        # DataTable asks for the widget's style on every line (it walks the ancestors' styles);
        # it is the same for the whole frame.
        self._frame_style = super().rich_style
        self._frame_background = super().background_colors
        if not (self.fixed_rows or self.fixed_columns or self._should_render_row_labels):
            self._frame_cells = FrameCells(
                self.app.console,
                self.cell_padding,
                self.show_cursor,
                self.cursor_foreground_priority == "css",
                self.cursor_background_priority == "css",
                [column.get_render_width(self) for column in self.ordered_columns],
                self.size.width,
            )
        try:
            return super().render_lines(crop)
        finally:
            self._update_count = count
            self._frame_style = self._frame_background = self._frame_cells = None
            self._frame_row_styles.clear()

    def _render_cell(
        self,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool = False,
        hover: bool = False,
    ) -> list[list[Segment]]:
        """DataTable's cell render (same cache, same key, same lines) with a one-line Text
        cell in a table without fixed rows or columns rendered by `cell_line`: a filter
        keystroke or a sort renders a screenful of cells never rendered there before. The
        header's cells too (the column labels, one line high): the first frame renders them,
        and each sort changes two."""
        header = row_index == -1 and self.show_header and self.header_height == 1
        if (
            (row_index < 0 and not header)
            or column_index < 0
            or self.fixed_rows
            or self.fixed_columns
        ):
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        row_key = self._header_row_key if header else self._row_locations.get_key(row_index)
        column_key = self._column_locations.get_key(column_index)
        if row_key is None or column_key is None:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        key = (
            row_key,
            column_key,
            base_style,
            cursor,
            hover,
            self._show_hover_cursor,
            self._update_count,
            self._pseudo_class_state,
        )
        lines: list[list[Segment]] | None = self._cell_render_cache.get(key)
        if lines is not None:
            return lines
        cell: object
        if header:  # DataTable renders the column's label as it is
            column = self.columns.get(column_key)
            cell = column.label if column is not None else None
        else:  # the cell as kept: Text, which DataTable's formatter keeps (an empty one: its
            # empty Text instead)
            row = self.rows.get(row_key)
            height = row.height if row is not None else 0
            cell = self._data[row_key].get(column_key) if height == 1 else None
            if isinstance(cell, Text) and not cell:
                cell = _EMPTY_TEXT
        if not isinstance(cell, Text) or "\n" in cell.plain:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        frame = self._frame_cells or FrameCells(
            self.app.console,
            self.cell_padding,
            self.show_cursor,
            self.cursor_foreground_priority == "css",
            self.cursor_background_priority == "css",
            [],
            0,
        )
        component_style, post_style = self._get_styles_to_render_cell(
            header,
            False,
            False,
            hover,
            cursor,
            frame.show_cursor,
            self._show_hover_cursor,
            frame.foreground_css,
            frame.background_css,
        )
        meta = Style.from_meta({"row": row_index, "column": column_index})
        pre = base_style + component_style
        lines = [cell_line(frame.console, cell, width, frame.padding, pre, post_style, meta)]
        self._cell_render_cache[key] = lines
        return lines

    def _render_line_in_row(
        self,
        row_key: RowKey,
        line_no: int,
        base_style: Style,
        cursor_location: Coordinate,
        hover_location: Coordinate,
    ) -> tuple[list[list[Segment]], list[list[Segment]]]:
        """DataTable's line of a row (Textual 8.2: same cache, same key, same segments) for a
        row cursor in a table without fixed columns nor row labels, with what the frame
        reads once (`FrameCells`): there each line asks again for the columns, their widths,
        the widget's size and the header's style (a walk over the ancestors' styles)."""
        frame = self._frame_cells
        cursor_type = self.cursor_type
        if frame is None or cursor_type != "row":
            return super()._render_line_in_row(
                row_key, line_no, base_style, cursor_location, hover_location
            )
        cache_key = (
            row_key,
            line_no,
            base_style,
            cursor_location,
            hover_location,
            cursor_type,
            frame.show_cursor,
            self._show_hover_cursor,
            self._update_count,
            self._pseudo_class_state,
        )
        made: tuple[list[list[Segment]], list[list[Segment]]] | None
        made = self._row_render_cache.get(cache_key)
        if made is not None:
            return made
        index = self._row_locations.get(row_key)
        row_index = -1 if index is None else index
        row_style = self._get_row_style(row_index, base_style)
        # A row cursor highlights (DataTable._should_highlight) every cell of its row.
        cursor = cursor_location.row == row_index
        hover = hover_location.row == row_index
        scrollable = [
            self._render_cell(row_index, column_index, row_style, width, cursor, hover)[line_no]
            for column_index, width in enumerate(frame.widths)
        ]
        # The rest of the line, out of the columns, in the row's style.
        remaining_space = max(0, frame.width - sum(frame.widths))
        extend_style, _ = self._get_styles_to_render_cell(
            row_index == -1,
            False,
            False,
            hover_location.row == (row_index or 0),
            cursor,
            frame.show_cursor,
            self._show_hover_cursor,
            False,
            False,
        )
        extend_style = row_style + extend_style
        extend_style += Style.from_meta({"row": row_index, "column": 0, "out_of_bounds": True})
        scrollable.append([Segment(" " * remaining_space, extend_style)])
        made = ([], scrollable)
        self._row_render_cache[cache_key] = made
        return made

    @property
    def rich_style(self) -> Style:
        return self._frame_style or super().rich_style

    @property
    def background_colors(self) -> tuple[Color, Color]:
        return self._frame_background or super().background_colors

    def _get_row_style(self, row_index: int, base_style: Style) -> Style:
        if self._frame_style is None:
            return super()._get_row_style(row_index, base_style)
        # DataTable's row style depends on the index only through these (header, fixed row,
        # zebra parity).
        key = (row_index == -1, row_index < self.fixed_rows, row_index % 2, base_style)
        style = self._frame_row_styles.get(key)
        if style is None:
            style = self._frame_row_styles[key] = super()._get_row_style(row_index, base_style)
        return style

    @property
    def _changes(self) -> int:
        """DataTable's update count less the appends and updates the caches were kept across
        (the same while render_lines stands in for it)."""
        count = self._update_count
        return -1 - count if count < 0 else count - self._kept

    @property
    def _y_offsets(self) -> list[tuple[RowKey, int]]:
        """DataTable recomputes this list of lines over every row once a frame while rows
        stream in (~8 ms for 2,000 rows); here appends extend it."""
        if self._lines_at != self._changes or len(self._lines) != len(self.rows):
            self._lines = list(DataTable._y_offsets.__get__(self))
            self._lines_at = self._changes
        return self._lines

    def clear(self, columns: bool = False) -> Self:
        # DataTable.clear empties `self._y_offsets` before its rows, which here would first
        # work the line map out over every row.
        self.rows.clear()
        self._lines = []
        return super().clear(columns)

    def variant(self, key: str) -> tuple[bool, ...]:
        """What a record's cells depend on besides the record and the layout."""
        return (key in self.stale,)

    def row_data(self, record: R, columns: list[ColumnKey]) -> dict[ColumnKey, Any]:
        """The record's row data for DataTable's `_data`, made once per record and variant."""
        variant = self.variant(record.key)
        made = self._row_data.get(record.key)
        if made is not None and made[0] is record and made[1] == variant:
            return made[2]
        data = dict(zip(columns, self.shown_cells(record), strict=True))
        self._row_data[record.key] = (record, variant, data)
        return data

    def on_mount(self) -> None:
        self._add_columns()

    def _add_columns(self) -> None:
        for key, label in self.shown_columns:
            self.add_column(
                self.header(key, label),
                key=key,
                width=self.WIDTHS.get(key) or self.flex_widths.get(key),
            )

    def shown_cells(self, record: R) -> list[Text]:
        """The record's cells for the columns on screen (Text, never str: a str cell is
        parsed as markup, slow, and "[" in a path would be taken for a style tag)."""
        shown = {key for key, _ in self.shown_columns}
        cells = [
            c if isinstance(c, Text) else Text(c)
            for (key, _), c in zip(self.COLUMNS, self.cells(record), strict=True)
            if key in shown
        ]
        if record.key in self.stale:
            for cell in cells:
                cell.stylize("dim")
        return cells

    def header(self, key: str, label: str) -> Text:
        arrow = (" ▼" if self.sort_reverse else " ▲") if key == self.sort_column else ""
        return Text(label + arrow)

    def _on_resize(self, event: events.Resize) -> None:
        # DataTable's own handler only bumps the update count, dropping every rendered cell
        # (a table that grows as rows stream in re-rendered them all). The columns have set
        # widths, changed (with a rebuild) below; rendered lines are keyed on the width.
        event.prevent_default()
        total = self.size.width
        shown = tuple(c for c in self.COLUMNS if total >= self.HIDE_BELOW.get(c[0], 0))
        widths = self.fit(total, shown)
        if shown != self.shown_columns:
            self.shown_columns, self.flex_widths = shown, widths
            self._row_data.clear()
            keep = self.selected_key
            self.clear(columns=True)
            self._add_columns()
            self.rebuild()
            if keep is not None:
                self.select_key(keep)
        elif widths != self.flex_widths:
            self.flex_widths = widths
            self._row_data.clear()
            for key, width in widths.items():
                column = self.columns[self.columns_key(key)]
                column.width = width
                column.auto_width = False
            self.rebuild()

    def fit(self, total: int, shown: tuple[tuple[str, str], ...]) -> dict[str, int]:
        """Widths for the flexible columns shown so the whole row fits `total` cells (2 cells
        of padding per column; 2 left for the scrollbar)."""
        keys = {k for k, _ in shown}
        fixed = sum(w for k, w in self.WIDTHS.items() if k in keys) + 2 * len(shown) + 2
        spare = max(0, total - fixed)
        flex = {k: v for k, v in self.FLEX.items() if k in keys}
        weights = sum(w for _, w in flex.values()) or 1
        out = {key: max(low, spare * w // weights) for key, (low, w) in flex.items()}
        return {**{k: low for k, (low, _) in self.FLEX.items()}, **out}

    def clip(self, key: str, text: str, *, left: bool = True, extra: int = 0) -> str:
        """Shorten `text` to its column's width (less `extra` cells used before it): paths
        keep their informative end."""
        width = self.flex_widths.get(key) or self.WIDTHS.get(key)
        if width is not None:
            width -= extra
        if width is None or len(text) <= width:
            return text
        return clip_path(text, width) if left else text[: width - 1] + "…"

    # --- to override -------------------------------------------------------------------------
    def cells(self, record: R) -> tuple[str | Text, ...]:
        raise NotImplementedError

    def sort_value(self, record: R, column: str) -> Any:
        raise NotImplementedError

    def haystack(self, record: R) -> str:
        raise NotImplementedError

    # --- state -------------------------------------------------------------------------------
    def matches(self, record: R, words: list[str] | None = None) -> bool:
        """`words`: the filter's, when the caller has split them already."""
        if record.key == self.pinned:
            return True
        if self.only_problems and not record.problem:
            return False
        if self.filter_text:
            hay = self._hay.get(record.key)
            if hay is None or hay[0] is not record:
                hay = self._hay[record.key] = (record, self.haystack(record).lower())
            return all(word in hay[1] for word in words or self.filter_text.lower().split())
        return True

    def visible_records(self) -> list[R]:
        words = self.filter_text.lower().split()
        if words or self.only_problems:
            rows = [r for r in self.records.values() if self.matches(r, words)]
        else:
            rows = list(self.records.values())
        if self.sort_column is not None:
            col = self.sort_column
            if col != self._sort_keys_of:
                self._sort_keys.clear()
                self._sort_keys_of = col
            keys = self._sort_keys

            def sort_key(record: R) -> Any:
                made = keys.get(record.key)
                if made is None or made[0] is not record:
                    made = keys[record.key] = (record, self.sort_value(record, col))
                return made[1]

            rows.sort(key=sort_key, reverse=self.sort_reverse)
        return rows

    @property
    def selected_key(self) -> str | None:
        if self.row_count == 0:
            return None
        try:
            key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key
        except Exception:
            return None
        return key.value

    @property
    def selected(self) -> R | None:
        key = self.selected_key
        return self.records.get(key) if key else None

    # --- updates -----------------------------------------------------------------------------
    def add_records(self, records: Iterable[R], *, defer_sort: bool = False) -> None:
        """Add or replace records. New rows are appended when the order allows (or when
        `defer_sort`: the caller rebuilds once at the end), else the table is rebuilt."""
        fresh: list[R] = []
        replaced = False
        for record in records:
            self.stale.discard(record.key)
            if record.key in self.records:
                replaced = True
            else:
                fresh.append(record)
            self.records[record.key] = record
        if replaced or (self.sort_column is not None and not defer_sort):
            self.rebuild()
        else:
            rows = [r for r in fresh if self.matches(r)]
            if rows:
                self.add_rows_keyed(rows)
                self.unsorted = self.unsorted or self.sort_column is not None

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        """DataTable measures every cell of the new rows here, for the widths of its auto-width
        columns (~0.3 ms a row). Every column here has a set width and every row is one line
        without a label: only the scrollable size changes."""
        if any(column.auto_width for column in self.columns.values()):
            super()._update_dimensions(new_rows)
            return
        width = sum(column.get_render_width(self) for column in self.columns.values())
        header = self.header_height if self.show_header else 0
        self.virtual_size = Size(width, self._total_row_height + header)

    def _kept_across(self, count: int, rows: set[RowKey]) -> None:
        """Since update count `count`, rows were appended or `rows` changed: drop what that
        makes stale under render_lines' unchanged count (the line map, those rows' renders)."""
        self._kept += self._update_count - count
        self._offset_cache.clear()
        self._row_renderable_cache.clear()
        if rows:
            self._line_cache.clear()
            _drop_rows(self._cell_render_cache, rows)
            _drop_rows(self._row_render_cache, rows)

    def add_rows_keyed(self, rows: list[R]) -> None:
        """Append rows (new keys: `records` holds one record a key) at once: what
        DataTable.add_row (Textual 8.2) does for each row, done once (there it re-validates
        the cursor and bumps the update count for every row, ~0.25 ms a row): the row's key at
        the next index in `_row_locations`, its cells in `_data`, a one-line `Row` in `rows`,
        the key in `_new_rows`, dimensions to update on idle, the cursor re-validated,
        RowHighlighted when the first row arrives, the count bumped."""
        if not rows:
            return
        count = self._update_count
        lines = self._y_offsets
        columns = [column.key for column in self.ordered_columns]
        first = self.row_count
        metas = self._row_meta
        made = [metas.get(record.key) for record in rows]
        metas.update(
            (record.key, Row(RowKey(record.key), 1))
            for record, meta in zip(rows, made, strict=True)
            if meta is None
        )
        keys = [metas[record.key].key for record in rows]
        if first == 0:
            self._row_locations = TwoWayDict(dict(zip(keys, range(len(keys)), strict=True)))
        else:
            for index, key in enumerate(keys, first):
                self._row_locations[key] = index
        self._data.update(
            zip(keys, [self.row_data(record, columns) for record in rows], strict=True)
        )
        self.rows.update((key, metas[key.value]) for key in keys)  # type: ignore[index]
        self._new_rows.update(keys)
        lines += [(key, 0) for key in keys]
        self._require_update_dimensions = True
        self._update_count += 1
        if first == 0:
            # DataTable.ordered_rows' cache (the cursor's row region sums the rows above it):
            # worked out again over every row otherwise.
            self._ordered_row_cache[(len(keys), self._update_count)] = [
                metas[record.key] for record in rows
            ]
        self.cursor_coordinate = self.cursor_coordinate
        if first == 0 and self.columns and self.show_cursor and self.cursor_type != "none":
            self._highlight_cursor()
        self.check_idle()
        self._kept_across(count, set())
        # The rows live as long as the table: kept out of the cyclic GC's full passes, which
        # otherwise stall the event loop for tens of ms once thousands of rows are in.
        gc.freeze()

    def update_record(self, record: R) -> None:
        self.update_records([record])

    def update_records(self, records: Iterable[R]) -> None:
        """Replace records in place: the cells that differ are updated where the row is shown
        and still matches the filter; the table is rebuilt (once) where a row must appear or
        go."""
        cells: list[tuple[str, str, Text]] = []
        rebuild = False
        for record in records:
            self.records[record.key] = record
            shown = record.key in self.rows
            if shown and self.matches(record):
                values = self.shown_cells(record)
                cells += [
                    (record.key, key, value)
                    for (key, _), value in zip(self.shown_columns, values, strict=True)
                ]
                # The row's data (shared with `_data`) gets these cells just below.
                data = self._data[RowKey(record.key)]
                self._row_data[record.key] = (record, self.variant(record.key), data)
            elif shown or self.matches(record):
                rebuild = True
        if rebuild:
            self.rebuild()
        else:
            self.update_cells(cells)

    def update_cells(self, cells: Iterable[tuple[str, str, Text]]) -> None:
        """Set (row, column, value) cells of shown rows; only the rows that changed render
        again (each update_cell on its own drops every rendered cell)."""
        count = self._update_count
        changed: set[RowKey] = set()
        for row, column, value in cells:
            if not same_text(self.get_cell(row, column), value):
                self.update_cell(row, column, value)
                changed.add(RowKey(row))
        self._kept_across(count, changed)

    def forget(self, key: str) -> None:
        """Drop what was made from the record at `key` (it is gone)."""
        for made in (self._row_data, self._hay, self._sort_keys, self._row_meta):
            made.pop(key, None)

    def remove_record(self, key: str) -> None:
        self.forget(key)
        if self.records.pop(key, None) is not None:
            self.rebuild()

    def clear_records(self) -> None:
        self.records.clear()
        self.stale.clear()
        for made in (self._row_data, self._hay, self._sort_keys, self._row_meta):
            made.clear()
        self.clear()

    def add_stale(self, records: Iterable[R]) -> None:
        """Show `records` as last seen (dim) where the table has no row for them yet."""
        new = [r for r in records if r.key not in self.records]
        for record in new:
            self.records[record.key] = record
            self.stale.add(record.key)
        if new:
            self.rebuild()

    def drop_stale(self) -> None:
        """The scan is over: rows it did not find again go."""
        if self.stale:
            for key in self.stale:
                self.records.pop(key, None)
                self.forget(key)
            self.stale.clear()
            self.rebuild()

    def rebuild(self) -> None:
        self.unsorted = False
        keep = self.selected_key
        self.clear()
        self.add_rows_keyed(self.visible_records())
        if not any(column.auto_width for column in self.columns.values()):
            # What DataTable's idle handler would do next, done now (it is cheap here): the
            # cursor scrolls into view at once, instead of after a frame drawn at the top,
            # which would render a second screenful of cells.
            self._require_update_dimensions = False
            self._update_dimensions(self._new_rows)
            self._new_rows.clear()
        if keep is not None:
            self.select_key(keep)

    def resort(self) -> None:
        """Put the rows appended while streaming in the sort order, keeping their cells (as
        DataTable.sort does, ordering by record): a rebuild makes every row again."""
        keep = self.selected_key
        if not self._put_in_order(self.visible_records()):
            self.rebuild()
            return
        if keep is not None:
            self.select_key(keep)

    def _put_in_order(self, records: list[R]) -> bool:
        """Show the rows in the order of `records` where they are the rows shown (else False,
        nothing done), keeping each row, its key and cells: what DataTable.sort does (Textual
        8.2: a new `_row_locations`, the update count bumped), with the row order and line map
        the count's caches would work out over every row made at once. A rebuild clears the
        rows and adds them again (~10 ms for 2,000: every RowKey hashed in several maps)."""
        shown = {key.value: row for key, row in self.rows.items()}
        if len(records) != len(shown):
            return False
        try:
            rows = [shown[r.key] for r in records]  # the records' keys are distinct
        except KeyError:
            return False
        keys = [row.key for row in rows]
        self.unsorted = False
        self._row_locations = TwoWayDict(dict(zip(keys, range(len(keys)), strict=True)))
        self._update_count += 1
        self._ordered_row_cache[(len(rows), self._update_count)] = rows
        self._lines = [(key, 0) for key in keys]  # every row is one line (add_rows_keyed)
        self._lines_at = self._changes
        self.refresh()
        # As add_rows_keyed does: what lives as long as this order (its maps, each record's
        # sort key) and what came before is kept out of the cyclic GC's full passes (one over
        # it all stalled the frame after a sort by ~15 ms).
        gc.freeze()
        return True

    def reorder(self) -> None:
        """Show the rows in the sort order as `rebuild` would, without making them again:
        the same order, then the cursor, hover and scroll where DataTable.clear puts them,
        and the cursor back on the row it was on (scrolled into view from the top)."""
        keep = self.selected_key
        if not self._put_in_order(self.visible_records()):
            self.rebuild()
            return
        self.cursor_coordinate = Coordinate(0, 0)
        self.hover_coordinate = Coordinate(0, 0)
        self.scroll_x = self.scroll_y = 0
        self.scroll_target_x = self.scroll_target_y = 0
        if keep is not None:
            self.select_key(keep)

    def select_key(self, key: str) -> bool:
        if key not in self.rows:
            return False
        self.move_cursor(row=self.get_row_index(key))
        return True

    def set_filter(self, text: str, only_problems: bool) -> None:
        if text == self.filter_text and only_problems == self.only_problems:
            return
        self.filter_text = text
        self.only_problems = only_problems
        self.rebuild()

    # --- sorting -----------------------------------------------------------------------------
    def sort_on(self, column: str) -> None:
        if self.sort_column == column:
            self.sort_reverse = not self.sort_reverse
        else:
            self.sort_column, self.sort_reverse = column, False
        for key, label in self.shown_columns:
            self.columns[self.columns_key(key)].label = self.header(key, label)
        self.reorder()
        self.refresh()

    def columns_key(self, key: str) -> Any:
        for column_key in self.columns:
            if column_key.value == key:
                return column_key
        raise KeyError(key)

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        if event.column_key.value is not None:
            self.sort_on(event.column_key.value)


class InterpreterTable(RecordTable[InterpreterRow]):
    COLUMNS = (
        ("version", "Version"),
        ("impl", "Impl"),
        ("path", "Path"),
        ("sources", "Sources"),
        ("deps", "Envs"),
        ("stability", "Stability"),
    )
    # Room for the label and its sort arrow.
    WIDTHS: ClassVar[dict[str, int]] = {"version": 9, "impl": 7, "deps": 6, "stability": 10}
    FLEX: ClassVar[dict[str, tuple[int, int]]] = {"path": (20, 3), "sources": (10, 1)}

    def cells(self, record: InterpreterRow) -> tuple[str | Text, ...]:
        version = Text(record.version, style="bold red" if record.error else "")
        deps = "…" if record.dependents is None else str(record.dependents)
        label, style = STABILITY.get(record.stability, (record.stability or "?", "dim"))
        stability = Text(label, style=style)
        if record.error:
            stability = Text("✗ no probe", style="bold red")
        return (
            version,
            record.implementation,
            self.clip("path", short_path(record.path, self.home)),
            self.clip("sources", ",".join(record.sources), left=False),
            deps,
            stability,
        )

    def sort_value(self, record: InterpreterRow, column: str) -> Any:
        if column == "version":
            return version_key(record.version)
        if column == "deps":
            return record.dependents or 0
        if column == "sources":
            return ",".join(record.sources)
        if column == "impl":
            return record.implementation
        return str(getattr(record, column, ""))

    def haystack(self, record: InterpreterRow) -> str:
        return " ".join(
            (
                record.version,
                record.implementation,
                record.path,
                record.key,
                *record.sources,
                record.stability,
            )
        )


class EnvTable(RecordTable[EnvRow]):
    COLUMNS = (
        ("path", "Path"),
        ("health", "Health"),
        ("version", "Python"),
        ("creator", "Creator"),
        ("home", "Base (home)"),
        ("forecast", "Forecast"),
        ("size", "Size"),
        ("age", "Changed"),
    )
    # Room for each label and its sort arrow ("Changed ▼": the env dir or bin/ last changed).
    WIDTHS: ClassVar[dict[str, int]] = {
        "health": 10,
        "version": 8,
        "creator": 10,
        "size": 6,
        "age": 9,
    }
    # At 80 cells the path gets the most room; base and forecast shrink first.
    FLEX: ClassVar[dict[str, tuple[int, int]]] = {
        "path": (14, 4),
        "home": (6, 2),
        "forecast": (15, 3),
    }
    HIDE_BELOW: ClassVar[dict[str, int]] = {"home": 100, "creator": 100}

    def __init__(
        self, *, home: str, now: float, sort: tuple[str, bool] | None = None, id: str | None = None
    ) -> None:
        super().__init__(home=home, now=now, sort=sort, id=id)
        self.marked: set[str] = set()

    def variant(self, key: str) -> tuple[bool, ...]:
        return (key in self.stale, key in self.marked)

    def cells(self, record: EnvRow) -> tuple[str | Text, ...]:
        path = Text()
        if record.key in self.marked:
            path.append("● ", style="bold cyan")
        path.append(self.clip("path", short_path(record.path, self.home), extra=len(path)))
        return (
            path,
            Text(*health_badge(record.health)),
            record.version,
            record.creator,
            self.clip("home", short_path(record.home, self.home)),
            self.forecast_cell(record),
            human_size(record.size),
            age(record.mtime, self.now),
        )

    def sort_value(self, record: EnvRow, column: str) -> Any:
        if column == "version":
            return version_key(record.version)
        if column == "size":
            return record.size or 0
        if column == "age":
            return -(record.mtime or 0.0)
        if column == "health":
            return -health_rank().get(record.health, -1)  # worst first
        if column == "forecast":
            brk = record.next_break
            return (0, self.forecast_text(record)) if brk else (1, "")
        return str(getattr(record, column, ""))

    def haystack(self, record: EnvRow) -> str:
        return " ".join(
            (
                record.path,
                record.creator,
                record.owner,
                record.version,
                record.home,
                record.health,
                record.next_break.event if record.next_break else "",
            )
        )

    # --- marks and clock ------------------------------------------------------------------------
    def toggle_mark(self, key: str) -> None:
        if key in self.marked:
            self.marked.discard(key)
        else:
            self.marked.add(key)
        self._refresh_row(key)

    def unmark(self, key: str) -> None:
        if key in self.marked:
            self.marked.discard(key)
            self._refresh_row(key)

    def set_marks(self, keys: set[str]) -> None:
        changed = self.marked ^ keys
        self.marked = set(keys)
        self.update_records([self.records[k] for k in changed if k in self.records])

    def _refresh_row(self, key: str) -> None:
        record = self.records.get(key)
        if record is not None:
            self.update_record(record)

    def set_now(self, now: float) -> None:
        """Move the clock the Changed column is relative to (ages stay current)."""
        self.now = now
        if any(k == "age" for k, _ in self.shown_columns):
            self.update_cells(
                (k, "age", Text(age(r.mtime, now)))
                for k, r in self.records.items()
                if k in self.rows
            )
            # The rows not shown get their ages when shown again.
            for key, (record, _, data) in self._row_data.items():
                if key not in self.rows:
                    cell = data[ColumnKey("age")] = Text(age(record.mtime, now))
                    if key in self.stale:
                        cell.stylize("dim")

    def forecast_text(self, record: EnvRow) -> str:
        brk = record.next_break
        return short_event(brk.event, brk.result) if brk else ""

    def forecast_cell(self, record: EnvRow) -> Text:
        text = self.forecast_text(record)
        if not text:
            return Text("—", style="dim")
        return Text(self.clip("forecast", text, left=False), style="yellow")
