"""The invoices list's side: the filter rows, the table, and the footer under it.

The footer's figures come from the store's `InvoiceList.totals`; this module only writes them
in the user's locale. The columns an operator needs first (Number, Customer, Total, Status) come
first and fit the list's share of a 1024×700 window; their widths are measured from the font
(a long amount, the longest status) and kept per table by `ColumnLayout`.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Set as AbstractSet
from datetime import date

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QGridLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.api.models import Company, Invoice
from app.data.invoice_drafts import is_provisional
from app.data.invoices import InvoiceFilter, InvoiceList, ListTotals
from app.ui.labels import label
from app.ui.money import format_money
from app.ui.panels.invoices.words import date_edit_format, local_date
from app.ui.record_table_model import Column, RecordTableModel, field_of
from app.ui.theme import semantic_colour
from app.ui.widgets.column_layout import ColumnLayout, resize_mode_interactive
from app.ui.widgets.record_table_view import RecordTableView

#: Put before the number of an invoice whose change waits in the outbox.
PENDING_MARK = "⇪ "
STATUSES = ("draft", "sent", "partially_paid", "paid", "overdue", "void")
NUMBER, CUSTOMER, TOTAL, STATUS, DUE_DATE, DUE = range(6)
#: Room around a cell's text (the style's margins and the sort arrow's share).
_CELL_PADDING = 18


def footer_text(totals: ListTotals) -> str:
    """`133 invoices — due $1.00, €2.00 · paid $3.00, €0.00` (just the count when there is no money)."""
    currencies = totals.currencies
    if not currencies:
        return f"{totals.count} invoices"
    due = ", ".join(format_money(totals.due.get(c, 0), c) for c in currencies)
    paid = ", ".join(format_money(totals.paid.get(c, 0), c) for c in currencies)
    return f"{totals.count} invoices — due {due} · paid {paid}"


class InvoiceFilterBar(QWidget):
    """Status, customer and "due before": the list's `InvoiceFilter`."""

    sig_changed = Signal()
    """The user changed a filter."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.status = QComboBox(self)
        self.status.setObjectName("invoices.filter_status")
        self.status.addItem("Any status", None)
        for status in STATUSES:
            self.status.addItem(label("status", status), status)
        self.customer = QComboBox(self)
        self.customer.setObjectName("invoices.filter_customer")
        self.customer.addItem("All customers", None)
        # Long company names must not widen the list past its share of a small window.
        self.customer.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.customer.setMinimumContentsLength(14)
        self.due_check = QCheckBox("Due before", self)
        self.due_check.setObjectName("invoices.filter_due_enabled")
        self.due_before = QDateEdit(QDate.currentDate(), self)
        self.due_before.setObjectName("invoices.filter_due_before")
        self.due_before.setCalendarPopup(True)
        self.due_before.setDisplayFormat(date_edit_format())
        for signal in (self.status.currentIndexChanged, self.customer.currentIndexChanged,
                       self.due_check.toggled, self.due_before.dateChanged):
            signal.connect(lambda *_: self.sig_changed.emit())
        # Two rows: one row of four filters and a button is wider than the list's share at 1024 px.
        self.grid = grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self.status, 0, 0)
        grid.addWidget(self.customer, 0, 1, 1, 2)
        grid.addWidget(self.due_check, 1, 0)
        grid.addWidget(self.due_before, 1, 1, Qt.AlignmentFlag.AlignLeft)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)

    def current(self) -> InvoiceFilter:
        due = self.due_before.date().toPython() if self.due_check.isChecked() else None
        return InvoiceFilter(self.status.currentData(), self.customer.currentData(), due)

    def set_companies(self, companies: list[Company]) -> None:
        """Offer these customers (by name), keeping the chosen one; no change is signalled."""
        current = self.customer.currentData()
        self.customer.blockSignals(True)
        self.customer.clear()
        self.customer.addItem("All customers", None)
        for company in companies:
            self.customer.addItem(company.name or company.id, company.id)
        self.customer.setCurrentIndex(max(self.customer.findData(current), 0))
        self.customer.blockSignals(False)


def invoice_table(parent: QWidget, customer_name: Callable[[Invoice], str],
                  pending: Callable[[], AbstractSet[str]] = frozenset) -> tuple[RecordTableModel, RecordTableView]:
    """The list's model and view: overdue rows in the error colour, human statuses and local dates;
    an invoice with a change waiting in the outbox (`pending()` names them) is marked ⇪."""

    def error(invoice: Invoice):
        return semantic_colour("error") if invoice.status == "overdue" else None

    def money(name: str) -> Callable[[Invoice], str]:
        return lambda invoice: format_money(getattr(invoice, name), invoice.currency or "USD")

    def due_hint(invoice: Invoice) -> str | None:
        if invoice.due_date is None or invoice.status in ("draft", "paid", "void"):
            return None
        return _due_words(invoice.due_date)

    def number(invoice: Invoice) -> str:
        mark = PENDING_MARK if invoice.id in pending() else ""
        return mark + (invoice.invoice_number or "New draft")

    def pending_tip(invoice: Invoice) -> str | None:
        if invoice.id not in pending():
            return None
        if is_provisional(invoice.id):
            return "A new draft waiting to be created on the server (see the status bar); it gets its number then."
        return "A change to this invoice waits to be sent (see the status bar)."

    model = RecordTableModel([
        Column("Number", number, sort_key=field_of("invoice_number"), foreground=error, tooltip=pending_tip),
        Column("Customer", customer_name, repeats=True),
        Column("Total", money("total_cents"), align_right=True, sort_key=field_of("total_cents")),
        Column("Status", field_of("status"), text=lambda status: label("status", status), foreground=error,
               repeats=True, tooltip=lambda inv: "Past its due date with money still due" if inv.status == "overdue" else None),
        Column("Due date", field_of("due_date"), text=local_date, foreground=error, tooltip=due_hint),
        Column("Amount due", money("amount_due_cents"), align_right=True, sort_key=field_of("amount_due_cents"),
               foreground=error),
    ], parent)
    table = RecordTableView(parent)
    table.setObjectName("invoices.table")
    table.setModel(model)
    table.setSortingEnabled(True)
    # Server order (newest first) until the user picks a column.
    table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
    table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
    table.setAlternatingRowColors(True)
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(24)
    resize_mode_interactive(table.horizontalHeader())
    return model, table


def first_widths(table: QTableView) -> dict[int, int]:
    """First-run widths from the font: a long invoice number, a seven-figure amount, the longest
    status, a date; the customer gets a name's worth; amount due takes the rest (last column)."""
    metrics = table.fontMetrics()

    def fit(*samples: str) -> int:
        return max(metrics.horizontalAdvance(sample) for sample in samples) + _CELL_PADDING

    money = format_money(999_999_99, "USD")
    return {NUMBER: fit("INV-10000", "Number"), CUSTOMER: fit("Northwind Outdoor"), TOTAL: fit(money, "Total"),
            STATUS: fit(*(label("status", status) for status in STATUSES)),
            DUE_DATE: fit(local_date(date(2026, 12, 28)), "Due date"), DUE: fit(money, "Amount due")}


def _due_words(due: date) -> str:
    """ "due in 12 d" / "3 d overdue", counted in whole days from today."""
    days = (due - date.today()).days
    if days == 0:
        return "due today"
    return f"due in {days} d" if days > 0 else f"{-days} d overdue"


class InvoiceListPane(QWidget):
    """Filters and New draft above the table; the footer (`totals`) below it."""

    def __init__(self, customer_name: Callable[[Invoice], str], parent: QWidget | None = None, *,
                 pending: Callable[[], AbstractSet[str]] = frozenset) -> None:
        super().__init__(parent)
        self.filter_bar = InvoiceFilterBar(self)
        self.new_button = QPushButton("New draft", self)
        self.new_button.setObjectName("invoices.new")
        self.model, self.table = invoice_table(self, customer_name, pending)
        self.columns = ColumnLayout(self.table, "invoices", first_widths(self.table))
        self.totals = QLabel(self)
        self.totals.setObjectName("invoices.totals")
        self.totals.setWordWrap(True)
        self.filter_bar.grid.addWidget(self.new_button, 1, 2, Qt.AlignmentFlag.AlignRight)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.filter_bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.totals)

    def set_companies(self, companies: list[Company]) -> None:
        """Offer these customers in the filter, and name them in the table."""
        self.filter_bar.set_companies(companies)
        self.model.refresh_cells()

    def show(self, listing: InvoiceList, *, refill: bool) -> None:
        """Show the list's invoices in the chosen order and its totals below them.

        `refill` for another list (a model reset); otherwise rows are swapped in place and the
        selection follows its invoice.
        """
        if refill:
            self.model.set_rows(listing.records)
        else:
            self.model.replace_rows(listing.records)
        header = self.table.horizontalHeader()
        if header.sortIndicatorSection() >= 0:
            self.model.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())
        self.totals.setText(footer_text(listing.totals))

    def select(self, invoice_id: str) -> None:
        """Select the invoice's row without telling the panel (it is already shown)."""
        row = self.model.row_of_id(invoice_id)
        if row is not None:
            self.table.selectionModel().blockSignals(True)
            self.table.selectRow(row)
            self.table.selectionModel().blockSignals(False)
