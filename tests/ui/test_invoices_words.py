"""No markup entities, library prefixes or raw enum values in what the invoices panel shows, (issue 14).

Every label, table cell, list entry and button of the panel is read as a person sees it (rich
text rendered, not its source) after loading the sandbox's data, opening an invoice with payments,
and after real refusals from the server: a 422 as the save handler shows it, and an over-payment
refused because someone else paid first. Before: `partially paid` beside `OVERDUE`, payment
methods as `bank_transfer`, the server's "Value error, not a real calendar day" and
"amount_cents: at most 1 (amount due)" verbatim.
"""

from __future__ import annotations

import re

import httpx
from PySide6.QtCore import Qt
from PySide6.QtGui import Qt as QtGuiNamespace
from PySide6.QtGui import QTextDocumentFragment
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QLabel,
    QWidget,
)

from app.api import AdminClient, ApiKeyAuth, errors
from app.ui.money import format_money
from tests.ui.test_invoices_derived import an_open_invoice, open_invoice
from tests.ui.test_invoices_panel import (  # noqa: F401
    click,
    close_invoices_panel,
    make_invoices_panel,
    owner_key,
    us_locale,
)
from tests.waiting import wait_until

#: Values the platform sends for invoices and payments: a text that is one (or one in capitals) is raw.
RAW_WORDS = {"draft", "sent", "partially_paid", "paid", "overdue", "void", "bank_transfer", "card", "cash",
             "check", "other", "service", "product", "fee"}
RAW_WORDS |= {word.upper() for word in RAW_WORDS} | {word.replace("_", " ") for word in RAW_WORDS}
#: Identifiers written the wire's way (`amount_cents`, `line_items[0].quantity`).
SNAKE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b|\w+\[\d+\]")


def shown_text(label: QLabel) -> str:
    """A label's text as it is drawn: rich text rendered (entities decoded), plain text as is."""
    text, kind = label.text(), label.textFormat()
    rich = kind == Qt.TextFormat.RichText or (kind == Qt.TextFormat.AutoText and QtGuiNamespace.mightBeRichText(text))
    return QTextDocumentFragment.fromHtml(text).toPlainText() if rich else text


def inside_combo(widget: QWidget) -> bool:
    while widget is not None:
        if isinstance(widget, QComboBox):
            return True
        widget = widget.parentWidget()
    return False


def everything_shown(root: QWidget) -> list[tuple[str, str]]:
    """(where, text) for each label, button, list entry, header and table cell under `root`."""
    found = [(label.objectName() or "label", shown_text(label)) for label in root.findChildren(QLabel)
             if label.isVisibleTo(root)]
    found += [(button.objectName() or "button", button.text()) for button in root.findChildren(QAbstractButton)]
    for combo in root.findChildren(QComboBox):
        found += [(combo.objectName() or "combo", combo.itemText(i)) for i in range(combo.count())]
    for view in root.findChildren(QAbstractItemView):
        model = view.model()
        if model is None or isinstance(view, QHeaderView) or inside_combo(view):
            continue  # a header's titles are read below; a list's entries were read above
        name = view.objectName() or type(view).__name__
        found += [(f"{name} header", str(model.headerData(c, Qt.Orientation.Horizontal) or ""))
                  for c in range(model.columnCount())]
        found += [(f"{name} [{r},{c}]", str(model.index(r, c).data() or ""))
                  for r in range(model.rowCount()) for c in range(model.columnCount())]
    return [(where, text) for where, text in found if text]


def assert_in_words(root: QWidget) -> None:
    bad = [(where, text) for where, text in everything_shown(root)
           if "&#" in text or "Value error" in text or SNAKE.search(text) or text.strip() in RAW_WORDS]
    assert not bad, f"raw text shown: {bad}"


def test_the_panel_shows_words_after_loading_and_after_the_servers_refusals(qtbot, run_async, sandbox, owner_key,
                                                                            tmp_path):
    async def scenario():
        other = AdminClient(sandbox.url, ApiKeyAuth(owner_key))
        panel = await make_invoices_panel(qtbot, sandbox.url, owner_key, tmp_path / "c.sqlite")
        try:
            invoice = await an_open_invoice(other, 10_000)
            await panel.activate()
            statuses = {record.status for record in panel.model.rows}
            assert {"partially_paid", "overdue", "draft"} <= statuses, "the demo data has these"
            with_payments = next(r for r in panel.model.rows if r.status == "partially_paid")
            await open_invoice(panel, with_payments.id)
            await wait_until(lambda: panel.payments.model.rowCount() > 0, 10, "no payments shown")
            assert_in_words(panel)

            # A refusal as the save handler shows it (the editor's own checks stop these before sending;
            # the client's models would too, so the body goes out raw).
            async with httpx.AsyncClient(base_url=sandbox.url) as raw:
                answer = await raw.post("/invoices", headers={"Authorization": f"Bearer {owner_key}"}, json={
                    "currency": "USD", "issue_date": "2026-02-30",
                    "line_items": [{"kind": "service", "name": "Audit", "quantity": 0, "unit_amount_cents": 100}]})
            refusal = errors.error_from_response(answer)
            assert isinstance(refusal, errors.ValidationFailed) and "Value error" in str(answer.json()), \
                "the server's own text has the prefix"
            panel.editor.show_errors(refusal.fields)
            panel.show_error(refusal)
            assert "not a real calendar day" in panel.editor.form.error_text("issue_date").lower()
            assert "Line 1 quantity: must be at least 1" in panel.editor.lines_error.text()
            assert "req_" in panel.banner.text
            assert_in_words(panel)

            # An over-payment refused by the server: someone else paid first.
            click(panel.banner.findChild(QAbstractButton, "invoices.banner.close"))  # the operator dismisses it
            panel.start_new()  # and leaves the refused draft's values
            await open_invoice(panel, invoice.id)
            await wait_until(lambda: panel.record is not None and panel.record.id == invoice.id, 10)
            await other.payments.create({"invoice_id": invoice.id, "amount_cents": 9_999, "method": "bank_transfer"})
            panel.payments.amount.setText("100.00")
            click(panel.payments.record_button)
            await wait_until(lambda: panel.banner.kind == "error", 10, "the server's refusal was not shown")
            due = format_money(1, "USD")
            assert due in panel.payments.error.text() and due in panel.banner.plain_text, panel.banner.plain_text
            assert_in_words(panel)
        finally:
            await other.aclose()
            await close_invoices_panel(panel)

    run_async(scenario(), timeout=60)
