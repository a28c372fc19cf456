"""Contacts & companies panel (`panel.contacts`): find, read, edit and export the people.

Cached rows appear at once, then the cache is brought up to date (`updated_since`) and the rows
follow. Typing searches the local cache instantly (SQLite FTS); Enter asks the server. Edits
are sent with `If-Match`; when someone else changed the contact first, the 412 resolver shows
both versions and the user decides. Without a server the panel stays useful read-only.
"""

from __future__ import annotations

import asyncio
from operator import itemgetter
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.api import errors
from app.ui.module_panel import ModulePanel
from app.ui.panel_context import PanelContext
from app.ui.panels.contacts.companies_view import CompaniesView, by_name
from app.ui.panels.contacts.conflict_view import ConflictView
from app.ui.panels.contacts.contact_form import ContactForm, ContactFormError
from app.ui.panels.contacts.contact_list import ContactList, ContactQuery
from app.ui.panels.contacts.contact_rows import CONTACT_COLUMNS, ID
from app.ui.panels.contacts.csv_export import export_contacts
from app.ui.record_table_model import RecordTableModel
from app.ui.widgets.banner import Banner
from app.ui.widgets.confirm_bar import ConfirmBar
from app.ui.widgets.record_json import as_json
from app.ui.widgets.record_table_view import RecordTableView
from app.ui.widgets.status_line import StatusLine

#: Letters typed before the local search starts narrowing the table.
MIN_SEARCH_CHARS = 2
OFFLINE_MESSAGE = "Offline: showing cached contacts. Editing is off until the server can be reached."


class ContactsPanel(ModulePanel):
    """People and companies of the workspace."""

    module_name = "contacts"
    title = "Contacts"
    required_scope = "crm:read"

    sig_rows_shown = Signal()
    """The table's rows were replaced (a search, filter, sort or refresh finished)."""
    sig_saved = Signal(dict)
    """A contact was created or updated; carries the server's record."""
    sig_export_finished = Signal(str)
    """A CSV export ended: "done", "cancelled" or "failed"."""

    def __init__(self, context: PanelContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self._offline_now = False
        self._export_task: asyncio.Task | None = None
        self._selecting_back = False
        #: Rows per chunk when exporting (smaller chunks: finer progress and a quicker cancel).
        self.export_chunk_rows = 500

        self.offline_banner = Banner("contacts.offline", self)
        self.tabs = QTabWidget(self.body)
        self.tabs.setObjectName("contacts.tabs")
        # Built before the contacts tab: the write-enabled state covers both, and a signal fired
        # while the contacts tab is built must find every part of the panel in place.
        self.companies = CompaniesView(self)
        self.tabs.addTab(self._build_contacts_tab(), "Contacts")
        self.tabs.addTab(self.companies, "Companies")
        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(8, 0, 8, 8)
        layout.addWidget(self.offline_banner)
        layout.addWidget(self.tabs, 1)

        self.list = ContactList(self.model, context.cache, lambda: self.context.client, self.run)
        self._wanted = self.list.query
        self.form.sig_dirty_changed.connect(lambda _dirty: self._set_write_enabled())
        self._set_write_enabled()

    # ---- building --------------------------------------------------------------------------
    def _build_contacts_tab(self) -> QWidget:
        tab = QWidget(self)
        self.search = QLineEdit(tab)
        self.search.setObjectName("contacts.search")
        self.search.setPlaceholderText("Search cached contacts as you type; Enter searches the server")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._on_search_typed)
        self.search.returnPressed.connect(self._on_search_server)
        self.company_filter = QComboBox(tab)
        self.company_filter.setObjectName("contacts.filter_company")
        self.company_filter.addItem("All companies", None)
        self.company_filter.currentIndexChanged.connect(lambda _i: self._apply(company_id=self.company_filter.currentData()))
        self.tag_filter = QLineEdit(tab)
        self.tag_filter.setObjectName("contacts.filter_tag")
        self.tag_filter.setPlaceholderText("Tag")
        self.tag_filter.setMaximumWidth(140)
        self.tag_filter.editingFinished.connect(lambda: self._apply(tag=self.tag_filter.text().strip() or None))
        self.new_button = QPushButton("New contact", tab)
        self.new_button.setObjectName("contacts.new")
        self.new_button.clicked.connect(self.start_new)
        self.export_button = QPushButton("Export CSV…", tab)
        self.export_button.setObjectName("contacts.export")
        self.export_button.clicked.connect(self._on_export_clicked)
        top = QHBoxLayout()
        top.addWidget(self.search, 3)
        top.addWidget(self.company_filter, 1)
        top.addWidget(self.tag_filter)
        top.addWidget(self.new_button)
        top.addWidget(self.export_button)

        self.export_progress = QProgressBar(tab)
        self.export_progress.setObjectName("contacts.export.progress")
        self.export_cancel = QPushButton("Cancel export", tab)
        self.export_cancel.setObjectName("contacts.export.cancel")
        self.export_cancel.clicked.connect(self.cancel_export)
        export_row = QHBoxLayout()
        export_row.addWidget(self.export_progress, 1)
        export_row.addWidget(self.export_cancel)
        self.export_row = QWidget(tab)
        self.export_row.setLayout(export_row)
        self.export_row.hide()

        self.model = RecordTableModel([column for column, _ in CONTACT_COLUMNS], self, id_of=itemgetter(ID))
        # Paints its rows itself: a page of 100k contacts scrolls in a few milliseconds.
        self.table = RecordTableView(tab)
        self.table.setObjectName("contacts.table")
        self.table.setModel(self.model)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        rows_header = self.table.verticalHeader()
        rows_header.hide()
        rows_header.setDefaultSectionSize(24)
        # Fixed row heights keep appending a slice O(slice), not O(rows shown): at 100k rows a
        # resizable header recomputed every section's position on each append (20+ ms).
        rows_header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        header.sectionClicked.connect(self._on_header_clicked)
        for column, width in enumerate((150, 210, 140, 130, 120)):
            self.table.setColumnWidth(column, width)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_changed)
        self.status = StatusLine(tab)
        self.status.setObjectName("contacts.status")

        left = QWidget(tab)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.table, 1)
        left_layout.addWidget(self.status)

        splitter = QSplitter(tab)
        splitter.addWidget(left)
        splitter.addWidget(self._build_detail(tab))
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([720, 480])
        layout = QVBoxLayout(tab)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.export_row)
        layout.addWidget(splitter, 1)
        return tab

    def _build_detail(self, parent: QWidget) -> QWidget:
        detail = QWidget(parent)
        detail.setObjectName("contacts.detail")
        self.form = ContactForm(detail)
        self.conflict = ConflictView(detail)
        self.conflict.sig_resolved.connect(self._on_conflict_resolved)
        self.save_button = QPushButton("Save", detail)
        self.save_button.setObjectName("contacts.save")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(lambda: self.run(self.save()))
        self.discard_button = QPushButton("Discard changes", detail)
        self.discard_button.setObjectName("contacts.discard")
        self.discard_button.clicked.connect(lambda: self.form.load(self.form.record))
        self.delete_button = QPushButton("Delete…", detail)
        self.delete_button.setObjectName("contacts.delete")
        self.delete_button.clicked.connect(self._on_delete_clicked)
        self.confirm = ConfirmBar("contacts.delete_confirm", detail)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.discard_button)
        buttons.addStretch(1)
        buttons.addWidget(self.delete_button)
        self.tickets_list = QListWidget(detail)
        self.tickets_list.setObjectName("contacts.tickets")
        self.invoices_list = QListWidget(detail)
        self.invoices_list.setObjectName("contacts.invoices")
        for related in (self.tickets_list, self.invoices_list):
            related.setMaximumHeight(110)
        inner = QWidget(detail)
        inner_layout = QVBoxLayout(inner)
        inner_layout.addWidget(self.conflict)
        inner_layout.addWidget(self.form)
        inner_layout.addLayout(buttons)
        inner_layout.addWidget(self.confirm)
        inner_layout.addWidget(QLabel("<b>Tickets</b>", inner))
        inner_layout.addWidget(self.tickets_list)
        inner_layout.addWidget(QLabel("<b>Invoices</b>", inner))
        inner_layout.addWidget(self.invoices_list)
        inner_layout.addStretch(1)
        scroll = QScrollArea(detail)
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        layout = QVBoxLayout(detail)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)
        self.form.load(None)
        return detail

    # ---- activation: cache first, then the server -------------------------------------------
    async def activate(self) -> None:
        """Show cached contacts and companies at once, then bring both up to date."""
        await self.list.show(self._wanted)
        self._after_rows_shown()
        await self._fill_company_choices(refresh=False)
        await self.refresh()

    async def refresh(self) -> None:
        """Fetch changes since the newest cached contact, then show the current view again."""
        if self.context.client is None:
            self.set_offline(True)
            return
        try:
            changed = await self.list.sync()
            await self._fill_company_choices(refresh=True)
        except errors.ApiConnectionError as error:
            self.set_offline(True, error)
            return
        self.set_offline(False)
        if changed:
            await self.list.reload()
            self._after_rows_shown()

    def set_offline(self, offline: bool, error: BaseException | None = None) -> None:
        """Offline: cached rows stay, every write is disabled, the banner says so and offers retry."""
        self._offline_now = offline
        self.list.online = not offline
        if offline:
            detail = f" ({error})" if error is not None else ""
            self.offline_banner.show_message("warning", OFFLINE_MESSAGE + detail,
                                             action=("Retry", lambda: self.run(self.refresh())))
        else:
            self.offline_banner.clear()
        self._set_write_enabled()

    @property
    def writable(self) -> bool:
        """Online, and the credential may change CRM records (unknown scopes: let the server judge)."""
        scopes = self.context.scopes
        return not self._offline_now and (not scopes or "crm:write" in scopes)

    def _set_write_enabled(self) -> None:
        writable = self.writable
        self.form.set_read_only(not writable)
        self.companies.set_read_only(not writable)
        self.new_button.setEnabled(writable)
        self.save_button.setEnabled(writable and self.form.dirty)
        self.discard_button.setEnabled(self.form.dirty)
        self.delete_button.setEnabled(writable and self.form.record is not None)
        reason = "" if writable else (
            "Offline: read-only" if self._offline_now else "This credential cannot change contacts (it needs crm:write).")
        for button in (self.new_button, self.save_button, self.delete_button):
            button.setToolTip(reason)

    # ---- list: search, filters, sort --------------------------------------------------------
    def _on_search_typed(self, text: str) -> None:
        # One letter matches nearly everything: ranking it would cost the most and tell the least.
        text = text.strip()
        self._apply(text=text if len(text) >= MIN_SEARCH_CHARS else "", server=False)

    def _on_search_server(self) -> None:
        text = self.search.text().strip()
        if self._offline_now:
            self.show_notice("Offline: these are matches among cached contacts only.", "warning")
            return
        self._apply(text=text, server=bool(text))

    def _apply(self, **changes: Any) -> None:
        # Built on the last query asked for, not the last shown: two quick changes both count.
        query = self._wanted.with_(**changes)
        if "server" not in changes and query.server:
            query = query.with_(server=bool(query.text) and not self._offline_now)
        self._wanted = query
        # No cancel: the list drops a superseded load's rows itself (its generation is stale).
        self.run(self._show(query))

    async def _show(self, query: ContactQuery) -> None:
        await self.list.show(query)
        self._after_rows_shown()

    def _on_header_clicked(self, section: int) -> None:
        header = self.table.horizontalHeader()
        field = CONTACT_COLUMNS[section][1]
        same = self._wanted.order_by == field
        descending = not self._wanted.descending if same else False
        header.setSortIndicator(section, Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder)
        if self._wanted.server or self._wanted.ranked:
            # Server pages and ranked matches are sorted where they are: in the loaded rows.
            self._wanted = self._wanted.with_(order_by=field, descending=descending)
            self.model.sort(section, header.sortIndicatorOrder())
            return
        self._apply(order_by=field, descending=descending)

    def _after_rows_shown(self) -> None:
        query = self.list.query
        count = self.model.rowCount()
        more = "+" if self.model.has_more else ""
        where = f"server results for “{query.text}”" if query.server else "cached contacts"
        if query.ranked:
            where = f"best cached matches for “{query.text}” (Enter asks the server)"
        elif query.text and not query.server:
            where += f" matching “{query.text}” (Enter asks the server)"
        self.status.setText(f"{count}{more} {where}")
        self.sig_rows_shown.emit()

    async def _fill_company_choices(self, refresh: bool) -> None:
        try:
            companies = await self.companies.load(refresh=refresh)
        except errors.ApiConnectionError:
            companies = by_name(await self.context.cache.query_records("companies", limit=5000))
        pairs = [(c["id"], c.get("name") or c["id"]) for c in companies]
        self.form.set_companies(pairs)
        current = self.company_filter.currentData()
        self.company_filter.blockSignals(True)
        self.company_filter.clear()
        self.company_filter.addItem("All companies", None)
        for company_id, name in pairs:
            self.company_filter.addItem(name, company_id)
        index = self.company_filter.findData(current)
        self.company_filter.setCurrentIndex(max(index, 0))
        self.company_filter.blockSignals(False)

    def companies_changed(self) -> None:
        """A company was saved in the Companies tab: offer it in the filters and the form."""
        self.run(self._fill_company_choices(refresh=False))

    # ---- detail ----------------------------------------------------------------------------
    def _on_current_changed(self, current, previous) -> None:
        if self._selecting_back or not current.isValid():
            return
        row = self.model.record(current.row())
        if self.form.dirty and (self.form.record or {}).get("id") != row[ID]:
            self.show_notice("Save or discard your changes to this contact before opening another.", "warning")
            self._selecting_back = True
            self.table.selectionModel().setCurrentIndex(
                previous, self.table.selectionModel().SelectionFlag.ClearAndSelect | self.table.selectionModel().SelectionFlag.Rows)
            self._selecting_back = False
            return
        self.run(self.open_contact(row[ID]))

    async def open_contact(self, contact_id: str) -> None:
        """Show the contact (cached copy first, then the server's), its tickets and invoices."""
        cached = await self.context.cache.get_record("contacts", contact_id)
        if cached is not None:
            self._load_form(cached)
        if self._offline_now:
            await self._fill_related(contact_id, refresh=False)
            return
        try:
            fresh = as_json(await self.context.client.contacts.get(contact_id))
        except errors.NotFound:
            await self.list.forget(contact_id)
            self.form.load(None)
            self.show_notice("That contact was deleted on the server.", "warning")
            return
        except errors.ApiConnectionError as error:
            self.set_offline(True, error)
            return
        await self.context.cache.put_records("contacts", [fresh])
        if not self.form.dirty or (self.form.record or {}).get("id") != contact_id:
            self._load_form(fresh)
        await self._fill_related(contact_id, refresh=True)

    def _load_form(self, record: dict[str, Any]) -> None:
        self.conflict.hide()
        self.confirm.hide()
        self.form.load(record)
        self._set_write_enabled()

    async def _fill_related(self, contact_id: str, refresh: bool) -> None:
        cache = self.context.cache
        tickets = await cache.query_records("tickets", filters={"contact_id": contact_id}, limit=50)
        invoices = await cache.query_records("invoices", filters={"contact_id": contact_id}, limit=50)
        if refresh:
            client = self.context.client
            tickets = [as_json(t) for t in (await client.tickets.list(contact_id=contact_id, limit=50)).items]
            invoices = [as_json(i) for i in (await client.invoices.list(contact_id=contact_id, limit=50)).items]
            await cache.put_records("tickets", tickets)
            await cache.put_records("invoices", invoices)
        if (self.form.record or {}).get("id") != contact_id:
            return
        self.tickets_list.clear()
        for ticket in tickets:
            self.tickets_list.addItem(f"{ticket.get('subject')} — {ticket.get('status')}, {ticket.get('priority')}")
        if not tickets:
            self.tickets_list.addItem("No tickets")
        self.invoices_list.clear()
        from app.ui.money import format_money

        for invoice in invoices:
            total = format_money(int(invoice.get("total_cents") or 0), invoice.get("currency") or "USD")
            self.invoices_list.addItem(f"{invoice.get('invoice_number')} — {invoice.get('status')}, {total}")
        if not invoices:
            self.invoices_list.addItem("No invoices")

    # ---- create / edit / delete --------------------------------------------------------------
    def start_new(self) -> None:
        if self.form.dirty:
            self.show_notice("Save or discard your changes to this contact first.", "warning")
            return
        self.table.clearSelection()
        self._load_form(None)
        self.tickets_list.clear()
        self.invoices_list.clear()
        self.form.name_edit.setFocus()

    async def save(self) -> None:
        """Create or update the contact in the form; errors land beside the fields they name."""
        try:
            values = self.form.values()
        except ContactFormError as problem:
            self.form.set_errors(problem.fields)
            return
        record = self.form.record
        client = self.context.client
        self.form.clear_errors()
        self.save_button.setEnabled(False)
        self.show_notice("Saving…")
        try:
            if record is None:
                saved = await client.contacts.create(values)
            else:
                patch = self.form.changed_fields()
                if not patch:
                    self.show_notice("Nothing to save: no field changed.")
                    return
                saved = await client.contacts.update(record["id"], patch, if_match=record.get("version"))
        except errors.PreconditionFailed as error:
            await self._show_conflict(error)
            return
        except errors.ValidationFailed as error:
            self.form.set_errors(error.fields)
            self.show_error(error)
            return
        except errors.Conflict as error:
            await self._show_duplicate(error, values)
            return
        except errors.ApiConnectionError as error:
            self.show_error(error)
            self.set_offline(True, error)
            return
        finally:
            self._set_write_enabled()
        body = as_json(saved)
        await self.list.remember(body)
        self._load_form(body)
        verb = "Created" if record is None else "Saved"
        self.show_notice(f"{verb} {body.get('name')} (version {body.get('version')}).", "success")
        self.sig_saved.emit(body)

    async def _show_conflict(self, error: errors.PreconditionFailed) -> None:
        record = self.form.record or {}
        mine = self.form.values()
        theirs = as_json(await self.context.client.contacts.get(record["id"]))
        await self.context.cache.put_records("contacts", [theirs])
        self.conflict.show_conflict(record, mine, theirs)
        self.banner.show_message(
            "warning",
            f"{theirs.get('name')} was changed by someone else (now version {theirs.get('version')}). "
            "Your edit is kept: choose what to keep below.",
            error.request_id,
        )

    def _on_conflict_resolved(self, values: dict, how: str) -> None:
        theirs = self.conflict.theirs_record
        self.form.load(theirs)
        self.run(self.list.remember(theirs))
        if how == "theirs":
            self.show_notice(f"Took the server's version of {theirs.get('name')}; your edit was dropped.", "info")
            self._set_write_enabled()
            return
        self.form.show_values(values)
        self.run(self.save())

    async def _show_duplicate(self, error: errors.Conflict, values: dict[str, Any]) -> None:
        details = error.details or {}
        if details.get("field") != "email":
            if details.get("field"):
                self.form.set_errors({details["field"]: error.message})
            self.show_error(error)
            return
        holder = await self._contact_with_email(details.get("existing_id"), values.get("email") or "")
        if holder:
            message = f"{holder.get('name')} ({holder.get('id')}) already has this email."
        else:
            message = "Another contact already has this email."
        self.form.set_errors({"email": message})
        self.banner.show_message("error", f"Not saved: {message}", error.request_id)

    async def _contact_with_email(self, contact_id: str | None, email: str) -> dict[str, Any] | None:
        if contact_id:
            cached = await self.context.cache.get_record("contacts", contact_id)
            if cached:
                return cached
            try:
                return as_json(await self.context.client.contacts.get(contact_id))
            except errors.ApiError:
                return {"id": contact_id, "name": "Contact"}
        page = await self.context.client.contacts.list(query=email, limit=20)
        for contact in page.items:
            if (contact.email or "").lower() == email.lower():
                return as_json(contact)
        return None

    def _on_delete_clicked(self) -> None:
        record = self.form.record
        if record is None:
            return
        self.confirm.ask(f"Delete {record.get('name')} ({record.get('email') or 'no email'})? This cannot be undone.",
                         "Delete contact", lambda: self.run(self.delete(record)))

    async def delete(self, record: dict[str, Any]) -> None:
        self.show_notice(f"Deleting {record.get('name')}…")
        try:
            await self.context.client.contacts.delete(record["id"], if_match=record.get("version"))
        except errors.PreconditionFailed as error:
            self.banner.show_message("warning", f"{record.get('name')} changed on the server since you opened it; "
                                     "not deleted. Review the new version first.", error.request_id)
            await self.open_contact(record["id"])
            return
        await self.list.forget(record["id"])
        self._load_form(None)
        self.show_notice(f"Deleted {record.get('name')}.", "success")

    # ---- export ----------------------------------------------------------------------------
    def _on_export_clicked(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export contacts", str(Path.home() / "contacts.csv"), "CSV (*.csv)")
        if path:
            self.start_export(Path(path))

    def start_export(self, path: Path) -> asyncio.Task:
        """Export the current filtered list to `path` in the background (progress bar, cancel)."""
        self._export_task = self.run(self._export(path))
        return self._export_task

    def cancel_export(self) -> None:
        if self._export_task is not None and not self._export_task.done():
            self._export_task.cancel()

    async def _export(self, path: Path) -> None:
        total = self.model.rowCount() if self.list.query.server else await self.list.count_local()
        self.export_progress.setRange(0, max(total, 1))
        self.export_progress.setValue(0)
        self.export_progress.setFormat(f"Exporting %v of {total}{'+' if self.list.query.server else ''} contacts")
        self.export_row.show()
        self.export_button.setEnabled(False)

        def progress(rows: int) -> None:
            if rows > self.export_progress.maximum():
                self.export_progress.setMaximum(rows)
            self.export_progress.setValue(rows)

        outcome = "failed"
        try:
            rows = await export_contacts(self.list.all_bodies(self.export_chunk_rows), path, progress)
            outcome = "done"
            self.show_notice(f"Exported {rows} contacts to {path}.", "success")
        except asyncio.CancelledError:
            outcome = "cancelled"
            self.show_notice("Export cancelled; no file was written.", "info")
        finally:
            self.export_row.hide()
            self.export_button.setEnabled(True)
            self.sig_export_finished.emit(outcome)
