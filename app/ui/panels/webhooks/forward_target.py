"""*Forward to* for Listen locally: the operator's own app (`http://localhost:3000/hooks`) that each
verified delivery is sent on to, with its original headers and body. Checked before listening
starts (a bad URL is a clear error, nothing starts); the forwarding itself is `webhook_forwarder`'s,
off the UI thread. Each received row shows the app's status and latency beside the verdict.
"""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLineEdit, QWidget

from app.core.webhook_forwarder import (
    ForwardTargetError,
    WebhookForwarder,
    check_forward_url,
)
from app.core.webhook_listener import ReceivedDelivery

PLACEHOLDER = "http://localhost:3000/hooks"


def forward_text(delivery: ReceivedDelivery) -> str:
    """"202 · 14 ms", "forwarding…", "failed: cannot connect …", or "" when not forwarded."""
    if delivery.forward_pending:
        return "forwarding…"
    result = delivery.forward
    if result is None:
        return ""
    if result.status is None:
        return f"failed: {result.error}"
    return f"{result.status} · {result.latency_ms:.0f} ms"


def forward_kind(delivery: ReceivedDelivery) -> str | None:
    result = delivery.forward
    if result is None:
        return None
    return "success" if result.ok else "error"


class ForwardTarget(QWidget):
    """A checkbox and the URL; `forwarder()` makes the forwarder (or None when off)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("webhooks.listen.forward")
        self.enabled = QCheckBox("Forward to", self)
        self.enabled.setObjectName("webhooks.listen.forward_on")
        self.url = QLineEdit(self)
        self.url.setObjectName("webhooks.listen.forward_url")
        self.url.setPlaceholderText(f"{PLACEHOLDER} (your app: each verified delivery is sent on unchanged)")
        self.url.setEnabled(False)
        self.enabled.toggled.connect(self.url.setEnabled)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.enabled)
        layout.addWidget(self.url, 1)

    def forwarder(self) -> WebhookForwarder | None:
        """The forwarder to the URL typed, None when forwarding is off; `ForwardTargetError` if the URL is bad."""
        if not self.enabled.isChecked():
            return None
        return WebhookForwarder(check_forward_url(self.url.text()))

    def set_listening(self, listening: bool) -> None:
        self.enabled.setEnabled(not listening)
        self.url.setEnabled(not listening and self.enabled.isChecked())


__all__ = ["ForwardTarget", "ForwardTargetError", "forward_kind", "forward_text"]
