"""The interpreter and environment tables: explicit column keys, row key = path, sortable by
header click (or `s`), filtered by text and "only problems", fed in batches."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar, Generic, TypeVar

from rich.text import Text
from textual.binding import Binding
from textual.widgets import DataTable

from venvtui.tui.format import (
    HEALTH_BADGE,
    HEALTH_STYLE,
    STABILITY_STYLE,
    age,
    human_size,
    short_path,
    version_key,
)
from venvtui.tui.views import EnvRow, InterpreterRow

R = TypeVar("R", InterpreterRow, EnvRow)


class RecordTable(DataTable[Any], Generic[R]):
    """A DataTable over records keyed by path; keeps the records, rebuilds rows on demand."""

    COLUMNS: ClassVar[tuple[tuple[str, str], ...]] = ()  # (key, label)
    # Fixed column widths; the other columns share what is left, in proportion to FLEX weights,
    # and their cells are shortened with an ellipsis to fit.
    WIDTHS: ClassVar[dict[str, int]] = {}
    FLEX: ClassVar[dict[str, tuple[int, int]]] = {}  # key -> (minimum width, weight)
    BINDINGS: ClassVar[list[Any]] = [
        Binding("s", "cycle_sort", "Sort", id="table.sort", show=False),
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
        self.flex_widths: dict[str, int] = {key: low for key, (low, _) in self.FLEX.items()}

    def on_mount(self) -> None:
        for key, label in self.COLUMNS:
            self.add_column(
                self.header(key, label),
                key=key,
                width=self.WIDTHS.get(key) or self.flex_widths.get(key),
            )

    def header(self, key: str, label: str) -> Text:
        arrow = (" ▼" if self.sort_reverse else " ▲") if key == self.sort_column else ""
        return Text(label + arrow)

    def on_resize(self) -> None:
        widths = self.fit(self.size.width)
        if widths != self.flex_widths:
            self.flex_widths = widths
            for key, width in widths.items():
                column = self.columns[self.columns_key(key)]
                column.width = width
                column.auto_width = False
            self.rebuild()

    def fit(self, total: int) -> dict[str, int]:
        """Widths for the flexible columns so the whole row fits `total` cells (2 cells of
        padding per column; 2 left for the scrollbar)."""
        fixed = sum(self.WIDTHS.values()) + 2 * len(self.COLUMNS) + 2
        spare = max(0, total - fixed)
        weights = sum(w for _, w in self.FLEX.values()) or 1
        return {key: max(low, spare * w // weights) for key, (low, w) in self.FLEX.items()}

    def clip(self, key: str, text: str, *, left: bool = True) -> str:
        """Shorten `text` to its column's width: paths keep their informative end."""
        width = self.flex_widths.get(key) or self.WIDTHS.get(key)
        if width is None or len(text) <= width:
            return text
        return "…" + text[len(text) - width + 1 :] if left else text[: width - 1] + "…"

    # --- to override -------------------------------------------------------------------------
    def cells(self, record: R) -> tuple[str | Text, ...]:
        raise NotImplementedError

    def sort_value(self, record: R, column: str) -> Any:
        raise NotImplementedError

    def haystack(self, record: R) -> str:
        raise NotImplementedError

    # --- state -------------------------------------------------------------------------------
    def matches(self, record: R) -> bool:
        if self.only_problems and not record.problem:
            return False
        if self.filter_text:
            return all(
                word in self.haystack(record).lower() for word in self.filter_text.lower().split()
            )
        return True

    def visible_records(self) -> list[R]:
        rows = [r for r in self.records.values() if self.matches(r)]
        if self.sort_column is not None:
            col = self.sort_column
            rows.sort(key=lambda r: self.sort_value(r, col), reverse=self.sort_reverse)
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

    def add_rows_keyed(self, rows: list[R]) -> None:
        for r in rows:
            # Text cells, never str: a str cell is parsed as markup (slow, and "[" in a path
            # would be taken for a style tag).
            self.add_row(*(c if isinstance(c, Text) else Text(c) for c in self.cells(r)), key=r.key)

    def update_record(self, record: R) -> None:
        """Replace one record in place (cells updated without a rebuild when it is shown)."""
        self.records[record.key] = record
        if record.key in self.rows and self.matches(record):
            for (column, _), value in zip(self.COLUMNS, self.cells(record), strict=True):
                self.update_cell(
                    record.key, column, value if isinstance(value, Text) else Text(value)
                )
        else:
            self.rebuild()

    def remove_record(self, key: str) -> None:
        if self.records.pop(key, None) is not None:
            self.rebuild()

    def clear_records(self) -> None:
        self.records.clear()
        self.clear()

    def rebuild(self) -> None:
        self.unsorted = False
        keep = self.selected_key
        self.clear()
        self.add_rows_keyed(self.visible_records())
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
        for key, label in self.COLUMNS:
            self.columns[self.columns_key(key)].label = self.header(key, label)
        self.rebuild()
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

    def action_cycle_sort(self) -> None:
        keys = [k for k, _ in self.COLUMNS]
        if self.sort_column is None:
            self.sort_on(keys[0])
        elif not self.sort_reverse:
            self.sort_on(self.sort_column)
        else:
            self.sort_on(keys[(keys.index(self.sort_column) + 1) % len(keys)])


class InterpreterTable(RecordTable[InterpreterRow]):
    COLUMNS = (
        ("version", "Version"),
        ("impl", "Impl"),
        ("path", "Path"),
        ("sources", "Sources"),
        ("deps", "Envs"),
        ("stability", "Stability"),
    )
    WIDTHS: ClassVar[dict[str, int]] = {"version": 8, "impl": 7, "deps": 4, "stability": 10}
    FLEX: ClassVar[dict[str, tuple[int, int]]] = {"path": (20, 3), "sources": (10, 1)}

    def cells(self, record: InterpreterRow) -> tuple[str | Text, ...]:
        version = Text(record.version, style="bold red" if record.error else "")
        deps = "…" if record.dependents is None else str(record.dependents)
        stability = Text(record.stability, style=STABILITY_STYLE.get(record.stability, ""))
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
        ("age", "Age"),
    )
    WIDTHS: ClassVar[dict[str, int]] = {
        "health": 10,
        "version": 7,
        "creator": 10,
        "size": 5,
        "age": 4,
    }
    # Minimums chosen so that all eight columns fit 80 cells without sideways scrolling.
    FLEX: ClassVar[dict[str, tuple[int, int]]] = {
        "path": (10, 3),
        "home": (8, 3),
        "forecast": (6, 2),
    }

    def cells(self, record: EnvRow) -> tuple[str | Text, ...]:
        return (
            self.clip("path", short_path(record.path, self.home)),
            Text(
                HEALTH_BADGE.get(record.health, record.health),
                style=HEALTH_STYLE.get(record.health, ""),
            ),
            record.version,
            record.creator,
            self.clip("home", short_path(record.home, self.home)),
            Text(
                self.clip("forecast", record.forecast.replace("`", ""), left=False) or "—",
                style="yellow" if record.forecast else "dim",
            ),
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
            return ("broken", "misbound", "drift", "unknown", "ok").index(record.health)
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
                record.forecast,
            )
        )
