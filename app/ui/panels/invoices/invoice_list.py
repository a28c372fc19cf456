"""The invoices list's side: the filter row, the table, and the footer under it.

The footer's figures come from the store's `InvoiceList.totals`; this module only writes them
in the user's locale.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.api.models import Company, Invoice
from app.data.invoices import InvoiceFilter, InvoiceList, ListTotals
from app.ui.money import format_money
from app.ui.record_table_model import Column, RecordTableModel, field_of
from app.ui.theme import semantic_colour
from app.ui.widgets.record_table_view import RecordTableView

STATUSES = ("draft", "sent", "partially_paid", "paid", "overdue", "void")


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
            self.status.addItem(status.replace("_", " "), status)
        self.customer = QComboBox(self)
        self.customer.setObjectName("invoices.filter_customer")
        self.customer.addItem("All customers", None)
        self.due_check = QCheckBox("Due before", self)
        self.due_check.setObjectName("invoices.filter_due_enabled")
        self.due_before = QDateEdit(QDate.currentDate(), self)
        self.due_before.setObjectName("invoices.filter_due_before")
        self.due_before.setCalendarPopup(True)
        self.due_before.setDisplayFormat("yyyy-MM-dd")
        for signal in (self.status.currentIndexChanged, self.customer.currentIndexChanged,
                       self.due_check.toggled, self.due_before.dateChanged):
            signal.connect(lambda *_: self.sig_changed.emit())
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.status, self.customer, self.due_check, self.due_before):
            layout.addWidget(widget)
        layout.addStretch(1)

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


def invoice_table(parent: QWidget, customer_name: Callable[[str | None], str]) -> tuple[RecordTableModel, RecordTableView]:
    """The list's model and view: overdue rows in the error colour, amounts never cut short."""

    def error(invoice: Invoice):
        return semantic_colour("error") if invoice.status == "overdue" else None

    def money(name: str) -> Callable[[Invoice], str]:
        return lambda invoice: format_money(getattr(invoice, name), invoice.currency or "USD")

    def status_text(status: str | None) -> str:
        text = (status or "").replace("_", " ")
        return text.upper() if status == "overdue" else text

    model = RecordTableModel([
        Column("Number", field_of("invoice_number"), foreground=error),
        Column("Status", field_of("status"), text=status_text, foreground=error,
               tooltip=lambda inv: "Past its due date with money still due" if inv.status == "overdue" else None),
        Column("Customer", lambda inv: customer_name(inv.company_id)),
        Column("Due date", field_of("due_date"), foreground=error),
        Column("Total", money("total_cents"), align_right=True, sort_key=field_of("total_cents")),
        Column("Due", money("amount_due_cents"), align_right=True, sort_key=field_of("amount_due_cents"),
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
    for column, width in enumerate((80, 105, 150, 90)):
        table.setColumnWidth(column, width)
    columns = table.horizontalHeader()
    # Amounts are never cut short; the customer name takes what is left.
    columns.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
    for money_column in (4, 5):
        columns.setSectionResizeMode(money_column, QHeaderView.ResizeMode.ResizeToContents)
    return model, table


class InvoiceListPane(QWidget):
    """Filters and New draft above the table; the footer (`totals`) below it."""

    def __init__(self, customer_name: Callable[[str | None], str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.filter_bar = InvoiceFilterBar(self)
        self.new_button = QPushButton("New draft", self)
        self.new_button.setObjectName("invoices.new")
        self.model, self.table = invoice_table(self, customer_name)
        self.totals = QLabel(self)
        self.totals.setObjectName("invoices.totals")
        self.totals.setWordWrap(True)
        filters = QHBoxLayout()
        filters.addWidget(self.filter_bar, 1)
        filters.addWidget(self.new_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(filters)
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
