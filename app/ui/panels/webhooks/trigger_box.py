"""*Trigger* for Listen locally (test workspaces only): pick an event type and the platform makes
whatever records it needs through its own rules (an invoice and a payment for `invoice.paid`) and
emits the real event, which then arrives in the listener. On a live profile it is off, and says why.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QPushButton, QWidget

from app.api.models.webhooks import EVENT_TYPES
from app.data.events import TriggerRefused, trigger_block_reason
from app.ui.labels import event_label


class TriggerBox(QWidget):
    """An event type and a Trigger button; the panel runs the call and shows the outcome."""

    def __init__(self, panel: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("webhooks.listen.trigger_box")
        self._panel = panel
        self._events = panel.stores.webhooks.events
        self.event_type = QComboBox(self)
        self.event_type.setObjectName("webhooks.listen.trigger_type")
        for event_type in EVENT_TYPES:
            self.event_type.addItem(event_label(event_type), event_type)
        self.event_type.setCurrentIndex(max(self.event_type.findData("invoice.paid"), 0))
        self.button = QPushButton("Trigger", self)
        self.button.setObjectName("webhooks.listen.trigger")
        self.button.clicked.connect(lambda: self._panel.run(self.trigger()))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.button)
        layout.addWidget(self.event_type)
        self.update_actions()

    def block_reason(self) -> str | None:
        reason = trigger_block_reason(live=self._panel.context.is_live,
                                      supported=self._events.supports("events.trigger"))
        return reason or self._panel.write_block_reason()

    def update_actions(self) -> None:
        reason = self.block_reason()
        self.button.setEnabled(reason is None)
        self.event_type.setEnabled(reason is None)
        self.button.setToolTip(reason or "The platform makes the records this event needs and emits it.")

    async def trigger(self) -> None:
        event_type = self.event_type.currentData()
        try:
            fired = await self._events.trigger(event_type, live=self._panel.context.is_live)
        except TriggerRefused as refused:
            self._panel.show_notice(str(refused), "warning")
            return
        made = ", ".join(f"{kind} {record_id}" for kind, record_id in fired.records.items())
        self._panel.show_notice(f"“{event_label(event_type)}” fired ({fired.event_id})"
                                + (f"; made {made}" if made else "") + ". Watch it arrive below.", "success")
