"""An invoice as a printable document and a PDF file (QTextDocument → QPdfWriter).

The PDF is rendered in memory on the Qt thread and written to disk in an executor.
The document is built from the server's record (never from unsaved edits), with amounts in the
user's locale; the same document is what the tests read back, since the PDF's text is compressed.
"""

from __future__ import annotations

import os
from html import escape
from pathlib import Path
from typing import Any

from PySide6.QtCore import QBuffer, QIODevice, QMarginsF, QSizeF
from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter, QTextDocument

from app.ui.money import format_money


def invoice_document(invoice: dict[str, Any], customer: str = "") -> QTextDocument:
    """A document with the invoice's header, customer, line items and totals."""
    currency = invoice.get("currency") or "USD"

    def money(cents: Any) -> str:
        return escape(format_money(int(cents or 0), currency))

    lines = []
    for line in invoice.get("line_items") or []:
        amount = int(line.get("quantity") or 0) * int(line.get("unit_amount_cents") or 0)
        rate = int(line.get("tax_rate_bps") or 0)
        lines.append(
            f"<tr><td>{escape(str(line.get('name') or ''))}</td><td>{escape(str(line.get('kind') or ''))}</td>"
            f"<td align='right'>{line.get('quantity')}</td><td align='right'>{money(line.get('unit_amount_cents'))}</td>"
            f"<td align='right'>{rate / 100:g}%</td><td align='right'>{money(amount)}</td></tr>"
        )
    html = f"""
    <h1>Invoice {escape(str(invoice.get('invoice_number') or ''))}</h1>
    <p>Status: <b>{escape(str(invoice.get('status') or ''))}</b><br>
    Customer: {escape(customer or str(invoice.get('company_id') or invoice.get('contact_id') or '—'))}<br>
    Issued: {escape(str(invoice.get('issue_date') or '—'))} &nbsp; Due: {escape(str(invoice.get('due_date') or '—'))}</p>
    <table width='100%' cellspacing='0' cellpadding='4' border='1'>
      <tr><th align='left'>Item</th><th align='left'>Kind</th><th>Qty</th><th>Unit price</th><th>Tax</th><th>Amount</th></tr>
      {''.join(lines)}
    </table>
    <p align='right'>Subtotal: {money(invoice.get('subtotal_cents'))}<br>
    Tax: {money(invoice.get('tax_cents'))}<br>
    <b>Total: {money(invoice.get('total_cents'))}</b><br>
    Paid: {money(invoice.get('amount_paid_cents'))}<br>
    <b>Amount due: {money(invoice.get('amount_due_cents'))}</b></p>
    <p>{escape(str(invoice.get('notes') or ''))}</p>
    """
    document = QTextDocument()
    document.setHtml(html)
    return document


def render_pdf(document: QTextDocument) -> bytes:
    """Print `document` to an A4 PDF in memory (Qt's text layout must run on the Qt thread)."""
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                                     QMarginsF(15, 15, 15, 15), QPageLayout.Unit.Millimeter))
    writer.setResolution(300)
    writer.setTitle(document.metaInformation(QTextDocument.MetaInformation.DocumentTitle) or "Invoice")
    document.setPageSize(QSizeF(writer.width(), writer.height()))
    document.print_(writer)
    del writer  # the PDF is finished when its writer goes away
    buffer.close()
    return bytes(buffer.data())


def write_file(data: bytes, path: Path) -> Path:
    """Write `data` to `path` whole or not at all (a temporary file beside it, then a rename).

    Blocking disk work: call it in an executor, never on the Qt thread.
    """
    partial = path.with_name(f".{path.name}.partial")
    try:
        partial.write_bytes(data)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return path
