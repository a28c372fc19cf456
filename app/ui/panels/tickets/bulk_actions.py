"""The bulk bar (`tickets.bulk`): change status, priority, assignee or queue of every selected
ticket at once, with a progress bar, a cancel button and one result line per ticket."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.api.models import Member, Queue, Ticket
from app.data.ticket_bulk import BulkResult
from app.ui.panels.tickets.ticket_list import PRIORITIES, STATUSES, label_of
from app.ui.theme import semantic_colour

FIELDS = (("status", "Status"), ("priority", "Priority"), ("assignee_id", "Assignee"), ("queue_id", "Queue"))


class BulkBar(QFrame):
    """Shown while several tickets are selected; the panel runs the change and reports back."""

    sig_apply = Signal(str, object)
    """Apply (field, value) to every selected ticket."""
    sig_cancel = Signal()
    """Stop sending the remaining changes."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tickets.bulk")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._queues: list[tuple[str, str]] = []
        self._members: list[tuple[str, str]] = []
        self._subjects: dict[str, str] = {}
        self._rows: dict[str, int] = {}

        self.count_label = QLabel(self)
        self.count_label.setObjectName("tickets.bulk.count")
        self.field = QComboBox(self)
        self.field.setObjectName("tickets.bulk.field")
        self.field.setAccessibleName("Field to change")
        for value, text in FIELDS:
            self.field.addItem(text, value)
        self.value = QComboBox(self)
        self.value.setObjectName("tickets.bulk.value")
        self.value.setAccessibleName("New value")
        self.value.setMinimumContentsLength(14)
        self.apply = QPushButton("Apply to selected", self)
        self.apply.setObjectName("tickets.bulk.apply")
        self.apply.clicked.connect(lambda: self.sig_apply.emit(self.field.currentData(), self.value.currentData()))
        self.cancel = QPushButton("Cancel", self)
        self.cancel.setObjectName("tickets.bulk.cancel")
        self.cancel.clicked.connect(self.sig_cancel)
        self.cancel.hide()
        self.progress = QProgressBar(self)
        self.progress.setObjectName("tickets.bulk.progress")
        self.progress.hide()
        self.outcome = QLabel(self)
        self.outcome.setObjectName("tickets.bulk.outcome")
        self.results = QTableWidget(0, 2, self)
        self.results.setObjectName("tickets.bulk.results")
        self.results.setHorizontalHeaderLabels(["Ticket", "Result"])
        self.results.verticalHeader().hide()
        self.results.horizontalHeader().setStretchLastSection(True)
        self.results.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.results.setMaximumHeight(170)
        self.results.setWordWrap(False)
        self.results.verticalHeader().setDefaultSectionSize(22)
        self.results.setColumnWidth(0, 240)
        self.results.hide()
        self.field.currentIndexChanged.connect(self._fill_values)

        row = QHBoxLayout()
        row.addWidget(self.count_label)
        row.addWidget(self.field)
        row.addWidget(self.value)
        row.addWidget(self.apply)
        row.addWidget(self.progress, 1)
        row.addWidget(self.cancel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addLayout(row)
        layout.addWidget(self.outcome)
        layout.addWidget(self.results)
        self._fill_values()

    def set_choices(self, *, queues: Sequence[Queue], members: Sequence[Member]) -> None:
        self._queues = [(q.id, q.name or q.id) for q in queues if q.status != "archived"]
        self._members = [(m.id, m.name or m.id) for m in members]
        self._fill_values()

    def choose(self, field: str, value: Any) -> None:
        """Preselect a change (keyboard users and tests)."""
        self.field.setCurrentIndex(self.field.findData(field))
        self.value.setCurrentIndex(self.value.findData(value))

    def _fill_values(self) -> None:
        field = self.field.currentData()
        options: list[tuple[Any, str]] = {
            "status": [(s, label_of(s)) for s in STATUSES],
            "priority": [(p, label_of(p)) for p in PRIORITIES],
            "assignee_id": [(None, "Unassigned"), *self._members],
            "queue_id": self._queues,
        }[field]
        self.value.clear()
        for value, text in options:
            self.value.addItem(text, value)

    def set_selection_count(self, count: int) -> None:
        self.count_label.setText(f"{count} selected")

    # ---- a run ------------------------------------------------------------------------------
    def start(self, tickets: Sequence[Ticket]) -> None:
        self._subjects = {t.id: t.subject or "" for t in tickets}
        self._rows = {}
        self.results.setRowCount(0)
        self.results.show()
        self.progress.setRange(0, len(tickets))
        self.progress.setValue(0)
        self.progress.show()
        self.cancel.show()
        self.apply.setEnabled(False)
        self.outcome.setText(f"Updating {len(tickets)} tickets…")

    def report(self, result: BulkResult) -> None:
        """One ticket's outcome; failures go on top, where they are seen first."""
        row = 0 if not result.ok else self.results.rowCount()
        self.results.insertRow(row)
        self._rows = {ticket_id: r + (1 if not result.ok else 0) for ticket_id, r in self._rows.items()}
        self._rows[result.ticket_id] = row
        name = QTableWidgetItem(f"{self._subjects.get(result.ticket_id, '')} ({result.ticket_id})")
        outcome = QTableWidgetItem(("✓ " if result.ok else "✗ ") + result.message)
        outcome.setToolTip(result.message)
        name.setToolTip(name.text())
        if not result.ok:
            outcome.setForeground(semantic_colour("error"))
        self.results.setItem(row, 0, name)
        self.results.setItem(row, 1, outcome)
        self.progress.setValue(self.progress.value() + 1)

    def finish(self, results: Sequence[BulkResult], *, cancelled: bool = False) -> None:
        failed = sum(not r.ok for r in results)
        done = len(results) - failed
        text = f"{done} updated, {failed} failed"
        if cancelled:
            text += f", {self.progress.maximum() - len(results)} not attempted (cancelled)"
        if failed:
            text += ". The failed tickets stay selected."
        self.outcome.setText(text)
        self.outcome.setStyleSheet(f"color:{semantic_colour('error').name()};" if failed else "")
        self.cancel.hide()
        self.apply.setEnabled(True)

    def result_text(self, ticket_id: str) -> str:
        row = self._rows.get(ticket_id)
        return self.results.item(row, 1).text() if row is not None else ""
