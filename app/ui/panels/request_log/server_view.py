"""The server's own log of this workspace's calls (GET /dev/api-requests), where logs:read allows."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.data.request_history import ServerRequestLog
from app.ui.record_table_model import Column, RecordTableModel, field_of


def _time(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value is not None else ""


COLUMNS = (
    Column("Time", field_of("created_at"), text=_time),
    Column("Method", field_of("method")),
    Column("Path", field_of("path")),
    Column("Status", field_of("status"), align_right=True),
    Column("Duration", field_of("duration_ms"), text=lambda v: "" if v is None else f"{v:.0f} ms", align_right=True),
    Column("Key", field_of("key_id")),
    Column("Request id", field_of("request_id")),
    Column("Idempotency key", field_of("idempotency_key")),
)


class ServerRequestView(QWidget):
    """A lazily paged table of the server's request log, with method and status filters."""

    def __init__(self, log: ServerRequestLog, run: Callable[[Coroutine[Any, Any, Any]], Any],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("request_log.server_view")
        self._log = log
        self._run = run
        self._page = None
        self.loaded = False
        self.method = QComboBox(self)
        self.method.setObjectName("request_log.server_method")
        self.method.addItems(["Any method", "GET", "POST", "PATCH", "DELETE"])
        self.status = QComboBox(self)
        self.status.setObjectName("request_log.server_status")
        self.status.addItem("Any status", None)
        for code in (200, 201, 204, 400, 401, 403, 404, 409, 412, 422, 429, 500):
            self.status.addItem(str(code), code)
        self.refresh_button = QPushButton("Refresh", self)
        self.refresh_button.setObjectName("request_log.server_refresh")
        self.refresh_button.clicked.connect(self.reload)
        self.note = QLabel(self)
        self.note.setObjectName("request_log.server_note")
        self.model = RecordTableModel(COLUMNS, self)
        self.model.set_fetch_more(self._fetch_more)
        self.table = QTableView(self)
        self.table.setObjectName("request_log.server_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.method.currentIndexChanged.connect(self.reload)
        self.status.currentIndexChanged.connect(self.reload)
        bar = QHBoxLayout()
        bar.addWidget(self.method)
        bar.addWidget(self.status)
        bar.addStretch(1)
        bar.addWidget(self.note)
        bar.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)

    def reload(self) -> None:
        """Fetch the newest entries with the chosen filters."""
        if self._log.connected:
            self._run(self.load())

    async def load(self) -> None:
        method = self.method.currentText() if self.method.currentIndex() > 0 else None
        self.note.setText("Loading…")
        try:
            page = await self._log.first_page(method=method, status=self.status.currentData())
        finally:
            self.note.clear()
        self._page = page
        self.model.set_rows(page.items)
        self.model.set_has_more(page.has_next)
        self.loaded = True

    def _fetch_more(self) -> None:
        self._run(self._load_next())

    async def _load_next(self) -> None:
        if self._page is None or not self._page.has_next:
            self.model.set_has_more(False)
            return
        try:
            page = await self._log.more(self._page)
        except BaseException:
            self.model.set_has_more(True)
            raise
        self._page = page
        self.model.append_rows(page.items)
        self.model.set_has_more(page.has_next)
