"""The ticket triage panel against a real sandbox, driven by keyboard and mouse as an agent would."""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from app.api import AdminClient, ApiKeyAuth
from app.api.errors import ApiConnectionError
from app.cache import AsyncPageCache
from app.core.drafts import DraftStore
from app.core.sandbox_process import SandboxProcess
from app.ui.panel_context import PanelContext
from app.ui.panels.tickets.composer import draft_key
from app.ui.panels.tickets.panel import TicketsPanel
from app.ui.panels.tickets.timeline import NOTE, OUTBOUND
from tests.ui.test_api_keys import screenshot
from tests.waiting import wait_until

SCOPES = frozenset({"support:read", "support:write", "crm:read"})


async def make_panel(qtbot, url: str, key, home: Path, *, max_retries: int = 4,
                     owned_by_qtbot: bool = True, scopes: frozenset[str] = SCOPES) -> TicketsPanel:
    """A panel wired as the shell wires it: a client, the profile's page cache and drafts.

    `key` is an API key, or any client credential (e.g. a user login)."""
    client = AdminClient(url, ApiKeyAuth(key) if isinstance(key, str) else key, max_retries=max_retries)
    cache = await AsyncPageCache.open(home / "cache.sqlite")
    drafts = DraftStore(home / "drafts.sqlite")
    context = PanelContext(client=client, cache=cache, profile=None, scopes=scopes, drafts=drafts)
    panel = TicketsPanel(context)
    try:  # what the session does once it has connected: who is this credential (GET /me)
        await context.stores.identity.load()
    except ApiConnectionError:
        pass  # offline: the last known identity, if any, was applied
    if owned_by_qtbot:
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
    return ticket.id if ticket else None


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
    """Narrow the list by typing the ticket's id, then walk it with j, as an agent would."""
    search = panel.tickets.search
    search.setFocus()
    QTest.keyClicks(search, ticket_id)
    panel.tickets.table.setFocus()
    for _ in range(panel.tickets.model.rowCount() + 1):
        if current_id(panel) == ticket_id:
            break
        press(panel, "j")
    else:
        raise AssertionError(f"{ticket_id} is not reachable with j")
    search.clear()  # the whole list again; the ticket stays open
    assert current_id(panel) == ticket_id
    await opened(panel, ticket_id)


@asynccontextmanager
async def ticket_opened(qtbot, sandbox: SandboxProcess, key: str, home: Path, subject: str,
                        **fields) -> AsyncIterator[tuple[TicketsPanel, AdminClient, dict]]:
    """A new ticket (made with the owner's own client), then a panel on `home` with that ticket
    reached from the list as an agent would: yields (panel, the owner's client, the ticket); both
    clients are closed afterwards."""
    admin = AdminClient(sandbox.url, ApiKeyAuth(key))
    try:
        ticket = await create_ticket(admin, subject, **fields)
        panel = await make_panel(qtbot, sandbox.url, key, home)
        try:
            await panel.activate()
            await go_to(panel, ticket["id"])
            yield panel, admin, ticket
        finally:
            await close_panel(panel)
    finally:
        await admin.aclose()


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
    return getattr(next(t for t in panel.tickets.all_tickets if t.id == ticket_id), field)


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
            assert set(panel.shortcuts) <= keys, "every bound key is listed"
        finally:
            await close_panel(panel)
            await admin.aclose()

    run_async(scenario(), 90)


def test_reply_draft_survives_a_crash(qtbot, run_async, sandbox, owner_key, tmp_path):
    async def scenario():
        admin = AdminClient(sandbox.url, ApiKeyAuth(owner_key))
        ticket = await create_ticket(admin, f"Draft crash {uuid.uuid4().hex[:6]}")
        text = "Hello, I looked into your invoice and"
        panel = await make_panel(qtbot, sandbox.url, owner_key, tmp_path, owned_by_qtbot=False)
        try:
            await panel.activate()
            await go_to(panel, ticket["id"])
            press(panel, "r")
            QTest.keyClicks(panel.detail.reply_composer.editor, text)
            # The draft is written while typing (debounced), not on close.
            await wait_until(lambda: DraftStore(tmp_path / "drafts.sqlite").load(draft_key(ticket["id"], "reply")) == text,
                             5, "the draft was never saved while typing")
        finally:
            await panel.context.tasks.cancel_all()
            await panel.context.client.aclose()
            await panel.context.cache.close()
        # A crash: the widget is destroyed without closeEvent, the drafts file is never closed.
        QApplication.instance().setQuitOnLastWindowClosed(False)  # as the shell sets it
        destroyed = []
        panel.destroyed.connect(lambda: destroyed.append(True))
        panel.deleteLater()
        await wait_until(lambda: destroyed, 5, "the panel was not destroyed")

        again = await make_panel(qtbot, sandbox.url, owner_key, tmp_path)
        try:
            await again.activate()
            await go_to(again, ticket["id"])
            composer = again.detail.reply_composer
            await wait_until(composer.isVisible, 5, "a ticket with a draft opens with its composer showing")
            assert composer.text() == text
            assert "Draft restored" in composer.status.text()
            def subject() -> str:
                model = again.tickets.model
                return model.data(model.index(model.row_of_id(ticket["id"]), again.tickets.subject_column))
            await wait_until(lambda: subject().startswith("✎ "), 5, "the list does not mark the unsent draft")
        finally:
            await close_panel(again)
            await admin.aclose()

    run_async(scenario(), 60)


def test_secret_in_a_reply_is_held_until_confirmed(qtbot, run_async, sandbox, owner_key, tmp_path):
    async def scenario():
        secret = "opk_test_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6"
        async with ticket_opened(qtbot, sandbox, owner_key, tmp_path,
                                 f"Secret check {uuid.uuid4().hex[:6]}") as (panel, admin, ticket):
            press(panel, "r")
            composer = panel.detail.reply_composer
            QTest.keyClicks(composer.editor, f"Use this key: {secret} and Hi {{{{name}}}}")
            qtbot.mouseClick(composer.send, Qt.MouseButton.LeftButton)
            assert composer.warning.isVisible(), "the secret warning shows before anything is sent"
            assert "test API key" in composer.warning.text() and "template placeholder" in composer.warning.text()
            assert secret not in composer.warning.text(), "the warning itself masks the key"
            assert composer.send_anyway.isVisible()
            await panel.context.tasks.cancel_all()  # nothing may be in flight: the reply is not sent
            messages = (await admin.tickets.messages.list(ticket["id"])).items
            assert [m.direction for m in messages] == ["inbound"], "the reply went out without confirmation"

            qtbot.mouseClick(composer.send_anyway, Qt.MouseButton.LeftButton)
            await wait_until(lambda: composer.status.text() == "Sent.", 10, "confirmed reply was not sent")
            messages = (await admin.tickets.messages.list(ticket["id"])).items
            assert any(m.direction == "outbound" and secret in m.body for m in messages)
            assert composer.text() == ""
            await wait_until(lambda: panel.context.drafts.load(draft_key(ticket["id"], "reply")) is None, 5,
                             "a sent draft is not forgotten")

    run_async(scenario(), 60)


def test_a_concurrent_reply_holds_ours_and_shows_it_first(qtbot, run_async, sandbox, owner_key, tmp_path):
    async def scenario():
        async with ticket_opened(qtbot, sandbox, owner_key, tmp_path,
                                 f"Collision {uuid.uuid4().hex[:6]}") as (panel, admin, ticket):
            press(panel, "r")
            composer = panel.detail.reply_composer
            QTest.keyClicks(composer.editor, "Please restart the app.")
            # Meanwhile a colleague answers from another console.
            colleague = await admin.tickets.messages.create(
                ticket["id"], {"direction": "outbound", "channel": "email", "body": "Fixed on our side, try now."})
            QTest.keyClick(composer.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
            await wait_until(lambda: panel.detail.activity_notice.isVisible(), 10, "the reply was not held")
            assert "New activity since you opened this ticket" in panel.detail.activity_notice.text()
            new = [e for e in panel.detail.conversation.entries if e.is_new]
            assert [e.id for e in new] == [colleague.id], "the colleague's reply is shown, marked new"
            assert "NEW" in panel.detail.conversation.toPlainText()
            assert composer.text() == "Please restart the app.", "the held reply keeps its text"
            bodies = [m.body for m in (await admin.tickets.messages.list(ticket["id"])).items]
            assert "Please restart the app." not in bodies, "a held reply must not be sent"

            # Reviewed: sending again goes through.
            qtbot.mouseClick(composer.send, Qt.MouseButton.LeftButton)
            await wait_until(lambda: composer.status.text() == "Sent.", 10, "the reviewed reply was not sent")
            assert not panel.detail.activity_notice.isVisible()
            bodies = [m.body for m in (await admin.tickets.messages.list(ticket["id"])).items]
            assert bodies.count("Please restart the app.") == 1

            # A field change by someone else (no new message) also holds the next reply.
            await admin.tickets.update(ticket["id"], {"priority": "high"})
            QTest.keyClicks(composer.editor, "One more thing.")
            qtbot.mouseClick(composer.send, Qt.MouseButton.LeftButton)
            await wait_until(lambda: panel.detail.activity_notice.isVisible(), 10, "an update did not hold the reply")
            assert panel.detail.priority.currentData() == "high", "the colleague's change is shown"

    run_async(scenario(), 60)


def test_create_ticket(qtbot, run_async, sandbox, owner_key, tmp_path):
    async def scenario():
        admin = AdminClient(sandbox.url, ApiKeyAuth(owner_key))
        subject = f"Printer on fire {uuid.uuid4().hex[:6]}"
        panel = await make_panel(qtbot, sandbox.url, owner_key, tmp_path)
        try:
            await panel.activate()
            qtbot.mouseClick(panel.new_button, Qt.MouseButton.LeftButton)
            dialog = panel.create_dialog
            assert dialog is not None and dialog.isVisible()
            # An empty subject is refused in the dialog, naming the field.
            qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
            assert "Subject" in dialog.error.text() and dialog.isVisible()
            await wait_until(lambda: dialog.contact.count() > 1, 10, "contacts never loaded")
            qtbot.keyClicks(dialog.subject, subject)
            # A name that matches nobody is refused, naming the field; nothing typed is lost.
            qtbot.keyClicks(dialog.contact.lineEdit(), "Zz Nobody")
            qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
            assert "no contact called 'Zz Nobody'" in dialog.error.text()
            assert dialog.subject.text() == subject
            # A contact beyond the first page is found on the server as the agent types.
            # QTest types ASCII only (it asserts on "í"): a contact beyond the first page it can type.
            second_page = (await (await admin.contacts.list(limit=100)).next_page()).items
            older = next(c for c in reversed(second_page) if c.name.isascii())
            dialog.contact.lineEdit().clear()
            qtbot.keyClicks(dialog.contact.lineEdit(), older.name)
            await wait_until(lambda: dialog.contact.findData(older.id) >= 0, 10, "typing did not search the server")
            assert dialog.contact.currentText() == older.name, "search results do not overwrite the typing"
            dialog.contact.setCurrentIndex(dialog.contact.findData(older.id))
            contact_id = older.id
            queue_id = dialog.queue.itemData(1)
            dialog.queue.setCurrentIndex(1)
            dialog.priority.setCurrentIndex(dialog.priority.findData("high"))
            dialog.category.setCurrentIndex(dialog.category.findData("bug"))
            qtbot.keyClicks(dialog.message, "It started smoking after the update.")
            qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
            await wait_until(lambda: not dialog.isVisible(), 10, dialog.error.text() or "the dialog never closed")
            created = panel.tickets.current_ticket()
            assert created is not None and created.subject == subject, "the new ticket is opened"
            server = await admin.tickets.get(created.id)
            assert (server.contact_id, server.queue_id, server.priority, server.category) == (
                contact_id, queue_id, "high", "bug")
            messages = (await admin.tickets.messages.list(created.id)).items
            assert [(m.direction, m.body) for m in messages] == [("inbound", "It started smoking after the update.")]
            await wait_until(lambda: any(e.body == "It started smoking after the update."
                                         for e in panel.detail.conversation.entries), 10)
        finally:
            await close_panel(panel)
            await admin.aclose()

    run_async(scenario(), 60)


def test_failed_send_keeps_the_text_and_retry_works_after_restart(qtbot, run_async, tmp_path):
    async def scenario():
        loop = asyncio.get_running_loop()
        data_dir = tmp_path / "own-sandbox"
        server = await loop.run_in_executor(None, lambda: SandboxProcess.start(data_dir, seed_size=40))
        key = server.credentials()["test"]["owner_key"]
        port = int(server.url.rsplit(":", 1)[1].split("/")[0])
        admin = AdminClient(server.url, ApiKeyAuth(key))
        ticket = await create_ticket(admin, "Failed send")
        await admin.aclose()
        panel = await make_panel(qtbot, server.url, key, tmp_path, max_retries=0)
        try:
            await panel.activate()
            await go_to(panel, ticket["id"])
            press(panel, "r")
            composer = panel.detail.reply_composer
            text = "Your refund is on its way."
            QTest.keyClicks(composer.editor, text)
            await loop.run_in_executor(None, server.stop)
            QTest.keyClick(composer.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
            await wait_until(lambda: composer.retry.isVisible(), 30, "a failed send offered no retry")
            assert composer.text() == text, "the text survives a failed send"
            assert "Not sent" in composer.status.text() and "kept" in composer.status.text()
            assert panel.offline and "Offline" in panel.offline_banner.plain_text
            assert panel.context.drafts.load(draft_key(ticket["id"], "reply")) == text

            restarted = await loop.run_in_executor(
                None, lambda: SandboxProcess.start(data_dir, port=port))
            try:
                qtbot.mouseClick(composer.retry, Qt.MouseButton.LeftButton)
                await wait_until(lambda: composer.status.text() == "Sent.", 30, composer.status.text())
                check = AdminClient(restarted.url, ApiKeyAuth(key))
                bodies = [m.body for m in (await check.tickets.messages.list(ticket["id"])).items]
                await check.aclose()
                assert bodies.count(text) == 1, "the retry sent the reply exactly once"
                assert composer.text() == "" and not composer.retry.isVisible()
                assert not panel.offline and panel.offline_banner.kind == "", \
                    "the offline strip goes away once the retry got through"
            finally:
                await panel.context.tasks.cancel_all()
                await loop.run_in_executor(None, restarted.stop)
        finally:
            if server.running():
                server.stop()
            await close_panel(panel)

    run_async(scenario(), 180)


def test_offline_shows_cached_tickets_read_only(qtbot, run_async, sandbox, owner_key, tmp_path):
    async def scenario():
        panel = await make_panel(qtbot, sandbox.url, owner_key, tmp_path)
        try:
            await panel.activate()
            await opened(panel, current_id(panel))
            shown = {t.id for t in panel.tickets.all_tickets}
            first_id = current_id(panel)
            first_entries = [e.id for e in panel.detail.conversation.entries]
        finally:
            await close_panel(panel)
        with socket.socket() as probe:  # a port nobody listens on: the server is unreachable
            probe.bind(("127.0.0.1", 0))
            dead_url = f"http://127.0.0.1:{probe.getsockname()[1]}/v1"
        offline = await make_panel(qtbot, dead_url, owner_key, tmp_path, max_retries=0)
        try:
            await offline.activate()
            assert {t.id for t in offline.tickets.all_tickets} == shown, "cached rows are shown"
            assert offline.offline and offline.offline_banner.kind == "warning"
            assert "Offline" in offline.offline_banner.plain_text and "read-only" in offline.offline_banner.plain_text
            assert not offline.new_button.isEnabled()
            await wait_until(lambda: current_id(offline) is not None, 5)
            offline.tickets.select_ids({first_id}, current_id=first_id)
            await wait_until(lambda: [e.id for e in offline.detail.conversation.entries] == first_entries, 10,
                             "the cached conversation was not shown")
            assert not offline.detail.status.isEnabled() and not offline.detail.resolve.isEnabled()
            assert not offline.detail.reply_composer.send.isEnabled()
        finally:
            await close_panel(offline)

    run_async(scenario(), 60)


def test_a_broken_cache_is_reported_and_the_servers_tickets_still_show(qtbot, run_async, sandbox, owner_key,
                                                                        tmp_path):
    async def scenario():
        panel = await make_panel(qtbot, sandbox.url, owner_key, tmp_path)
        await panel.context.cache.close()  # injected fault: the cache can no longer be read or written
        try:
            await panel.activate()
            assert panel.tickets.all_tickets, "the server's tickets are shown"
            assert panel.banner.kind == "warning", "a broken cache is not silently shown as an empty one"
            assert "local cache" in panel.banner.plain_text
        finally:
            await panel.context.tasks.cancel_all()
            await panel.context.client.aclose()
            panel.context.drafts.close()

    run_async(scenario(), 60)


def test_screenshots_light_and_dark(qtbot, qapp, run_async, sandbox, owner_key, tmp_path):
    """Writes DIR/tickets-light.png and tickets-dark.png when OPSDESK_SCREENSHOTS=DIR is set."""
    target = os.environ.get("OPSDESK_SCREENSHOTS")
    if not target:
        pytest.skip("set OPSDESK_SCREENSHOTS=DIR to write the panel's screenshots")

    async def scenario():
        admin = AdminClient(sandbox.url, ApiKeyAuth(owner_key))
        ticket = await create_ticket(admin, "Charged twice this month", priority="high", category="billing")
        await admin.tickets.comments.create(ticket["id"], {"body": "Customer is on the gold tier: keep them "
                                                           "updated daily.", "pinned": True})
        await admin.tickets.messages.create(ticket["id"], {"direction": "outbound", "channel": "email",
                                                           "body": "Thanks for reaching out: we are looking into it."})
        await admin.tickets.comments.create(ticket["id"], {"body": "Finance is checking the invoice export."})
        panel = await make_panel(qtbot, sandbox.url, owner_key, tmp_path)
        try:
            await panel.activate()
            await go_to(panel, ticket["id"])
            panel.tickets.table.selectRow(panel.tickets.model.row_of_id(ticket["id"]))
            press(panel, "r")
            QTest.keyClicks(panel.detail.reply_composer.editor, "Hi {{name}}, the refund is on its way.")
            qtbot.mouseClick(panel.detail.reply_composer.send, Qt.MouseButton.LeftButton)
            await screenshot(panel, "tickets", qapp, size=(1500, 900))
        finally:
            await close_panel(panel)
            await admin.aclose()

    run_async(scenario(), 60)


def test_a_stale_change_of_a_field_a_colleague_changed_is_refused_and_their_version_shown(
        qtbot, run_async, sandbox, owner_key, tmp_path):
    async def scenario():
        async with ticket_opened(qtbot, sandbox, owner_key, tmp_path,
                                 f"Stale edit {uuid.uuid4().hex[:6]}", priority="low") as (panel, admin, ticket):
            await admin.tickets.update(ticket["id"], {"priority": "urgent"})  # a colleague, meanwhile
            await pick_with_keys(panel, "p", panel.detail.priority, "high")  # the same field, differently
            await wait_until(lambda: panel.banner.kind == "warning", 10, "the 412 was not reported")
            assert "Someone else changed this ticket" in panel.banner.plain_text
            assert "Request req_" in panel.banner.plain_text, "the request id is in the banner"
            assert panel.detail.priority.currentData() == "urgent", "the colleague's change is shown"
            assert panel.detail.status.currentData() == "new", "our stale change is not pretended"
            server = await admin.tickets.get(ticket["id"])
            assert (server.status, server.priority) == ("new", "urgent"), "nothing was overwritten"

    run_async(scenario(), 60)


def test_a_colleagues_change_of_another_field_is_kept_and_ours_saved_without_asking(
        qtbot, run_async, sandbox, owner_key, tmp_path):
    async def scenario():
        async with ticket_opened(qtbot, sandbox, owner_key, tmp_path,
                                 f"Merged edit {uuid.uuid4().hex[:6]}", priority="low") as (panel, admin, ticket):
            await admin.tickets.update(ticket["id"], {"priority": "urgent"})  # a colleague, meanwhile
            await pick_with_keys(panel, "s", panel.detail.status, "pending")
            await wait_until(lambda: panel.banner.kind == "success", 10, panel.banner.plain_text or "never saved")
            assert "status → Pending" in panel.banner.plain_text
            assert "Kept a colleague's change to priority" in panel.banner.plain_text
            server = await admin.tickets.get(ticket["id"])
            assert (server.status, server.priority) == ("pending", "urgent"), "both changes are on the server"
            assert (panel.detail.status.currentData(), panel.detail.priority.currentData()) == ("pending", "urgent")
            assert (list_value(panel, ticket["id"], "status"), list_value(panel, ticket["id"], "priority")) == (
                "pending", "urgent"), "the list shows the merged ticket"
            # The colleague's change is activity the agent has not reviewed: a reply waits for it.
            press(panel, "r")
            QTest.keyClicks(panel.detail.reply_composer.editor, "On it.")
            qtbot.mouseClick(panel.detail.reply_composer.send, Qt.MouseButton.LeftButton)
            await wait_until(lambda: panel.detail.activity_notice.isVisible(), 10, "the reply was not held")

    run_async(scenario(), 60)


def test_the_reply_warning_goes_away_with_the_text_that_raised_it(qtbot, run_async, sandbox, owner_key, tmp_path):
    """Defect 6: "Not sent: review the warning" stayed after the text was cleared."""
    async def scenario():
        secret = "opk_test_" + "Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4"
        async with ticket_opened(qtbot, sandbox, owner_key, tmp_path,
                                 f"Warning goes {uuid.uuid4().hex[:6]}") as (panel, admin, ticket):
            press(panel, "r")
            composer = panel.detail.reply_composer
            editor = composer.editor
            QTest.keyClicks(editor, f"Hi {{{{name}}}}, use {secret}")
            qtbot.mouseClick(composer.send, Qt.MouseButton.LeftButton)
            assert composer.warning.isVisible() and composer.status.text() == "Not sent: review the warning."

            # The placeholder is fixed, the key is still there: the warning still holds, for the key only.
            cursor = editor.textCursor()
            start = composer.text().index("{{name}}")
            cursor.setPosition(start)
            cursor.setPosition(start + len("{{name}}"), QTextCursor.MoveMode.KeepAnchor)
            editor.setTextCursor(cursor)
            QTest.keyClicks(editor, "Ana")
            assert composer.text() == f"Hi Ana, use {secret}"
            assert composer.warning.isVisible() and "test API key" in composer.warning.text()
            assert "placeholder" not in composer.warning.text()
            assert composer.status.text() == "Not sent: review the warning."

            # The text is cleared: nothing the warning spoke of is left, so neither is the warning.
            editor.selectAll()
            QTest.keyClick(editor, Qt.Key.Key_Delete)
            assert composer.text() == ""
            assert not composer.warning.isVisible() and not composer.send_anyway.isVisible()
            assert "review the warning" not in composer.status.text()

            # Empty, Send says so; typing something takes that away too.
            qtbot.mouseClick(composer.send, Qt.MouseButton.LeftButton)
            assert composer.status.text().startswith("Nothing to send yet")
            QTest.keyClicks(editor, "Thanks, fixed now.")
            assert composer.status.text() == ""
            messages = (await admin.tickets.messages.list(ticket["id"])).items
            assert [m.direction for m in messages] == ["inbound"], "nothing was sent meanwhile"

    run_async(scenario(), 60)


def test_a_pinned_internal_note_goes_on_top_and_never_to_the_customer(qtbot, run_async, sandbox, owner_key,
                                                                      tmp_path):
    async def scenario():
        async with ticket_opened(qtbot, sandbox, owner_key, tmp_path,
                                 f"Pinned note {uuid.uuid4().hex[:6]}") as (panel, admin, ticket):
            qtbot.mouseClick(panel.detail.note_button, Qt.MouseButton.LeftButton)
            composer = panel.detail.note_composer
            assert not panel.detail.reply_composer.isVisible(), "a note opens its own composer, not the reply one"
            QTest.keyClicks(composer.editor, "VIP: escalate to Priya.")
            composer.pin.setChecked(True)
            qtbot.mouseClick(composer.send, Qt.MouseButton.LeftButton)
            await wait_until(lambda: composer.status.text() == "Note added.", 10, composer.status.text())
            await wait_until(lambda: len(panel.detail.conversation.entries) == 2, 10)
            first = panel.detail.conversation.entries[0]
            assert (first.kind, first.pinned, first.body) == (NOTE, True, "VIP: escalate to Priya.")
            assert not first.customer_visible
            text = panel.detail.conversation.toPlainText()
            assert "Pinned internal note · not visible to customer" in text and "Customer" in text
            messages = (await admin.tickets.messages.list(ticket["id"])).items
            assert all("VIP" not in m.body for m in messages), "a note never becomes a customer message"

    run_async(scenario(), 60)
