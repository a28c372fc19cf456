"""Invoice drafts offline: a new draft and a draft's edits wait in the outbox, marked ⇪, and go on reconnect.

A real sandbox behind a proxy that drops the network, the outbox and its sender as a session has
them. Send, void and payments stay off offline and say so. The server's event log and versions
witness that each change was applied exactly once; a colleague's change made meanwhile is merged.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from PySide6.QtCore import QDate, Qt

from app.api import AdminClient, ApiKeyAuth
from app.data.invoice_drafts import is_provisional
from app.data.outbox_replay import OutboxSender
from app.ui.panels.invoices.invoice_detail import NOT_CREATED
from app.ui.panels.invoices.panel import InvoicesPanel
from tests.ui.outbox_harness import open_flaky_session
from tests.ui.test_invoices_panel import click, type_line, us_locale  # noqa: F401  (the locale fixture)
from tests.waiting import wait_until


@pytest.fixture(autouse=True)
def quick_probe(monkeypatch):
    monkeypatch.setattr(OutboxSender, "PROBE_SECONDS", 0.1)


def line(name: str, cents: int, quantity: int = 1) -> dict:
    return {"kind": "service", "name": name, "quantity": quantity, "unit_amount_cents": cents, "tax_rate_bps": 0}


async def open_panel(qtbot, session) -> InvoicesPanel:
    panel = InvoicesPanel(session.context)
    qtbot.addWidget(panel)
    panel.resize(1280, 800)
    panel.show()
    await panel.activate()
    return panel


async def open_invoice(panel: InvoicesPanel, invoice_id: str) -> None:
    await wait_until(lambda: panel.model.row_of_id(invoice_id) is not None, 10, "the invoice is not listed")
    panel.table.selectRow(panel.model.row_of_id(invoice_id))
    await wait_until(lambda: panel.record is not None and panel.record.id == invoice_id, 5)


def cell(panel: InvoicesPanel, invoice_id: str, column: int = 0, role=Qt.ItemDataRole.DisplayRole):
    return panel.model.index(panel.model.row_of_id(invoice_id), column).data(role)


async def created_with(client: AdminClient, notes: str) -> list[str]:
    return [event.data["id"] async for event in await client.events.list(type="invoice.created", limit=100)
            if (event.data or {}).get("notes") == notes]


def test_a_new_draft_made_offline_is_listed_pending_and_created_once_on_reconnect(
        qtbot, run_async, sandbox, sandbox_credentials, tmp_path):
    key = sandbox_credentials["test"]["owner_key"]

    async def scenario():
        colleague = AdminClient(sandbox.url, ApiKeyAuth(key))
        session = await open_flaky_session(sandbox.url, key, tmp_path)
        notes = f"Written on the train {uuid.uuid4().hex[:8]}"
        try:
            panel = await open_panel(qtbot, session)
            session.drop()
            assert "Send, void and payments need a connection" in panel.offline_banner.plain_text
            assert "wait in the outbox" in panel.offline_banner.plain_text
            assert panel.new_button.isEnabled(), "a new draft can be made offline"
            click(panel.new_button)
            type_line(qtbot, panel, 0, "Site visit", "2", "150.00", "0")
            panel.editor.notes_edit.setPlainText(notes)
            click(panel.save_button)
            await wait_until(lambda: session.outbox.waiting == 1, 10, panel.banner.plain_text)
            await wait_until(lambda: "wait in the outbox" in panel.banner.plain_text, 5, panel.banner.plain_text)
            draft = panel.record
            assert is_provisional(draft.id) and draft.total_cents == 30_000
            assert cell(panel, draft.id) == "⇪ New draft", "listed, marked, numbered by the server later"
            assert "waiting to be created" in cell(panel, draft.id, role=Qt.ItemDataRole.ToolTipRole)
            for button in (panel.send_button, panel.void_button, panel.pdf_button):
                assert not button.isEnabled() and button.toolTip() == NOT_CREATED, button.objectName()

            type_line(qtbot, panel, 0, "Site visit", "3", "150.00", "0")  # changed again before the train arrives
            click(panel.save_button)
            await wait_until(lambda: session.outbox.items[0].fields["line_items"][0]["quantity"] == 3, 10,
                             panel.banner.plain_text)
            assert session.outbox.waiting == 1, "one draft, one create"
            await wait_until(lambda: panel.record.total_cents == 45_000, 5)

            session.restore()
            await wait_until(lambda: session.outbox.waiting == 0, 20, "not sent on reconnect")
            made = await created_with(colleague, notes)
            assert len(made) == 1, "created exactly once"
            await wait_until(lambda: panel.record is not None and panel.record.id == made[0], 5,
                             "the editor did not carry on with the created invoice")
            server = await colleague.invoices.get(made[0])
            assert server.total_cents == 45_000 and panel.record.invoice_number == server.invoice_number
            assert panel.model.row_of_id(draft.id) is None and cell(panel, made[0]) == server.invoice_number
            assert panel.send_button.isEnabled(), "online and on the server: it can be sent now"
        finally:
            await session.close()
            await colleague.aclose()

    run_async(scenario(), timeout=90)


def test_a_draft_edited_offline_is_sent_once_merged_with_a_colleagues_change(
        qtbot, run_async, sandbox, sandbox_credentials, tmp_path):
    key = sandbox_credentials["test"]["owner_key"]

    async def scenario():
        colleague = AdminClient(sandbox.url, ApiKeyAuth(key))
        base = await colleague.invoices.create({"currency": "USD", "line_items": [line("Design", 10_000)]})
        session = await open_flaky_session(sandbox.url, key, tmp_path)
        try:
            panel = await open_panel(qtbot, session)
            await open_invoice(panel, base.id)
            session.drop()
            assert panel.save_button.isEnabled() and not panel.send_button.isEnabled()
            assert panel.send_button.toolTip() == "Send needs a connection; the draft's edits are queued."
            assert not panel.payments.record_button.isEnabled()
            type_line(qtbot, panel, 0, "Design", "4", "100.00", "0")
            panel.editor.notes_edit.setPlainText("Four workshops")
            click(panel.save_button)
            await wait_until(lambda: session.outbox.waiting == 1, 10, panel.banner.plain_text)
            total = [column.title for column in panel.model.columns].index("Total")
            await wait_until(lambda: cell(panel, base.id, total) == "$400.00", 5,
                             "the list does not show the edit's total while it waits")
            assert cell(panel, base.id).startswith("⇪ ")
            due = date.today() + timedelta(days=60)
            await colleague.invoices.update(base.id, {"due_date": due.isoformat()})  # meanwhile

            session.restore()
            await wait_until(lambda: session.outbox.waiting == 0, 20, "not sent on reconnect")
            server = await colleague.invoices.get(base.id)
            assert (server.line_items[0].quantity, server.notes, server.due_date) == (4, "Four workshops", due)
            assert server.version == base.version + 2, "their change and mine, each once"
            await wait_until(lambda: not cell(panel, base.id).startswith("⇪"), 5, "the mark stayed")
            await wait_until(lambda: panel.editor.due_date.date() == QDate(due.year, due.month, due.day), 5,
                             "the editor does not show the merged invoice")
        finally:
            await session.close()
            await colleague.aclose()

    run_async(scenario(), timeout=90)


def test_the_outbox_dialog_words_invoice_changes_and_fixes_one_the_server_refused(
        qtbot, run_async, sandbox, sandbox_credentials, tmp_path):
    from PySide6.QtWidgets import QLabel, QLineEdit

    from app.ui.outbox_dialog import OutboxDialog

    key = sandbox_credentials["test"]["owner_key"]
    today = date.today()

    async def scenario():
        colleague = AdminClient(sandbox.url, ApiKeyAuth(key))
        base = await colleague.invoices.create({"currency": "USD", "line_items": [line("Dates", 5_000)],
                                                "issue_date": today.isoformat(),
                                                "due_date": (today + timedelta(days=10)).isoformat()})
        session = await open_flaky_session(sandbox.url, key, tmp_path)
        try:
            panel = await open_panel(qtbot, session)
            await open_invoice(panel, base.id)
            session.drop()
            soon = today + timedelta(days=5)
            panel.editor.due_date.setDate(QDate(soon.year, soon.month, soon.day))
            click(panel.save_button)
            await wait_until(lambda: session.outbox.waiting == 1, 10, panel.banner.plain_text)
            click(panel.new_button)
            customer_id, customer = panel.editor.company_combo.itemData(1), panel.editor.company_combo.itemText(1)
            panel.editor.company_combo.setCurrentIndex(1)
            type_line(qtbot, panel, 0, "Widget", "1", "50.00", "0")
            click(panel.save_button)
            await wait_until(lambda: session.outbox.waiting == 2, 10, panel.banner.plain_text)
            assert customer_id and session.outbox.items[1].fields["company_id"] == customer_id
            provisional_id = panel.record.id

            dialog = OutboxDialog(session.outbox, session.sender.kick)
            qtbot.addWidget(dialog)
            dialog.show()
            edit_row, create_row = dialog.list.item(0).text(), dialog.list.item(1).text()
            assert edit_row.startswith(f"Invoice {base.invoice_number}: due date  ·  waiting"), edit_row
            assert create_row.startswith(f"New draft for {customer}: 1 line, total $50.00"), create_row
            dialog.list.setCurrentRow(1)
            lines = dialog.findChild(QLabel, "outbox.field.line_items")
            assert lines.text().startswith("Widget × 1"), "lines in words, not JSON"
            click(dialog.drop_button)
            await wait_until(lambda: session.outbox.waiting == 1, 5)
            await wait_until(lambda: panel.model.row_of_id(provisional_id) is None, 5, "a dropped draft stays listed")

            # Meanwhile a colleague moves the issue date past my new due date: the merge is clean,
            # the server refuses the merged result.
            await colleague.invoices.update(base.id, {"issue_date": (today + timedelta(days=7)).isoformat()})
            session.restore()
            await wait_until(lambda: session.outbox.items and not session.outbox.items[0].waiting, 20,
                             "the refusal was not kept")
            await wait_until(lambda: "needs you" in dialog.list.item(0).text(), 5)
            assert "due_date: must be on or after issue_date" in dialog.reason.text()
            assert "Value error" not in dialog.reason.text()
            assert (await colleague.invoices.get(base.id)).due_date == today + timedelta(days=10), "nothing applied"
            await open_invoice(panel, base.id)
            await wait_until(lambda: "was not sent" in panel.banner.plain_text, 5, panel.banner.plain_text)
            assert "Due: must be on or after the issue date" in panel.banner.plain_text

            due_edit = dialog.findChild(QLineEdit, "outbox.field.due_date")
            assert dialog.fields_layout.labelForField(due_edit).text() == "Due date"
            later = today + timedelta(days=20)
            due_edit.setText(later.isoformat())
            click(dialog.save_button)
            await wait_until(lambda: session.outbox.waiting == 0, 20, "the fixed change was not sent")
            server = await colleague.invoices.get(base.id)
            assert (server.issue_date, server.due_date) == (today + timedelta(days=7), later)
            assert server.version == base.version + 2, "their change and my fixed one, each once"
            await wait_until(lambda: not cell(panel, base.id).startswith("⇪"), 5, "the mark stayed")
        finally:
            await session.close()
            await colleague.aclose()

    run_async(scenario(), timeout=90)
