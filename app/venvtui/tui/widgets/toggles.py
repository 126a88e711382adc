"""A checkbox and a radio button that show their state with a mark (✓ / ●), not only colour,
so the state reads the same in monochrome terminals and plain-text captures."""

from __future__ import annotations

from textual.widgets import Checkbox, RadioButton


class MarkedCheckbox(Checkbox):
    def watch_value(self) -> None:
        self.BUTTON_INNER = "✓" if self.value else " "
        super().watch_value()

    def on_mount(self) -> None:
        self.BUTTON_INNER = "✓" if self.value else " "


class MarkedRadioButton(RadioButton):
    def watch_value(self) -> None:
        self.BUTTON_INNER = "●" if self.value else " "
        super().watch_value()

    def on_mount(self) -> None:
        self.BUTTON_INNER = "●" if self.value else " "
