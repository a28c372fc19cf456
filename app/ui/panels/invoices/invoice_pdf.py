"""An invoice as a printable document and a PDF file (QTextDocument → QPdfWriter).

The PDF is rendered in memory on the Qt thread and written to disk in an executor.
The document is built from the server's record (never from unsaved edits), with amounts in the
user's locale; the same document is what the tests read back, since the PDF's text is compressed.
"""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from html import escape
from pathlib import Path

from PySide6.QtCore import QBuffer, QIODevice, QMarginsF, QObject, QSizeF, QUrl
from PySide6.QtGui import QDesktopServices, QPageLayout, QPageSize, QPdfWriter, QTextDocument
from PySide6.QtWidgets import QFileDialog, QWidget

from app.api.models import Invoice
from app.ui.money import format_money


def invoice_document(invoice: Invoice, customer: str = "") -> QTextDocument:
    """A document with the invoice's header, customer, line items and totals."""
    currency = invoice.currency or "USD"

    def money(cents: int) -> str:
        return escape(format_money(cents, currency))

    def text(value: object) -> str:
        return escape(str(value) if value is not None else "—")

    lines = []
    for line in invoice.line_items:
        lines.append(
            f"<tr><td>{escape(line.name)}</td><td>{escape(line.kind)}</td>"
            f"<td align='right'>{line.quantity}</td><td align='right'>{money(line.unit_amount_cents)}</td>"
            f"<td align='right'>{line.tax_rate_bps / 100:g}%</td>"
            f"<td align='right'>{money(line.quantity * line.unit_amount_cents)}</td></tr>"
        )
    html = f"""
    <h1>Invoice {escape(invoice.invoice_number)}</h1>
    <p>Status: <b>{escape(invoice.status)}</b><br>
    Customer: {escape(customer or invoice.company_id or invoice.contact_id or '—')}<br>
    Issued: {text(invoice.issue_date)} &nbsp; Due: {text(invoice.due_date)}</p>
    <table width='100%' cellspacing='0' cellpadding='4' border='1'>
      <tr><th align='left'>Item</th><th align='left'>Kind</th><th>Qty</th><th>Unit price</th><th>Tax</th><th>Amount</th></tr>
      {''.join(lines)}
    </table>
    <p align='right'>Subtotal: {money(invoice.subtotal_cents)}<br>
    Tax: {money(invoice.tax_cents)}<br>
    <b>Total: {money(invoice.total_cents)}</b><br>
    Paid: {money(invoice.amount_paid_cents)}<br>
    <b>Amount due: {money(invoice.amount_due_cents)}</b></p>
    <p>{escape(invoice.notes or '')}</p>
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


class PdfFiles:
    """Saves documents as PDF files: rendered on the Qt thread, written by a disk thread of its own.

    Writes still queued when `owner` goes finish on their own; none is waited for.
    """

    def __init__(self, owner: QObject) -> None:
        self._disk = ThreadPoolExecutor(max_workers=1, thread_name_prefix="invoice-pdf")
        owner.destroyed.connect(partial(self._disk.shutdown, wait=False))

    @staticmethod
    def ask_path(parent: QWidget, invoice_number: str) -> Path | None:
        """Where to save the invoice's PDF, as the operator picks it (None: cancelled)."""
        suggested = Path.home() / f"{invoice_number or 'invoice'}.pdf"
        path, _ = QFileDialog.getSaveFileName(parent, "Save invoice PDF", str(suggested), "PDF (*.pdf)")
        return Path(path) if path else None

    async def save(self, document: QTextDocument, path: Path) -> Path:
        data = render_pdf(document)
        return await asyncio.get_running_loop().run_in_executor(self._disk, write_file, data, path)


def open_file(path: Path) -> None:
    """Open a saved file with the desktop's viewer for it."""
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
