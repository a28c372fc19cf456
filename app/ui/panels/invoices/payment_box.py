"""Record a (partial) payment and see an invoice's payment history.

The amount is checked before anything is sent: a positive amount, in the invoice's currency's
precision, no more than what is due on an invoice that expects money. The server checks again
(someone may have paid in the meantime); its refusal lands beside the amount field too.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.ui.money import format_money, parse_money
from app.ui.record_table_model import Column, RecordTableModel, field_of
from app.ui.theme import semantic_colour
from app.ui.widgets.record_table_view import RecordTableView

METHODS = ("bank_transfer", "card", "cash", "check", "other")
OPEN_STATUSES = frozenset({"sent", "partially_paid", "overdue"})


def payment_problem(invoice: dict[str, Any] | None, amount_cents: int) -> str:
    """Why this payment cannot be recorded ("" when it can)."""
    if invoice is None:
        return "Select an invoice first."
    status = invoice.get("status")
    if status not in OPEN_STATUSES:
        return f"A {status} invoice does not take payments (send it first)." if status == "draft" else \
            f"A {status} invoice does not take payments."
    if amount_cents <= 0:
        return "The amount must be more than zero."
    due = int(invoice.get("amount_due_cents") or 0)
    if amount_cents > due:
        currency = invoice.get("currency") or "USD"
        return f"That is more than the {format_money(due, currency)} due; over-payments are refused."
    return ""


class PaymentBox(QWidget):
    """Amount, method, Record payment; below, the payments already recorded."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("invoices.payment")
        self.amount = QLineEdit(self)
        self.amount.setObjectName("invoices.payment.amount")
        self.amount.setPlaceholderText("Amount")
        self.method = QComboBox(self)
        self.method.setObjectName("invoices.payment.method")
        self.method.addItems(METHODS)
        self.record_button = QPushButton("Record payment", self)
        self.record_button.setObjectName("invoices.record_payment")
        self.error = QLabel(self)
        self.error.setObjectName("invoices.payment.error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {semantic_colour('error').name()};")
        self.model = RecordTableModel([
            Column("Paid at", field_of("paid_at"), text=lambda v: str(v or "")[:16].replace("T", " ")),
            Column("Method", field_of("method")),
            Column("Amount", lambda p: (p.get("amount_cents"), p.get("currency") or self.currency),
                   text=lambda v: format_money(int(v[0] or 0), v[1]), align_right=True),
        ], self)
        self.history = RecordTableView(self)
        self.history.setObjectName("invoices.payments")
        self.history.setModel(self.model)
        self.history.setAlternatingRowColors(True)
        self.history.verticalHeader().hide()
        self.history.verticalHeader().setDefaultSectionSize(24)
        self.history.horizontalHeader().setStretchLastSection(True)
        # Wide enough for a whole date and time on one line.
        for column, width in ((0, 140), (1, 120)):
            self.history.setColumnWidth(column, width)
        self.history.setMaximumHeight(130)
        self.currency = "USD"
        row = QHBoxLayout()
        row.addWidget(self.amount, 1)
        row.addWidget(self.method)
        row.addWidget(self.record_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.error)
        layout.addWidget(QLabel("<b>Payments</b>", self))
        layout.addWidget(self.history)

    def checked_amount(self, invoice: dict[str, Any] | None) -> int | None:
        """The typed amount in minor units if it may be recorded; otherwise shows why and returns None."""
        currency = (invoice or {}).get("currency") or "USD"
        try:
            cents = parse_money(self.amount.text(), currency)
        except ValueError as problem:
            self.show_error(str(problem))
            return None
        problem = payment_problem(invoice, cents)
        if problem:
            self.show_error(problem)
            return None
        self.error.clear()
        return cents

    def body(self, invoice: dict[str, Any], cents: int) -> dict[str, Any]:
        return {"invoice_id": invoice["id"], "amount_cents": cents, "method": self.method.currentText(),
                "paid_at": datetime.now(UTC).isoformat().replace("+00:00", "Z")}

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.amount.setFocus()

    def show_payments(self, currency: str, payments: list[dict[str, Any]]) -> None:
        self.currency = currency
        self.model.set_rows(payments)
