"""Amounts typed with the other locale's decimal mark are refused beside the field, never multiplied."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QLocale

from app.api.models import Invoice, LineItem
from app.ui.panels.invoices.invoice_editor import InvoiceEditor
from app.ui.panels.invoices.payment_box import PaymentBox

_OPEN_INVOICE = Invoice.model_construct(id="inv_1", status="sent", currency="EUR", amount_due_cents=100_000)


@pytest.fixture(autouse=True)
def german_locale():
    """A de_DE user: `,` is the decimal mark and `.` groups thousands."""
    previous = QLocale()
    QLocale.setDefault(QLocale("de_DE"))
    yield
    QLocale.setDefault(previous)


def test_payment_amount_with_a_dot_decimal_is_refused_beside_the_field(qtbot):
    box = PaymentBox()
    qtbot.addWidget(box)
    qtbot.keyClicks(box.amount, "12.5")
    assert box.checked_amount(_OPEN_INVOICE) is None, "12.5 must not be recorded as 12,500.00 EUR"
    assert box.error.text() == "“12.5”: use , for decimals in this locale."
    assert box.amount.text() == "12.5", "what the user typed is kept"
    box.amount.clear()
    qtbot.keyClicks(box.amount, "12,5")
    assert box.checked_amount(_OPEN_INVOICE) == 1250
    assert box.error.text() == ""


def test_line_price_with_a_dot_decimal_shows_the_problem_and_no_total(qtbot):
    editor = InvoiceEditor()
    qtbot.addWidget(editor)
    editor.load(None)
    editor.currency_combo.setCurrentText("EUR")
    editor.add_line(LineItem(name="Support", quantity=2, unit_amount_cents=100))
    editor.lines.item(0, 3).setText("12.5")
    assert editor.lines_error.text() == "Line 1: unit price: “12.5”: use , for decimals in this locale."
    assert editor.totals_label.text() == "Total: —"
    editor.lines.item(0, 3).setText("12,5")
    assert editor.lines_error.text() == ""
    assert editor.local_totals().subtotal_cents == 2500
