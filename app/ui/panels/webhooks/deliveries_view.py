"""The delivery log, per endpoint or across all of them: filters, each delivery's payload and
every attempt (time, HTTP status, latency, response body, error), and a Retry button. Several rows
can be selected (Shift/Ctrl-click): *Retry selected* sends them all again and lists a result per
delivery (`retry_results`).

While the selected delivery is still pending or retrying, its detail refreshes by itself, so a
user who pressed Retry watches the new attempt arrive; a test event sent from anywhere in the
panel reloads the log (the store's `deliveries_changed`).
"""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.api.models import Delivery
from app.api.models.webhooks import EVENT_TYPES
from app.ui.labels import event_label, label
from app.ui.panels.webhooks.retry_results import RetryResults
from app.ui.panels.webhooks.semantic_label import SemanticLabel
from app.ui.panels.webhooks.webhook_rows import (
    ATTEMPT_WIDTHS,
    DELIVERY_STATUSES,
    DELIVERY_WIDTHS,
    attempt_columns,
    delivery_columns,
)
from app.ui.record_table_model import RecordRole, RecordTableModel
from app.ui.store_binding import bind
from app.ui.widgets.column_layout import ColumnLayout

#: How often an unfinished delivery's detail is reloaded while it is selected.
LIVE_REFRESH_MS = 1000


def record_table(name: str, model: RecordTableModel, parent: QWidget) -> QTableView:
    """A single-selection table of one line per row: cells never wrap (a long value is elided and
    whole in its tooltip), and header titles sit at the left of their column, so a title stays
    in sight whenever its column's start is (a centred title in a wide column goes off-screen)."""
    table = QTableView(parent)
    table.setObjectName(name)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().hide()
    table.setAlternatingRowColors(True)
    table.setShowGrid(False)
    table.setWordWrap(False)
    table.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    return table


def delivery_summary(delivery: Any, endpoint: str) -> str:
    """"Invoice paid to Billing sync: failed after 5 attempts." in words, for the detail's head."""
    attempts = delivery.attempt_count or len(getattr(delivery, "attempts", []) or [])
    tries = f"{attempts} attempt{'' if attempts == 1 else 's'}"
    outcome = {"succeeded": f"succeeded after {tries}", "failed": f"failed after {tries}",
               "retrying": f"retrying ({tries} so far)", "pending": "waiting to be sent"}.get(
        delivery.status, f"{label('status', delivery.status).lower()} ({tries})")
    return f"“{event_label(delivery.event_type)}” to {endpoint}: {outcome}."


class DeliveriesView(QWidget):
    """Deliveries with filters and a detail pane; the panel supplies `run` (its background work)."""

    sig_retried = Signal(str)
    """A delivery (id) was queued to be sent again."""

    def __init__(self, panel: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("webhooks.deliveries_view")
        self._panel = panel
        self._store = panel.stores.webhooks
        self._next_page: Any = None
        self._detail: Any = None

        self.endpoint = QComboBox(self)
        self.endpoint.setObjectName("webhooks.deliveries.endpoint")
        self.endpoint.addItem("All endpoints", None)
        self.status = QComboBox(self)
        self.status.setObjectName("webhooks.deliveries.status")
        self.status.addItem("Any status", None)
        for status in DELIVERY_STATUSES:
            self.status.addItem(label("status", status), status)
        self.event_type = QComboBox(self)
        self.event_type.setObjectName("webhooks.deliveries.event_type")
        self.event_type.addItem("Any event", None)
        for event_type in EVENT_TYPES:
            self.event_type.addItem(event_label(event_type), event_type)
        for combo in (self.endpoint, self.status, self.event_type):
            combo.currentIndexChanged.connect(lambda _i: self.reload())
        refresh = QPushButton("Refresh", self)
        refresh.setObjectName("webhooks.deliveries.refresh")
        refresh.clicked.connect(lambda: self.reload())
        filters = QHBoxLayout()
        for caption, combo in (("Endpoint", self.endpoint), ("Status", self.status), ("Event", self.event_type)):
            filters.addWidget(QLabel(caption, self))
            filters.addWidget(combo)
        self.retry_many_button = QPushButton("Retry selected", self)
        self.retry_many_button.setObjectName("webhooks.deliveries.retry_selected")
        self.retry_many_button.clicked.connect(lambda: self._panel.run(self.retry_many()))
        filters.addStretch(1)
        filters.addWidget(self.retry_many_button)
        filters.addWidget(refresh)

        self.model = RecordTableModel(delivery_columns(self._endpoint_name), self)
        self.model.set_fetch_more(lambda: self._panel.run(self._load_more()))
        self.table = record_table("webhooks.deliveries", self.model, self)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.results = RetryResults("webhooks.deliveries.results", self._endpoint_name, self)
        self.columns = ColumnLayout(self.table, "webhooks.deliveries", DELIVERY_WIDTHS)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._on_selected())

        self.summary = SemanticLabel("Select a delivery to see its payload and attempts.", self)
        self.summary.setObjectName("webhooks.delivery.summary")
        self.summary.setWordWrap(True)
        self.retry_button = QPushButton("Retry now", self)
        self.retry_button.setObjectName("webhooks.delivery.retry")
        self.retry_button.setEnabled(False)
        self.retry_button.clicked.connect(lambda: self._panel.run(self.retry_selected()))
        self.payload = QPlainTextEdit(self)
        self.payload.setObjectName("webhooks.delivery.payload")
        self.payload.setReadOnly(True)
        self.payload.setFont(QFont("monospace"))
        self.attempts = RecordTableModel(attempt_columns(), self, id_of=lambda a: a.attempted_at)
        self.attempts_table = record_table("webhooks.delivery.attempts", self.attempts, self)
        self.attempt_columns = ColumnLayout(self.attempts_table, "webhooks.attempts", ATTEMPT_WIDTHS)
        head = QHBoxLayout()
        head.addWidget(self.summary, 1)
        head.addWidget(self.retry_button)
        detail = QWidget(self)
        detail_layout = QVBoxLayout(detail)
        detail_layout.setContentsMargins(0, 0, 0, 0)
        detail_layout.addLayout(head)
        inner = QSplitter(Qt.Orientation.Horizontal, detail)
        inner.addWidget(self.payload)
        inner.addWidget(self.attempts_table)
        inner.setSizes([300, 500])
        detail_layout.addWidget(inner, 1)

        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.table)
        splitter.addWidget(detail)
        splitter.setSizes([300, 260])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(filters)
        layout.addWidget(self.results)
        layout.addWidget(splitter, 1)

        self._live = QTimer(self)
        self._live.setInterval(LIVE_REFRESH_MS)
        self._live.timeout.connect(self._on_live_tick)
        bind(self._store.deliveries_changed, self, lambda _webhook_id: self.reload())

    # ---- endpoints known to the filter -------------------------------------------------------
    def set_endpoints(self, endpoints: list[Any]) -> None:
        """Offer these endpoints in the filter (keeping the current choice when it still exists)."""
        current = self.endpoint.currentData()
        self.endpoint.blockSignals(True)
        self.endpoint.clear()
        self.endpoint.addItem("All endpoints", None)
        for webhook in endpoints:
            self.endpoint.addItem(webhook.name, webhook.id)
        index = self.endpoint.findData(current)
        self.endpoint.setCurrentIndex(max(index, 0))
        self.endpoint.blockSignals(False)
        self.model.refresh_cells()

    def show_endpoint(self, webhook_id: str | None) -> None:
        """Filter on one endpoint (None: all) and reload."""
        index = self.endpoint.findData(webhook_id)
        if index < 0 or index == self.endpoint.currentIndex():
            self.reload()
        else:
            self.endpoint.setCurrentIndex(index)

    def _endpoint_name(self, webhook_id: str) -> str:
        return self._store.name_of(webhook_id)

    # ---- loading -----------------------------------------------------------------------------
    def reload(self) -> None:
        self._panel.run(self.load())

    async def load(self) -> None:
        """First page of deliveries matching the filters."""
        if not self._store.connected:
            return
        selected = self.selected_delivery()
        page = await self._store.deliveries(status=self.status.currentData(), event_type=self.event_type.currentData(),
                                            webhook_id=self.endpoint.currentData())
        self._next_page = page
        self.model.set_rows(page.items)
        self.model.set_has_more(page.has_next)
        if selected is not None and self.model.row_of_id(selected.id) is not None:
            self.table.selectRow(self.model.row_of_id(selected.id))

    async def _load_more(self) -> None:
        page = await self._store.more(self._next_page) if self._next_page is not None else None
        if page is None:
            self.model.set_has_more(False)
            return
        self._next_page = page
        self.model.append_rows(page.items)
        self.model.set_has_more(page.has_next)

    def selected_delivery(self) -> Delivery | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.data(rows[0], RecordRole) if rows else None

    def select_delivery(self, delivery_id: str) -> bool:
        row = self.model.row_of_id(delivery_id)
        if row is None:
            return False
        self.table.selectRow(row)
        return True

    def selected_deliveries(self) -> list[Delivery]:
        """Every selected delivery, in the log's order."""
        rows = sorted(index.row() for index in self.table.selectionModel().selectedRows())
        return [self.model.rows[row] for row in rows]

    def update_actions(self) -> None:
        count = len(self.selected_deliveries())
        writable = self._panel.writable
        self.retry_button.setEnabled(count == 1 and writable)
        self.retry_button.setToolTip(self._panel.write_block_reason() or "")
        self.retry_many_button.setEnabled(count > 0 and writable)
        self.retry_many_button.setText(f"Retry selected ({count})" if count > 1 else "Retry selected")
        self.retry_many_button.setToolTip(self._panel.write_block_reason()
                                          or "Send every selected delivery again now; a result per delivery.")

    async def retry_many(self) -> None:
        """Send every selected delivery again now and list a result for each."""
        chosen = self.selected_deliveries()
        if not chosen:
            return
        self.retry_many_button.setEnabled(False)
        try:
            outcomes = await self._store.retry_selected(chosen)
        finally:
            self.update_actions()
        self.results.show_results(outcomes)
        for outcome in outcomes:
            if outcome.ok and outcome.status and (row := self.model.row_of_id(outcome.delivery_id)) is not None:
                self.model.upsert(self.model.rows[row].model_copy(update={"status": outcome.status}))

    def _on_selected(self) -> None:
        delivery = self.selected_delivery()
        self.update_actions()
        if delivery is None:
            self._live.stop()
            return
        self._panel.run(self.load_detail(delivery.webhook_id, delivery.id))

    async def load_detail(self, webhook_id: str, delivery_id: str) -> None:
        """Fetch one delivery with its payload and attempts and show them."""
        detail = await self._store.delivery(webhook_id, delivery_id)
        current = self.selected_delivery()
        if current is None or current.id != delivery_id:
            return
        self._detail = detail
        self.model.upsert(Delivery.model_validate(detail.model_dump(exclude={"payload", "attempts"})))
        self.payload.setPlainText(json.dumps(detail.payload, indent=2, ensure_ascii=False))
        self.attempts.set_rows(detail.attempts)
        self.summary.set_kind({"failed": "error", "retrying": "warning", "succeeded": "success"}.get(detail.status))
        self.summary.setText(delivery_summary(detail, self._endpoint_name(detail.webhook_id)))
        if detail.status in ("pending", "retrying"):
            self._live.start()
        else:
            self._live.stop()

    def _on_live_tick(self) -> None:
        delivery = self.selected_delivery()
        if delivery is None or not self.isVisible():
            self._live.stop()
            return
        self._panel.run(self.load_detail(delivery.webhook_id, delivery.id))

    async def retry_selected(self) -> None:
        """Send the selected delivery again now; the detail then follows the new attempt."""
        delivery = self.selected_delivery()
        if delivery is None:
            return
        queued = await self._store.retry(delivery)
        self.model.upsert(queued)
        self._panel.show_notice(f"Delivery of “{event_label(delivery.event_type)}” queued to be sent again now.")
        self.sig_retried.emit(delivery.id)
        self._live.start()

