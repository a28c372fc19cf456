"""An invoice document as a PDF file (QTextDocument → QPdfWriter), and saving it.

The PDF is rendered in memory on the Qt thread and written to disk in an executor. The document
is laid out for the writer itself (its resolution), so a 10 pt font is 10 pt on paper; laid out
for the screen and then scaled to the page, the same text came out at about 5 pt. Each page has
a footer naming the invoice and the page ("Invoice INV-1007 · Page 1 of 2").
"""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

from PySide6.QtCore import QBuffer, QIODevice, QMarginsF, QObject, QRectF, Qt, QUrl
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QColor,
    QDesktopServices,
    QFont,
    QPageLayout,
    QPageSize,
    QPainter,
    QPalette,
    QPdfWriter,
    QTextDocument,
)
from PySide6.QtWidgets import QFileDialog, QWidget

from app.ui.panels.invoices.invoice_document import SMALL_PT

#: Dots per inch of the PDF's layout (text is vector either way; this sets layout precision).
RESOLUTION = 300


def render_pdf(document: QTextDocument) -> bytes:
    """Print `document` to an A4 PDF in memory (Qt's text layout must run on the Qt thread)."""
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                                     QMarginsF(15, 15, 15, 12), QPageLayout.Unit.Millimeter))
    writer.setResolution(RESOLUTION)
    title = document.metaInformation(QTextDocument.MetaInformation.DocumentTitle) or "Invoice"
    writer.setTitle(title)
    footer_font = QFont(document.defaultFont())
    footer_font.setPointSizeF(SMALL_PT)
    footer_height = 3 * SMALL_PT * RESOLUTION / 72  # a line and a half of space above it
    width, height = writer.width(), writer.height()
    document.documentLayout().setPaintDevice(writer)
    document.setPageSize(QRectF(0, 0, width, height - footer_height).size())
    pages = document.pageCount()
    page_height = document.pageSize().height()
    # Ink on paper: the application's palette (a dark theme's light text) must not reach the page.
    context = QAbstractTextDocumentLayout.PaintContext()
    context.palette.setColor(QPalette.ColorRole.Text, QColor("black"))
    painter = QPainter(writer)
    try:
        for page in range(pages):
            if page:
                writer.newPage()
            painter.save()
            painter.translate(0, -page * page_height)
            context.clip = QRectF(0, page * page_height, width, page_height)
            painter.setClipRect(context.clip)
            document.documentLayout().draw(painter, context)
            painter.restore()
            painter.setFont(footer_font)
            painter.setPen(QColor("#555555"))
            painter.drawText(QRectF(0, height - footer_height, width, footer_height),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom,
                             f"{title} · Page {page + 1} of {pages}")
    finally:
        painter.end()
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
