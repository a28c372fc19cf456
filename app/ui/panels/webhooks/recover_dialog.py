"""Recover an endpoint after an outage: pick it and the window ("since the outage began"), see how
many deliveries that is (the platform's dry run), run it, and watch it: queued / succeeded /
failed with a bar, as the platform's job reports them.

Cancel cancels the job on the server where the platform can (the sandbox can; the contract has
no cancel); elsewhere Cancel stops watching and says the job keeps running there. Closing the
dialog while a job runs only stops watching, and says so. Either way the job stays in the job
list under the failures, with its result when it has one.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from PySide6.QtCore import QDateTime
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.api.models import RecoverStatus
from app.ui.panels.webhooks.semantic_label import SemanticLabel
from app.ui.store_binding import bind
from app.ui.time_text import exact


def progress_text(job: RecoverStatus) -> str:
    """"Running: 40 queued · 270 succeeded · 2 failed of 312." """
    state = {"running": "Running", "done": "Done", "cancelled": "Cancelled"}.get(job.status, job.status.title())
    return (f"{state}: {job.queued} queued · {job.succeeded} succeeded · {job.failed} failed "
            f"of {job.matched}.")


def _to_qt(moment: datetime) -> QDateTime:
    return QDateTime.fromSecsSinceEpoch(int(moment.timestamp()))


def _from_qt(value: QDateTime) -> datetime:
    return datetime.fromtimestamp(value.toSecsSinceEpoch(), UTC)


class RecoverDialog(QDialog):
    """The window, its dry-run count, then the job's progress; `panel` runs the background work."""

    def __init__(self, panel: Any, *, webhook_id: str | None = None, since: datetime | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent or panel)
        self.setObjectName("webhooks.recover_dialog")
        self.setWindowTitle("Recover failed deliveries")
        self.setMinimumWidth(520)
        self._panel = panel
        self._jobs = panel.store.recovery
        self.job: RecoverStatus | None = None
        self.endpoint = QComboBox(self)
        self.endpoint.setObjectName("webhooks.recover.endpoint")
        for webhook in panel.store.listed:
            self.endpoint.addItem(webhook.name, webhook.id)
        self.endpoint.setCurrentIndex(max(self.endpoint.findData(webhook_id), 0))
        self.since = QDateTimeEdit(_to_qt(since or datetime.now(UTC) - timedelta(hours=1)), self)
        self.since.setObjectName("webhooks.recover.since")
        self.since.setCalendarPopup(True)
        self.use_until = QCheckBox("Until", self)
        self.use_until.setObjectName("webhooks.recover.use_until")
        self.until = QDateTimeEdit(_to_qt(datetime.now(UTC)), self)
        self.until.setObjectName("webhooks.recover.until")
        self.until.setEnabled(False)
        self.use_until.toggled.connect(self.until.setEnabled)
        self.failed = QCheckBox("Failed", self)
        self.failed.setObjectName("webhooks.recover.failed")
        self.failed.setChecked(True)
        self.succeeded = QCheckBox("Succeeded too (send them again)", self)
        self.succeeded.setObjectName("webhooks.recover.succeeded")
        for changed in (self.endpoint.currentIndexChanged, self.since.dateTimeChanged, self.until.dateTimeChanged,
                        self.use_until.toggled, self.failed.toggled, self.succeeded.toggled):
            changed.connect(lambda *_: self._forget_count())
        self.count_label = SemanticLabel("Count first: nothing is sent until you press Recover.", self)
        self.count_label.setObjectName("webhooks.recover.count")
        self.count_label.setWordWrap(True)
        self.progress = QProgressBar(self)
        self.progress.setObjectName("webhooks.recover.progress")
        self.progress.hide()
        self.state = SemanticLabel("", self)
        self.state.setObjectName("webhooks.recover.state")
        self.state.setWordWrap(True)
        self.count_button = self._button("Count", "webhooks.recover.count_button", self._on_count)
        self.run_button = self._button("Recover", "webhooks.recover.run", self._on_run)
        self.cancel_button = self._button("Cancel", "webhooks.recover.cancel", self._on_cancel)
        self.close_button = self._button("Close", "webhooks.recover.close", self.reject)
        self.run_button.setEnabled(False)
        self.cancel_button.setEnabled(False)

        window = QHBoxLayout()
        window.addWidget(self.since, 1)
        window.addWidget(self.use_until)
        window.addWidget(self.until, 1)
        statuses = QHBoxLayout()
        statuses.addWidget(self.failed)
        statuses.addWidget(self.succeeded)
        statuses.addStretch(1)
        form = QFormLayout()
        form.addRow("Endpoint", self.endpoint)
        form.addRow("Since the outage began", window)
        form.addRow("Deliveries", statuses)
        buttons = QHBoxLayout()
        for button in (self.count_button, self.run_button, self.cancel_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.count_label)
        layout.addWidget(self.progress)
        layout.addWidget(self.state)
        layout.addLayout(buttons)
        bind(self._jobs.changed, self, self._on_job_changed)

    def _button(self, text: str, name: str, slot) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.clicked.connect(lambda _checked=False: slot())
        return button

    def window_values(self) -> tuple[str, datetime, datetime | None, list[str]]:
        """(endpoint id, since, until, statuses), or ValueError naming what is wrong."""
        webhook_id = self.endpoint.currentData()
        if webhook_id is None:
            raise ValueError("Choose the endpoint to recover.")
        since = _from_qt(self.since.dateTime())
        until = _from_qt(self.until.dateTime()) if self.use_until.isChecked() else None
        if since >= datetime.now(UTC):
            raise ValueError("“Since” is in the future: pick when the outage began.")
        if until is not None and until <= since:
            raise ValueError("“Until” must be later than “since”.")
        statuses = [s for s, box in (("failed", self.failed), ("succeeded", self.succeeded)) if box.isChecked()]
        if not statuses:
            raise ValueError("Pick which deliveries to send again (failed, succeeded or both).")
        return webhook_id, since, until, statuses

    def _forget_count(self) -> None:
        if self.job is None:
            self.run_button.setEnabled(False)
            self.count_label.set_kind(None)
            self.count_label.setText("Count first: nothing is sent until you press Recover.")

    def _on_count(self) -> None:
        self._panel.run(self.count())

    async def count(self) -> int | None:
        """The dry run: how many deliveries Recover would send again."""
        try:
            webhook_id, since, until, statuses = self.window_values()
        except ValueError as problem:
            self.count_label.setText(str(problem))
            self.count_label.set_kind("error")
            return None
        self.count_button.setEnabled(False)
        try:
            matched = await self._jobs.count(webhook_id, since, until, statuses)
        finally:
            self.count_button.setEnabled(True)
        which = " or ".join(statuses)
        self.count_label.setText(f"{matched} {which} deliver{'y' if matched == 1 else 'ies'} of "
                                 f"“{self.endpoint.currentText()}” since {exact(since)} would be sent again"
                                 + ("." if matched else ": nothing to recover."))
        self.count_label.set_kind(None if matched else "warning")
        self.run_button.setEnabled(matched > 0 and self._panel.writable)
        return matched

    def _on_run(self) -> None:
        self._panel.run(self.recover())

    async def recover(self) -> RecoverStatus | None:
        """Start the job and watch it until it ends (or Cancel / Close)."""
        webhook_id, since, until, statuses = self.window_values()
        self.run_button.setEnabled(False)
        self.count_button.setEnabled(False)
        self.job = await self._jobs.start(webhook_id, since, until, statuses)
        self.cancel_button.setEnabled(True)
        self.progress.show()
        self._show(self.job)
        final = await self._jobs.watch(self.job.job_id)
        self._show(final)
        return final

    def _on_job_changed(self, job: RecoverStatus) -> None:
        if self.job is not None and job.job_id == self.job.job_id:
            self._show(job)

    def _show(self, job: RecoverStatus) -> None:
        self.job = job
        self.progress.setMaximum(max(job.matched, 1))
        self.progress.setValue(job.matched - job.queued if job.matched else 1)
        self.state.setText(progress_text(job))
        self.state.set_kind({"done": "success" if not job.failed else "warning", "cancelled": "warning"}.get(
            job.status))
        self.cancel_button.setEnabled(not job.finished)

    def _on_cancel(self) -> None:
        if self.job is None or self.job.finished:
            return
        if self._jobs.can_cancel:
            self._panel.run(self.cancel_job())
        else:
            self.stop_watching()

    async def cancel_job(self) -> None:
        """Stop the job on the server: deliveries not sent yet stay as they were."""
        self.cancel_button.setEnabled(False)
        self._show(await self._jobs.cancel(self.job.job_id))

    def stop_watching(self) -> None:
        """Stop reading progress; the server's job goes on (it is in the job list)."""
        if self.job is not None and not self.job.finished:
            self._jobs.stop_watching(self.job.job_id)
            self.cancel_button.setEnabled(False)
            self.state.setText(progress_text(self.job) + " Stopped watching: the job keeps running on the "
                               "server; its result appears in the job list under Failures.")
            self.state.set_kind("warning")

    def reject(self) -> None:
        self.stop_watching()
        super().reject()
