"""An endpoint's deliveries per day as small stacked bars: succeeded, failed, still on their way.

Drawn from the store's `SuccessHistory` (counted from the deliveries the platform lists), oldest
on the left and today at the right edge. A short history stays honest: bars keep a modest width
instead of filling the chart, and the empty part says that nothing was delivered before the first
counted day (or that older deliveries were not counted). Colours come from the palette and the
semantic colours, so it reads in light and dark; hover a bar for that day's numbers.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QFontMetrics, QHelpEvent, QPainter, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from app.data.webhooks import DeliveryDay, SuccessHistory
from app.ui.theme import semantic_colour

#: A bar is never wider than this, however few days there are.
MAX_BAR_WIDTH = 18.0
_MARGIN = 6.0
_AXIS_HEIGHT = 16.0


def day_text(day: DeliveryDay) -> str:
    """"Wed 2 Dec: 3 succeeded, 1 failed" (the bar's tooltip)."""
    parts = [f"{day.succeeded} succeeded", f"{day.failed} failed"]
    if day.waiting:
        parts.append(f"{day.waiting} on their way")
    if not (day.finished or day.waiting):
        parts = ["no deliveries"]
    return f"{day.day.strftime('%a')} {day.day.day} {day.day.strftime('%b')}: " + ", ".join(parts)


def short_date(day) -> str:
    return f"{day.day} {day.strftime('%b')}"


class SuccessChart(QWidget):
    """`set_history(history)`; None shows that nothing is loaded yet."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("webhooks.detail.chart")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(220, 90)
        self.setMouseTracking(True)
        self._history: SuccessHistory | None = None
        self._empty_text = "Select an endpoint to see its deliveries over time."
        self._bars: list[tuple[QRectF, DeliveryDay]] = []

    @property
    def history(self) -> SuccessHistory | None:
        return self._history

    @property
    def empty_text(self) -> str:
        """What the chart says when it has no bars (nothing loaded, or no deliveries)."""
        return self._empty_text

    def set_history(self, history: SuccessHistory | None, *, empty_text: str | None = None) -> None:
        self._history = history
        if empty_text is not None:
            self._empty_text = empty_text
        elif history is not None and not history.days:
            self._empty_text = "No deliveries yet."
        days = history.days if history is not None else ()
        self.setAccessibleDescription("; ".join(day_text(day) for day in days if day.finished or day.waiting)
                                      or self._empty_text)
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(360, 120)

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        text_colour = palette.color(QPalette.ColorRole.WindowText)
        painter.fillRect(self.rect(), palette.color(QPalette.ColorRole.Base))
        self._bars = []
        days = self._history.days if self._history is not None else ()
        if not days:
            painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(self.rect().adjusted(8, 0, -8, 0),
                             Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self._empty_text)
            return
        metrics = QFontMetrics(self.font())
        plot = QRectF(_MARGIN, _MARGIN, self.width() - 2 * _MARGIN, self.height() - 2 * _MARGIN - _AXIS_HEIGHT)
        top = max(max(day.finished + day.waiting for day in days), 1)
        slot = min(plot.width() / len(days), MAX_BAR_WIDTH + 4)
        gap = min(4.0, slot * 0.25)
        first_x = plot.right() - slot * len(days)
        painter.setPen(QPen(palette.color(QPalette.ColorRole.Mid), 1))
        painter.drawLine(QPointF(plot.left(), plot.bottom()), QPointF(plot.right(), plot.bottom()))
        colours = (semantic_colour("success"), semantic_colour("error"), semantic_colour("warning"))
        for index, day in enumerate(days):
            x = first_x + index * slot + gap / 2
            bottom = plot.bottom()
            for count, colour in zip((day.succeeded, day.failed, day.waiting), colours):
                height = plot.height() * count / top
                if height > 0:
                    painter.fillRect(QRectF(x, bottom - height, slot - gap, height), colour)
                    bottom -= height
            self._bars.append((QRectF(first_x + index * slot, plot.top(), slot, plot.height()), day))
        painter.setPen(text_colour)
        axis = QRectF(plot.left(), plot.bottom() + 2, plot.width(), _AXIS_HEIGHT)
        painter.drawText(axis, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop, "today")
        first = short_date(days[0].day)
        if first_x > plot.left() + metrics.horizontalAdvance("Nothing delivered before 30 Sep") + 8:
            # The empty left part: say why it is empty instead of leaving a chart that looks broken.
            before = (f"Nothing delivered before {first}" if self._history.complete
                      else f"Deliveries before {first} not counted")
            painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(QRectF(plot.left(), plot.top(), first_x - plot.left() - 6, plot.height()),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextWordWrap,
                             before)
        elif len(days) > 1:
            painter.drawText(axis, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, first)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            for bar, day in self._bars:
                if bar.contains(QPointF(event.pos())):
                    QToolTip.showText(event.globalPos(), day_text(day), self)
                    return True
            QToolTip.hideText()
            return True
        return super().event(event)
