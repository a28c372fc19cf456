"""The Invoices & payments panel against a real sandbox: drafts, totals, send, pay, void, PDF."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QDate, QLocale, Qt
from PySide6.QtTest import QTest

from app.api import AdminClient, ApiKeyAuth
from app.cache import AsyncPageCache
from app.ui.money import format_money, invoice_totals
from app.ui.panel_context import PanelContext
from app.ui.panels.invoices.panel import InvoicesPanel
from app.ui.record_table_model import RecordRole
from tests.waiting import wait_until


async def make_invoices_panel(qtbot, url: str, key: str, cache_path: Path) -> InvoicesPanel:
    client = AdminClient(url, ApiKeyAuth(key))
    cache = await AsyncPageCache.open(cache_path)
    panel = InvoicesPanel(PanelContext(client=client, cache=cache, profile=None, scopes=frozenset({"crm:read", "crm:write"})))
    qtbot.addWidget(panel)
    panel.resize(1280, 800)
    panel.show()
    return panel


async def close_invoices_panel(panel: InvoicesPanel) -> None:
    await panel.context.tasks.cancel_all()
    await panel.context.client.aclose()
    await panel.context.cache.close()


def click(widget) -> None:
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton)


def type_line(qtbot, panel: InvoicesPanel, row: int, name: str, quantity: str, price: str, tax: str) -> None:
    """Fill one line item's cells (what the table's editor commits when the user types and presses Enter)."""
    table = panel.editor.lines
    for column, text in ((1, name), (2, quantity), (3, price), (4, tax)):
        table.setCurrentCell(row, column)
        table.item(row, column).setText(text)


@pytest.fixture(autouse=True)
def us_locale():
    """Amounts typed and read in the tests are en_US; the panel follows whatever QLocale says."""
    previous = QLocale()
    QLocale.setDefault(QLocale("en_US"))
    yield
    QLocale.setDefault(previous)


@pytest.fixture
def owner_key(sandbox_credentials) -> str:
    return sandbox_credentials["test"]["owner_key"]


def test_list_filters_overdue_and_totals(qtbot, run_async, sandbox, owner_key, tmp_path):
    async def scenario():
        panel = await make_invoices_panel(qtbot, sandbox.url, owner_key, tmp_path / "c.sqlite")
        try:
            await panel.activate()
            rows = panel.model.rows
            assert rows, "the demo data has invoices"
            due = sum(r.amount_due_cents for r in rows if r.currency == "USD")
            assert format_money(due, "USD") in panel.totals.text()
            panel.status_filter.setCurrentIndex(panel.status_filter.findData("overdue"))
            await wait_until(lambda: panel.model.rows and all(r.status == "overdue" for r in panel.model.rows), 10,
                             "no overdue filter")
            colour = panel.model.index(0, 0).data(Qt.ItemDataRole.ForegroundRole)
            assert colour is not None, "overdue rows stand out"
            panel.status_filter.setCurrentIndex(panel.status_filter.findData("paid"))
            await wait_until(lambda: panel.model.rows and all(r.status == "paid" for r in panel.model.rows), 10)
            assert panel.model.index(0, 0).data(Qt.ItemDataRole.ForegroundRole) is None
            assert panel.model.index(0, 0).data(RecordRole).amount_due_cents == 0

            panel.status_filter.setCurrentIndex(0)
            customer = next(r.company_id for r in rows if r.company_id)
            panel.customer_filter.setCurrentIndex(panel.customer_filter.findData(customer))
            await wait_until(lambda: panel.model.rows and all(r.company_id == customer for r in panel.model.rows), 10,
                             "no customer filter")
            customer_column = [column.title for column in panel.model.columns].index("Customer")
            assert panel.companies[customer] in panel.model.index(0, customer_column).data()
            panel.customer_filter.setCurrentIndex(0)
            cutoff = sorted(r.due_date for r in rows if r.due_date)[len(rows) // 2]
            panel.due_before.setDate(QDate.fromString(cutoff.isoformat(), "yyyy-MM-dd"))
            panel.due_check.setChecked(True)
            await wait_until(lambda: panel.model.rows and panel.model.rowCount() < len(rows)
                             and all(r.due_date < cutoff for r in panel.model.rows), 10, "no due-date filter")
            shown = panel.model.rows
            due = sum(r.amount_due_cents for r in shown if r.currency == "USD")
            assert f"{len(shown)} invoices" in panel.totals.text() and format_money(due, "USD") in panel.totals.text()
        finally:
            await close_invoices_panel(panel)

    run_async(scenario(), timeout=60)


def test_draft_with_live_totals_send_pay_void_and_pdf(qtbot, run_async, sandbox, owner_key, tmp_path):
    async def scenario():
        other = AdminClient(sandbox.url, ApiKeyAuth(owner_key))
        panel = await make_invoices_panel(qtbot, sandbox.url, owner_key, tmp_path / "c.sqlite")
        try:
            await panel.activate()
            click(panel.new_button)
            type_line(qtbot, panel, 0, "Consulting", "3", "33.35", "7.5")
            click(panel.editor.add_line_button)
            type_line(qtbot, panel, 1, "Licence", "1", "1,000.05", "19")
            expected = invoice_totals([{"quantity": 3, "unit_amount_cents": 3335, "tax_rate_bps": 750},
                                       {"quantity": 1, "unit_amount_cents": 100005, "tax_rate_bps": 1900}])
            assert format_money(expected.total_cents, "USD") in panel.editor.totals_label.text()
            click(panel.save_button)
            await wait_until(lambda: panel.record is not None and panel.banner.kind == "success", 10, panel.banner.plain_text)
            assert panel.record.total_cents == expected.total_cents
            assert "matches" in panel.editor.server_totals_label.text()

            # Editing the saved draft: a PATCH with If-Match, totals checked again.
            version = panel.record.version
            type_line(qtbot, panel, 0, "Consulting", "4", "33.35", "7.5")
            expected = invoice_totals([{"quantity": 4, "unit_amount_cents": 3335, "tax_rate_bps": 750},
                                       {"quantity": 1, "unit_amount_cents": 100005, "tax_rate_bps": 1900}])
            click(panel.save_button)
            await wait_until(lambda: panel.record.version == version + 1, 10, panel.banner.plain_text)
            assert panel.record.total_cents == expected.total_cents
            assert "matches" in panel.editor.server_totals_label.text()

            click(panel.send_button)
            await wait_until(lambda: panel.record.status == "sent", 10, panel.banner.plain_text)
            assert not panel.save_button.isEnabled() and panel.payments.record_button.isEnabled()

            # Over-payment is refused before anything is sent.
            qtbot.keyClicks(panel.payments.amount, format_money(expected.total_cents + 1, "USD").lstrip("$"))
            click(panel.payments.record_button)
            await wait_until(lambda: "more than" in panel.payments.error.text(), 5, "over-payment not refused")
            assert [p async for p in await other.payments.list(invoice_id=panel.record.id)] == []

            # A partial payment is recorded and listed.
            panel.payments.amount.setText("100.00")
            click(panel.payments.record_button)
            await wait_until(lambda: panel.payments.model.rowCount() == 1, 10, panel.banner.plain_text)
            assert panel.record.status == "partially_paid"
            assert panel.record.amount_due_cents == expected.total_cents - 10000

            # Someone else pays the rest; the panel's stale amount is refused by the server, beside the field.
            stale_due = panel.record.amount_due_cents
            await other.payments.create({"invoice_id": panel.record.id, "amount_cents": stale_due - 1, "method": "card"})
            panel.payments.amount.setText(format_money(stale_due, "USD").lstrip("$"))
            click(panel.payments.record_button)
            await wait_until(lambda: panel.banner.kind == "error", 10, "the server's refusal was not shown")
            assert panel.payments.error.text() and "req_" in panel.banner.text
            await wait_until(lambda: panel.record.amount_due_cents == 1, 10, "the invoice was not refreshed")

            pdf = await panel.save_pdf(tmp_path / "invoice.pdf")
            assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 1000
            text = panel.last_document.toPlainText()
            assert panel.record.invoice_number in text and format_money(1, "USD") in text

            assert not panel.void_button.isEnabled(), "an invoice with payments cannot be voided"
            click(panel.new_button)
            type_line(qtbot, panel, 0, "Mistake", "1", "5", "0")
            click(panel.save_button)
            await wait_until(lambda: panel.record and panel.record.status == "draft" and panel.banner.kind == "success", 10)
            click(panel.void_button)
            assert panel.confirm.isVisible() and panel.record.invoice_number in panel.confirm.text
            await wait_until(lambda: panel.confirm.confirm_button.width() > 0, 5, "the confirm bar was not laid out")
            click(panel.confirm.confirm_button)
            await wait_until(lambda: panel.record.status == "void", 10, panel.banner.plain_text)
            assert (await other.invoices.get(panel.record.id)).status == "void"
            assert not panel.payments.record_button.isEnabled()
        finally:
            await other.aclose()
            await close_invoices_panel(panel)

    run_async(scenario(), timeout=60)
