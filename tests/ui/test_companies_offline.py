"""The Companies tab offline: an existing company still saves, marked ⇪, and is sent on reconnect.

A real sandbox behind a proxy that drops the network; the server's version and event log say the
edit was applied exactly once, merged with a colleague's change made meanwhile; a change the
server refuses on replay stays in the outbox and the company says why when opened.
"""

from __future__ import annotations

import uuid

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from app.api import AdminClient, ApiKeyAuth
from app.data.outbox_replay import OutboxSender
from app.ui.panels.contacts.panel import ContactsPanel
from tests.ui.outbox_harness import open_flaky_session
from tests.waiting import wait_until


@pytest.fixture(autouse=True)
def quick_probe(monkeypatch):
    monkeypatch.setattr(OutboxSender, "PROBE_SECONDS", 0.1)


def click(widget) -> None:
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton)


async def open_companies(qtbot, session, company_id: str):
    panel = ContactsPanel(session.context)
    qtbot.addWidget(panel)
    panel.resize(1200, 760)
    panel.show()
    await panel.activate()
    panel.tabs.setCurrentWidget(panel.companies)
    view = panel.companies
    await wait_until(lambda: view.model.row_of_id(company_id) is not None, 10, "the company is not listed")
    view.table.selectRow(view.model.row_of_id(company_id))
    await wait_until(lambda: view.record is not None and view.record.id == company_id, 5)
    return panel, view


def name_cell(view, company_id: str) -> str:
    return view.model.index(view.model.row_of_id(company_id), 0).data()


async def updated_events(client, company_id: str, website: str) -> int:
    count = 0
    async for event in await client.events.list(type="company.updated", limit=100):
        data = event.data or {}
        count += data.get("id") == company_id and data.get("website") == website
    return count


def test_a_company_edited_offline_is_marked_pending_and_sent_once_merged_on_reconnect(
        qtbot, run_async, sandbox, sandbox_credentials, tmp_path):
    key = sandbox_credentials["test"]["owner_key"]

    async def scenario():
        colleague = AdminClient(sandbox.url, ApiKeyAuth(key))
        stamp = uuid.uuid4().hex[:8]
        company = await colleague.companies.create({"name": f"Aaa Offline {stamp}", "notes": "old"})
        session = await open_flaky_session(sandbox.url, key, tmp_path)
        try:
            panel, view = await open_companies(qtbot, session, company.id)
            session.drop()
            assert "wait in the outbox" in panel.offline_banner.plain_text
            assert not view.new_button.isEnabled(), "a new company needs the server"
            assert view.new_button.toolTip().startswith("Offline")
            assert view.save_button.isEnabled() and not view.website_edit.isReadOnly(), "an edit still saves"

            website = f"https://{stamp}.example.com"
            view.website_edit.setText(website)
            click(view.save_button)
            await wait_until(lambda: session.outbox.waiting == 1, 10, panel.banner.plain_text)
            await wait_until(lambda: "waits in the outbox" in panel.banner.plain_text, 5, panel.banner.plain_text)
            await wait_until(lambda: name_cell(view, company.id).startswith("⇪ "), 5, "no pending mark")
            assert "waits to be sent" in view.model.index(view.model.row_of_id(company.id), 0).data(
                Qt.ItemDataRole.ToolTipRole)

            await colleague.companies.update(company.id, {"notes": "theirs"})
            session.restore()
            await wait_until(lambda: session.outbox.waiting == 0, 20, "not sent on reconnect")
            server = await colleague.companies.get(company.id)
            assert (server.website, server.notes) == (website, "theirs"), "merged three ways"
            assert server.version == company.version + 2
            assert await updated_events(colleague, company.id, website) == 1, "sent exactly once"
            await wait_until(lambda: not name_cell(view, company.id).startswith("⇪"), 5, "the mark stayed")
            await wait_until(lambda: view.notes_edit.toPlainText() == "theirs", 5,
                             "the form shows the server's company after the send")
        finally:
            await session.close()
            await colleague.aclose()

    run_async(scenario(), timeout=90)


def test_a_company_change_refused_on_replay_waits_with_the_servers_words(
        qtbot, run_async, sandbox, sandbox_credentials, tmp_path):
    key = sandbox_credentials["test"]["owner_key"]

    async def scenario():
        colleague = AdminClient(sandbox.url, ApiKeyAuth(key))
        company = await colleague.companies.create({"name": f"Aaa Refused {uuid.uuid4().hex[:8]}"})
        session = await open_flaky_session(sandbox.url, key, tmp_path)
        try:
            panel, view = await open_companies(qtbot, session, company.id)
            session.drop()
            view.website_edit.setText("not a web address")
            click(view.save_button)
            await wait_until(lambda: session.outbox.waiting == 1, 10, panel.banner.plain_text)
            session.restore()
            await wait_until(lambda: session.outbox.items and not session.outbox.items[0].waiting, 20,
                             "the refusal was not kept")
            assert "valid http(s) URL" in session.outbox.items[0].message
            assert (await colleague.companies.get(company.id)).version == company.version
            assert name_cell(view, company.id).startswith("⇪ "), "still waiting: still marked"

            view.table.clearSelection()
            view.start_new()
            view.table.selectRow(view.model.row_of_id(company.id))
            await wait_until(lambda: "was not sent" in panel.banner.plain_text, 5, panel.banner.plain_text)
            assert "valid http(s) URL" in panel.banner.plain_text and "outbox" in panel.banner.plain_text
        finally:
            await session.close()
            await colleague.aclose()

    run_async(scenario(), timeout=90)
