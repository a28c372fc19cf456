"""The Companies tab: create a company, see it offered for contacts, and list its contacts."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from app.api import AdminClient, ApiKeyAuth
from tests.ui.test_contacts_panel import close_panel, make_panel, unique
from tests.waiting import wait_until


@pytest.fixture
def owner_key(sandbox_credentials) -> str:
    return sandbox_credentials["test"]["owner_key"]


def test_create_company_then_its_contacts_show_in_its_detail(qtbot, run_async, sandbox, owner_key, tmp_path):
    async def scenario():
        other = AdminClient(sandbox.url, ApiKeyAuth(owner_key))
        panel = await make_panel(qtbot, sandbox.url, owner_key, tmp_path / "cache.sqlite")
        try:
            await panel.activate()
            panel.tabs.setCurrentWidget(panel.companies)
            view = panel.companies
            QTest.mouseClick(view.new_button, Qt.MouseButton.LeftButton)
            name = unique("Initech ")
            qtbot.keyClicks(view.name_edit, name)
            qtbot.keyClicks(view.domain_edit, f"{unique('d')}.example")
            QTest.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
            await wait_until(lambda: panel.banner.kind == "success", 10, panel.banner.plain_text)
            company_id = view.record.id
            assert view.model.row_of_id(company_id) is not None
            await wait_until(lambda: panel.company_filter.findData(company_id) >= 0, 5, "not offered as a filter")
            assert panel.form.company_combo.findData(company_id) >= 0, "not offered in the contact form"

            person = await other.contacts.create({"name": unique("Peter "), "company_id": company_id})
            view.table.selectRow(0)
            view.table.clearSelection()
            row = view.model.row_of_id(company_id)
            view.table.selectRow(row)
            await wait_until(lambda: any(person.name in view.contacts_list.item(i).text()
                                         for i in range(view.contacts_list.count())), 10, "contacts not listed")
            # Edit: rename is saved with If-Match and shown in the table.
            view.name_edit.setText(name + " Ltd")
            QTest.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
            await wait_until(lambda: getattr(view.record, "name", None) == name + " Ltd", 10, panel.banner.plain_text)
            assert (await other.companies.get(company_id)).name == name + " Ltd"
        finally:
            await other.aclose()
            await close_panel(panel)

    run_async(scenario(), timeout=60)


def test_a_colleagues_company_edit_is_merged_and_a_shared_field_keeps_mine_on_the_second_save(
        qtbot, run_async, sandbox, owner_key, tmp_path):
    async def scenario():
        other = AdminClient(sandbox.url, ApiKeyAuth(owner_key))
        panel = await make_panel(qtbot, sandbox.url, owner_key, tmp_path / "cache.sqlite")
        try:
            company = await other.companies.create({"name": unique("Globex "), "website": "https://old.example"})
            await panel.activate()
            panel.tabs.setCurrentWidget(panel.companies)
            view = panel.companies
            view.table.selectRow(view.model.row_of_id(company.id))
            await wait_until(lambda: getattr(view.record, "id", None) == company.id, 10)
            # A colleague changes the domain only; I change the notes: merged without asking.
            await other.companies.update(company.id, {"domain": "globex.example"}, if_match=company.version)
            view.notes_edit.setPlainText("key account")
            QTest.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
            await wait_until(lambda: panel.banner.kind == "success", 10, panel.banner.plain_text)
            server = await other.companies.get(company.id)
            assert (server.domain, server.notes) == ("globex.example", "key account")

            # Now we both change the website: I am told, my value stays in the form, a second Save keeps it.
            await other.companies.update(company.id, {"website": "https://theirs.example"}, if_match=server.version)
            view.website_edit.setText("https://mine.example")
            QTest.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
            await wait_until(lambda: panel.banner.kind == "warning", 10, panel.banner.plain_text)
            assert "website" in panel.banner.plain_text and "https://theirs.example" in panel.banner.plain_text
            assert view.website_edit.text() == "https://mine.example" and view.domain_edit.text() == "globex.example"
            QTest.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
            await wait_until(lambda: panel.banner.kind == "success", 10, panel.banner.plain_text)
            final = await other.companies.get(company.id)
            assert (final.website, final.domain, final.notes) == ("https://mine.example", "globex.example",
                                                                  "key account")
        finally:
            await other.aclose()
            await close_panel(panel)

    run_async(scenario(), timeout=60)
