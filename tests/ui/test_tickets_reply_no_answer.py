"""A reply whose POST reached the server but whose answer never came back (a timeout after send) is
not lost and not doubled by a restart: its Idempotency-Key was put on the draft on disk before the
POST went out, so the next session offers it waiting, and its one Send reply goes with the same key;
the server keeps it once. Real sandbox; the answer is dropped at the console's end of the connection."""

from __future__ import annotations

import httpx
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from app.api import AdminClient, ApiKeyAuth
from app.cache import AsyncPageCache
from app.core.drafts import DraftStore
from app.data.outbox import Outbox
from app.data.stores import Stores
from app.ui.panel_context import PanelContext
from app.ui.panels.tickets.panel import TicketsPanel
from app.ui.panels.tickets.waiting_reply import WaitingReply
from tests.ui.test_tickets_offline_restart import (
    close_session,
    open_after_restart,
    outbound_bodies,
    saved_reply,
)
from tests.ui.test_tickets_panel import SCOPES, create_ticket, go_to, owner_key, press  # noqa: F401
from tests.waiting import wait_until

REPLY_TEXT = "We restarted the export job; it runs again."


class AnswerDropped(httpx.AsyncBaseTransport):
    """A real connection to the sandbox on which the answer to the first reply POST is lost: the
    server has the message, the console hears a read timeout."""

    def __init__(self) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        #: Reply POSTs whose answer was dropped.
        self.dropped = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self._inner.handle_async_request(request)
        if request.method == "POST" and request.url.path.endswith("/messages") and not self.dropped:
            await response.aread()
            await response.aclose()
            self.dropped += 1
            raise httpx.ReadTimeout("the answer never came", request=request)
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()


async def panel_on(qtbot, url: str, key: str, home, transport: httpx.AsyncBaseTransport | None) -> TicketsPanel:
    client = AdminClient(url, ApiKeyAuth(key), max_retries=0, transport=transport)
    cache = await AsyncPageCache.open(home / "cache.sqlite")
    context = PanelContext(client=client, cache=cache, profile=None, scopes=SCOPES,
                           drafts=DraftStore(home / "drafts.sqlite"),
                           stores=Stores(client, cache, Outbox(home / "outbox.sqlite")))
    panel = TicketsPanel(context)
    qtbot.addWidget(panel)
    panel.resize(1400, 820)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def test_a_reply_without_an_answer_waits_with_its_key_across_a_restart_and_is_sent_once(
        qtbot, run_async, sandbox, owner_key, tmp_path):  # noqa: F811
    async def scenario():
        admin = AdminClient(sandbox.url, ApiKeyAuth(owner_key))
        ticket = await create_ticket(admin, "Nightly export stopped")
        line = AnswerDropped()
        first = await panel_on(qtbot, sandbox.url, owner_key, tmp_path, line)
        second = None
        try:
            await first.activate()
            await go_to(first, ticket["id"])
            first.tickets.table.setFocus()
            press(first, "r")
            reply = first.detail.reply_composer
            QTest.keyClicks(reply.editor, REPLY_TEXT)
            QTest.keyClick(reply.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
            await wait_until(lambda: line.dropped == 1 and ticket["id"] in first.open_ticket.waiting_replies, 20,
                             reply.status.text())
            assert "never answered" in reply.status.text() and "not sent" not in reply.status.text().lower(), \
                "the agent is not told a reply the server may have was not sent"
            assert reply.text() == REPLY_TEXT, "the text stays in the composer"
            assert await outbound_bodies(admin, ticket["id"]) == [REPLY_TEXT], "the server took it once"

            await close_session(first)  # the console closes before anyone presses Retry
            saved = saved_reply(tmp_path, ticket["id"])
            assert saved is not None and saved.text == REPLY_TEXT
            waiting = WaitingReply.from_mark(saved.mark)
            assert waiting is not None, "the draft on disk carries the reply's key"

            second = await panel_on(qtbot, sandbox.url, owner_key, tmp_path, None)
            await open_after_restart(second, ticket["id"])
            reply = second.detail.reply_composer
            assert reply.text() == REPLY_TEXT
            await wait_until(lambda: "Press Send reply to make sure" in reply.status.text(), 20, reply.status.text())
            assert "may be in the conversation already" in reply.status.text()
            assert "1 new item" in reply.status.text(), "the collision check shows the reply the server did take"
            qtbot.mouseClick(reply.send, Qt.MouseButton.LeftButton)
            await wait_until(lambda: reply.status.text() == "Sent.", 20, reply.status.text())
            assert await outbound_bodies(admin, ticket["id"]) == [REPLY_TEXT], \
                "sent again with the same key: the customer has the reply once"
            await close_session(second)
            assert saved_reply(tmp_path, ticket["id"]) is None, "confirmed: the draft and its mark are gone"
        finally:
            for panel in (first, second):
                if panel is not None:
                    await close_session(panel)
            await admin.aclose()

    run_async(scenario(), 90)


def test_a_reply_the_server_answered_without_taking_does_not_wait_after_a_restart(
        qtbot, run_async, sandbox, owner_key, tmp_path):  # noqa: F811
    async def scenario():
        admin = AdminClient(sandbox.url, ApiKeyAuth(owner_key))
        ticket = await create_ticket(admin, "Password reset mail missing")
        panel = await panel_on(qtbot, sandbox.url, owner_key, tmp_path, None)
        try:
            await panel.activate()
            await go_to(panel, ticket["id"])
            panel.tickets.table.setFocus()
            press(panel, "r")
            reply = panel.detail.reply_composer
            QTest.keyClicks(reply.editor, REPLY_TEXT)
            # The customer writes meanwhile: the collision check holds the reply, nothing is posted.
            await admin.tickets.messages.create(ticket["id"], {"direction": "inbound", "channel": "email",
                                                               "body": "Found it in spam, never mind."})
            QTest.keyClick(reply.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
            await wait_until(lambda: panel.detail.activity_notice.isVisible(), 20, reply.status.text())
            await close_session(panel)
            saved = saved_reply(tmp_path, ticket["id"])
            assert saved is not None and saved.text == REPLY_TEXT, "the held reply stays a draft"
            assert WaitingReply.from_mark(saved.mark) is None, "a reply the server never took does not wait"
            assert await outbound_bodies(admin, ticket["id"]) == []
        finally:
            await close_session(panel)
            await admin.aclose()

    run_async(scenario(), 60)
