"""The live rate-limit gauge: requests left now (from the `X-RateLimit-*` headers the client
sees) out of the bucket's size, its refill per minute, the current burn rate, and when the budget
runs out at that rate. It draws the quota store's state (`QuotaStore.rate_budget()`, `.burn`) and
redraws on its `rate_limit_changes`.

The limit header is a refill rate, not a ceiling: with a burst above it "remaining" can exceed
it, so the gauge never says "997 left (limit 600)"; it says "997 of 1,000 (burst) left · refills
600/min", and leaves the size out when the headers do not pin it down."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QPainter, QPalette, QPen
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from app.data.burn_rate import BurnRate, Projection
from app.data.quota import QuotaStore, RateBudget
from app.ui.panels.quota.quantities import countdown
from app.ui.store_binding import bind
from app.ui.theme import semantic_colour
from app.ui.time_text import exact

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
        layout.addWidget(QLabel("<b>Rate limit (this credential)</b>", self))
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
        budget = self._store.rate_budget()
        if budget is None:
            return
        fraction = budget.remaining / budget.capacity
        self.dial.fraction = fraction
        self.dial.level = "critical" if fraction < 0.05 else "warning" if fraction < 0.2 else "ok"
        self.dial.caption = (f"{budget.remaining:,}\nof {budget.burst:,}" if budget.burst
                             else f"{budget.remaining:,}\nleft")
        self.dial.update()
        now = datetime.now(UTC)
        self.remaining.setText(whole_clauses(budget_text(budget, now)))
        self.remaining.setToolTip(f"Full again at {exact(budget.full_at)}" if budget.full_at else "")
        projection = self.burn.project(budget.remaining, budget.full_at)
        self.rate.setText(f"Burn rate: {projection.per_minute:,.0f} requests/min")
        self.projection.setText(_projection_text(projection, now))
        colour = "error" if projection.runs_out_in is not None else None
        self.projection.setStyleSheet(f"color: {semantic_colour(colour).name()};" if colour else "")


def budget_text(budget: RateBudget, now: datetime) -> str:
    """"997 of 1,000 (burst) left · refills 600/min · full again in 1 s"; the size only when known."""
    if budget.burst is None:
        text = f"{budget.remaining:,} left"
    elif budget.refill_per_minute is not None and budget.burst > budget.refill_per_minute:
        text = f"{budget.remaining:,} of {budget.burst:,} (burst) left"
    else:
        text = f"{budget.remaining:,} of {budget.burst:,} left"
    if budget.refill_per_minute is not None:
        text += f" · refills {budget.refill_per_minute:,}/min"
    if budget.full_at is not None and (budget.full_at - now).total_seconds() >= 1:
        text += f" · full again in {countdown(budget.full_at, now)}"
    return text


def whole_clauses(text: str) -> str:
    """Lines break only between the " · " clauses, never inside one ("600/" then "min")."""
    return " · ".join(clause.replace(" ", "\u00a0").replace("/", "\u2060/\u2060") for clause in text.split(" · "))


def _projection_text(projection: Projection, now: datetime) -> str:
    if projection.per_minute <= 0:
        return "Idle: no requests in the last minute."
    if projection.runs_out_in is None:
        return "At this rate it does not run out before it has refilled."
    empty_at = datetime.fromtimestamp(now.timestamp() + projection.runs_out_in, UTC)
    return (f"At this rate it runs out in {countdown(empty_at, now)}, before it has refilled: requests "
            "will be refused (429) until then.")
