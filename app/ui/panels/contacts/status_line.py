"""A one-line status text whose changes never make its window lay itself out again.

A QLabel in a layout invalidates the whole window's layout on every `setText` (its size hint
changed). The contacts status changes on every search keystroke, and that relayout of the
panel (search bar, table, detail form) cost a few milliseconds per keystroke. Here the label
sits in a fixed-height holder without a layout that gives it the full width: a new text only
repaints the line. A text wider than the line is cut off instead of widening the window.
"""

from __future__ import annotations

from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget


class StatusLine(QWidget):
    """Holds `label` (named `object_name`) at the line's full width and one text line's height."""

    def __init__(self, object_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel(self)
        self.label.setObjectName(object_name)
        self.label.setText("Ag")
        self.setFixedHeight(self.label.sizeHint().height())
        self.label.clear()
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)

    def resizeEvent(self, event: QResizeEvent) -> None:
        self.label.setGeometry(self.rect())
        super().resizeEvent(event)
