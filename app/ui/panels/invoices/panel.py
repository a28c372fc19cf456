"""Invoices & payments panel (`panel.invoices`): the list with its money totals, and the invoice.

The list filters by status, customer and due date; overdue rows read in the error colour; the
filtered list's amounts due and paid are summed per currency in the user's locale. The editor
computes a draft's totals as the server does and, after every save, shows the server's totals
and reports any difference. Send, void (confirmed), payments (checked before sending) and PDF.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.api import errors
from app.ui.module_panel import ModulePanel
from app.ui.money import format_money
from app.ui.panel_context import PanelContext
from app.ui.panels.contacts.companies_view import by_name
from app.ui.panels.invoices.invoice_editor import InvoiceEditor, LineError
from app.ui.panels.invoices.invoice_pdf import invoice_document, render_pdf, write_file
from app.ui.panels.invoices.payment_box import PaymentBox
from app.ui.record_table_model import Column, RecordTableModel, field_of
from app.ui.theme import semantic_colour
from app.ui.widgets.banner import Banner
from app.ui.widgets.confirm_bar import ConfirmBar
from app.ui.widgets.record_json import as_json
from app.ui.widgets.record_table_view import RecordTableView

RESOURCE = "invoices"
STATUSES = ("draft", "sent", "partially_paid", "paid", "overdue", "void")


class InvoicesPanel(ModulePanel):
    """Invoices of the workspace and their payments."""

    module_name = "invoices"
    title = "Invoices"
    required_scope = "crm:read"

    sig_rows_shown = Signal()
    """The list was (re)filled."""
    sig_saved = Signal(dict)
    """An invoice was created, updated, sent, voided or paid; carries the server's record."""

    def __init__(self, context: PanelContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self._offline_now = False
        self.companies: dict[str, str] = {}
        self.record: dict[str, Any] | None = None
        #: Saved PDFs are written here, off the Qt thread; queued writes finish after the panel goes.
        self._disk = ThreadPoolExecutor(max_workers=1, thread_name_prefix="invoice-pdf")
        self.destroyed.connect(partial(self._disk.shutdown, wait=False))
        self.offline_banner = Banner("invoices.offline", self)

        self.status_filter = QComboBox(self)
        self.status_filter.setObjectName("invoices.filter_status")
        self.status_filter.addItem("Any status", None)
        for status in STATUSES:
            self.status_filter.addItem(status.replace("_", " "), status)
        self.customer_filter = QComboBox(self)
        self.customer_filter.setObjectName("invoices.filter_customer")
        self.customer_filter.addItem("All customers", None)
        self.due_check = QCheckBox("Due before", self)
        self.due_check.setObjectName("invoices.filter_due_enabled")
        self.due_before = QDateEdit(QDate.currentDate(), self)
        self.due_before.setObjectName("invoices.filter_due_before")
        self.due_before.setCalendarPopup(True)
        self.due_before.setDisplayFormat("yyyy-MM-dd")
        self.new_button = QPushButton("New draft", self)
        self.new_button.setObjectName("invoices.new")
        self.new_button.clicked.connect(self.start_new)
        for signal in (self.status_filter.currentIndexChanged, self.customer_filter.currentIndexChanged,
                       self.due_check.toggled, self.due_before.dateChanged):
            signal.connect(lambda *_: self.run(self.load()))
        filters = QHBoxLayout()
        for widget in (self.status_filter, self.customer_filter, self.due_check, self.due_before):
            filters.addWidget(widget)
        filters.addStretch(1)
        filters.addWidget(self.new_button)

        error = lambda inv: semantic_colour("error") if inv.get("status") == "overdue" else None
        money = lambda name: (lambda inv: format_money(int(inv.get(name) or 0), inv.get("currency") or "USD"))
        self.model = RecordTableModel([
            Column("Number", field_of("invoice_number"), foreground=error),
            Column("Status", field_of("status"), text=lambda s: (s or "").replace("_", " ").upper()
                   if s == "overdue" else (s or "").replace("_", " "), foreground=error,
                   tooltip=lambda inv: "Past its due date with money still due" if inv.get("status") == "overdue" else None),
            Column("Customer", lambda inv: self.companies.get(inv.get("company_id") or "", inv.get("company_id") or "")),
            Column("Due date", field_of("due_date"), foreground=error),
            Column("Total", money("total_cents"), align_right=True, sort_key=field_of("total_cents")),
            Column("Due", money("amount_due_cents"), align_right=True, sort_key=field_of("amount_due_cents"),
                   foreground=error),
        ], self)
        self.table = RecordTableView(self)
        self.table.setObjectName("invoices.table")
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        # Server order (newest first) until the user picks a column.
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(24)
        columns = self.table.horizontalHeader()
        for column, width in enumerate((80, 105, 150, 90)):
            self.table.setColumnWidth(column, width)
        # Amounts are never cut short; the customer name takes what is left.
        columns.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        for money_column in (4, 5):
            columns.setSectionResizeMode(money_column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_changed)
        self.totals = QLabel(self)
        self.totals.setObjectName("invoices.totals")
        self.totals.setWordWrap(True)

        self.editor = InvoiceEditor(self)
        self.save_button = QPushButton("Save draft", self)
        self.save_button.setObjectName("invoices.save")
        self.save_button.clicked.connect(lambda: self.run(self.save()))
        self.send_button = QPushButton("Send", self)
        self.send_button.setObjectName("invoices.send")
        self.send_button.clicked.connect(lambda: self.run(self.send()))
        self.void_button = QPushButton("Void…", self)
        self.void_button.setObjectName("invoices.void")
        self.void_button.clicked.connect(self._on_void_clicked)
        self.pdf_button = QPushButton("PDF…", self)
        self.pdf_button.setObjectName("invoices.pdf")
        self.pdf_button.clicked.connect(self._on_pdf_clicked)
        self.confirm = ConfirmBar("invoices.void_confirm", self)
        self.payments = PaymentBox(self)
        self.payments.record_button.clicked.connect(lambda: self.run(self.record_payment()))
        actions = QHBoxLayout()
        for button in (self.save_button, self.send_button, self.pdf_button):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.void_button)

        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(filters)
        left_layout.addWidget(self.table, 1)
        left_layout.addWidget(self.totals)
        detail = QWidget(self)
        detail.setObjectName("invoices.detail")
        detail_layout = QVBoxLayout(detail)
        detail_layout.addWidget(self.editor, 1)
        detail_layout.addLayout(actions)
        detail_layout.addWidget(self.confirm)
        detail_layout.addWidget(self.payments)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        # The detail reflows to the pane's width; a sideways scroll would hide Void and Record.
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        detail.setMinimumWidth(420)
        scroll.setWidget(detail)
        splitter = QSplitter(self.body)
        splitter.addWidget(left)
        splitter.addWidget(scroll)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([640, 640])
        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(8, 0, 8, 8)
        layout.addWidget(self.offline_banner)
        layout.addWidget(splitter, 1)
        self._loaded_values = self._editor_values()
        self._update_actions()

    # ---- list --------------------------------------------------------------------------------
    async def activate(self) -> None:
        """Cached invoices at once, then the server's for the current filters."""
        await self._load_companies(refresh=False)
        await self.load()

    def filters(self) -> dict[str, Any]:
        due = self.due_before.date().toString("yyyy-MM-dd") if self.due_check.isChecked() else None
        return {"status": self.status_filter.currentData(), "company_id": self.customer_filter.currentData(),
                "due_before": due}

    async def load(self) -> None:
        """Fill the list for the filters: cache first, then every matching invoice from the server."""
        wanted = self.filters()
        local = {k: v for k, v in (("status", wanted["status"]), ("company_id", wanted["company_id"])) if v}
        cached = await self.context.cache.query_records(RESOURCE, filters=local or None, limit=5000)
        self._show_rows([inv for inv in cached if _due_before(inv, wanted["due_before"])], wanted)
        if self.context.client is None:
            self._set_offline(True)
            return
        try:
            fresh = [as_json(inv) async for inv in self.context.client.invoices.iterate(
                status=wanted["status"], company_id=wanted["company_id"],
                due_before=date.fromisoformat(wanted["due_before"]) if wanted["due_before"] else None, limit=100)]
        except errors.ApiConnectionError as error:
            self._set_offline(True, error)
            return
        await self.context.cache.put_records(RESOURCE, fresh)
        self._set_offline(False)
        if not self.companies:
            await self._load_companies(refresh=True)
        self._show_rows(fresh, wanted)

    def _show_rows(self, rows: list[dict[str, Any]], wanted: dict[str, Any]) -> None:
        if wanted != self.filters():
            return
        self.model.set_rows(rows)
        header = self.table.horizontalHeader()
        if header.sortIndicatorSection() >= 0:
            self.model.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())
        due: dict[str, int] = defaultdict(int)
        paid: dict[str, int] = defaultdict(int)
        for invoice in rows:
            currency = invoice.get("currency") or "USD"
            due[currency] += int(invoice.get("amount_due_cents") or 0)
            paid[currency] += int(invoice.get("amount_paid_cents") or 0)
        currencies = sorted(set(due) | set(paid))
        if not currencies:
            self.totals.setText(f"{len(rows)} invoices")
        else:
            self.totals.setText(f"{len(rows)} invoices — due " + ", ".join(format_money(due[c], c) for c in currencies)
                                + " · paid " + ", ".join(format_money(paid[c], c) for c in currencies))
        if self.record is not None:
            fresh = next((inv for inv in rows if inv.get("id") == self.record.get("id")), None)
            if fresh is not None and not self._editor_dirty():
                self._open(fresh)
        self.sig_rows_shown.emit()

    async def _load_companies(self, refresh: bool) -> None:
        cache = self.context.cache
        companies = by_name(await cache.query_records("companies", limit=5000))
        if refresh or not companies:
            try:
                companies = [as_json(c) async for c in self.context.client.companies.iterate(limit=100)]
            except errors.ApiConnectionError:
                pass
            else:
                await cache.put_records("companies", companies)
                companies = by_name(companies)
        self.companies = {c["id"]: c.get("name") or c["id"] for c in companies}
        pairs = list(self.companies.items())
        self.editor.set_companies(pairs)
        current = self.customer_filter.currentData()
        self.customer_filter.blockSignals(True)
        self.customer_filter.clear()
        self.customer_filter.addItem("All customers", None)
        for company_id, name in pairs:
            self.customer_filter.addItem(name, company_id)
        self.customer_filter.setCurrentIndex(max(self.customer_filter.findData(current), 0))
        self.customer_filter.blockSignals(False)

    def _set_offline(self, offline: bool, error: BaseException | None = None) -> None:
        self._offline_now = offline
        if offline:
            self.offline_banner.show_message(
                "warning", "Offline: showing cached invoices. Changes are off until the server can be reached."
                + (f" ({error})" if error else ""), action=("Retry", lambda: self.run(self.load())))
        else:
            self.offline_banner.clear()
        self._update_actions()

    # ---- one invoice -------------------------------------------------------------------------
    def _on_current_changed(self, current, _previous) -> None:
        if current.isValid():
            if self._editor_dirty():
                self.show_notice("Save the draft you are editing first (or start a new one to drop it).", "warning")
                return
            self._open(self.model.record(current.row()))

    def _open(self, invoice: dict[str, Any]) -> None:
        self.record = invoice
        self.confirm.hide()
        self.editor.load(invoice)
        self._loaded_values = self._editor_values()
        self._update_actions()
        self.payments.show_payments(invoice.get("currency") or "USD", [])
        self.run(self._load_payments(invoice["id"], invoice.get("currency") or "USD"))

    async def _load_payments(self, invoice_id: str, currency: str) -> None:
        if self._offline_now:
            return
        payments = [as_json(p) async for p in await self.context.client.payments.list(invoice_id=invoice_id, limit=100)]
        if (self.record or {}).get("id") == invoice_id:
            self.payments.show_payments(currency, payments)

    def start_new(self) -> None:
        self.table.clearSelection()
        self.record = None
        self.editor.load(None)
        self.editor.add_line({})
        self._loaded_values = self._editor_values()
        self.payments.show_payments(self.editor.currency, [])
        self._update_actions()

    def _editor_values(self) -> Any:
        try:
            return self.editor.values()
        except LineError:
            return None

    def _editor_dirty(self) -> bool:
        editable = self.record is None or self.record.get("status") == "draft"
        return editable and self._editor_values() != self._loaded_values

    def _update_actions(self) -> None:
        status = (self.record or {}).get("status")
        scopes = self.context.scopes
        writable = not self._offline_now and (not scopes or "crm:write" in scopes)
        self.new_button.setEnabled(writable)
        self.save_button.setEnabled(writable and (self.record is None or status == "draft"))
        self.send_button.setEnabled(writable and status == "draft")
        # The platform refuses to void an invoice that has payments on it.
        unpaid = not int((self.record or {}).get("amount_paid_cents") or 0)
        self.void_button.setEnabled(writable and unpaid and status in ("draft", "sent", "overdue"))
        self.void_button.setToolTip("" if unpaid else "Invoices with payments cannot be voided.")
        self.pdf_button.setEnabled(self.record is not None)
        self.payments.record_button.setEnabled(writable and status in ("sent", "partially_paid", "overdue"))

    async def save(self) -> None:
        """Create or update the draft; then show the server's totals and report any difference."""
        try:
            values = self.editor.values()
        except LineError as problem:
            self.editor.form.set_errors({}, str(problem))
            return
        local = self.editor.local_totals()
        self.editor.form.clear_errors()
        self.save_button.setEnabled(False)
        self.show_notice("Saving draft…")
        client = self.context.client
        try:
            if self.record is None:
                saved = await client.invoices.create({k: v for k, v in values.items() if v is not None})
            else:
                patch = {k: v for k, v in values.items() if v is not None or k == "notes"}
                saved = await client.invoices.update(self.record["id"], patch, if_match=self.record.get("version"))
        except errors.ValidationFailed as error:
            self.editor.form.set_errors(error.fields)
            self.show_error(error)
            return
        except errors.PreconditionFailed as error:
            self.banner.show_message("warning", "This draft was changed by someone else since you opened it; "
                                     "your edit is still here. Copy what you need, then reopen the invoice.",
                                     error.request_id)
            return
        finally:
            self._update_actions()
        body = as_json(saved)
        await self._remember(body)
        matches = self.editor.show_server_totals(body, local)
        if matches:
            self.show_notice(f"Saved {body.get('invoice_number')}; the server's totals match.", "success")
        else:
            self.banner.show_message("error", f"Saved {body.get('invoice_number')}, but the server's totals differ from "
                                     "this console's: see below the line items.")

    async def _remember(self, body: dict[str, Any]) -> None:
        await self.context.cache.put_records(RESOURCE, [body])
        self.model.upsert(body)
        self.record = body
        server_line = self.editor.server_totals_label.text()
        self.editor.load(body)
        self.editor.server_totals_label.setText(server_line)
        self._loaded_values = self._editor_values()
        row = self.model.row_of_id(body["id"])
        if row is not None:
            self.table.selectionModel().blockSignals(True)
            self.table.selectRow(row)
            self.table.selectionModel().blockSignals(False)
        self._update_actions()
        self.sig_saved.emit(body)

    async def send(self) -> None:
        if self.record is None:
            return
        if self._editor_dirty():
            self.show_notice("Save the draft before sending it.", "warning")
            return
        self.show_notice(f"Sending {self.record.get('invoice_number')}…")
        body = as_json(await self.context.client.invoices.send(self.record["id"]))
        await self._remember(body)
        self.show_notice(f"Sent {body.get('invoice_number')}.", "success")

    def _on_void_clicked(self) -> None:
        if self.record is None:
            return
        invoice = self.record
        self.confirm.ask(f"Void {invoice.get('invoice_number')}? A void invoice can never be paid or sent again.",
                         "Void invoice", lambda: self.run(self.void(invoice)))

    async def void(self, invoice: dict[str, Any]) -> None:
        self.show_notice(f"Voiding {invoice.get('invoice_number')}…")
        body = as_json(await self.context.client.invoices.void(invoice["id"]))
        await self._remember(body)
        self.show_notice(f"Voided {body.get('invoice_number')}.", "success")

    async def record_payment(self) -> None:
        """Check the amount against what is due, then record it; the server's refusal shows too."""
        invoice = self.record
        cents = self.payments.checked_amount(invoice)
        if cents is None:
            return
        self.payments.record_button.setEnabled(False)
        self.show_notice("Recording payment…")
        try:
            await self.context.client.payments.create(self.payments.body(invoice, cents))
        except errors.ValidationFailed as error:
            self.payments.show_error(next(iter(error.fields.values()), error.message))
            self.show_error(error)
            fresh = as_json(await self.context.client.invoices.get(invoice["id"]))
            await self._remember(fresh)
            return
        finally:
            self._update_actions()
        fresh = as_json(await self.context.client.invoices.get(invoice["id"]))
        await self._remember(fresh)
        self.payments.amount.clear()
        self.show_notice(f"Recorded {format_money(cents, fresh.get('currency') or 'USD')} on "
                         f"{fresh.get('invoice_number')}; {format_money(int(fresh.get('amount_due_cents') or 0), fresh.get('currency') or 'USD')} still due.",
                         "success")
        await self._load_payments(fresh["id"], fresh.get("currency") or "USD")

    # ---- PDF -----------------------------------------------------------------------------------
    def _on_pdf_clicked(self) -> None:
        if self.record is None:
            return
        suggested = Path.home() / f"{self.record.get('invoice_number') or 'invoice'}.pdf"
        path, _ = QFileDialog.getSaveFileName(self, "Save invoice PDF", str(suggested), "PDF (*.pdf)")
        if path:
            self.run(self.save_pdf(Path(path)), name="invoices.pdf")

    async def save_pdf(self, path: Path) -> Path:
        """Write the shown invoice (as the server last returned it) to `path`; offers to open it.

        Rendering needs the Qt thread; the file is written by the panel's own disk thread.
        """
        invoice = self.record or {}
        document = invoice_document(invoice, self.companies.get(invoice.get("company_id") or "", ""))
        self.last_document = document
        data = render_pdf(document)
        self.show_notice(f"Saving {path}…")
        await asyncio.get_running_loop().run_in_executor(self._disk, write_file, data, path)
        self.banner.show_message("success", f"Saved {path}.",
                                 action=("Open", lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))))
        return path


def _due_before(invoice: dict[str, Any], due_before: str | None) -> bool:
    return due_before is None or bool(invoice.get("due_date")) and str(invoice["due_date"]) < due_before
