"""Failures, the tab an on-call admin reads first: failed deliveries grouped by endpoint and
cause ("HTTP 503 · upstream down", "ConnectError · Connection refused"), with how many and when
first and last seen, read from the platform's delivery log (`WebhookStore.failures`).

The admin picks the window (the last hour … 30 days, or since a time typed in); the summary says
what the counts cover ("every one" or "the newest N of M") and is the store's report, so it cannot
disagree with the groups. A long read shows its progress and can be stopped (what was read stays).

A group can be sent again in one go (*Retry these*, a result per delivery) or recovered as a
window starting at its oldest delivery (*Recover…*). Under it, the recover jobs of this session
(and those the platform lists), each with its progress or result, so a job outlives its dialog.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.data.webhook_failures import FailureGroup, FailureReport, parse_since
from app.ui.panels.webhooks.deliveries_view import record_table
from app.ui.panels.webhooks.recover_dialog import RecoverDialog, progress_text
from app.ui.panels.webhooks.retry_results import RetryResults
from app.ui.panels.webhooks.semantic_label import SemanticLabel
from app.ui.record_table_model import Column, RecordRole, RecordTableModel
from app.ui.store_binding import bind
from app.ui.theme import semantic_colour
from app.ui.time_text import exact, relative
from app.ui.widgets.column_layout import ColumnLayout
from app.ui.widgets.confirm_dialog import run_dialog

FAILURE_WIDTHS = {0: 150, 1: 320, 2: 80, 3: 110, 4: 110}
JOB_WIDTHS = {0: 150, 1: 110, 2: 200}


#: The windows offered; None: since a time the admin types.
WINDOWS: list[tuple[str, timedelta | None]] = [
    ("Last hour", timedelta(hours=1)), ("Last 24 hours", timedelta(days=1)), ("Last 7 days", timedelta(days=7)),
    ("Last 30 days", timedelta(days=30)), ("Since a time…", None)]
DEFAULT_WINDOW_INDEX = 2


def _count(n: int) -> str:
    return f"{n:,} failed deliver{'y' if n == 1 else 'ies'}"


def _when(moment: datetime) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def report_text(report: FailureReport | None) -> str:
    """What the groups cover, from the report they were built from."""
    if report is None:
        return "Loading failed deliveries…"
    since = f"since {_when(report.since)}"
    if report.state == "listing":
        return f"Listing failed deliveries {since}… {report.listed:,} so far."
    of = f"{report.total:,}" if report.total is not None else f"more than {report.listed:,}"
    if report.state == "reading":
        return f"Reading the failed deliveries {since}: {report.read:,} of {report.to_read:,} read."
    if report.state == "stopped" and not report.to_read:
        return f"Stopped while listing: {_count(report.listed)} {since} found so far, none grouped."
    if report.state == "stopped":
        return f"Stopped: counts cover the newest {report.read:,} of {of} failed deliveries {since}."
    if report.state == "interrupted":
        return (f"Interrupted by an error: counts cover the newest {report.read:,} of {of} failed deliveries"
                f" {since}; Refresh to read them again.")
    if not report.groups:
        return f"No failed deliveries {since}."
    groups = len(report.groups)
    shape = f"in {groups} group{'' if groups == 1 else 's'}, biggest first."
    if report.complete:
        return f"{_count(report.failed)} {since} {shape}"
    return (f"Counts cover the newest {report.read:,} of {of} failed deliveries {since} "
            f"(at most {report.limit:,} are read), {shape}")


def failure_columns(endpoint_name) -> list[Column]:
    return [
        Column("Endpoint", lambda g: endpoint_name(g.webhook_id)),
        Column("Error", lambda g: g.signature.text, tooltip=lambda g: g.signature.text, object_name="error",
               foreground=lambda g: semantic_colour("error")),
        Column("Deliveries", lambda g: g.count, align_right=True, object_name="count"),
        Column("First seen", lambda g: g.first_seen, text=relative, tooltip=lambda g: exact(g.first_seen)),
        Column("Last seen", lambda g: g.last_seen, text=relative, tooltip=lambda g: exact(g.last_seen)),
    ]


def job_columns(endpoint_name) -> list[Column]:
    return [
        Column("Endpoint", lambda j: endpoint_name(j.webhook_id or "")),
        Column("Started", lambda j: j.created_at, text=lambda v: relative(v, empty="—"),
               tooltip=lambda j: exact(j.created_at)),
        Column("Window since", lambda j: j.since, text=lambda v: exact(v, empty="—")),
        Column("Progress", progress_text, object_name="progress",
               foreground=lambda j: semantic_colour("warning" if j.failed or j.status == "cancelled"
                                                    else "success") if j.finished else None),
    ]


class FailuresView(QWidget):
    """Grouped failures, their retry results and the recover jobs; the panel runs the work."""

    def __init__(self, panel: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("webhooks.failures_view")
        self._panel = panel
        self._store = panel.stores.webhooks
        self.endpoint = QComboBox(self)
        self.endpoint.setObjectName("webhooks.failures.endpoint")
        self.endpoint.addItem("All endpoints", None)
        self.endpoint.currentIndexChanged.connect(lambda _i: self.reload())
        self.window = QComboBox(self)
        self.window.setObjectName("webhooks.failures.window")
        for text, span in WINDOWS:
            self.window.addItem(text, span)
        self.window.setCurrentIndex(DEFAULT_WINDOW_INDEX)
        self.window.currentIndexChanged.connect(self._on_window_changed)
        self.since = QLineEdit(self)
        self.since.setObjectName("webhooks.failures.since")
        self.since.setPlaceholderText("2026-12-02 09:00 (local) or RFC 3339")
        self.since.setVisible(False)
        self.since.returnPressed.connect(self.reload)
        self.refresh_button = self._button("Refresh", "webhooks.failures.refresh", self.reload)
        self.stop_button = self._button("Stop", "webhooks.failures.stop", self._store.failures.stop)
        self.stop_button.setToolTip("Stop reading: the groups then cover what was read so far")
        self.progress = QProgressBar(self)
        self.progress.setObjectName("webhooks.failures.progress")
        self.progress.setMaximumWidth(160)
        self.retry_button = self._button("Retry these", "webhooks.failures.retry", self._on_retry)
        self.recover_button = self._button("Recover…", "webhooks.failures.recover", self._on_recover)
        self.summary = SemanticLabel(report_text(None), self)
        self.summary.setObjectName("webhooks.failures.summary")
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Endpoint", self))
        bar.addWidget(self.endpoint)
        bar.addWidget(self.window)
        bar.addWidget(self.since)
        bar.addWidget(self.summary, 1)
        bar.addWidget(self.progress)
        for button in (self.stop_button, self.retry_button, self.recover_button, self.refresh_button):
            bar.addWidget(button)

        self.model = RecordTableModel(failure_columns(self._store.name_of), self, id_of=lambda g: g.id)
        self.table = record_table("webhooks.failures", self.model, self)
        self.columns = ColumnLayout(self.table, "webhooks.failures", FAILURE_WIDTHS)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self.update_actions())
        self.table.doubleClicked.connect(lambda _i: self._on_recover())
        self.results = RetryResults("webhooks.failures.results", self._store.name_of, self)
        self.jobs = RecordTableModel(job_columns(self._store.name_of), self, id_of=lambda j: j.job_id)
        self.jobs_table = record_table("webhooks.recover_jobs", self.jobs, self)
        self.job_columns = ColumnLayout(self.jobs_table, "webhooks.recover_jobs", JOB_WIDTHS)
        jobs = QWidget(self)
        jobs_layout = QVBoxLayout(jobs)
        jobs_layout.setContentsMargins(0, 0, 0, 0)
        jobs_layout.addWidget(QLabel("Recover jobs", jobs))
        jobs_layout.addWidget(self.jobs_table)
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(self.table)
        split.addWidget(jobs)
        split.setSizes([320, 160])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.results)
        layout.addWidget(split, 1)
        bind(self._store.recovery.changed, self, lambda job: self.jobs.upsert(job, at_top=False))
        bind(self._store.failures.changed, self, self._show_report)
        self._show_progress(None)
        self.update_actions()

    def _button(self, text: str, name: str, slot) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.clicked.connect(lambda _checked=False: slot())
        return button

    def set_endpoints(self, endpoints: list[Any]) -> None:
        current = self.endpoint.currentData()
        self.endpoint.blockSignals(True)
        self.endpoint.clear()
        self.endpoint.addItem("All endpoints", None)
        for webhook in endpoints:
            self.endpoint.addItem(webhook.name, webhook.id)
        self.endpoint.setCurrentIndex(max(self.endpoint.findData(current), 0))
        self.endpoint.blockSignals(False)
        self.model.refresh_cells()
        self.jobs.refresh_cells()

    def selected_group(self) -> FailureGroup | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.data(rows[0], RecordRole) if rows else None

    def update_actions(self) -> None:
        chosen = self.selected_group() is not None
        writable = self._panel.writable
        self.retry_button.setEnabled(chosen and writable)
        self.recover_button.setEnabled(writable and bool(self._store.listed))
        for button in (self.retry_button, self.recover_button):
            button.setToolTip(self._panel.write_block_reason() or "")

    def reload(self) -> None:
        self._panel.run(self.load())

    def window_start(self) -> datetime:
        """The start of the chosen window; ValueError (a sentence to show) for a bad typed time."""
        span = self.window.currentData()
        if span is None:
            return parse_since(self.since.text())
        return datetime.now().astimezone() - span

    async def load(self) -> FailureReport | None:
        """Read the window's failed deliveries again and show their groups (and this endpoint's jobs)."""
        if not self._store.connected:
            return None
        try:
            since = self.window_start()
        except ValueError as error:
            self.summary.setText(str(error))
            self.summary.set_kind("error")
            return None
        webhook_id = self.endpoint.currentData()
        report = await self._store.failures.load(webhook_id, since=since)
        if self._store.failures.last is not report:
            return report  # a later load (another window or endpoint) took over
        for endpoint_id in [webhook_id] if webhook_id else [w.id for w in self._store.listed]:
            await self._store.recovery.load_jobs(endpoint_id)
        self.jobs.set_rows(self._store.recovery.jobs(webhook_id))
        self.update_actions()
        return report

    def _on_window_changed(self, _index: int) -> None:
        typed = self.window.currentData() is None
        self.since.setVisible(typed)
        if typed:
            if not self.since.text():
                self.since.setText(_when(datetime.now().astimezone() - timedelta(hours=1)))
            self.since.setFocus()
        self.reload()

    def _show_report(self, report: FailureReport) -> None:
        """The store's report as it grows: the groups so far, the summary, the progress."""
        selected = self.selected_group()
        if report.state != "listing":
            self.model.set_rows(list(report.groups))
            if selected is not None and (row := self.model.row_of_id(selected.id)) is not None:
                self.table.selectRow(row)
        self.summary.setText(report_text(report))
        self.summary.set_kind(None if not report.finished else "warning" if report.state == "interrupted"
                              else "error" if report.groups else "success")
        self._show_progress(report)
        self.update_actions()

    def _show_progress(self, report: FailureReport | None) -> None:
        running = report is not None and not report.finished
        self.progress.setVisible(running)
        self.stop_button.setVisible(running)
        if report is None or not running:
            return
        if report.state == "listing":
            self.progress.setRange(0, 0)  # busy: how many there are is not known yet
        else:
            self.progress.setRange(0, max(report.to_read, 1))
            self.progress.setValue(report.read)

    def _on_retry(self) -> None:
        group = self.selected_group()
        if group is not None:
            self._panel.run(self.retry_group(group))

    async def retry_group(self, group: FailureGroup) -> None:
        """Send every delivery of the group again; a result per delivery; then read the groups again."""
        self.retry_button.setEnabled(False)
        try:
            outcomes = await self._store.retry_selected(group.deliveries())
        finally:
            self.update_actions()
        self.results.show_results(outcomes)

    def _on_recover(self) -> None:
        group = self.selected_group()
        self._panel.run(self.open_recover(group.webhook_id if group else self.endpoint.currentData(),
                                          group.began if group else None))

    async def open_recover(self, webhook_id: str | None, since: Any = None) -> None:
        """The recover dialog for this endpoint, its window starting at `since` (a group's oldest delivery)."""
        await run_dialog(RecoverDialog(self._panel, webhook_id=webhook_id, since=since))
