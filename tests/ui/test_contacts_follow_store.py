"""The contacts table follows the contact store: what the store learns shows in the rows at once."""

from __future__ import annotations

import pytest

from app.api import AdminClient, ApiKeyAuth
from app.ui.panels.contacts.contact_rows import NAME
from tests.ui.test_contacts_panel import (
    close_panel,
    make_panel,
    open_contact,
    select_row_of,
    unique,
)
from tests.waiting import wait_until


@pytest.fixture
def owner_key(sandbox_credentials) -> str:
    return sandbox_credentials["test"]["owner_key"]


def name_in_row(panel, contact_id: str) -> str | None:
    row = panel.model.row_of_id(contact_id)
    return None if row is None else panel.model.record(row)[NAME]


def test_a_fetched_change_repaints_its_row_and_a_deletion_elsewhere_removes_it(qtbot, run_async, sandbox, owner_key,
                                                                               tmp_path):
    async def scenario():
        other = AdminClient(sandbox.url, ApiKeyAuth(owner_key))
        panel = await make_panel(qtbot, sandbox.url, owner_key, tmp_path / "cache.sqlite")
        try:
            contact = await other.contacts.create({"name": unique("Row ")})
            await panel.activate()
            assert name_in_row(panel, contact.id) == contact.name
            renamed = contact.name + " Renamed"
            await other.contacts.update(contact.id, {"name": renamed})
            # Opening it fetches the server's copy; the row shows it too, without a refresh.
            await open_contact(panel, contact.id)
            await wait_until(lambda: name_in_row(panel, contact.id) == renamed, 10, "the row kept the old name")
            assert panel.form.name_edit.text() == renamed

            # Another view deletes it through the same store: the row goes.
            gone = await other.contacts.create({"name": unique("Gone ")})
            await panel.refresh()
            assert name_in_row(panel, gone.id) == gone.name
            await panel.stores.contacts.delete(await panel.stores.contacts.fetch(gone.id))
            await wait_until(lambda: panel.model.row_of_id(gone.id) is None, 10, "the deleted row stayed")
        finally:
            await other.aclose()
            await close_panel(panel)

    run_async(scenario(), timeout=60)


def test_a_contact_deleted_on_the_server_leaves_the_table_and_its_notice_goes_with_the_next_contact(
        qtbot, run_async, sandbox, owner_key, tmp_path):
    async def scenario():
        other = AdminClient(sandbox.url, ApiKeyAuth(owner_key))
        panel = await make_panel(qtbot, sandbox.url, owner_key, tmp_path / "cache.sqlite")
        try:
            kept = await other.contacts.create({"name": unique("Kept ")})
            doomed = await other.contacts.create({"name": unique("Doomed ")})
            await panel.activate()
            await other.contacts.delete(doomed.id)
            select_row_of(panel, doomed.id)
            await wait_until(lambda: "deleted on the server" in panel.banner.plain_text, 10, panel.banner.plain_text)
            await wait_until(lambda: panel.model.row_of_id(doomed.id) is None, 10, "the deleted row stayed")
            await open_contact(panel, kept.id)
            assert "deleted on the server" not in panel.banner.plain_text, "the notice outlived its contact"
        finally:
            await other.aclose()
            await close_panel(panel)

    run_async(scenario(), timeout=60)
