"""The Companies tab: list, detail with the company's contacts, create and edit.

Cached companies show at once and the full list (companies are few next to contacts) refreshes
behind them. Edits send `If-Match`; a stale edit keeps what was typed and says so.
"""

from __future__ import annotations

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
from app.ui.record_table_model import Column, RecordTableModel, field_of
from app.ui.widgets.field_form import FieldForm
from app.ui.widgets.record_json import as_json

RESOURCE = "companies"


def by_name(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Records sorted by name, case-insensitively.

    Sorted here, not by the cache: asking the cache to order by a JSON field builds an index over
    every cached record of every resource (half a second with 100k contacts) for a few dozen rows.
    """
    return sorted(records, key=lambda record: (record.get("name") or "").lower())


class CompaniesView(QWidget):
    """Companies of the workspace; `panel` provides client, cache, run, banner and read-only state."""

    def __init__(self, panel: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("companies")
        self.panel = panel
        self.model = RecordTableModel([
            Column("Name", field_of("name")),
            Column("Domain", field_of("domain")),
            Column("Website", field_of("website")),
            Column("Updated", field_of("updated_at"), text=lambda v: (v or "")[:16].replace("T", " ")),
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
        self.record: dict[str, Any] | None = None

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
        for widget in (self.new_button, self.save_button):
            widget.setEnabled(not read_only)
        for edit in (self.name_edit, self.domain_edit, self.website_edit):
            edit.setReadOnly(read_only)
        self.notes_edit.setReadOnly(read_only)

    async def load(self, refresh: bool = True) -> list[dict[str, Any]]:
        """Cached companies now; then every company from the server (cached for next time)."""
        cache = self.panel.context.cache
        cached = by_name(await cache.query_records(RESOURCE, limit=5000))
        if cached:
            self.model.set_rows(cached)
        if not refresh:
            return cached
        fresh = [as_json(item) async for item in self.panel.context.client.companies.iterate(limit=100)]
        await cache.put_records(RESOURCE, fresh)
        fresh = by_name(fresh)
        self.model.set_rows(fresh)
        return fresh

    def start_new(self) -> None:
        self.table.clearSelection()
        self._show(None)
        self.name_edit.setFocus()

    async def save(self) -> None:
        values = {
            "name": self.name_edit.text().strip(),
            "domain": self.domain_edit.text().strip() or None,
            "website": self.website_edit.text().strip() or None,
            "notes": self.notes_edit.toPlainText().strip() or None,
        }
        if not values["name"]:
            self.form.set_errors({"name": "A company needs a name."})
            return
        self.form.clear_errors()
        client = self.panel.context.client
        self.save_button.setEnabled(False)
        self.panel.show_notice("Saving company…")
        try:
            if self.record is None:
                saved = await client.companies.create(values)
            else:
                changed = {k: v for k, v in values.items() if v != (self.record.get(k) or None)}
                saved = await client.companies.update(self.record["id"], changed, if_match=self.record.get("version"))
        except errors.ApiError as error:
            self._show_save_error(error)
            return
        finally:
            self.save_button.setEnabled(self.panel.writable)
        body = as_json(saved)
        await self.panel.context.cache.put_records(RESOURCE, [body])
        self.model.upsert(body)
        self.record = body
        self.panel.show_notice(f"Saved company {body['name']}.", "success")
        self.panel.companies_changed()

    def _show_save_error(self, error: errors.ApiError) -> None:
        if isinstance(error, errors.ValidationFailed):
            self.form.set_errors(error.fields)
        elif isinstance(error, errors.Conflict) and (error.details or {}).get("field"):
            self.form.set_errors({error.details["field"]: error.message})
        self.panel.show_error(error)

    def _on_current_changed(self, current, _previous) -> None:
        if current.isValid():
            self._show(self.model.record(current.row()))

    def _show(self, record: dict[str, Any] | None) -> None:
        self.record = record
        self.form.clear_errors()
        values = record or {}
        self.name_edit.setText(values.get("name") or "")
        self.domain_edit.setText(values.get("domain") or "")
        self.website_edit.setText(values.get("website") or "")
        self.notes_edit.setPlainText(values.get("notes") or "")
        self.contacts_list.clear()
        if record is not None:
            self.panel.run(self._load_contacts(record["id"]))

    async def _load_contacts(self, company_id: str) -> None:
        cache = self.panel.context.cache
        cached = by_name(await cache.query_records("contacts", filters={"company_id": company_id}, limit=1000))
        self._fill_contacts(company_id, cached)
        if self.panel._offline_now:
            return
        fresh = [as_json(c) async for c in self.panel.context.client.contacts.iterate(company_id=company_id, limit=100)]
        await cache.put_records("contacts", fresh)
        self._fill_contacts(company_id, by_name(fresh))

    def _fill_contacts(self, company_id: str, contacts: list[dict[str, Any]]) -> None:
        if self.record is None or self.record.get("id") != company_id:
            return
        self.contacts_list.clear()
        for contact in contacts:
            self.contacts_list.addItem(f"{contact.get('name')} <{contact.get('email') or 'no email'}>")
