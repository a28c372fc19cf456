"""A one-line status text under a table that never makes the window lay itself out again.

A QLabel asks its layout to recompute on every `setText` (its size hint follows the text). Beside
a splitter, under a tab widget, that request climbs to the QSplitter and the QTabWidget, which
repaint the whole tab page: the table redrawn for a count that changed from "100" to "98", on
every keystroke of a search. This line has a fixed height and a
width that does not depend on its text, so a new text repaints only the line itself. Text wider
than the line is elided, and the full text is the tooltip.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import QPainter, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget

_MARGIN = 2


class StatusLine(QWidget):
    """`text()` / `setText()` like a QLabel's, drawn in the palette's text colour."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._text = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self._fit_height()

    def _fit_height(self) -> None:
        self.setFixedHeight(self.fontMetrics().height() + 2 * _MARGIN)

    def text(self) -> str:
        return self._text

    def setText(self, text: str) -> None:
        if text == self._text:
            return
        self._text = text
        self.setToolTip(text)
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(0, self.height())

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.Type.FontChange:
            self._fit_height()
        super().changeEvent(event)

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setPen(self.palette().color(QPalette.ColorRole.WindowText))
        area = self.rect().adjusted(_MARGIN, 0, -_MARGIN, 0)
        shown = self.fontMetrics().elidedText(self._text, Qt.TextElideMode.ElideRight, area.width())
        painter.drawText(area, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, shown)
