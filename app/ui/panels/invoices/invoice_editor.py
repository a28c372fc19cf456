"""The invoice editor: header fields and line items of a draft, with totals that update as typed.

Totals are computed by `app.ui.money.invoice_totals`, the server's own rule (integer cents,
per-line tax rounded half-up), so what the user sees before saving is what the server will say;
after a save the server's totals are shown beside them and any difference is reported.
Only drafts are editable: the platform refuses line-item changes on anything sent.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.ui.money import (
    InvoiceTotals,
    currency_symbol,
    format_money,
    invoice_totals,
    parse_money,
)
from app.ui.widgets.field_form import FieldForm

CURRENCIES = ("USD", "EUR", "GBP", "JPY", "CHF", "CAD")
KINDS = ("service", "product", "fee")
_KIND, _NAME, _QTY, _PRICE, _TAX = range(5)


class LineError(ValueError):
    """A line item cell cannot be read; the message names the line and the column."""


def parse_percent_bps(text: str) -> int:
    """`8.25` (percent, `,` also accepted) → 825 basis points; ValueError names the problem."""
    cleaned = text.strip().rstrip("%").strip().replace(",", ".") or "0"
    whole, _, fraction = cleaned.partition(".")
    if not (whole or "0").isdigit() or (fraction and not fraction.isdigit()) or len(fraction) > 2:
        raise ValueError(f"“{text}” is not a tax rate (a percent with at most 2 decimals, like 8.25).")
    bps = int(whole or "0") * 100 + int(fraction.ljust(2, "0") or "0")
    if bps > 10_000:
        raise ValueError("A tax rate cannot be above 100%.")
    return bps


def format_bps(bps: int) -> str:
    return f"{bps // 100}.{bps % 100:02d}".rstrip("0").rstrip(".")


class InvoiceEditor(QWidget):
    """Edit a draft invoice (or show a sent one read-only)."""

    sig_totals_changed = Signal()
    """The live totals were recomputed (or a line became unreadable)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("invoices.editor")
        self.record: dict[str, Any] | None = None
        self.form = FieldForm("invoices.editor.form", self)
        self.number_edit: QLineEdit = self.form.add_field("invoice_number", "Number", QLineEdit())
        self.number_edit.setPlaceholderText("assigned by the server when empty")
        self.company_combo: QComboBox = self.form.add_field("company_id", "Customer", QComboBox())
        self.company_combo.addItem("— none —", None)
        self.currency_combo: QComboBox = self.form.add_field("currency", "Currency", QComboBox())
        self.currency_combo.addItems(CURRENCIES)
        self.currency_combo.setEditable(True)
        self.issue_date: QDateEdit = self.form.add_field("issue_date", "Issued", QDateEdit())
        self.due_date: QDateEdit = self.form.add_field("due_date", "Due", QDateEdit())
        for edit in (self.issue_date, self.due_date):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.notes_edit: QPlainTextEdit = self.form.add_field("notes", "Notes", QPlainTextEdit())
        self.notes_edit.setFixedHeight(48)

        self.lines = QTableWidget(0, 5, self)
        self.lines.setObjectName("invoices.editor.lines")
        self.lines.setHorizontalHeaderLabels(["Kind", "Item", "Qty", "Unit price", "Tax %"])
        self.lines.horizontalHeader().setStretchLastSection(True)
        for column, width in ((_KIND, 90), (_NAME, 150), (_QTY, 50), (_PRICE, 90)):
            self.lines.setColumnWidth(column, width)
        self.lines.verticalHeader().setDefaultSectionSize(26)
        self.lines.itemChanged.connect(self._recompute)
        self.add_line_button = QPushButton("Add line", self)
        self.add_line_button.setObjectName("invoices.editor.add_line")
        self.add_line_button.clicked.connect(lambda: self.add_line({}))
        self.remove_line_button = QPushButton("Remove line", self)
        self.remove_line_button.setObjectName("invoices.editor.remove_line")
        self.remove_line_button.clicked.connect(self._remove_current_line)
        self.lines_error = QLabel(self)
        self.lines_error.setObjectName("invoices.editor.lines.error")
        self.lines_error.setWordWrap(True)
        self.totals_label = QLabel(self)
        self.totals_label.setObjectName("invoices.editor.totals")
        self.totals_label.setWordWrap(True)
        self.totals_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.server_totals_label = QLabel(self)
        self.server_totals_label.setObjectName("invoices.editor.server_totals")
        self.server_totals_label.setWordWrap(True)
        self.currency_combo.currentTextChanged.connect(self._recompute)

        line_buttons = QHBoxLayout()
        line_buttons.addWidget(self.add_line_button)
        line_buttons.addWidget(self.remove_line_button)
        # The totals take the rest of the row (a stretch beside them squeezed them onto three lines).
        line_buttons.addWidget(self.totals_label, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.form)
        layout.addWidget(self.lines, 1)
        layout.addLayout(line_buttons)
        layout.addWidget(self.lines_error)
        layout.addWidget(self.server_totals_label)
        self.load(None)

    # ---- loading ---------------------------------------------------------------------------
    def set_companies(self, companies: list[tuple[str, str]]) -> None:
        current = self.company_combo.currentData()
        self.company_combo.clear()
        self.company_combo.addItem("— none —", None)
        for company_id, name in companies:
            self.company_combo.addItem(name, company_id)
        self.company_combo.setCurrentIndex(max(self.company_combo.findData(current), 0))

    def load(self, record: dict[str, Any] | None) -> None:
        """Show an invoice (None: a new draft dated today, due in 30 days)."""
        self.record = record
        self.form.clear_errors()
        values = record or {}
        self.number_edit.setText(values.get("invoice_number") or "")
        index = self.company_combo.findData(values.get("company_id")) if values.get("company_id") else 0
        if index < 0:
            self.company_combo.addItem(values["company_id"], values["company_id"])
            index = self.company_combo.count() - 1
        self.company_combo.setCurrentIndex(index)
        self.currency_combo.setCurrentText(values.get("currency") or "USD")
        today = QDate.currentDate()
        self.issue_date.setDate(QDate.fromString(values["issue_date"], "yyyy-MM-dd") if values.get("issue_date") else today)
        self.due_date.setDate(QDate.fromString(values["due_date"], "yyyy-MM-dd") if values.get("due_date") else today.addDays(30))
        self.notes_edit.setPlainText(values.get("notes") or "")
        self.set_lines(values.get("line_items") or [])
        self.server_totals_label.clear()
        self.set_editable(record is None or record.get("status") == "draft")

    def set_editable(self, editable: bool) -> None:
        for widget in (self.number_edit, self.company_combo, self.currency_combo, self.issue_date, self.due_date,
                       self.add_line_button, self.remove_line_button):
            widget.setEnabled(editable)
        self.notes_edit.setReadOnly(not editable)
        triggers = QTableWidget.EditTrigger
        self.lines.setEditTriggers(triggers.AllEditTriggers if editable else triggers.NoEditTriggers)
        for row in range(self.lines.rowCount()):
            kind = self.lines.cellWidget(row, _KIND)
            if kind is not None:
                kind.setEnabled(editable)

    def set_lines(self, lines: list[dict[str, Any]]) -> None:
        """Replace the line items (dicts in API shape)."""
        self.lines.blockSignals(True)
        self.lines.setRowCount(0)
        for line in lines:
            self._insert_line(line)
        self.lines.blockSignals(False)
        self._recompute()

    def add_line(self, line: dict[str, Any]) -> None:
        self.lines.blockSignals(True)
        self._insert_line(line)
        self.lines.blockSignals(False)
        self._recompute()
        self.lines.setCurrentCell(self.lines.rowCount() - 1, _NAME)

    def _insert_line(self, line: dict[str, Any]) -> None:
        row = self.lines.rowCount()
        self.lines.insertRow(row)
        kind = QComboBox(self.lines)
        kind.setObjectName(f"invoices.editor.lines.{row}.kind")
        kind.addItems(KINDS)
        kind.setCurrentText(line.get("kind") or "service")
        self.lines.setCellWidget(row, _KIND, kind)
        currency = self.currency
        price = line.get("unit_amount_cents")
        cells = {
            _NAME: line.get("name") or "",
            _QTY: str(line.get("quantity") or 1),
            _PRICE: format_money(int(price), currency).replace(currency_symbol(currency), "").strip() if price is not None else "",
            _TAX: format_bps(int(line.get("tax_rate_bps") or 0)),
        }
        for column, text in cells.items():
            self.lines.setItem(row, column, QTableWidgetItem(text))

    def _remove_current_line(self) -> None:
        row = self.lines.currentRow()
        if row >= 0:
            self.lines.removeRow(row)
            self._recompute()

    # ---- reading ---------------------------------------------------------------------------
    @property
    def currency(self) -> str:
        return (self.currency_combo.currentText() or "USD").strip().upper()

    def line_items(self) -> list[dict[str, Any]]:
        """The lines in API shape; LineError names the first unreadable cell."""
        items = []
        for row in range(self.lines.rowCount()):
            def text(column: int, row: int = row) -> str:
                item = self.lines.item(row, column)
                return item.text().strip() if item is not None else ""

            name = text(_NAME)
            if not name:
                raise LineError(f"Line {row + 1}: the item needs a name.")
            quantity = text(_QTY)
            if not quantity.isdigit() or int(quantity) < 1:
                raise LineError(f"Line {row + 1}: quantity “{quantity}” must be a whole number of at least 1.")
            try:
                price = parse_money(text(_PRICE), self.currency)
            except ValueError as problem:
                raise LineError(f"Line {row + 1}: unit price: {problem}") from None
            try:
                bps = parse_percent_bps(text(_TAX))
            except ValueError as problem:
                raise LineError(f"Line {row + 1}: {problem}") from None
            kind = self.lines.cellWidget(row, _KIND)
            items.append({"kind": kind.currentText() if kind else "service", "name": name,
                          "quantity": int(quantity), "unit_amount_cents": price, "tax_rate_bps": bps})
        return items

    def local_totals(self) -> InvoiceTotals | None:
        try:
            return invoice_totals(self.line_items())
        except LineError:
            return None

    def values(self) -> dict[str, Any]:
        """The draft as an InvoiceCreate/InvoiceUpdate body; LineError for an unreadable line."""
        return {
            "invoice_number": self.number_edit.text().strip() or None,
            "company_id": self.company_combo.currentData(),
            "currency": self.currency,
            "issue_date": self.issue_date.date().toString("yyyy-MM-dd"),
            "due_date": self.due_date.date().toString("yyyy-MM-dd"),
            "notes": self.notes_edit.toPlainText().strip() or None,
            "line_items": self.line_items(),
        }

    def show_server_totals(self, record: dict[str, Any], local: InvoiceTotals | None) -> bool:
        """Show the server's totals beside the local ones; returns True when they agree."""
        currency = record.get("currency") or self.currency
        server = InvoiceTotals(int(record.get("subtotal_cents") or 0), int(record.get("tax_cents") or 0),
                               int(record.get("total_cents") or 0))
        text = (f"Server: subtotal {format_money(server.subtotal_cents, currency)}, tax "
                f"{format_money(server.tax_cents, currency)}, total {format_money(server.total_cents, currency)}")
        matches = local is None or local == server
        if not matches:
            text += (f" — differs from this console's {format_money(local.total_cents, currency)} "
                     f"(subtotal {format_money(local.subtotal_cents, currency)}, tax {format_money(local.tax_cents, currency)})")
        else:
            text += " ✓ matches"
        self.server_totals_label.setText(text)
        return matches

    def _recompute(self, *_: object) -> None:
        currency = self.currency
        try:
            totals = invoice_totals(self.line_items())
        except LineError as problem:
            self.lines_error.setText(str(problem))
            self.totals_label.setText("Total: —")
        else:
            self.lines_error.clear()
            self.totals_label.setText(
                f"Subtotal {format_money(totals.subtotal_cents, currency)} · Tax {format_money(totals.tax_cents, currency)}"
                f" · <b>Total {format_money(totals.total_cents, currency)}</b>")
        self.sig_totals_changed.emit()
