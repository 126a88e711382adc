"""The filter bar's field: an `Input` whose typing repaints it without laying the screen out."""

from __future__ import annotations

from textual.geometry import Size
from textual.widget import Widget
from textual.widgets import Input


class FilterField(Input):
    """Textual 8.2's `Input._watch_value` sets `virtual_size` (a layout reactive) to the text's
    width on every change, so each keystroke laid the whole screen out and drew it all again
    (tables of 2,000 rows included). The field is one line in a fixed box: its new virtual
    size is stored first, without a layout, and the super call then finds it unchanged."""

    def _watch_value(self, value: str) -> None:
        self.set_reactive(Widget.virtual_size, Size(self.content_width, 1))
        super()._watch_value(value)
