"""The request log: every exchange this console made for the profile (retries included), persisted
across restarts, with filters, a redacted detail view, "Copy as cURL" and "Export HAR"; and a
second tab with the server's own log where the credential has logs:read.

The records are the session's `RequestHistory` store's (`app.data.request_history`); the table
shows the ones the filter lets through and follows the store's changes, and the count is read off
the store and the table, so it always says how many of how many.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.data.request_history import (
    HistoryChange,
    RequestRecord,
    curl_command,
    export_har,
    record_key,
)
from app.ui.module_panel import ModulePanel
from app.ui.panel_context import PanelContext
from app.ui.panels.request_log.record_detail import describe_record
from app.ui.panels.request_log.request_filter import (
    STATUS_CLASSES,
    TIME_RANGES,
    RequestFilter,
    path_of,
)
from app.ui.panels.request_log.server_view import ServerRequestView
from app.ui.record_table_model import Column, RecordTableModel
from app.ui.store_binding import bind
from app.ui.theme import semantic_colour

SERVER_SCOPE = "logs:read"
_METHODS = ("GET", "POST", "PATCH", "PUT", "DELETE")


def _status_colour(record: RequestRecord):
    if record.status is None or record.status >= 500:
        return semantic_colour("error")
    if record.status >= 400:
        return semantic_colour("warning")
    return None


COLUMNS = (
    Column("Time", lambda r: r.started_at, text=lambda v: v.astimezone().strftime("%H:%M:%S.%f")[:-3],
           tooltip=lambda r: r.started_at.astimezone().isoformat(timespec="milliseconds")),
    Column("Method", lambda r: r.method),
    Column("Path", path_of),
    Column("Status", lambda r: r.status, text=lambda v: "error" if v is None else str(v),
           foreground=_status_colour, tooltip=lambda r: r.error, align_right=True),
    Column("Attempt", lambda r: r.attempt, text=lambda v: f"#{v}", align_right=True,
           tooltip=lambda r: "A retry of the same request" if r.attempt > 1 else "First attempt"),
    Column("Duration", lambda r: r.duration_ms, text=lambda v: f"{v:.0f} ms", align_right=True),
    Column("Request id", lambda r: r.request_id),
)


class RequestLogPanel(ModulePanel):
    """`panel.request_log`; its table is `request_log.table`."""

    module_name = "request_log"
    title = "Request log"
    required_scope = ""

    def __init__(self, context: PanelContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self._filter = RequestFilter()
        self.history = self.stores.request_history

        self.tabs = QTabWidget(self.body)
        self.tabs.setObjectName("request_log.tabs")
        self.tabs.addTab(self._build_local_tab(), "This console")
        self.server_view = ServerRequestView(self.stores.server_log, self.run, self.tabs)
        self.tabs.addTab(self.server_view, "Server view")
        self.tabs.currentChanged.connect(self._on_tab_changed)
        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        self.on_scopes_changed(context.scopes if context.scopes else None)
        bind(self.stores.identity.changes, self, lambda identity: self.on_scopes_changed(identity.scopes))
        bind(self.history.changes, self, self._on_history_changed)
        self._refilter()

    # ---- building ------------------------------------------------------------------------------
    def _build_local_tab(self) -> QWidget:
        tab = QWidget(self)
        self.method_filter = QComboBox(tab)
        self.method_filter.setObjectName("request_log.method")
        self.method_filter.addItem("Any method", None)
        for method in _METHODS:
            self.method_filter.addItem(method, method)
        self.status_filter = QComboBox(tab)
        self.status_filter.setObjectName("request_log.status")
        self.status_filter.addItem("Any status", None)
        for klass in STATUS_CLASSES:
            self.status_filter.addItem("Network error" if klass == "error" else klass, klass)
        self.text_filter = QLineEdit(tab)
        self.text_filter.setObjectName("request_log.path")
        self.text_filter.setPlaceholderText("Filter by path, e.g. /contacts")
        self.text_filter.setClearButtonEnabled(True)
        self.time_filter = QComboBox(tab)
        self.time_filter.setObjectName("request_log.time")
        for label, delta in TIME_RANGES:
            self.time_filter.addItem(label, delta)
        for combo in (self.method_filter, self.status_filter, self.time_filter):
            combo.currentIndexChanged.connect(self._on_filter_changed)
        self.text_filter.textChanged.connect(self._on_filter_changed)

        self.copy_curl_button = QPushButton("Copy as cURL", tab)
        self.copy_curl_button.setObjectName("request_log.copy_curl")
        self.copy_curl_button.setShortcut(QKeySequence("Ctrl+Shift+C"))
        self.copy_curl_button.setEnabled(False)
        self.copy_curl_button.clicked.connect(self.copy_selected_as_curl)
        self.export_button = QPushButton("Export HAR…", tab)
        self.export_button.setObjectName("request_log.export_har")
        self.export_button.clicked.connect(self._on_export_clicked)

        self.model = RecordTableModel(COLUMNS, self, id_of=record_key)
        self.table = QTableView(tab)
        self.table.setObjectName("request_log.table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((100, 64, 320, 60, 64, 80)):
            self.table.setColumnWidth(column, width)
        self.table.selectionModel().currentRowChanged.connect(self._on_row_changed)

        self.detail = QPlainTextEdit(tab)
        self.detail.setObjectName("request_log.detail")
        self.detail.setReadOnly(True)
        self.detail.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.detail.setPlaceholderText("Select a request to see its headers and bodies (secrets are masked).")
        self.count_label = QLabel(tab)
        self.count_label.setObjectName("request_log.count")

        filters = QHBoxLayout()
        filters.addWidget(self.method_filter)
        filters.addWidget(self.status_filter)
        filters.addWidget(self.text_filter, 1)
        filters.addWidget(self.time_filter)
        actions = QHBoxLayout()
        actions.addWidget(self.count_label, 1)
        actions.addWidget(self.copy_curl_button)
        actions.addWidget(self.export_button)
        splitter = QSplitter(Qt.Orientation.Vertical, tab)
        splitter.addWidget(self.table)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(tab)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addLayout(filters)
        layout.addWidget(splitter, 1)
        layout.addLayout(actions)
        return tab

    # ---- loading -------------------------------------------------------------------------------
    async def activate(self) -> None:
        """Merge the persisted log in once (this session's records keep arriving live)."""
        await self.history.ensure_loaded()

    def _on_history_changed(self, change: HistoryChange) -> None:
        if change.reset:
            self._refilter()
            return
        if change.added is not None and self._filter.matches(change.added):
            self.model.insert_rows(0, [change.added])
        # The store drops its oldest records: they are at the bottom of the table when shown.
        dropped = set(change.dropped)
        while self.model.rowCount() and record_key(self.model.record(self.model.rowCount() - 1)) in dropped:
            self.model.remove_id(record_key(self.model.record(self.model.rowCount() - 1)))
        self._update_count()

    # ---- filters ------------------------------------------------------------------------------
    @property
    def records(self) -> list[RequestRecord]:
        """Every record of the session's history, newest first (before filtering)."""
        return self.history.records

    @property
    def shown_records(self) -> list[RequestRecord]:
        """The records the table shows now, in table order."""
        return list(self.model.rows)

    def set_filter(self, request_filter: RequestFilter) -> None:
        """Show only records matching `request_filter` (the filter widgets call this too)."""
        self._filter = request_filter
        self._refilter()

    def _on_filter_changed(self, *_args) -> None:
        self.set_filter(RequestFilter(
            method=self.method_filter.currentData(),
            status=self.status_filter.currentData(),
            text=self.text_filter.text().strip(),
            within=self.time_filter.currentData(),
        ))

    def _refilter(self) -> None:
        self.model.set_rows(self._filter.apply(self.history.records, datetime.now(UTC)))
        self._update_count()
        self._on_row_changed()

    def _update_count(self) -> None:
        shown, total = self.model.rowCount(), len(self.history)
        self.count_label.setText(f"{shown} of {total} requests" if shown != total else f"{total} requests")

    # ---- selection, detail, curl, HAR ----------------------------------------------------------
    def selected_record(self) -> RequestRecord | None:
        index = self.table.currentIndex()
        return self.model.record(index.row()) if index.isValid() else None

    def _on_row_changed(self, *_args) -> None:
        record = self.selected_record()
        self.copy_curl_button.setEnabled(record is not None)
        self.detail.setPlainText(describe_record(record) if record is not None else "")

    def select_request(self, request_id: str) -> bool:
        """Show the exchange with this request id (the link in a panel's error banner lands here)."""
        self.tabs.setCurrentIndex(0)
        for row, record in enumerate(self.model.rows):
            if record.request_id == request_id:
                self._select_row(row)
                return True
        if self.history.find(request_id) is not None:
            self.set_filter(RequestFilter())
            self._clear_filter_widgets()
            return self.select_request(request_id)
        self.show_notice(f"Request {request_id} is not in this console's log.", "warning")
        return False

    def _select_row(self, row: int) -> None:
        index = self.model.index(row, 0)
        self.table.setCurrentIndex(index)
        self.table.scrollTo(index)

    def _clear_filter_widgets(self) -> None:
        for widget in (self.method_filter, self.status_filter, self.time_filter, self.text_filter):
            widget.blockSignals(True)
        self.method_filter.setCurrentIndex(0)
        self.status_filter.setCurrentIndex(0)
        self.time_filter.setCurrentIndex(0)
        self.text_filter.clear()
        for widget in (self.method_filter, self.status_filter, self.time_filter, self.text_filter):
            widget.blockSignals(False)

    def copy_selected_as_curl(self) -> str | None:
        """Put the selected request as a redacted curl command on the clipboard; returns it."""
        record = self.selected_record()
        if record is None:
            return None
        command = curl_command(record)
        QGuiApplication.clipboard().setText(command)
        self.show_notice("Copied as cURL. The key is left out: set $OPSDESK_TOKEN before running it.", "success")
        return command

    async def export_har(self, path: str | Path, records: list[RequestRecord] | None = None) -> int:
        """Write the shown records (or `records`) as a HAR 1.2 file (in a worker thread); returns how many."""
        written = await export_har(path, self.shown_records if records is None else records)
        self.show_notice(f"Exported {written} requests to {Path(path)}.", "success")
        return written

    def _on_export_clicked(self) -> None:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        path, _ = QFileDialog.getSaveFileName(self, "Export HAR", f"opsdesk-requests-{stamp}.har",
                                              "HTTP Archive (*.har);;All files (*)")
        if path:
            self.run(self._export_to(path), name="export HAR")

    async def _export_to(self, path: str) -> None:
        try:
            await self.export_har(path)
        except OSError as error:
            self.show_notice(f"Could not write {path}: {error.strerror or error}", "error")

    # ---- server view ---------------------------------------------------------------------------
    def on_scopes_changed(self, scopes: frozenset[str] | None) -> None:
        """Enable the server view only where the credential has logs:read (None: not known yet)."""
        allowed = scopes is None or SERVER_SCOPE in scopes
        self.tabs.setTabEnabled(1, allowed)
        self.tabs.setTabToolTip(1, "The server's log of this workspace's calls" if allowed else
                                f"Not available: this credential lacks the {SERVER_SCOPE} scope.")
        if not allowed and self.tabs.currentIndex() == 1:
            self.tabs.setCurrentIndex(0)

    @property
    def server_view_reason(self) -> str | None:
        """Why the server view is disabled, or None when it is available."""
        return None if self.tabs.isTabEnabled(1) else self.tabs.tabToolTip(1)

    def _on_tab_changed(self, index: int) -> None:
        if index == 1 and not self.server_view.loaded:
            self.server_view.reload()

