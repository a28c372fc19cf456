"""A bar chart of daily usage, painted with QPainter.

Why not QtCharts: it ships only in the PySide6-Addons wheel (hundreds of MB, most of it unused
here; NOTES.md: depend on the parts you use), and one bar series with an axis is a hundred lines
of painting. Colours come from the palette, so it follows light and dark.

A short history is shown as what it is: the platform answers a zero for every day it has nothing
on, so on a young workspace most of "the last 30 days" are days before anything was recorded.
Those leading days are drawn as a shaded span saying "No usage recorded before 2 Dec" instead of
an empty axis with one lonely bar that reads like a sudden spike.
"""

from __future__ import annotations

import math
from datetime import date

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QFontMetrics, QHelpEvent, QPainter, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from app.ui.panels.quota.quantities import RESOURCE_TITLES, format_amount

_MARGIN_LEFT_MIN = 40
_MARGIN_BOTTOM = 24
_MARGIN_TOP = 12
_MARGIN_RIGHT = 12


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 × 10^n at or above `value` (a readable axis maximum)."""
    if value <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * magnitude >= value:
            return float(step * magnitude)
    return float(10 * magnitude)


def _is_round(step: float) -> bool:
    """1, 2, 2.5 or 5 × 10^n: a step a reader adds up without effort."""
    if step <= 0:
        return False
    mantissa = step / 10 ** math.floor(math.log10(step))
    return any(math.isclose(mantissa, nice) for nice in (1, 2, 2.5, 5))


def grid_steps(top: float, *, whole: bool) -> int:
    """How many grid lines divide the axis up to `top`: 4 or 5 whose step is a round number (a
    count axis never reads "2, 5, 8" for 2.5, 5, 7.5), fewer for tiny counts."""
    for steps in (4, 5, 2, 1):
        step = top / steps
        if _is_round(step) and (not whole or step.is_integer()):
            return steps
    return 1


def day_text(day: date) -> str:
    """"2 Dec": a day on the axis and in sentences (no ISO dates on screen)."""
    return f"{day.day} {day.strftime('%b')}"


class DailyUsageChart(QWidget):
    """Bars of `used` per day, oldest on the left; hover a bar for its date and exact amount."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("quota.chart")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMouseTracking(True)
        self._days: list[tuple[date, int]] = []
        self._resource = "api_calls"
        self._bars: list[QRectF] = []

    @property
    def days(self) -> list[tuple[date, int]]:
        return list(self._days)

    def set_series(self, resource: str, days: list[tuple[date, int]]) -> None:
        """Show `days` ((date, used) oldest first) of `resource`."""
        self._resource = resource
        self._days = list(days)
        recorded = self.recorded_since
        since = f", recorded since {day_text(recorded)}" if recorded is not None else ", nothing recorded"
        self.setAccessibleDescription(
            f"Daily {RESOURCE_TITLES.get(resource, resource)}, {len(days)} days{since}, total "
            f"{format_amount(resource, sum(u for _, u in days))}")
        self.update()

    @property
    def recorded_since(self) -> date | None:
        """The first day with any usage in the series (None: none at all)."""
        return next((day for day, used in self._days if used > 0), None)

    @property
    def unrecorded_days(self) -> int:
        """How many days at the start have nothing recorded (all of them for an empty series)."""
        return next((index for index, (_, used) in enumerate(self._days) if used > 0), len(self._days))

    def sizeHint(self) -> QSize:
        return QSize(480, 220)

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        text_colour = palette.color(QPalette.ColorRole.WindowText)
        grid_colour = palette.color(QPalette.ColorRole.Mid)
        bar_colour = palette.color(QPalette.ColorRole.Highlight)
        painter.fillRect(self.rect(), palette.color(QPalette.ColorRole.Base))
        metrics = QFontMetrics(self.font())
        self._bars = []
        if not self._days or self.recorded_since is None:
            painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter,
                             f"No usage recorded in the last {len(self._days)} days." if self._days
                             else "No usage history yet.")
            return
        top = nice_ceiling(max(used for _, used in self._days))
        steps = grid_steps(top, whole=self._resource != "storage_bytes")
        labels = [format_amount(self._resource, top * i / steps) for i in range(steps + 1)]
        left = max(_MARGIN_LEFT_MIN, max(metrics.horizontalAdvance(label) for label in labels) + 10)
        plot = QRectF(left, _MARGIN_TOP, self.width() - left - _MARGIN_RIGHT,
                      self.height() - _MARGIN_TOP - _MARGIN_BOTTOM)
        for i, label in enumerate(labels):
            y = plot.bottom() - plot.height() * i / steps
            painter.setPen(QPen(grid_colour, 1, Qt.PenStyle.DotLine if i else Qt.PenStyle.SolidLine))
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.setPen(text_colour)
            painter.drawText(QRectF(0, y - 8, left - 6, 16),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, label)
        slot = plot.width() / len(self._days)
        gap = min(6.0, slot * 0.25)
        label_every = max(1, math.ceil(metrics.horizontalAdvance("30 Sep ") / slot))
        unrecorded = self.unrecorded_days
        if unrecorded:
            # Before anything was recorded: shaded and said, so one bar does not read as a spike.
            span = QRectF(plot.left(), plot.top(), slot * unrecorded, plot.height())
            painter.fillRect(span, palette.color(QPalette.ColorRole.AlternateBase))
            painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(span.adjusted(6, 0, -6, 0),
                             Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                             f"No usage recorded before {day_text(self.recorded_since)}")
        for index, (day, used) in enumerate(self._days):
            height = plot.height() * used / top
            bar = QRectF(plot.left() + index * slot + gap / 2, plot.bottom() - height, slot - gap, height)
            self._bars.append(QRectF(bar.left(), plot.top(), bar.width(), plot.height()))
            painter.fillRect(bar, bar_colour)
            if (len(self._days) - 1 - index) % label_every == 0:
                painter.setPen(text_colour)
                painter.drawText(QRectF(plot.left() + index * slot - 20, plot.bottom() + 4, slot + 40, 16),
                                 Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, day_text(day))

    def event(self, event) -> bool:
        if event.type() == event.Type.ToolTip and isinstance(event, QHelpEvent):
            for (day, used), bar in zip(self._days, self._bars):
                if bar.contains(QPointF(event.pos())):
                    QToolTip.showText(event.globalPos(), f"{day.strftime('%a')} {day_text(day)} {day.year}: "
                                      f"{format_amount(self._resource, used)}", self)
                    return True
            QToolTip.hideText()
            return True
        return super().event(event)
