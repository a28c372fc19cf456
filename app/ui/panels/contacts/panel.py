"""Contacts & companies panel (`panel.contacts`): find, read, edit and export the people.

Cached rows appear at once, then the contact store brings the cache up to date (`updated_since`)
and the rows follow. Typing searches the local cache instantly (SQLite FTS); Enter asks the
server. A save is merged three ways with a colleague's concurrent change; only fields both
changed are asked about. Without a server the panel stays useful read-only (`ModulePanel`'s gate).
The panel is a view: its rows, counts and messages come from the stores (`self.stores`).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.api import errors
from app.data.record_store import StoreChange
from app.ui.module_panel import ModulePanel
from app.ui.panel_context import PanelContext
from app.ui.panels.contacts.companies_view import CompaniesView
from app.ui.panels.contacts.contact_detail import ContactDetail
from app.ui.panels.contacts.contact_editing import ContactEditing
from app.ui.panels.contacts.contact_list import ContactList
from app.ui.panels.contacts.contact_rows import CONTACT_COLUMNS, ID
from app.ui.panels.contacts.contact_table import contact_table, contact_table_model
from app.ui.panels.contacts.export_bar import ExportBar
from app.ui.store_binding import bind
from app.ui.widgets.status_line import StatusLine

#: Letters typed before the local search starts narrowing the table.
MIN_SEARCH_CHARS = 2


class ContactsPanel(ModulePanel):
    """People and companies of the workspace."""

    module_name = "contacts"
    title = "Contacts"
    required_scope = "crm:read"
    write_scope = "crm:write"
    offline_text = "Offline: showing cached contacts and companies. New records and deletions need the server."

    sig_rows_shown = Signal()
    """The table's rows were replaced (a search, filter, sort or refresh finished)."""
    sig_saved = Signal(object)
    """A contact was created or updated; carries the server's `Contact`."""
    sig_export_finished = Signal(str)
    """A CSV export ended: "done", "cancelled" or "failed"."""

    def __init__(self, context: PanelContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self._selecting_back = False
        #: The message that holds only while the form has unsaved changes (cleared when it is clean).
        self._dirty_notice: str | None = None
        #: A save (or a merge's answer) is on its way: Save and Discard wait for its answer.
        self.sending = False
        #: Company refreshes under way: the store's change notices they cause need no second fill.
        self._companies_refreshing = 0
        #: Rows per chunk when exporting (smaller chunks: finer progress and a quicker cancel).
        self.export_chunk_rows = 500

        self.tabs = QTabWidget(self.body)
        self.tabs.setObjectName("contacts.tabs")
        # Built before the contacts tab: the write gate covers both, and a signal fired while the
        # contacts tab is built must find every part of the panel in place.
        self.companies = CompaniesView(self)
        self.tabs.addTab(self._build_contacts_tab(), "Contacts")
        self.tabs.addTab(self.companies, "Companies")
        self.tabs.setTabVisible(1, self.stores.companies.supports("companies.list"))  # a platform may have none
        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(8, 0, 8, 8)
        layout.addWidget(self.tabs, 1)

        self.list = ContactList(self.model, self.stores.contacts, self.run, self._after_rows_shown)
        self._wanted = self.list.query
        self.editing = ContactEditing(self)
        bind(self.stores.contacts.changes, self, self._on_contacts_changed)
        if self.stores.outbox is not None:  # the ⇪ marks follow what waits to be sent
            bind(self.stores.outbox.changes, self, lambda _items: self.table.viewport().update())
        bind(self.stores.companies.changes, self, lambda _change: self.companies_changed())
        self.form.sig_dirty_changed.connect(self._on_dirty_changed)
        for signal in (self.model.rowsInserted, self.model.rowsRemoved, self.model.modelReset):
            signal.connect(self._update_status)
        self.update_controls()

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

        self.export_row = ExportBar(self.run, self.show_notice, tab)
        self.export_row.sig_finished.connect(self._on_export_finished)
        self.export_progress = self.export_row.progress
        self.export_cancel = self.export_row.cancel_button

        self.model = contact_table_model(self, self._pending_ids)
        self.table = contact_table(self.model, tab)
        self.table.horizontalHeader().sectionClicked.connect(self._on_header_clicked)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_changed)
        self.status = StatusLine(tab)
        self.status.setObjectName("contacts.status")

        left = QWidget(tab)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.table, 1)
        left_layout.addWidget(self.status)

        self.detail = ContactDetail(tab)
        detail = self.detail
        self.form, self.conflict, self.confirm = detail.form, detail.conflict, detail.confirm
        self.save_button, self.discard_button, self.delete_button = (
            detail.save_button, detail.discard_button, detail.delete_button)
        self.tickets_list, self.invoices_list = detail.tickets_list, detail.invoices_list
        splitter = QSplitter(tab)
        splitter.addWidget(left)
        splitter.addWidget(detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([720, 480])
        layout = QVBoxLayout(tab)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.export_row)
        layout.addWidget(splitter, 1)
        return tab

    # ---- activation: cache first, then the server -------------------------------------------
    async def activate(self) -> None:
        """Show cached contacts and companies at once, then bring both up to date."""
        await self.list.show(self._wanted)
        await self._fill_company_choices(refresh=False)
        await self.refresh()

    async def refresh(self) -> None:
        """Fetch changes since the newest cached contact; the list re-reads its rows if any came."""
        if not self.stores.contacts.connected:
            self._gate_changed()  # not connected at all: the offline strip says so
            return
        try:
            await self.stores.contacts.sync()
            # The list's re-read and the companies' refresh are independent requests: side by side,
            # the live rows do not wait a round trip for the company filter (start-up, issue 17).
            await asyncio.gather(self._fill_company_choices(refresh=True), self.list.settled())
        except errors.ApiConnectionError as error:
            self.show_error(error)

    # ---- the write gate ----------------------------------------------------------------------
    def _pending_ids(self) -> set[str]:
        outbox = self.stores.outbox
        return outbox.pending_ids("contacts") if outbox is not None else set()

    def update_controls(self) -> None:
        """Enable the write controls for the gate and the form's state (dirty, a contact open)."""
        self._update_write_state(self.writable)

    def _update_write_state(self, writable: bool) -> None:
        # Offline with an outbox, an existing contact's edit still saves (it waits to be sent);
        # creating and deleting need the server.
        dirty = self.form.dirty
        existing = self.form.record is not None
        cannot = {verb: self.platform_block_reason(f"contacts.{verb}") for verb in ("create", "update", "delete")}
        editable = (self.editable and not cannot["update"]) if existing else (writable and not cannot["create"])
        self.form.set_read_only(not editable)
        self.companies.set_read_only(not writable)
        self.new_button.setEnabled(writable and not cannot["create"])
        self.save_button.setEnabled(editable and dirty and not self.sending)
        self.discard_button.setEnabled(dirty and not self.sending)
        self.delete_button.setEnabled(writable and existing and not cannot["delete"])
        reason = self.write_block_reason() or ""
        self.new_button.setToolTip(reason or cannot["create"] or "")
        self.delete_button.setToolTip(reason or cannot["delete"] or "")
        self.save_button.setToolTip("" if editable else (reason or cannot["update" if existing else "create"] or ""))

    def _on_dirty_changed(self, dirty: bool) -> None:
        if not dirty and self._dirty_notice is not None:
            if self.banner.plain_text == self._dirty_notice:
                self.banner.clear()
            self._dirty_notice = None
        self.update_controls()

    def show_notice_while_dirty(self, message: str) -> None:
        """A warning about the unsaved edit: it goes when the form is saved, discarded or clean."""
        self.show_notice(message, "warning")
        self.hold_while_dirty()

    def hold_while_dirty(self) -> None:
        """Tie the message now shown to the unsaved edit (an error about its fields, say)."""
        self._dirty_notice = self.banner.plain_text

    # ---- list: search, filters, sort --------------------------------------------------------
    def _on_search_typed(self, text: str) -> None:
        # One letter matches nearly everything: ranking it would cost the most and tell the least.
        text = text.strip()
        self._apply(text=text if len(text) >= MIN_SEARCH_CHARS else "", server=False)

    def _on_search_server(self) -> None:
        text = self.search.text().strip()
        if self.offline:
            self.show_notice("Offline: these are matches among cached contacts only.", "info")
            return
        self._apply(text=text, server=bool(text))

    def _apply(self, **changes: Any) -> None:
        # Built on the last query asked for, not the last shown: two quick changes both count.
        query = self._wanted.with_(**changes)
        if "server" not in changes and query.server:
            query = query.with_(server=bool(query.text) and not self.offline)
        self._wanted = query
        # No cancel: the list drops a superseded load's rows itself (its generation is stale).
        self.run(self.list.show(query))

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
        self._update_status()
        self.sig_rows_shown.emit()

    def _update_status(self, *_: object) -> None:
        self.status.setText(self.list.status_text())

    async def _fill_company_choices(self, refresh: bool) -> None:
        self._companies_refreshing += refresh
        try:
            companies = await self.companies.load(refresh=refresh)
        finally:
            self._companies_refreshing -= refresh
        pairs = [(company.id, company.name or company.id) for company in companies]
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
        """The company store changed (a save in the Companies tab): offer it in the filters and form."""
        if not self._companies_refreshing:  # a refresh under way shows the server's whole list anyway
            self.run(self._fill_company_choices(refresh=False))

    # ---- detail ----------------------------------------------------------------------------
    def _on_current_changed(self, current, previous) -> None:
        if self._selecting_back or not current.isValid():
            return
        row = self.model.record(current.row())
        if self.form.dirty and self.detail.contact_id != row[ID]:
            self.show_notice_while_dirty("Save or discard your changes to this contact before opening another.")
            self._selecting_back = True
            selection = self.table.selectionModel()
            selection.setCurrentIndex(previous, selection.SelectionFlag.ClearAndSelect | selection.SelectionFlag.Rows)
            self._selecting_back = False
            return
        self.run(self.open_contact(row[ID]))

    def _on_contacts_changed(self, change: StoreChange) -> None:
        # A removed row moves the table's current row to its neighbour: not the user opening it,
        # so the neighbour is neither opened nor left current (a click on it must open it).
        self._selecting_back = True
        try:
            self.list.on_store_change(change)
            current = self.table.currentIndex()
            if change.removed and current.isValid() and self.model.record(current.row())[ID] != self.detail.contact_id:
                self.table.selectionModel().clear()
        finally:
            self._selecting_back = False

    async def open_contact(self, contact_id: str) -> None:
        """Show the contact (cached copy first, then the server's), its tickets and invoices."""
        await self.editing.open(contact_id)

    def start_new(self) -> None:
        self.editing.start_new()

    # ---- export ----------------------------------------------------------------------------
    def _on_export_clicked(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export contacts", str(Path.home() / "contacts.csv"), "CSV (*.csv)")
        if path:
            self.start_export(Path(path))

    def start_export(self, path: Path) -> asyncio.Task:
        """Export the current filtered list to `path` in the background (progress bar, cancel)."""
        query, store = self.list.query, self.stores.contacts
        self.export_button.setEnabled(False)
        total = self._shown_count() if query.server else store.count_cached(query)
        return self.export_row.start(store.export_bodies(query, self.export_chunk_rows), path, total,
                                     open_ended=query.server)

    async def _shown_count(self) -> int:
        return self.model.rowCount()

    def cancel_export(self) -> None:
        self.export_row.cancel()

    def _on_export_finished(self, outcome: str) -> None:
        self.export_button.setEnabled(True)
        self.sig_export_finished.emit(outcome)
