"""The selected endpoint in full, under the endpoints table: what the table can only sum up.

Its URL, status (with the platform's reason when it disabled the endpoint), every event it
receives in words, its secret's preview (and, during a rotation's overlap, until when the old
secret still signs), and its success over time as a small chart with a line
that says the same in numbers. Everything shown is the store's: the endpoint from its list, the
chart from `WebhookStore.success_history`, read again when the endpoint gets a delivery and, while
deliveries are still on their way, every few seconds until they have ended (or have not moved for
half a minute: a receiver that is down keeps them retrying for hours, and each read is a call).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.data.webhooks import SUCCESS_DAYS, SuccessHistory
from app.ui.labels import event_label
from app.ui.panels.webhooks.semantic_label import SemanticLabel
from app.ui.panels.webhooks.success_chart import SuccessChart, short_date
from app.ui.panels.webhooks.webhook_rows import (
    NAMED_EVENTS,
    endpoint_status,
    events_by_resource,
    events_list,
)
from app.ui.store_binding import bind
from app.ui.time_text import exact, relative

#: How often the chart is read again while deliveries of the shown endpoint are on their way …
LIVE_REFRESH_MS = 5000
#: … until this many reads in a row found nothing changed.
LIVE_UNCHANGED_READS = 6


def success_text(history: SuccessHistory | None) -> str:
    """"Since 2 Dec: 6 of 8 finished deliveries succeeded (75 %), 1 on its way." """
    if history is None:
        return "Loading deliveries…"
    if not history.days:
        return f"No deliveries in the last {SUCCESS_DAYS} days."
    finished = history.succeeded + history.failed
    since = f"Since {short_date(history.days[0].day)}" + ("" if history.complete else " (older ones not counted)")
    if finished:
        text = (f"{since}: {history.succeeded} of {finished} finished deliveries succeeded "
                f"({history.succeeded / finished:.0%})")
    else:
        text = f"{since}: no delivery finished yet"
    if history.waiting:
        text += f", {history.waiting} on {'its' if history.waiting == 1 else 'their'} way"
    return text + "."


def previous_secret_text(until: datetime | None, now: datetime | None = None) -> str:
    """"Old secret valid until Wed 2 Dec 2026, 14:05:09 (UTC+01:00)" while it still signs; else ""."""
    if until is None or until <= (now or datetime.now(UTC)):
        return ""
    return f"Old secret valid until {exact(until)} (deliveries carry both signatures)"


class EndpointDetail(QWidget):
    """`show_endpoint(webhook)` fills the fields and loads the chart; the panel supplies `run`."""

    def __init__(self, panel: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("webhooks.detail")
        self._panel = panel
        self._store = panel.stores.webhooks
        self._shown: Any = None
        self._live = QTimer(self)
        self._live.setInterval(LIVE_REFRESH_MS)
        self._live.timeout.connect(self._on_live_tick)
        self._unchanged_reads = 0
        bind(self._store.deliveries_changed, self, self._on_new_delivery)
        self.title = QLabel("", self)
        self.title.setObjectName("webhooks.detail.name")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.status = SemanticLabel("", self)
        self.status.setObjectName("webhooks.detail.status")
        self.status.setWordWrap(True)
        self.url = self._value("webhooks.detail.url")
        self.events = self._value("webhooks.detail.events")
        self.secret = self._value("webhooks.detail.secret")
        self.previous_secret = self._value("webhooks.detail.previous_secret")
        self.last = self._value("webhooks.detail.last_delivery")
        self.success = QLabel("", self)
        self.success.setObjectName("webhooks.detail.success")
        self.success.setWordWrap(True)
        self.chart = SuccessChart(self)

        fields = QFormLayout()
        fields.setContentsMargins(0, 0, 0, 0)
        fields.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        fields.addRow("Status", self.status)
        fields.addRow("URL", self.url)
        fields.addRow("Events", self.events)
        fields.addRow("Secret", self.secret)
        fields.addRow("", self.previous_secret)
        fields.addRow("Last delivery", self.last)
        left = QVBoxLayout()
        left.addWidget(self.title)
        left.addLayout(fields)
        left.addStretch(1)
        right = QVBoxLayout()
        heading = QLabel("Deliveries per day", self)
        heading.setFont(font)
        right.addWidget(heading)
        right.addWidget(self.chart, 1)
        right.addWidget(self.success)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(left, 1)
        layout.addLayout(right, 1)
        self.show_endpoint(None)

    def _value(self, name: str) -> QLabel:
        value = QLabel("", self)
        value.setObjectName(name)
        value.setTextFormat(Qt.TextFormat.PlainText)  # names and URLs are data: no markup, no entities
        value.setWordWrap(True)
        value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return value

    def show_endpoint(self, webhook: Any | None) -> None:
        """Fill in `webhook` (None: say what to do); its chart at once from the store, then read again."""
        new = webhook is not None and getattr(self._shown, "id", None) != webhook.id
        self._shown = webhook
        self.setEnabled(webhook is not None)
        if webhook is None:
            self._live.stop()
            self.title.setText("No endpoint selected")
            for label in (self.status, self.url, self.events, self.secret, self.previous_secret, self.last):
                label.clear()
            self.status.set_kind(None)
            self.success.clear()
            self.chart.set_history(None, empty_text="Select an endpoint to see its deliveries over time.")
            return
        self.title.setText(webhook.name)
        status, reason = endpoint_status(webhook), webhook.disabled_reason if webhook.status == "disabled" else None
        if reason:  # the platform's reason, which may itself begin with "Disabled …"
            status = reason if reason.lower().startswith(status.lower()) else f"{status} — {reason}"
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setText(status)
        self.status.set_kind({"disabled": "error", "paused": "warning"}.get(webhook.status))
        self.url.setText(webhook.url)
        count = len(webhook.event_types)
        self.events.setText(", ".join(event_label(event_type) for event_type in webhook.event_types)
                            if count <= NAMED_EVENTS else f"{count} events — {events_by_resource(webhook.event_types)}")
        self.events.setToolTip(events_list(webhook.event_types))
        self.secret.setText(webhook.signing_secret_preview or "—")
        until = getattr(webhook, "previous_secret_expires_at", None)
        self.previous_secret.setText(previous_secret_text(until))
        self.previous_secret.setVisible(bool(self.previous_secret.text()))
        self.last.setText(relative(webhook.last_delivery_at, empty="never"))
        self.last.setToolTip(exact(webhook.last_delivery_at))
        if new:
            self.show_history(self._store.success_history(webhook.id))
            self._panel.run(self.load_history(webhook.id))

    async def load_history(self, webhook_id: str) -> None:
        """Count the endpoint's latest deliveries per day; drawn if it is still the one shown."""
        if not self._store.connected:
            if self._store.success_history(webhook_id) is None:
                self.chart.set_history(None, empty_text="Offline: the deliveries cannot be read.")
                self.success.clear()
            return
        history = await self._store.load_success_history(webhook_id)
        if getattr(self._shown, "id", None) == webhook_id:
            self.show_history(history)

    def _on_new_delivery(self, webhook_id: str) -> None:
        if getattr(self._shown, "id", None) == webhook_id:
            self._panel.run(self.load_history(webhook_id))

    def _on_live_tick(self) -> None:
        if self._shown is None or not self.isVisible():
            self._live.stop()
            return
        self._panel.run(self.load_history(self._shown.id))

    def show_history(self, history: SuccessHistory | None) -> None:
        """The chart and its line of numbers (None: still loading)."""
        same = history is not None and history == self.chart.history
        self._unchanged_reads = self._unchanged_reads + 1 if same else 0
        self.chart.set_history(history, empty_text=None if history is not None else "Loading deliveries…")
        self.success.setText(success_text(history))
        if history is not None and history.waiting and self._unchanged_reads < LIVE_UNCHANGED_READS:
            if not self._live.isActive():
                self._live.start()  # watch them end
        else:
            self._live.stop()
