"""The ticket triage panel against a real sandbox, driven by keyboard and mouse as an agent would."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from app.api import AdminClient, ApiKeyAuth
from app.cache import AsyncPageCache
from app.core.drafts import DraftStore
from app.ui.panel_context import PanelContext
from app.ui.panels.tickets.composer import draft_key
from app.ui.panels.tickets.panel import TicketsPanel
from app.ui.panels.tickets.timeline import NOTE, OUTBOUND
from tests.waiting import wait_until

SCOPES = frozenset({"support:read", "support:write", "crm:read"})


async def make_panel(qtbot, url: str, key: str, home: Path, *, max_retries: int = 4) -> TicketsPanel:
    """A panel wired as the shell wires it: a client, the profile's page cache and drafts."""
    client = AdminClient(url, ApiKeyAuth(key), max_retries=max_retries)
    cache = await AsyncPageCache.open(home / "cache.sqlite")
    drafts = DraftStore(home / "drafts.sqlite")
    context = PanelContext(client=client, cache=cache, profile=None, scopes=SCOPES, drafts=drafts)
    panel = TicketsPanel(context)
    qtbot.addWidget(panel)
    panel.resize(1400, 820)
    panel.show()
    panel.activateWindow()
    qtbot.waitExposed(panel)
    return panel


async def close_panel(panel: TicketsPanel) -> None:
    await panel.context.tasks.cancel_all()
    await panel.context.client.aclose()
    await panel.context.cache.close()
    panel.context.drafts.close()


def press(panel: TicketsPanel, key: str) -> None:
    """A key pressed where the agent's focus is (the list, unless a composer or picker has it)."""
    target = QApplication.focusWidget() or panel.tickets.table
    QTest.keyClick(target, key)


def current_id(panel: TicketsPanel) -> str | None:
    ticket = panel.tickets.current_ticket()
    return ticket["id"] if ticket else None


async def opened(panel: TicketsPanel, ticket_id: str) -> None:
    await wait_until(lambda: panel.snapshot is not None and panel.snapshot.ticket_id == ticket_id,
                     10, f"{ticket_id} never finished opening")


@pytest.fixture
def owner_key(sandbox_credentials) -> str:
    return sandbox_credentials["test"]["owner_key"]


async def create_ticket(client: AdminClient, subject: str, **fields) -> dict:
    ticket = await client.tickets.create({"subject": subject, **fields})
    await client.tickets.messages.create(ticket.id, {"direction": "inbound", "channel": "email",
                                                     "body": f"Customer writes about {subject}"})
    return ticket.model_dump(mode="json")


async def go_to(panel: TicketsPanel, ticket_id: str) -> None:
    """Walk the list with j until `ticket_id` is current, as an agent scanning the list would."""
    panel.tickets.table.setFocus()
    for _ in range(panel.tickets.model.rowCount() + 1):
        if current_id(panel) == ticket_id:
            await opened(panel, ticket_id)
            return
        press(panel, "j")
    raise AssertionError(f"{ticket_id} is not reachable with j")


async def pick_with_keys(panel: TicketsPanel, key: str, combo, wanted) -> None:
    """Press the shortcut, then walk the opened list with arrows and choose with Enter."""
    press(panel, key)
    await wait_until(lambda: combo.view().isVisible(), 5, f"{key} did not open its picker")
    steps = combo.findData(wanted) - combo.currentIndex()
    for _ in range(abs(steps)):
        QTest.keyClick(combo.view(), Qt.Key.Key_Down if steps > 0 else Qt.Key.Key_Up)
    QTest.keyClick(combo.view(), Qt.Key.Key_Return)
    # The offscreen platform leaves no window active after a popup closes; a desktop re-activates it.
    await wait_until(lambda: not combo.view().isVisible(), 5, "the picker did not close")
    panel.activateWindow()
    await wait_until(lambda: QApplication.activeWindow() is panel, 5, "the panel's window never came back")


def list_value(panel: TicketsPanel, ticket_id: str, field: str):
    return next(t for t in panel.tickets.all_tickets if t["id"] == ticket_id).get(field)


def test_triage_by_keyboard_only(qtbot, run_async, sandbox, owner_key, tmp_path):
    async def scenario():
        admin = AdminClient(sandbox.url, ApiKeyAuth(owner_key))
        subject = f"Keyboard triage {uuid.uuid4().hex[:6]}"
        ticket = await create_ticket(admin, subject, priority="normal")
        panel = await make_panel(qtbot, sandbox.url, owner_key, tmp_path)
        try:
            await panel.activate()
            assert panel.tickets.model.rowCount() > 10
            panel.tickets.table.setFocus()
            first = current_id(panel)
            assert first is not None, "the first ticket opens on its own"
            press(panel, "j")
            second = current_id(panel)
            assert second != first, "j moves to the next ticket"
            press(panel, "k")
            assert current_id(panel) == first, "k moves back"

            await go_to(panel, ticket["id"])
            detail = panel.detail
            assert detail.subject.text() == subject

            await pick_with_keys(panel, "s", detail.status, "open")
            await wait_until(lambda: list_value(panel, ticket["id"], "status") == "open", 10, "s did not set the status")
            await pick_with_keys(panel, "p", detail.priority, "urgent")
            await wait_until(lambda: list_value(panel, ticket["id"], "priority") == "urgent", 10, "p did not set priority")
            member = detail.assignee.itemData(1)
            await pick_with_keys(panel, "a", detail.assignee, member)
            await wait_until(lambda: list_value(panel, ticket["id"], "assignee_id") == member, 10, "a did not assign")

            panel.tickets.table.setFocus()
            press(panel, "r")
            assert detail.reply_composer.editor.hasFocus(), "r puts the cursor in the reply composer"
            QTest.keyClicks(detail.reply_composer.editor, "We are on it.")
            QTest.keyClick(detail.reply_composer.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
            await wait_until(lambda: any(e.kind == OUTBOUND and e.body == "We are on it."
                                         for e in detail.conversation.entries), 10, "the reply never showed")
            QTest.keyClick(detail.reply_composer.editor, Qt.Key.Key_Escape)
            assert panel.tickets.table.hasFocus(), "Esc goes back to the list"

            press(panel, "n")
            assert detail.note_composer.editor.hasFocus(), "n puts the cursor in the note composer"
            QTest.keyClicks(detail.note_composer.editor, "Checked the logs.")
            QTest.keyClick(detail.note_composer.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
            await wait_until(lambda: any(e.kind == NOTE and e.body == "Checked the logs."
                                         for e in detail.conversation.entries), 10, "the note never showed")
            QTest.keyClick(detail.note_composer.editor, Qt.Key.Key_Escape)

            press(panel, "e")
            await wait_until(lambda: list_value(panel, ticket["id"], "status") == "resolved", 10, "e did not resolve")

            server = await admin.tickets.get(ticket["id"])
            assert (server.status, server.priority, server.assignee_id) == ("resolved", "urgent", member)
            assert server.first_responded_at is not None, "the reply reached the customer thread"
            comments = (await admin.tickets.comments.list(ticket["id"])).items
            assert [c.body for c in comments] == ["Checked the logs."]

            press(panel, "?")
            await wait_until(lambda: panel.shortcuts_dialog is not None and panel.shortcuts_dialog.isVisible(),
                             5, "? did not show the shortcuts")
            table = panel.shortcuts_dialog.table
            keys = {table.item(row, 0).text() for row in range(table.rowCount())}
            assert {"j", "k", "r", "n", "a", "s", "p", "e", "?"} <= keys
        finally:
            await close_panel(panel)
            await admin.aclose()

    run_async(scenario(), 90)
