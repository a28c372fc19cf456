"""The status bar: profile and environment, connection state, rate-limit budget, last request.

It only shows what it is told (`set_profile`, `set_connection`, `set_rate_limit`,
`show_request`); the connection glue feeds it from the client's callbacks.
"""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QStatusBar, QWidget

from app.ui.theme import semantic_colour

_CONNECTION_TEXT = {
    "connecting": "Connecting…",
    "online": "Online",
    "offline": "Offline: showing cached data",
    "signed_out": "Signed out",
    "sandbox_down": "Local sandbox stopped",
}


class ShellStatusBar(QStatusBar):
    """Labelled fields with stable objectNames (`shell.status.*`) for tests and screen readers."""

    sig_outbox_requested = Signal()
    """The operator clicked the "n changes waiting" badge: show the outbox."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("shell.status")
        self.outbox_badge = QPushButton(self)
        self.outbox_badge.setObjectName("shell.status.outbox")
        self.outbox_badge.setFlat(True)
        self.outbox_badge.clicked.connect(self.sig_outbox_requested)
        self.outbox_badge.hide()
        self.addPermanentWidget(self.outbox_badge)
        self.profile_label = self._field("profile", "No profile")
        self.connection_label = self._field("connection", "Not connected")
        self.rate_label = self._field("rate_limit", "")
        self.request_label = self._field("last_request", "")
        self._request_failed = False  # what the label's colour shows now
        self.connection_state = ""
        self._rate: tuple[int | None, int | None, datetime | None] = (None, None, None)
        self._countdown = QTimer(self)
        self._countdown.setInterval(1000)
        self._countdown.timeout.connect(self._update_rate_text)

    def _field(self, name: str, text: str) -> QLabel:
        label = QLabel(text, self)
        label.setObjectName(f"shell.status.{name}")
        self.addPermanentWidget(label)
        return label

    def set_profile(self, name: str, environment: str) -> None:
        label = "Live" if environment == "live" else "Test"
        colour = semantic_colour("live" if environment == "live" else "test").name()
        self.profile_label.setText(f"{name} · <b style='color:{colour}'>{label}</b>")
        self.profile_label.setToolTip(f"Profile {name!r}, {label.lower()} environment")

    def set_connection(self, state: str, detail: str = "") -> None:
        """`state`: connecting, online, offline, signed_out or sandbox_down."""
        self.connection_state = state
        text = _CONNECTION_TEXT.get(state, state)
        colour = {"online": "success", "offline": "warning", "sandbox_down": "error",
                  "signed_out": "error"}.get(state, "muted")
        self.connection_label.setText(f"<span style='color:{semantic_colour(colour).name()}'>●</span> {text}")
        self.connection_label.setToolTip(detail or text)

    def set_rate_limit(self, limit: int | None, remaining: int | None, reset_at: datetime | None) -> None:
        self._rate = (limit, remaining, reset_at)
        self._update_rate_text()
        if reset_at is not None and not self._countdown.isActive():
            self._countdown.start()

    def _update_rate_text(self) -> None:
        limit, remaining, reset_at = self._rate
        if remaining is None:
            self.rate_label.clear()
            return
        # The platform's limit is a refill rate with a burst above it, so "remaining" can exceed it.
        text = f"{remaining} requests left" + (f" · refills {limit}/min" if limit is not None else "")
        if reset_at is not None:
            seconds = max(0, int((reset_at - datetime.now(UTC)).total_seconds()))
            if seconds > 0:
                text += f" · full in {seconds} s"
            else:
                self._countdown.stop()
        self.rate_label.setText(text)
        low = limit is not None and limit > 0 and remaining / limit < 0.1
        self.rate_label.setStyleSheet(f"color:{semantic_colour('warning').name()}" if low else "")

    def show_request(self, method: str, path: str, status: int | None, duration_ms: float, error: str | None) -> None:
        outcome = str(status) if status is not None else (error or "network error")
        self.request_label.setText(f"{method} {path} → {outcome} · {duration_ms:.0f} ms")
        failed = status is None or status >= 400
        if failed != self._request_failed:  # a style sheet re-applied per request costs ~20 µs
            self._request_failed = failed
            self.request_label.setStyleSheet(f"color:{semantic_colour('error').name()}" if failed else "")

    def set_outbox(self, waiting: int, needs_attention: int) -> None:
        """The outbox badge: "3 changes waiting" (and how many need the operator), hidden when empty."""
        self.outbox_badge.setVisible(waiting > 0)
        if not waiting:
            return
        text = f"{waiting} change{'s' if waiting != 1 else ''} waiting"
        if needs_attention:
            text += f" · {needs_attention} need{'s' if needs_attention == 1 else ''} you"
        self.outbox_badge.setText(f"⇪ {text}")
        self.outbox_badge.setToolTip("Changes made while the server could not be reached; they are sent when it "
                                     "answers again. Click to review, edit or drop them.")
        colour = "error" if needs_attention else "warning"
        self.outbox_badge.setStyleSheet(f"color:{semantic_colour(colour).name()}")

    def reset(self) -> None:
        """Forget the previous connection's figures (on profile switch)."""
        self._countdown.stop()
        self._rate = (None, None, None)
        self.rate_label.clear()
        self.request_label.clear()
        self.request_label.setStyleSheet("")
        self._request_failed = False
