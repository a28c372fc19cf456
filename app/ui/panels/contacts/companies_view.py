"""The Companies tab: list, detail with the company's contacts, create and edit.

Cached companies show at once and the full list (companies are few next to contacts) refreshes
behind them, all through the company store. Edits send `If-Match` with the version the form was
loaded at; a colleague's change to other fields is merged in, and when we both changed the same
field the form keeps what I typed (beside their other changes) and says which fields collided.
Offline, an existing company's edit still saves: it waits in the outbox (the row is marked ⇪)
and is sent when the server answers again; a new company needs the server.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.api import errors
from app.api.models import Company, Contact
from app.data.outbox import SecretInChange
from app.data.record_store import MergeNeeded, Queued, StoreChange
from app.ui.record_table_model import Column, RecordTableModel, field_of
from app.ui.store_binding import bind
from app.ui.widgets.field_form import FieldForm

EDITABLE = ("name", "domain", "website", "notes")
#: Put before the name of a company whose change waits in the outbox.
PENDING_MARK = "⇪ "


def short_time(value: datetime | str | None) -> str:
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    return (value or "")[:16].replace("T", " ")


class CompaniesView(QWidget):
    """Companies of the workspace; `panel` provides stores, run, banner and the write gate."""

    def __init__(self, panel: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("companies")
        self.panel = panel
        self.store = panel.stores.companies
        pending = self.store.pending_ids
        self.model = RecordTableModel([
            Column("Name", lambda company: (PENDING_MARK if company.id in pending() else "") + (company.name or ""),
                   sort_key=field_of("name"), object_name="name",
                   tooltip=lambda company: ("A change to this company waits to be sent (see the status bar)."
                                            if company.id in pending() else None)),
            Column("Domain", field_of("domain")),
            Column("Website", field_of("website")),
            Column("Updated", field_of("updated_at"), text=short_time),
        ], self)
        self.table = QTableView(self)
        self.table.setObjectName("companies.table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.setSortingEnabled(True)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_changed)

        self.new_button = QPushButton("New company", self)
        self.new_button.setObjectName("companies.new")
        self.new_button.clicked.connect(self.start_new)
        self.form = FieldForm("companies.form", self)
        self.name_edit = self.form.add_field("name", "Name", QLineEdit())
        self.domain_edit = self.form.add_field("domain", "Domain", QLineEdit())
        self.website_edit = self.form.add_field("website", "Website", QLineEdit())
        self.notes_edit = self.form.add_field("notes", "Notes", QPlainTextEdit())
        self.notes_edit.setFixedHeight(60)
        self.save_button = QPushButton("Save company", self)
        self.save_button.setObjectName("companies.save")
        self.save_button.clicked.connect(lambda: self.panel.run(self.save()))
        self.contacts_list = QListWidget(self)
        self.contacts_list.setObjectName("companies.contacts")
        #: The company the form was loaded with: the base of the edit (None: a new company).
        self.record: Company | None = None
        #: Creating needs the server (the panel's gate says when it is out of reach).
        self._create_blocked = True
        if self.store.outbox is not None:  # the ⇪ marks follow what waits to be sent
            bind(self.store.outbox.changes, self, lambda _items: self.table.viewport().update())
        bind(self.store.changes, self, self._on_store_changed)

        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.new_button, 0, Qt.AlignmentFlag.AlignLeft)
        left_layout.addWidget(self.table, 1)
        right = QWidget(self)
        right.setObjectName("companies.detail")
        right_layout = QVBoxLayout(right)
        right_layout.addWidget(self.form)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        right_layout.addLayout(buttons)
        right_layout.addWidget(QLabel("Contacts at this company", right))
        right_layout.addWidget(self.contacts_list, 1)
        splitter = QSplitter(self)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

    def set_read_only(self, read_only: bool) -> None:
        """No writes that need the server (`read_only`: creating); an existing company's edit still
        saves while the panel's gate lets edits wait in the outbox (`panel.editable`)."""
        self._create_blocked = read_only
        self._update_controls()

    def _update_controls(self) -> None:
        editable = self.panel.editable and (self.record is not None or not self._create_blocked)
        reason = self.panel.write_block_reason() or ""
        self.new_button.setEnabled(not self._create_blocked)
        self.new_button.setToolTip(reason if self._create_blocked else "")
        self.save_button.setEnabled(editable)
        self.save_button.setToolTip("" if editable else (self.panel.edit_block_reason() or reason))
        for edit in (self.name_edit, self.domain_edit, self.website_edit):
            edit.setReadOnly(not editable)
        self.notes_edit.setReadOnly(not editable)

    async def load(self, refresh: bool = True) -> list[Company]:
        """Cached companies now; then (with `refresh`) every company from the server, cached."""
        cached = await self.store.listed(refresh=False)
        if cached:
            self.model.set_rows(cached)
        if not refresh:
            return cached
        fresh = await self.store.listed(refresh=True)
        self.model.set_rows(fresh)
        return fresh

    def start_new(self) -> None:
        self.table.clearSelection()
        self._show(None)
        self.name_edit.setFocus()

    def values(self) -> dict[str, Any]:
        return {
            "name": self.name_edit.text().strip(),
            "domain": self.domain_edit.text().strip() or None,
            "website": self.website_edit.text().strip() or None,
            "notes": self.notes_edit.toPlainText().strip() or None,
        }

    def changed(self) -> dict[str, Any]:
        """The fields typed differently from the company as loaded (everything, for a new one)."""
        values = self.values()
        if self.record is None:
            return {k: v for k, v in values.items() if v}
        return {k: v for k, v in values.items() if v != (getattr(self.record, k) or None)}

    async def save(self) -> None:
        values = self.values()
        if not values["name"]:
            self.form.set_errors({"name": "A company needs a name."})
            return
        changed = self.changed()
        if self.record is not None and not changed:
            self.panel.show_notice("Nothing to save: no field of this company changed.")
            return
        self.form.clear_errors()
        self.save_button.setEnabled(False)
        self.panel.show_notice("Saving company…")
        queued = False
        try:
            if self.record is None:
                saved = await self.store.create(values)
            else:
                outcome = await self.store.update(self.record, changed)
                if isinstance(outcome, MergeNeeded):
                    self._show_collision(outcome)
                    return
                saved, queued = outcome.record, isinstance(outcome, Queued)
        except SecretInChange as refused:
            self.panel.show_notice(str(refused), "error")
            return
        except errors.ApiError as error:
            self._show_save_error(error)
            return
        finally:
            self._update_controls()
        self.model.upsert(saved)
        self._show(saved, load_contacts=False)
        if queued:
            self.panel.show_notice(f"{saved.name}: the server could not be reached; your change waits in the "
                                   "outbox and is sent when it can be.", "info")
        else:
            self.panel.show_notice(f"Saved company {saved.name}.", "success")

    def _show_collision(self, needed: MergeNeeded[Company]) -> None:
        """We both changed some fields: keep mine in the form (theirs elsewhere), base on theirs."""
        mine = needed.merge.resolved({conflict.path: "mine" for conflict in needed.merge.conflicts})
        self._show(needed.theirs, load_contacts=False)
        self._fill({name: mine.get(name) for name in EDITABLE})
        theirs = "; ".join(f"{c.label}: “{c.theirs or ''}”" for c in needed.merge.conflicts)
        self.panel.banner.show_message(
            "warning", f"{needed.theirs.name} was changed by someone else meanwhile (theirs: {theirs}). "
            "Your values are in the form with their other changes; Save again to keep yours.")

    def _show_save_error(self, error: errors.ApiError) -> None:
        if isinstance(error, errors.ValidationFailed):
            self.form.set_errors(error.fields)
        elif isinstance(error, errors.Conflict) and (error.details or {}).get("field"):
            self.form.set_errors({error.details["field"]: error.message})
        self.panel.show_error(error)

    def _on_current_changed(self, current, _previous) -> None:
        if current.isValid():
            self._show(self.model.record(current.row()))

    def _show(self, record: Company | None, *, load_contacts: bool = True) -> None:
        self.record = record
        self.form.clear_errors()
        self._fill({name: getattr(record, name) for name in EDITABLE} if record else {})
        self._update_controls()
        held = self.store.waiting_change(record.id) if record is not None else None
        if held is not None and not held.waiting:
            # Saving again here would only queue behind the held change: it is fixed in the outbox.
            self.panel.banner.show_message(
                "warning", f"Your change to {record.name} was not sent: {held.message.removeprefix('Not sent: ')} "
                "Edit or drop it in the outbox (“changes waiting” in the status bar).")
        if load_contacts:
            self.contacts_list.clear()
            if record is not None:
                self.panel.run(self._load_contacts(record.id))

    def _on_store_changed(self, change: StoreChange) -> None:
        """The shown company was stored anew (a queued change sent, a colleague's read): show it,
        unless the form holds typing of its own."""
        if self.record is not None and self.record.id in change.upserted and not self.changed():
            self.panel.run(self._reload(self.record.id))

    async def _reload(self, company_id: str) -> None:
        fresh = await self.store.cached(company_id)
        if fresh is not None and self.record is not None and self.record.id == company_id and not self.changed():
            self._show(fresh, load_contacts=False)

    def _fill(self, values: dict[str, Any]) -> None:
        self.name_edit.setText(values.get("name") or "")
        self.domain_edit.setText(values.get("domain") or "")
        self.website_edit.setText(values.get("website") or "")
        self.notes_edit.setPlainText(values.get("notes") or "")

    async def _load_contacts(self, company_id: str) -> None:
        contacts = self.panel.stores.contacts
        self._fill_contacts(company_id, await contacts.at_company(company_id, refresh=False))
        if self.panel.offline:
            return
        self._fill_contacts(company_id, await contacts.at_company(company_id, refresh=True))

    def _fill_contacts(self, company_id: str, contacts: list[Contact]) -> None:
        if self.record is None or self.record.id != company_id:
            return
        self.contacts_list.clear()
        for contact in contacts:
            self.contacts_list.addItem(f"{contact.name} <{contact.email or 'no email'}>")
