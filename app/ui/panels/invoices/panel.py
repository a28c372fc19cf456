"""Invoices & payments panel (`panel.invoices`): the list with its money totals, and the invoice.

The list filters by status, customer and due date; overdue rows read in the error colour; the
footer sums the list's amounts due and paid per currency, from the store's `InvoiceList`, so it
follows every draft saved, invoice sent or voided and payment recorded. The editor computes a
draft's totals as the server does and, after every save, shows the server's totals and reports
any difference; a colleague's concurrent change is merged, and only fields both changed are
asked about. Drafts and payments are checked against the contract's rules before sending, and
refusals read in the operator's words. Send, void (confirmed), and a PDF fit to send.
Offline a draft still saves (`DraftSaving`): its change, or a new draft, waits in the outbox,
marked ⇪ in the list; sending, voiding and payments move money and wait for the connection.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from app.api import errors
from app.api.models import Invoice
from app.data.invoices import InvoiceList
from app.ui.error_messages import request_id_of
from app.ui.module_panel import ModulePanel
from app.ui.money import format_money
from app.ui.panel_context import PanelContext
from app.ui.panels.invoices.customers import Customers
from app.ui.panels.invoices.draft_saving import DraftSaving
from app.ui.panels.invoices.held_messages import HeldMessages
from app.ui.panels.invoices.invoice_detail import InvoiceDetail, side_by_side
from app.ui.panels.invoices.invoice_document import document_for
from app.ui.panels.invoices.invoice_list import InvoiceListPane
from app.ui.panels.invoices.invoice_pdf import PdfFiles, open_file
from app.ui.panels.invoices.rules import send_problem
from app.ui.panels.invoices.words import refusal_message
from app.ui.store_binding import StoreBinding, bind


class InvoicesPanel(ModulePanel):
    """Invoices of the workspace and their payments."""

    module_name = "invoices"
    title = "Invoices"
    required_scope = "crm:read"
    write_scope = "crm:write"
    offline_text = "Offline: showing cached invoices. Send, void and payments need a connection."

    sig_rows_shown = Signal()
    """The list was (re)filled or one of its invoices changed."""
    sig_saved = Signal(object)
    """An invoice was created, updated, sent, voided or paid; carries the server's `Invoice`."""

    def __init__(self, context: PanelContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.customers = Customers(self.stores)
        #: Company id → name (the filter's, the editor's and the list's).
        self.companies = self.customers.companies
        self.record: Invoice | None = None
        self.listing: InvoiceList | None = None
        self._listing_binding: StoreBinding | None = None
        self._shown_listing: InvoiceList | None = None
        self.messages = HeldMessages(self.banner)
        self._pdf_files = PdfFiles(self)

        self.list_pane = pane = InvoiceListPane(self.customers.name, self, pending=self.stores.invoices.pending_ids)
        self.filter_bar, self.new_button, self.totals = pane.filter_bar, pane.new_button, pane.totals
        self.model, self.table = pane.model, pane.table
        bar = self.filter_bar
        self.status_filter, self.customer_filter, self.due_check, self.due_before = (
            bar.status, bar.customer, bar.due_check, bar.due_before)
        bar.sig_changed.connect(lambda: self.run(self.load()))
        self.new_button.clicked.connect(self.start_new)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_changed)

        self.detail = detail = InvoiceDetail(self)
        self.editor, self.payments = detail.editor, detail.payments
        self.save_button, self.send_button = detail.save_button, detail.send_button
        self.void_button, self.pdf_button = detail.void_button, detail.pdf_button
        self.confirm, self.merge_bar = detail.confirm, detail.merge_bar
        self.editor.sig_edited.connect(self.update_actions)
        self.saving = DraftSaving(self)
        self.save_button.clicked.connect(lambda: self.run(self.saving.save()))
        self.send_button.clicked.connect(lambda: self.run(self.send()))
        self.void_button.clicked.connect(self._on_void_clicked)
        self.pdf_button.clicked.connect(self._on_pdf_clicked)
        self.merge_bar.sig_resolved.connect(lambda choices: self.run(self.saving.resolve(choices)))
        self.merge_bar.cancel_button.clicked.connect(self.update_actions)  # its question is gone
        self.payments.record_button.clicked.connect(lambda: self.run(self.record_payment()))

        if self.stores.outbox is not None:
            bind(self.stores.outbox.changes, self, lambda _items: self._on_outbox_changed())
        self.splitter = side_by_side(self.body, pane, detail)
        self.loaded_values = self.editor.values_or_none()
        self.update_actions()

    # ---- list --------------------------------------------------------------------------------
    async def activate(self) -> None:
        """Cached invoices at once, then the server's for the current filters."""
        await self._load_companies(refresh=False)
        await self.load()

    async def load(self) -> None:
        """Follow the list for the filters: the cache's matches first, then the server's."""
        listing = self.stores.invoices.listing(self.filter_bar.current())
        if self.listing is not None:
            self.listing.close()
            self._listing_binding.unbind()
            self._listing_binding.deleteLater()
        self.listing = listing
        self._listing_binding = bind(listing.changes, self, self._on_listing_changed)
        try:
            await listing.load()
        except errors.ApiConnectionError as error:
            self.show_error(error)  # the offline strip says it, and goes when the server answers
            return
        if not self.customers.companies:
            await self._load_companies(refresh=True)

    def _on_listing_changed(self, listing: InvoiceList) -> None:
        if listing is not self.listing:
            return
        self.list_pane.show(listing, refill=self._shown_listing is not listing)
        self._shown_listing = listing
        if self.customers.unnamed(listing.records):
            self.run(self._name_contacts(listing))
        if self.record is not None:
            fresh = listing.get(self.record.id) or self.saving.carry_on(listing)
            if fresh is not None and fresh != self.record and not self.editor_dirty():
                self._open(fresh)
        self.sig_rows_shown.emit()

    async def _name_contacts(self, listing: InvoiceList) -> None:
        """Name the people the listed invoices are billed to, then show the names."""
        if await self.customers.learn_contacts(listing.records) and listing is self.listing:
            self.model.refresh_cells()

    async def _load_companies(self, refresh: bool) -> None:
        """The customers for the filter, the editor and the list's names."""
        companies = await self.customers.load_companies(refresh)
        self.editor.set_companies(list(self.customers.companies.items()))
        self.list_pane.set_companies(companies)

    # ---- one invoice -------------------------------------------------------------------------
    def _on_current_changed(self, current, _previous) -> None:
        if current.isValid():
            if self.editor_dirty():
                self.messages.say("warning", "Save the draft you are editing first (or start a new one to drop it).",
                                  holds=self.editor_dirty)
                return
            self._open(self.model.record(current.row()))

    def _open(self, invoice: Invoice) -> None:
        self._show(invoice)
        self.run(self._load_payments(invoice))

    def _show(self, invoice: Invoice | None) -> None:
        """Put `invoice` (None: a new draft with one empty line) in the editor and the payment box."""
        if (invoice.id if invoice else None) != (self.record.id if self.record else None):
            self.confirm.hide()
            self.merge_bar.clear()
        self.record = invoice
        self.editor.load(invoice)
        if invoice is None:
            self.editor.add_line(None)
        self.loaded_values = self.editor.values_or_none()
        self.payments.show_invoice(invoice)
        self.update_actions()
        self.saving.say_held(invoice)

    async def _load_payments(self, invoice: Invoice) -> None:
        payments = await self.stores.invoices.payments_of(invoice.id)
        if self.record is not None and self.record.id == invoice.id:
            self.payments.show_payments(payments)

    def start_new(self) -> None:
        # No current row either, so that clicking the invoice that was open opens it again.
        self.table.selectionModel().clearCurrentIndex()
        self.table.clearSelection()
        self._show(None)

    def editor_dirty(self) -> bool:
        editable = self.record is None or self.record.status == "draft"
        return editable and self.editor.values_or_none() != self.loaded_values

    def _update_write_state(self, writable: bool) -> None:
        self.update_actions()

    def update_actions(self) -> None:
        self.new_button.setEnabled(self.editable)
        self.new_button.setToolTip("" if self.writable or not self.editable else
                                   "Offline: a new draft waits in the outbox and is created when the server answers.")
        cannot = {verb: self.platform_block_reason(operation) for verb, operation in (
            ("create", "invoices.create"), ("update", "invoices.update"), ("send", "invoices.send"),
            ("void", "invoices.void"), ("pay", "payments.create"))}
        self.detail.update_actions(self.record, self.writable, self.editable, cannot)
        self.messages.revalidate()

    def _on_outbox_changed(self) -> None:
        """The ⇪ marks follow what waits to be sent."""
        self.table.viewport().update()

    def about(self, invoice_id: str | None) -> Callable[[], bool]:
        """True while the invoice `invoice_id` (None: a new draft) is the one shown."""
        return lambda: (self.record.id if self.record else None) == invoice_id

    def working(self, text: str) -> contextlib.AbstractContextManager[None]:
        """Say what is being done while it is being done; the buttons follow the outcome."""
        return self.messages.working(text, after=self.update_actions)

    # ---- writes ------------------------------------------------------------------------------
    def show_error(self, error: BaseException) -> None:
        """A refusal in the operator's words: fields as the form names them, no library phrasing."""
        text = refusal_message(error)
        if text is None:
            return super().show_error(error)
        self.banner.show_message("error", text, request_id_of(error))

    def adopt(self, invoice: Invoice, *, from_server: bool = True) -> None:
        """Show the answer to a write (the server's, or the draft as it waits in the outbox), selected."""
        if invoice != self.record:
            self._show(invoice)
        self.list_pane.select(invoice.id)
        if from_server:
            self.sig_saved.emit(invoice)

    async def send(self) -> None:
        invoice = self.record
        if invoice is None:
            return
        if self.editor_dirty():
            self.messages.say("warning", "Save the draft before sending it.", holds=self.editor_dirty)
            return
        if problem := send_problem(invoice):
            self.messages.say("warning", problem, holds=self.about(invoice.id))
            return
        with self.working(f"Sending {invoice.invoice_number}…"):
            sent = await self.stores.invoices.send(invoice)
        self.adopt(sent)
        self.messages.say("success", f"Sent {sent.invoice_number}.", holds=self.about(sent.id))

    def _on_void_clicked(self) -> None:
        invoice = self.record
        if invoice is None:
            return
        self.confirm.ask(f"Void {invoice.invoice_number}? A void invoice can never be paid or sent again.",
                         "Void invoice", lambda: self.run(self.void(invoice)))

    async def void(self, invoice: Invoice) -> None:
        with self.working(f"Voiding {invoice.invoice_number}…"):
            voided = await self.stores.invoices.void(invoice)
        self.adopt(voided)
        self.messages.say("success", f"Voided {voided.invoice_number}.", holds=self.about(voided.id))

    async def record_payment(self) -> None:
        """Check the amount against what is due, then record it; the server's refusal shows too."""
        invoice = self.record
        cents = self.payments.checked_amount(invoice)
        if cents is None:
            return
        self.payments.record_button.setEnabled(False)
        with self.working("Recording payment…"):
            try:
                recorded = await self.stores.invoices.record_payment(invoice, cents, self.payments.method.currentData())
            except errors.ValidationFailed as error:
                # The store read the invoice again: say it with the amount due the server judged by.
                fresh = self.record if self.record is not None and self.record.id == invoice.id else None
                problem = self.payments.show_refusal(fresh, cents, error)
                self.banner.show_message("error", f"The server refused the payment: {problem}", request_id_of(error))
                self.messages.hold(self.about(invoice.id))
                return
        fresh = recorded.invoice
        self.adopt(fresh)
        self.payments.amount.clear()
        self.messages.say("success", f"Recorded {format_money(cents, fresh.currency)} on {fresh.invoice_number}; "
                          f"{format_money(fresh.amount_due_cents, fresh.currency)} still due.", holds=self.about(fresh.id))
        await self._load_payments(fresh)

    # ---- PDF -----------------------------------------------------------------------------------
    def _on_pdf_clicked(self) -> None:
        path = self._pdf_files.ask_path(self, self.record.invoice_number) if self.record else None
        if path is not None:
            self.run(self.save_pdf(path), name="invoices.pdf")

    async def save_pdf(self, path: Path) -> Path:
        """Write the shown invoice (the server's last answer) with its issuer, customer and payments
        to `path`, offering to open it. Rendering needs the Qt thread; a disk thread of its own writes."""
        invoice = self.record
        with self.messages.working(f"Saving {path}…"):
            self.last_document = await document_for(invoice, self.stores, self.customers, self.show_error)
            await self._pdf_files.save(self.last_document, path)
        self.banner.show_message("success", f"Saved {path}.", action=("Open", lambda: open_file(path)))
        return path
