"""The invoice editor: header fields and line items of a draft, with totals that update as typed.

Totals are computed by `app.ui.money.invoice_totals`, the server's own rule (integer cents,
per-line tax rounded half-up), so what the user sees before saving is what the server will say;
after a save the server's totals are shown beside them and any difference is reported.
Only drafts are editable: the platform refuses line-item changes on anything sent.
Its messages live as long as what raised them: a field's complaint (the editor's own check of the
contract's rules, or the server's) until the draft is edited, the server's totals until the lines
no longer add up to what was compared.
"""

from __future__ import annotations

from collections.abc import Mapping
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
    QVBoxLayout,
    QWidget,
)

from app.api.models import Invoice, LineItem
from app.ui.money import (
    InvoiceTotals,
    format_money,
    invoice_totals,
)
from app.ui.panels.invoices.line_table import NAME, LineTable
from app.ui.panels.invoices.tax_rate import LineError
from app.ui.panels.invoices.words import date_edit_format, field_words, server_words
from app.ui.theme import semantic_colour
from app.ui.widgets.field_form import FieldForm

CURRENCIES = ("USD", "EUR", "GBP", "JPY", "CHF", "CAD")


class InvoiceEditor(QWidget):
    """Edit a draft invoice (or show a sent one read-only)."""

    sig_totals_changed = Signal()
    """The live totals were recomputed (or a line became unreadable)."""
    sig_edited = Signal()
    """The user changed a field or a line (not sent while a record is being loaded)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("invoices.editor")
        self.record: Invoice | None = None
        self._loading = False
        #: The values the form's error messages were raised for, and the totals the server's were
        #: compared with (with the record's id): each message goes when its state does.
        self._errors_for: tuple[Any] | None = None
        self._line_complaint = ""
        self._server_check: tuple[str, InvoiceTotals, InvoiceTotals | None] | None = None
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
            edit.setDisplayFormat(date_edit_format())
        self.notes_edit: QPlainTextEdit = self.form.add_field("notes", "Notes", QPlainTextEdit())
        self.notes_edit.setFixedHeight(48)

        self.lines = LineTable(self)
        self.lines.itemChanged.connect(self._recompute)
        self.add_line_button = QPushButton("Add line", self)
        self.add_line_button.setObjectName("invoices.editor.add_line")
        self.add_line_button.clicked.connect(lambda: self.add_line(None))
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
        # An invoice's totals block, a line each; three lines tall whatever it says ("Total: —" while a
        # cell is unreadable), so nothing below it moves.
        self.totals_label.setMinimumHeight(3 * self.totals_label.fontMetrics().lineSpacing())
        self.server_totals_label = QLabel(self)
        self.server_totals_label.setObjectName("invoices.editor.server_totals")
        self.server_totals_label.setWordWrap(True)
        self.currency_combo.currentTextChanged.connect(self._recompute)
        for signal in (self.number_edit.textChanged, self.company_combo.currentIndexChanged, self.issue_date.dateChanged,
                       self.due_date.dateChanged, self.notes_edit.textChanged, self.sig_totals_changed):
            signal.connect(self._on_edited)

        line_buttons = QHBoxLayout()
        line_buttons.addWidget(self.add_line_button, 0, Qt.AlignmentFlag.AlignTop)
        line_buttons.addWidget(self.remove_line_button, 0, Qt.AlignmentFlag.AlignTop)
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

    def load(self, record: Invoice | None) -> None:
        """Show an invoice (None: a new draft dated today, due in 30 days).

        The server's totals line stays when `record` is the invoice it was about, unchanged.
        """
        self.record = record
        self.clear_errors()
        self._loading = True
        try:
            self.number_edit.setText(record.invoice_number if record else "")
            company_id = record.company_id if record else None
            index = self.company_combo.findData(company_id) if company_id else 0
            if index < 0:
                self.company_combo.addItem(company_id, company_id)
                index = self.company_combo.count() - 1
            self.company_combo.setCurrentIndex(index)
            self.currency_combo.setCurrentText(record.currency if record else "USD")
            today = QDate.currentDate()
            issue, due = (record.issue_date, record.due_date) if record else (None, None)
            self.issue_date.setDate(QDate(issue.year, issue.month, issue.day) if issue else today)
            self.due_date.setDate(QDate(due.year, due.month, due.day) if due else today.addDays(30))
            self.notes_edit.setPlainText((record.notes if record else None) or "")
            self.set_lines(record.line_items if record else [])
        finally:
            self._loading = False
        check = self._server_check
        if check is not None and (record is None or check[0] != record.id or check[1] != _server_totals(record)):
            self._clear_server_totals()
        self.set_editable(record is None or record.status == "draft")

    def set_editable(self, editable: bool) -> None:
        for widget in (self.number_edit, self.company_combo, self.currency_combo, self.issue_date, self.due_date,
                       self.add_line_button, self.remove_line_button):
            widget.setEnabled(editable)
        self.notes_edit.setReadOnly(not editable)
        self.lines.set_editable(editable)

    def set_lines(self, lines: list[LineItem]) -> None:
        """Replace the line items."""
        self.lines.blockSignals(True)
        self.lines.setRowCount(0)
        for line in lines:
            self.lines.insert_line(line, self.currency, self._on_edited)
        self.lines.blockSignals(False)
        self._recompute()

    def add_line(self, line: LineItem | None) -> None:
        """Append `line` (None: an empty one to fill in) and put the cursor on its name."""
        self.lines.blockSignals(True)
        self.lines.insert_line(line, self.currency, self._on_edited)
        self.lines.blockSignals(False)
        self._recompute()
        self.lines.setCurrentCell(self.lines.rowCount() - 1, NAME)

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
        return self.lines.read(self.currency)

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

    # ---- messages -------------------------------------------------------------------------
    def show_errors(self, fields: Mapping[str, str], general: str = "") -> None:
        """Complaints about fields (the server's or the editor's checks), in words, beside what
        they are about (a line's under the lines) until the draft is edited."""
        shown = {"invoice_number", "company_id", "currency", "issue_date", "due_date", "notes"}
        beside = {name: server_words(message) for name, message in fields.items() if name in shown}
        lines = [f"{field_words(name)}: {server_words(message)}." for name, message in fields.items()
                 if name == "line_items" or name.startswith("line_items[")]
        others = [f"{field_words(name)}: {server_words(message)}." for name, message in fields.items()
                  if name not in beside and not name.startswith("line_items")]
        self.form.set_errors(beside, " ".join(filter(None, [general, *others])))
        if lines:
            self._say_line_problem(" ".join(lines))
        self._line_complaint = " ".join(lines)
        self._errors_for = (self.values_or_none(),)

    def clear_errors(self) -> None:
        self.form.clear_errors()
        if self._line_complaint and self.lines_error.text() == self._line_complaint:
            self.lines_error.clear()
        self._line_complaint = ""
        self._errors_for = None

    def show_server_totals(self, record: Invoice, local: InvoiceTotals | None) -> bool:
        """Show the server's totals beside the local ones; returns True when they agree.

        The line stays until the lines add up to something else or another invoice is shown.
        """
        currency = record.currency or self.currency
        server = _server_totals(record)
        self._server_check = (record.id, server, self.local_totals())
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

    def values_or_none(self) -> Any:
        """`values()`, or None while a line cannot be read."""
        try:
            return self.values()
        except LineError:
            return None

    def _clear_server_totals(self) -> None:
        self._server_check = None
        self.server_totals_label.clear()

    def _on_edited(self, *_: object) -> None:
        if self._loading:
            return
        if self._errors_for is not None and (self.values_or_none(),) != self._errors_for:
            self.clear_errors()
        if self._server_check is not None and self.local_totals() != self._server_check[2]:
            self._clear_server_totals()
        self.sig_edited.emit()

    def _say_line_problem(self, text: str) -> None:
        """A complaint about the lines, in the error colour of the theme in effect now."""
        self.lines_error.setStyleSheet(f"color: {semantic_colour('error').name()};")
        self.lines_error.setText(text)

    def _recompute(self, *_: object) -> None:
        currency = self.currency
        try:
            totals = invoice_totals(self.line_items())
        except LineError as problem:
            self._say_line_problem(str(problem))
            self.totals_label.setText("Total: —")
        else:
            self.lines_error.clear()
            self.totals_label.setText(
                f"Subtotal {format_money(totals.subtotal_cents, currency)}<br>Tax {format_money(totals.tax_cents, currency)}"
                f"<br><b>Total {format_money(totals.total_cents, currency)}</b>")
        self.sig_totals_changed.emit()


def _server_totals(record: Invoice) -> InvoiceTotals:
    return InvoiceTotals(record.subtotal_cents, record.tax_cents, record.total_cents)
