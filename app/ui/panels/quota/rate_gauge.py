"""The live rate-limit gauge: requests left this minute (from the `X-RateLimit-*` headers the
client sees), the current burn rate, and when the budget runs out at that rate. It draws the
quota store's state (`QuotaStore.rate_limit`, `.burn`) and redraws on its `rate_limit_changes`."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QPainter, QPalette, QPen
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from app.data.burn_rate import BurnRate, Projection
from app.data.quota import QuotaStore
from app.ui.panels.quota.quantities import countdown
from app.ui.store_binding import bind
from app.ui.theme import semantic_colour

_ARC_SPAN_DEGREES = 240


class _Dial(QWidget):
    """An arc filled in proportion to what is left, with the number in the middle."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("quota.rate.dial")
        self.fraction: float | None = None
        self.caption = "—"
        self.level = "ok"
        self.setMinimumSize(150, 130)

    def sizeHint(self) -> QSize:
        return QSize(170, 150)

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        side = min(self.width(), self.height()) - 16
        box = QRectF((self.width() - side) / 2, 8, side, side)
        start = (90 + _ARC_SPAN_DEGREES / 2) * 16
        track = QPen(self.palette().color(QPalette.ColorRole.Mid), 12, Qt.PenStyle.SolidLine, Qt.PenCapStyle.FlatCap)
        painter.setPen(track)
        painter.drawArc(box, int(start), int(-_ARC_SPAN_DEGREES * 16))
        if self.fraction is not None:
            colour = {"critical": semantic_colour("error"), "warning": semantic_colour("warning")}.get(
                self.level, semantic_colour("success"))
            painter.setPen(QPen(colour, 12, Qt.PenStyle.SolidLine, Qt.PenCapStyle.FlatCap))
            painter.drawArc(box, int(start), int(-_ARC_SPAN_DEGREES * 16 * max(0.0, min(1.0, self.fraction))))
        painter.setPen(self.palette().color(QPalette.ColorRole.WindowText))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, self.caption)


class RateLimitGauge(QWidget):
    """Follows `store`'s rate-limit state for as long as the gauge lives."""

    def __init__(self, store: QuotaStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("quota.rate")
        self._store = store
        self.dial = _Dial(self)
        self.remaining = QLabel("No request seen yet.", self)
        self.remaining.setObjectName("quota.rate.remaining")
        self.rate = QLabel("", self)
        self.rate.setObjectName("quota.rate.burn")
        self.projection = QLabel("", self)
        self.projection.setObjectName("quota.rate.projection")
        self.projection.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("<b>Rate limit (this credential, per minute)</b>", self))
        layout.addWidget(self.dial, 0, Qt.AlignmentFlag.AlignHCenter)
        for label in (self.remaining, self.rate, self.projection):
            label.setWordWrap(True)
            layout.addWidget(label)
        layout.addStretch(1)
        bind(store.rate_limit_changes, self, lambda _state: self.tick())
        self.tick()

    @property
    def burn(self) -> BurnRate:
        """The store's burn rate (fed by every response since the session started)."""
        return self._store.burn

    def tick(self) -> None:
        """Redraw from the latest state (also called every second for the countdown)."""
        state = self._store.rate_limit
        if state is None or state.remaining is None:
            return
        limit = state.limit or state.remaining
        capacity = max(limit, state.remaining) or 1
        fraction = state.remaining / capacity
        self.dial.fraction = fraction
        self.dial.level = "critical" if fraction < 0.05 else "warning" if fraction < 0.2 else "ok"
        self.dial.caption = f"{state.remaining:,}\nleft"
        self.dial.update()
        now = datetime.now(UTC)
        refill = (f"; full again in {countdown(state.reset_at, now)}"
                  if state.reset_at is not None and state.reset_at > now else "")
        self.remaining.setText(f"{state.remaining:,} requests left (limit {limit:,} per minute){refill}")
        projection = self.burn.project(state.remaining, state.reset_at)
        self.rate.setText(f"Burn rate: {projection.per_minute:,.0f} requests/min")
        self.projection.setText(_projection_text(projection, now))
        colour = "error" if projection.runs_out_in is not None else None
        self.projection.setStyleSheet(f"color: {semantic_colour(colour).name()};" if colour else "")


def _projection_text(projection: Projection, now: datetime) -> str:
    if projection.per_minute <= 0:
        return "Idle: no requests in the last minute."
    if projection.runs_out_in is None:
        return "At this rate the budget lasts until the window resets."
    at = datetime.fromtimestamp(now.timestamp() + projection.runs_out_in, UTC).astimezone()
    return (f"At this rate it runs out in {projection.runs_out_in:.0f} s (at {at:%H:%M:%S}), before the "
            "window resets: requests will be refused (429) until then.")
