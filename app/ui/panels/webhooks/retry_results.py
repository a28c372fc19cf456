"""The outcome of Retry selected, one line per delivery: queued again, or refused and why.

Shown under the list the retry was started from (the delivery log, a failure group), so an
operator who sent 40 deliveries again sees which 38 went and what the platform said about the two
that did not, instead of one summary that hides them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtWidgets import QAbstractItemView, QTableView, QVBoxLayout, QWidget

from app.data.webhook_ops import RetryOutcome
from app.ui.labels import label
from app.ui.panels.webhooks.semantic_label import SemanticLabel
from app.ui.record_table_model import Column, RecordTableModel
from app.ui.theme import semantic_colour


def outcome_text(outcome: RetryOutcome) -> str:
    if outcome.ok:
        return f"Queued again ({label('status', outcome.status).lower()})" if outcome.status else "Queued again"
    return f"Refused: {outcome.reason or 'the platform did not say why'}"


def results_summary(outcomes: Sequence[RetryOutcome]) -> str:
    """"3 of 4 deliveries queued again; 1 refused (see below)." """
    queued = sum(outcome.ok for outcome in outcomes)
    text = f"{queued} of {len(outcomes)} deliver{'y' if len(outcomes) == 1 else 'ies'} queued again"
    refused = len(outcomes) - queued
    return text + (f"; {refused} refused (see below)." if refused else ".")


def result_columns(endpoint_name: Callable[[str], str]) -> list[Column]:
    return [
        Column("Delivery", lambda o: o.delivery_id),
        Column("Endpoint", lambda o: endpoint_name(o.webhook_id)),
        Column("Result", outcome_text, object_name="result", tooltip=outcome_text,
               foreground=lambda o: semantic_colour("success" if o.ok else "error")),
    ]


class RetryResults(QWidget):
    """A summary line and a result per delivery; hidden until a retry has run."""

    def __init__(self, name: str, endpoint_name: Callable[[str], str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.summary = SemanticLabel("", self)
        self.summary.setObjectName(f"{name}.summary")
        self.model = RecordTableModel(result_columns(endpoint_name), self, id_of=lambda o: o.delivery_id)
        self.table = QTableView(self)  # the log's table style, without importing the log (it imports this)
        self.table.setObjectName(f"{name}.table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setMaximumHeight(140)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.table)
        self.hide()

    def show_results(self, outcomes: Sequence[RetryOutcome]) -> None:
        self.model.set_rows(list(outcomes))
        self.summary.setText(results_summary(outcomes))
        self.summary.set_kind("success" if all(o.ok for o in outcomes) else "warning")
        self.show()

    def result_of(self, delivery_id: str) -> Any:
        row = self.model.row_of_id(delivery_id)
        return None if row is None else self.model.rows[row]
