"""The bulk bar (`tickets.bulk`): change status, priority, assignee or queue of every selected
ticket at once, with a progress bar, a cancel button and one result line per ticket.

It stays a bar under the list, never a pane of its own: it asks for no more width than the list
has (the value picker and the progress bar shrink, the outcome wraps), and the result list shows
a few lines at a time, failures first; it folds away once everything went through (the outcome
line says so) and can be shown or hidden, so the tickets stay readable above it.
Results are sentences in the operator's words: a refused status change names the statuses.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.api.models import Member, Queue, Ticket
from app.data.ticket_bulk import BulkResult
from app.ui.labels import label
from app.ui.panels.tickets.refusals import status_refusal
from app.ui.panels.tickets.ticket_columns import PRIORITIES, STATUSES
from app.ui.theme import semantic_colour

FIELDS = (("status", "Status"), ("priority", "Priority"), ("assignee_id", "Assignee"), ("queue_id", "Queue"))
#: Result lines visible at once (the rest scroll): enough to see the failures, not half the list.
RESULT_LINES = 3


def result_message(result: BulkResult) -> str:
    """One ticket's outcome in words; a refused status change names the statuses as labels."""
    refusal = status_refusal(result.error)
    return f"{refusal} Not possible from its current state (409)." if refusal else result.message


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
        self.value.setMinimumContentsLength(8)
        self.value.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.apply = QPushButton("Apply to selected", self)
        self.apply.setObjectName("tickets.bulk.apply")
        self.apply.clicked.connect(lambda: self.sig_apply.emit(self.field.currentData(), self.value.currentData()))
        self.cancel = QPushButton("Cancel", self)
        self.cancel.setObjectName("tickets.bulk.cancel")
        self.cancel.clicked.connect(self.sig_cancel)
        self.cancel.hide()
        self.progress = QProgressBar(self)
        self.progress.setObjectName("tickets.bulk.progress")
        self.progress.setMinimumWidth(40)
        self.progress.hide()
        self.outcome = QLabel(self)
        self.outcome.setObjectName("tickets.bulk.outcome")
        self.outcome.setWordWrap(True)
        self.outcome.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.toggle_results = QPushButton("Hide results", self)
        self.toggle_results.setObjectName("tickets.bulk.toggle_results")
        self.toggle_results.clicked.connect(lambda: self.show_results(self.results.isHidden()))
        self.toggle_results.hide()
        self.results = QTableWidget(0, 2, self)
        self.results.setObjectName("tickets.bulk.results")
        self.results.setHorizontalHeaderLabels(["Ticket", "Result"])
        self.results.verticalHeader().hide()
        # The result gets the room: a long subject is cut (its tooltip has it), the outcome is read.
        self.results.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.results.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.results.setColumnWidth(0, self.fontMetrics().averageCharWidth() * 22)
        self.results.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.results.setWordWrap(False)
        self.results.verticalHeader().setDefaultSectionSize(22)
        self.results.setFixedHeight(self.results.horizontalHeader().sizeHint().height() + 22 * RESULT_LINES
                                    + 2 * self.results.frameWidth())
        self.results.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.results.hide()
        self.field.currentIndexChanged.connect(self._fill_values)

        row = QHBoxLayout()
        row.addWidget(self.count_label)
        row.addWidget(self.field)
        row.addWidget(self.value, 1)
        row.addWidget(self.apply)
        progress_row = QHBoxLayout()
        progress_row.addWidget(self.outcome, 1)
        progress_row.addWidget(self.progress, 1)
        progress_row.addWidget(self.cancel)
        progress_row.addWidget(self.toggle_results)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.setSpacing(4)
        layout.addLayout(row)
        layout.addLayout(progress_row)
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
            "status": [(s, label("status", s)) for s in STATUSES],
            "priority": [(p, label("priority", p)) for p in PRIORITIES],
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
        self.show_results(True)
        self.toggle_results.show()
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
        message = result_message(result)
        outcome = QTableWidgetItem(("✓ " if result.ok else "✗ ") + message)
        outcome.setToolTip(message)
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
        self.progress.hide()
        self.apply.setEnabled(True)
        # Everything went through: the outcome line says it all. Failures stay listed, on top.
        self.show_results(bool(failed))

    def show_results(self, shown: bool) -> None:
        """Show or hide the per-ticket result lines (the outcome line stays)."""
        self.results.setVisible(shown)
        self.toggle_results.setText("Hide results" if shown else f"Show results ({self.results.rowCount()})")

    def result_text(self, ticket_id: str) -> str:
        row = self._rows.get(ticket_id)
        return self.results.item(row, 1).text() if row is not None else ""
