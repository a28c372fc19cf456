"""The Contacts & companies panel against a real sandbox, driven as a person would."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from app.api import AdminClient, ApiKeyAuth
from app.cache import AsyncPageCache
from app.ui.panel_context import PanelContext
from app.ui.panels.contacts.contact_rows import (
    COMPANY_NAME,
    EMAIL,
    ID,
    NAME,
    PHONE,
    TAGS,
)
from app.ui.panels.contacts.panel import ContactsPanel
from tests.waiting import wait_until


async def make_panel(qtbot, url: str, key: str, cache_path: Path,
                     scopes: frozenset[str] = frozenset({"crm:read", "crm:write", "support:read"}),
                     transport: httpx.AsyncBaseTransport | None = None) -> ContactsPanel:
    client = AdminClient(url, ApiKeyAuth(key), transport=transport)
    cache = await AsyncPageCache.open(cache_path)
    context = PanelContext(client=client, cache=cache, profile=None, scopes=scopes)
    panel = ContactsPanel(context)
    qtbot.addWidget(panel)
    panel.resize(1200, 760)
    panel.show()
    return panel


async def close_panel(panel: ContactsPanel) -> None:
    await panel.context.tasks.cancel_all()
    await panel.context.client.aclose()
    await panel.context.cache.close()


def unique(word: str) -> str:
    return f"{word}{uuid.uuid4().hex[:8]}"


def row_names(panel: ContactsPanel) -> list[str]:
    return [row[NAME] for row in panel.model.rows]


def select_row_of(panel: ContactsPanel, contact_id: str) -> None:
    row = panel.model.row_of_id(contact_id)
    assert row is not None, f"{contact_id} is not in the table"
    index = panel.model.index(row, 0)
    panel.table.scrollTo(index)
    rect = panel.table.visualRect(index)
    QTest.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


async def open_contact(panel: ContactsPanel, contact_id: str) -> None:
    select_row_of(panel, contact_id)
    await wait_until(lambda: record_id(panel) == contact_id and panel.tickets_list.count() > 0,
                     10, f"the contact's detail never loaded: {panel.banner.plain_text}")


def record_id(panel: ContactsPanel) -> str | None:
    """The id of the contact open in the form (None: none, or a new one)."""
    return panel.form.record.id if panel.form.record is not None else None


@pytest.fixture
def owner_key(sandbox_credentials) -> str:
    return sandbox_credentials["test"]["owner_key"]


def test_cached_rows_then_lazy_paging_and_local_search(qtbot, run_async, sandbox, owner_key, tmp_path):
    async def scenario():
        panel = await make_panel(qtbot, sandbox.url, owner_key, tmp_path / "cache.sqlite")
        try:
            await panel.activate()
            first = panel.model.rowCount()
            assert 0 < first <= 100, "the first server page fills an empty cache"
            assert panel.model.has_more, "the sandbox has more contacts than one page"
            # Scrolling to the bottom pages the server on (canFetchMore/fetchMore).
            panel.table.scrollToBottom()
            await wait_until(lambda: panel.model.rowCount() > first, 10, "scrolling never loaded the next page")
            # A fresh panel on the same cache shows the cached rows before any request.
            cached_names = row_names(panel)
        finally:
            await close_panel(panel)
        again = await make_panel(qtbot, sandbox.url, owner_key, tmp_path / "cache.sqlite")
        try:
            await again.list.show(again.list.query)
            assert again.model.rowCount() >= len(cached_names)
            # Instant local search: the typed prefix of a cached name narrows the table.
            target = cached_names[5]
            word = target.split()[0][:4]
            qtbot.keyClicks(again.search, word)
            await wait_until(lambda: again.list.query.text == word and again.model.rowCount() > 0
                             and all(word.lower() in (r[NAME] + r[EMAIL] + r[COMPANY_NAME] + r[TAGS] + r[PHONE]).lower()
                                     for r in again.model.rows), 5, "local search did not narrow the rows")
            assert target in row_names(again)
            assert "best cached matches" in again.status.text()
        finally:
            await close_panel(again)

    run_async(scenario(), timeout=60)


def test_detail_shows_every_field_and_the_contacts_tickets_and_invoices(qtbot, run_async, sandbox, owner_key, tmp_path):
    async def scenario():
        other = AdminClient(sandbox.url, ApiKeyAuth(owner_key))
        panel = await make_panel(qtbot, sandbox.url, owner_key, tmp_path / "cache.sqlite")
        try:
            contact = await other.contacts.create({"name": unique("Detail "), "phone": "+44 20 7946 0000",
                                                   "tags": ["vip", "beta"], "notes": "prefers email",
                                                   "custom_fields": {"plan": "pro", "seats": 12, "trial": False,
                                                                     "code": "007"}})
            ticket = await other.tickets.create({"subject": unique("Printer on fire "), "contact_id": contact.id})
            invoice = await other.invoices.create({"currency": "EUR", "contact_id": contact.id, "line_items": [
                {"kind": "service", "name": "Setup", "quantity": 1, "unit_amount_cents": 12345}]})
            await panel.activate()
            select_row_of(panel, contact.id)
            await wait_until(lambda: record_id(panel) == contact.id
                             and panel.tickets_list.count() and ticket.subject in panel.tickets_list.item(0).text(),
                             10, "related records missing")
            assert invoice.invoice_number in panel.invoices_list.item(0).text()
            assert panel.form.phone_edit.text() == "+44 20 7946 0000" and panel.form.tags_edit.text() == "vip, beta"
            assert panel.form.notes_edit.toPlainText() == "prefers email"
            assert panel.form.custom_edit.toPlainText().splitlines() == ["plan: pro", "seats: 12", "trial: false",
                                                                         'code: "007"']
            assert not panel.form.dirty, "custom fields round-trip without looking edited"

            # A colleague renames the contact; a refresh (updated_since) brings just that change.
            renamed = contact.name + " Jr"
            await other.contacts.update(contact.id, {"name": renamed})
            await panel.refresh()
            row = panel.model.row_of_id(contact.id)
            assert row is not None and panel.model.record(row)[NAME] == renamed
        finally:
            await other.aclose()
            await close_panel(panel)

    run_async(scenario(), timeout=60)


def test_a_read_only_credential_can_look_but_not_change(qtbot, run_async, sandbox, sandbox_credentials, tmp_path):
    async def scenario():
        key = sandbox_credentials["test"]["readonly_key"]
        panel = await make_panel(qtbot, sandbox.url, key, tmp_path / "cache.sqlite", frozenset({"crm:read", "support:read"}))
        try:
            await panel.activate()
            assert panel.model.rowCount() > 0 and not panel.offline_banner.isVisible()
            first = panel.model.record(0)[ID]
            select_row_of(panel, first)
            await wait_until(lambda: record_id(panel) == first, 10, panel.banner.plain_text)
            assert panel.form.name_edit.isReadOnly() and not panel.new_button.isEnabled()
            assert not panel.delete_button.isEnabled() and "crm:write" in panel.new_button.toolTip()
            assert not panel.companies.new_button.isEnabled()
        finally:
            await close_panel(panel)

    run_async(scenario(), timeout=60)
