"""Events: the platform's event log (type, time, the resource it is about), each event's exact
payload and the deliveries it caused, and *Resend to…* an endpoint (a new delivery with the
event's own `webhook-id`, so a receiver that has it already can de-duplicate).

Everything is read through `WebhookStore.events`; the list pages on as it scrolls.
"""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.api.models import EventDetail
from app.api.models.webhooks import EVENT_TYPES
from app.ui.labels import event_label
from app.ui.panels.webhooks.deliveries_view import record_table
from app.ui.panels.webhooks.semantic_label import SemanticLabel
from app.ui.panels.webhooks.webhook_rows import delivery_status
from app.ui.record_table_model import Column, RecordRole, RecordTableModel
from app.ui.time_text import exact, relative
from app.ui.widgets.column_layout import ColumnLayout

EVENT_WIDTHS = {0: 110, 1: 190, 2: 260}


def resource_of(event: Any) -> str:
    """"invoice inv_123" — what the event is about, from its type and its data's id."""
    kind = event.type.rsplit(".", 1)[0].replace(".", " ")
    record_id = (event.data or {}).get("id") if isinstance(event.data, dict) else None
    return f"{kind} {record_id}" if record_id else kind


def event_columns() -> list[Column]:
    return [
        Column("Time", lambda e: e.created_at, text=relative, tooltip=lambda e: exact(e.created_at)),
        Column("Type", lambda e: e.type, text=event_label, tooltip=lambda e: e.type, object_name="type"),
        Column("Resource", resource_of, tooltip=lambda e: e.id),
    ]


def caused_columns(endpoint_name) -> list[Column]:
    return [
        Column("Endpoint", lambda d: endpoint_name(d.webhook_id)),
        Column("Status", lambda d: d.status, text=delivery_status, object_name="status"),
        Column("Attempts", lambda d: d.attempt_count, align_right=True),
        Column("Created", lambda d: d.created_at, text=relative, tooltip=lambda d: exact(d.created_at)),
    ]


class EventsView(QWidget):
    """The event log with a detail pane; the panel runs the background work."""

    def __init__(self, panel: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("webhooks.events_view")
        self._panel = panel
        self._store = panel.stores.webhooks
        self._events = self._store.events
        self._next_page: Any = None
        self.detail: EventDetail | None = None
        self.event_type = QComboBox(self)
        self.event_type.setObjectName("webhooks.events.type")
        self.event_type.addItem("Any event", None)
        for event_type in EVENT_TYPES:
            self.event_type.addItem(event_label(event_type), event_type)
        self.event_type.currentIndexChanged.connect(lambda _i: self.reload())
        refresh = QPushButton("Refresh", self)
        refresh.setObjectName("webhooks.events.refresh")
        refresh.clicked.connect(lambda: self.reload())
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Event", self))
        bar.addWidget(self.event_type)
        bar.addStretch(1)
        bar.addWidget(refresh)

        self.model = RecordTableModel(event_columns(), self)
        self.model.set_fetch_more(lambda: self._panel.run(self._load_more()))
        self.table = record_table("webhooks.events", self.model, self)
        self.columns = ColumnLayout(self.table, "webhooks.events", EVENT_WIDTHS)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._on_selected())
        self.summary = SemanticLabel("Select an event to see its payload and deliveries.", self)
        self.summary.setObjectName("webhooks.event.summary")
        self.summary.setWordWrap(True)
        self.payload = QPlainTextEdit(self)
        self.payload.setObjectName("webhooks.event.payload")
        self.payload.setReadOnly(True)
        self.payload.setFont(QFont("monospace"))
        self.caused = RecordTableModel(caused_columns(self._store.name_of), self)
        self.caused_table = record_table("webhooks.event.deliveries", self.caused, self)
        self.resend_target = QComboBox(self)
        self.resend_target.setObjectName("webhooks.event.resend_target")
        self.resend_button = QPushButton("Resend to", self)
        self.resend_button.setObjectName("webhooks.event.resend")
        self.resend_button.clicked.connect(lambda: self._panel.run(self.resend()))
        resend = QHBoxLayout()
        resend.addWidget(self.summary, 1)
        resend.addWidget(self.resend_button)
        resend.addWidget(self.resend_target)
        detail = QWidget(self)
        detail_layout = QVBoxLayout(detail)
        detail_layout.setContentsMargins(0, 0, 0, 0)
        detail_layout.addLayout(resend)
        inner = QSplitter(Qt.Orientation.Horizontal, detail)
        inner.addWidget(self.payload)
        inner.addWidget(self.caused_table)
        detail_layout.addWidget(inner, 1)
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(self.table)
        split.addWidget(detail)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(split, 1)
        self.update_actions()

    def set_endpoints(self, endpoints: list[Any]) -> None:
        current = self.resend_target.currentData()
        self.resend_target.clear()
        for webhook in endpoints:
            self.resend_target.addItem(webhook.name, webhook.id)
        self.resend_target.setCurrentIndex(max(self.resend_target.findData(current), 0))
        self.caused.refresh_cells()
        self.update_actions()

    def update_actions(self) -> None:
        ok = self.selected_event() is not None and self.resend_target.count() > 0 and self._panel.writable
        self.resend_button.setEnabled(ok)
        self.resend_button.setToolTip(self._panel.write_block_reason() or
                                      "A new delivery of this event to the chosen endpoint, with the event's id.")

    def reload(self) -> None:
        self._panel.run(self.load())

    async def load(self) -> None:
        if not self._store.connected or not self._store.supports("events.list"):
            return
        page = await self._events.page(type=self.event_type.currentData())
        self._next_page = page
        self.model.set_rows(page.items)
        self.model.set_has_more(page.has_next)

    async def _load_more(self) -> None:
        page = await self._events.more(self._next_page) if self._next_page is not None else None
        if page is None:
            self.model.set_has_more(False)
            return
        self._next_page = page
        self.model.append_rows(page.items)
        self.model.set_has_more(page.has_next)

    def selected_event(self) -> Any:
        rows = self.table.selectionModel().selectedRows()
        return self.model.data(rows[0], RecordRole) if rows else None

    def select_event(self, event_id: str) -> bool:
        row = self.model.row_of_id(event_id)
        if row is not None:
            self.table.selectRow(row)
        return row is not None

    def _on_selected(self) -> None:
        self.update_actions()
        event = self.selected_event()
        if event is not None:
            self._panel.run(self.load_detail(event.id))

    async def load_detail(self, event_id: str) -> None:
        """Read the event's payload and deliveries and show them (if it is still the one selected)."""
        detail = await self._events.detail(event_id)
        if getattr(self.selected_event(), "id", None) != event_id:
            return
        self.detail = detail
        self.payload.setPlainText(json.dumps(detail.payload, indent=2, ensure_ascii=False))
        self.caused.set_rows(detail.deliveries)
        count = len(detail.deliveries)
        self.summary.setText(f"“{event_label(detail.type)}” at {exact(detail.created_at)}: "
                             f"{count} deliver{'y' if count == 1 else 'ies'}.")

    async def resend(self) -> None:
        """A new delivery of the selected event to the chosen endpoint; the deliveries shown follow."""
        event, webhook_id = self.selected_event(), self.resend_target.currentData()
        if event is None or webhook_id is None:
            return
        await self._events.resend(event.id, webhook_id)
        self._panel.show_notice(f"“{event_label(event.type)}” resent to “{self._store.name_of(webhook_id)}” "
                                "with its own webhook-id.", "success")
        await self.load_detail(event.id)
