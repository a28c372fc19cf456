"""Record a (partial) payment and see an invoice's payment history.

The amount is checked before anything is sent: a positive amount, in the invoice's currency's
precision, no more than what is due on an invoice that expects money. The server checks again
(someone may have paid in the meantime); its refusal lands beside the amount field too.
The box belongs to one invoice at a time: shown another one (or a new draft), it starts empty,
and a complaint about an amount lasts until that amount is edited.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.api import errors
from app.api.models import Invoice, Payment
from app.ui.labels import label
from app.ui.money import format_money, parse_money
from app.ui.panels.invoices.rules import MAX_PAYMENT_CENTS
from app.ui.panels.invoices.words import local_date, refusal_text
from app.ui.record_table_model import Column, RecordTableModel, field_of
from app.ui.theme import semantic_colour
from app.ui.time_text import exact
from app.ui.widgets.record_table_view import RecordTableView

METHODS = ("bank_transfer", "card", "cash", "check", "other")
OPEN_STATUSES = frozenset({"sent", "partially_paid", "overdue"})


def payment_problem(invoice: Invoice | None, amount_cents: int) -> str:
    """Why this payment cannot be recorded ("" when it can)."""
    if invoice is None:
        return "Select an invoice first."
    status = invoice.status
    if status not in OPEN_STATUSES:
        words = label("status", status).lower()
        return f"A {words} invoice does not take payments (send it first)." if status == "draft" else \
            f"A {words} invoice does not take payments."
    if amount_cents <= 0:
        return "The amount must be more than zero."
    due = invoice.amount_due_cents
    currency = invoice.currency or "USD"
    if amount_cents > due:
        return f"That is more than the {format_money(due, currency)} due; over-payments are refused."
    if amount_cents > MAX_PAYMENT_CENTS:
        return f"One payment may be at most {format_money(MAX_PAYMENT_CENTS, currency)}; record it in parts."
    return ""


def paid_at_text(moment) -> str:
    """When a payment was made, local: the locale's date and the time of day."""
    if moment is None:
        return ""
    local = moment.astimezone()
    return f"{local_date(local.date())} {local:%H:%M}"


class PaymentBox(QWidget):
    """Amount, method, Record payment; below, the payments already recorded."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("invoices.payment")
        self.invoice: Invoice | None = None
        #: The amount text the shown complaint is about; editing it away takes the complaint too.
        self._error_for: str | None = None
        self.amount = QLineEdit(self)
        self.amount.setObjectName("invoices.payment.amount")
        self.amount.setPlaceholderText("Amount")
        self.amount.textChanged.connect(self._on_amount_changed)
        self.method = QComboBox(self)
        self.method.setObjectName("invoices.payment.method")
        for method in METHODS:
            self.method.addItem(label("method", method), method)
        self.record_button = QPushButton("Record payment", self)
        self.record_button.setObjectName("invoices.record_payment")
        self.error = QLabel(self)
        self.error.setObjectName("invoices.payment.error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {semantic_colour('error').name()};")
        self.model = RecordTableModel([
            Column("Paid at", field_of("paid_at"), text=paid_at_text, tooltip=lambda p: exact(p.paid_at)),
            Column("Method", field_of("method"), text=lambda method: label("method", method)),
            Column("Amount", lambda p: (p.amount_cents, p.currency or self.currency),
                   text=lambda v: format_money(v[0], v[1]), align_right=True),
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
        # As tall as its payments, from two rows to five: the box stays in view under the editor.
        self.history.setSizeAdjustPolicy(RecordTableView.SizeAdjustPolicy.AdjustToContents)
        self.history.setMinimumHeight(2 * 24 + self.history.horizontalHeader().sizeHint().height() + 4)
        self.history.setMaximumHeight(5 * 24 + self.history.horizontalHeader().sizeHint().height() + 4)
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

    def show_invoice(self, invoice: Invoice | None) -> None:
        """Take payments for `invoice` (None: none); another invoice starts with an empty box."""
        previous, self.invoice = self.invoice, invoice
        self.currency = invoice.currency if invoice is not None else "USD"
        if previous is None or invoice is None or previous.id != invoice.id:
            self.amount.clear()
            self._clear_error()
            self.model.set_rows([])

    def checked_amount(self, invoice: Invoice | None) -> int | None:
        """The typed amount in minor units if it may be recorded; otherwise shows why and returns None."""
        currency = invoice.currency if invoice is not None else "USD"
        try:
            cents = parse_money(self.amount.text(), currency)
        except ValueError as problem:
            self.show_error(str(problem))
            return None
        problem = payment_problem(invoice, cents)
        if problem:
            self.show_error(problem)
            return None
        self._clear_error()
        return cents

    def show_error(self, message: str) -> None:
        """A complaint about the amount typed now (the client's check or the server's refusal)."""
        self.error.setText(message)
        self._error_for = self.amount.text()
        self.amount.setFocus()

    def show_refusal(self, invoice: Invoice | None, amount_cents: int, error: errors.ValidationFailed) -> str:
        """The server refused `amount_cents`: say why beside the amount, in money where the invoice as
        read again (None: not at hand) tells; returns what was said."""
        problem = (payment_problem(invoice, amount_cents) if invoice is not None else "") or refusal_text(
            error.fields, error.message)
        self.show_error(problem)
        return problem

    def show_payments(self, payments: list[Payment]) -> None:
        self.model.set_rows(payments)

    def _on_amount_changed(self, text: str) -> None:
        if self._error_for is not None and text != self._error_for:
            self._clear_error()

    def _clear_error(self) -> None:
        self.error.clear()
        self._error_for = None
