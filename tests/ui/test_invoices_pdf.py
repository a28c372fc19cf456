"""The invoice PDF is fit to send (issue 14): who it is from and for, every line, the taxes and
totals, each payment received and the amount due, in words and readable at 100 % zoom.

Before: about 5 pt body text, no issuer block (GET /workspace's legal name, billing address, tax id
and billing email), no payments, the raw status `partially_paid`; in
the dark theme its text was the theme's light grey on white paper. Read back with poppler
(`pdftotext`, `pdftohtml -xml`), as a person's PDF viewer would show it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import uuid
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication

from app.api import AdminClient, ApiKeyAuth
from app.api.models import Invoice, LineItem, Payment
from app.ui.money import format_money
from app.ui.theme import apply_theme
from tests.ui.test_invoices_derived import open_invoice
from tests.ui.test_invoices_panel import (  # noqa: F401
    close_invoices_panel,
    make_invoices_panel,
    owner_key,
    us_locale,
)
from tests.waiting import wait_until

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None or shutil.which("pdftohtml") is None,
                                reason="poppler-utils (pdftotext, pdftohtml) is not installed")
#: Raw wire values that must never reach paper.
RAW = ("partially_paid", "bank_transfer", "_")
SMALLEST_PT = 9


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def pdf_fonts(path: Path) -> list[tuple[float, str]]:
    """(size in points, colour) of every font use poppler finds (`pdftohtml -xml` at zoom 1)."""
    xml = subprocess.run(["pdftohtml", "-xml", "-stdout", "-i", "-zoom", "1", str(path)],
                         capture_output=True, text=True, check=True).stdout
    return [(float(spec.get("size")), spec.get("color")) for spec in ET.fromstring(xml).iter("fontspec")]


def word_heights(path: Path) -> dict[str, float]:
    """The height in points of each word's box (`pdftotext -bbox`), smallest per word."""
    html = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True).stdout
    heights: dict[str, float] = {}
    for y_min, y_max, word in re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>', html):
        heights[word] = min(heights.get(word, 99.0), float(y_max) - float(y_min))
    return heights


def assert_readable(path: Path) -> None:
    fonts = pdf_fonts(path)
    assert fonts and min(size for size, _ in fonts) >= SMALLEST_PT, f"text under {SMALLEST_PT} pt: {fonts}"
    small = {word: height for word, height in word_heights(path).items() if height < SMALLEST_PT}
    assert not small, f"words shorter than {SMALLEST_PT} pt: {small}"
    assert all(QColor(colour).lightnessF() < 0.5 for _, colour in fonts), f"light text on white paper: {fonts}"


def test_the_pdf_has_issuer_customer_lines_taxes_payments_and_amount_due(qtbot, run_async, sandbox, owner_key,
                                                                        tmp_path):
    async def scenario():
        other = AdminClient(sandbox.url, ApiKeyAuth(owner_key))
        panel = await make_invoices_panel(qtbot, sandbox.url, owner_key, tmp_path / "c.sqlite")
        tag = uuid.uuid4().hex[:6]
        try:
            workspace = await other.workspace.get()
            company = await other.companies.create({"name": f"O'Neil & Daughters <{tag}>"})
            person = await other.contacts.create({"name": f"Siobhán O'Neil {tag}", "email": f"siobhan.{tag}@oneil.example",
                                                  "company_id": company.id})
            draft = await other.invoices.create({
                "currency": "USD", "company_id": company.id, "contact_id": person.id, "notes": "Thank you!",
                "line_items": [
                    {"kind": "service", "name": "Design workshop", "quantity": 3, "unit_amount_cents": 45_000,
                     "tax_rate_bps": 1900},
                    {"kind": "product", "name": "Licence seat", "quantity": 12, "unit_amount_cents": 2_499,
                     "tax_rate_bps": 750}]})
            sent = await other.invoices.send(draft.id)
            paid = [await other.payments.create({"invoice_id": sent.id, "amount_cents": cents, "method": method,
                                                 "paid_at": at})
                    for cents, method, at in ((50_000, "bank_transfer", "2026-11-03T10:00:00Z"),
                                              (12_345, "card", "2026-11-20T16:30:00Z"))]
            await panel.activate()
            await open_invoice(panel, sent.id)
            await wait_until(lambda: panel.record is not None and panel.record.id == sent.id, 10)
            await wait_until(lambda: panel.record.status == "partially_paid", 10, "the payments were not seen")
            apply_theme(QApplication.instance(), "dark")  # the paper stays white with black ink
            path = await panel.save_pdf(tmp_path / "invoice.pdf")
        finally:
            apply_theme(QApplication.instance(), "light")
            await other.aclose()
            await close_invoices_panel(panel)
        invoice = panel.record
        text = pdf_text(path)
        flat = " ".join(text.split())
        money = lambda cents: format_money(cents, "USD")
        issued_by = getattr(workspace, "legal_name", None) or workspace.name
        assert issued_by in flat, f"the issuer block names the workspace ({issued_by})"
        address = getattr(workspace, "billing_address", None) or {}
        for part in (*address.get("formatted", ()), getattr(workspace, "tax_id", None),
                     getattr(workspace, "billing_email", None)):
            assert part is None or part in flat, f"the issuer block lacks {part!r}"
        for part in (company.name, person.name, person.email):
            assert part in flat, f"the customer block lacks {part!r}"
        assert "Partially paid" in flat
        assert "Test data: not a real invoice" in flat, "a test workspace's invoice says so on paper"
        for name, quantity, unit, total in (("Design workshop", "3", 45_000, 135_000),
                                            ("Licence seat", "12", 2_499, 29_988)):
            line = next(row for row in text.splitlines() if name in row)
            assert quantity in line.split() and money(unit) in line and money(total) in line, line
        assert "Tax 19%" in flat and money(25_650) in flat and "Tax 7.5%" in flat and money(2_249) in flat
        for label, cents in (("Subtotal", invoice.subtotal_cents), ("Total", invoice.total_cents),
                             ("Paid", invoice.amount_paid_cents), ("Amount due", invoice.amount_due_cents)):
            assert re.search(rf"{label}\s+{re.escape(money(cents))}", text), f"{label} {money(cents)} missing"
        from app.ui.panels.invoices.words import local_date

        for payment, method in zip(paid, ("Bank transfer", "Card"), strict=True):
            when = local_date(payment.paid_at.astimezone().date())
            assert re.search(rf"{re.escape(when)}\s+{method}\s+{re.escape(money(payment.amount_cents))}", text), \
                f"payment {when} {method} {money(payment.amount_cents)} missing"
        assert "Thank you!" in flat
        assert not any(raw in flat for raw in RAW), f"a raw value on paper: {flat}"
        assert "&#" not in flat and "&amp;" not in flat and "&lt;" not in flat
        assert f"Invoice {invoice.invoice_number} · Page 1 of 1" in flat
        assert_readable(path)
        return path

    path = run_async(scenario(), timeout=60)
    if shots := os.environ.get("OPSDESK_SCREENSHOTS"):  # for people to look at
        Path(shots).mkdir(parents=True, exist_ok=True)
        subprocess.run(["pdftoppm", "-png", "-r", "80", "-singlefile", str(path), str(Path(shots) / "invoice-pdf")],
                       check=True)


def test_the_issuer_address_is_printed_under_its_name_however_the_server_sends_it(qtbot, tmp_path):
    """`billing_address.formatted` as it is; a plain text address line by line; an address object
    without printed lines from its parts."""
    from app.data.invoice_issuer import Issuer, address_lines
    from app.ui.panels.invoices.customers import Customer
    from app.ui.panels.invoices.invoice_document import invoice_document
    from app.ui.panels.invoices.invoice_pdf import render_pdf

    assert address_lines("Unit 4, Harbour Yard\n\n  Cork T12 X8Y2 \nIreland") == (
        "Unit 4, Harbour Yard", "Cork T12 X8Y2", "Ireland")
    assert address_lines({"line1": "1200 NW Naito Parkway", "city": "Portland", "formatted": [
        "1200 NW Naito Parkway", "Portland, OR 97209", "United States"]})[-1] == "United States"
    issuer = Issuer.of(type("Workspace", (), {"name": "Acme", "legal_name": "Acme Ltd", "tax_id": "VAT DE123",
                                              "billing_address": {"line1": "1 Main St", "postal_code": "10115",
                                                                  "city": "Berlin", "country": "Germany"}})())
    assert issuer == Issuer("Acme Ltd", ("1 Main St", "10115 Berlin", "Germany"), "VAT DE123")
    now = datetime.fromisoformat("2026-11-03T10:00:00+00:00")
    invoice = Invoice(id="inv_1", invoice_number="INV-9", status="paid", currency="EUR", version=1, created_at=now,
                      updated_at=now, line_items=[LineItem(name="Audit", unit_amount_cents=10_000)],
                      subtotal_cents=10_000, total_cents=10_000, amount_paid_cents=10_000)
    payment = Payment(id="pay_1", invoice_id="inv_1", amount_cents=10_000, currency="EUR", method="check", paid_at=now)
    path = tmp_path / "paid.pdf"
    path.write_bytes(render_pdf(invoice_document(invoice, issuer, Customer("Globex"), [payment])))
    text = " ".join(pdf_text(path).split())
    assert all(part in text for part in ("Acme Ltd", "1 Main St", "10115 Berlin", "Germany", "VAT DE123", "Globex"))
    assert "Paid" in text and "Check" in text and "No lines" not in text
    assert re.search(rf"Amount due {re.escape(format_money(0, 'EUR'))}", text)
    assert_readable(path)


def test_a_long_invoice_runs_onto_numbered_pages_with_every_line(qtbot, tmp_path):
    from app.data.invoice_issuer import Issuer
    from app.ui.panels.invoices.invoice_document import invoice_document
    from app.ui.panels.invoices.invoice_pdf import render_pdf

    now = datetime.fromisoformat("2026-11-03T10:00:00+00:00")
    lines = [LineItem(name=f"Session {n:02d}", unit_amount_cents=1_000 * n) for n in range(1, 61)]
    total = sum(line.unit_amount_cents for line in lines)
    invoice = Invoice(id="inv_2", invoice_number="INV-77", status="sent", currency="USD", version=1, created_at=now,
                      updated_at=now, line_items=lines, subtotal_cents=total, total_cents=total, amount_due_cents=total)
    path = tmp_path / "long.pdf"
    path.write_bytes(render_pdf(invoice_document(invoice, Issuer("Acme Ltd"))))
    text = " ".join(pdf_text(path).split())
    pages = int(re.search(r"Page 1 of (\d+)", text)[1])
    assert pages >= 2 and f"Page {pages} of {pages}" in text
    assert all(f"Session {n:02d}" in text for n in range(1, 61)), "a line was lost at a page break"
    assert text.count("Unit price") == pages, "each page repeats the lines' header row"
    assert re.search(rf"Amount due {re.escape(format_money(total, 'USD'))}", text)
    assert_readable(path)
