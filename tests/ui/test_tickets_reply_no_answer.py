"""A reply whose POST reached the server but whose answer never came back (a timeout after send) is
not lost and not doubled by a restart: its Idempotency-Key was put on the draft on disk before the
POST went out, so the next session offers it waiting, and its one Send reply goes with the same key;
the server keeps it once. Real sandbox; the answer is dropped at the console's end of the connection."""

from __future__ import annotations

import httpx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from app.api import AdminClient, ApiKeyAuth
from app.cache import AsyncPageCache
from app.core.drafts import DraftStore
from app.data.outbox import Outbox
from app.data.stores import Stores
from app.ui.panel_context import PanelContext
from app.ui.panels.tickets.composer import Composer
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


class FirstReplyPostLost(httpx.AsyncBaseTransport):
    """A real connection to the sandbox on which the server stores the first reply POST but its
    answer does not reach the console: `instead(request)` says what the console hears."""

    def __init__(self) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        #: Reply POSTs the server stored whose answer the console did not get.
        self.lost = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self._inner.handle_async_request(request)
        if request.method == "POST" and request.url.path.endswith("/messages") and not self.lost:
            await response.aread()
            await response.aclose()
            self.lost += 1
            return self.instead(request)
        return response

    def instead(self, request: httpx.Request) -> httpx.Response:
        raise NotImplementedError

    async def aclose(self) -> None:
        await self._inner.aclose()


class AnswerDropped(FirstReplyPostLost):
    """The answer to the first reply POST is lost: the console hears a read timeout."""

    def instead(self, request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("the answer never came", request=request)


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


async def write_reply(panel: TicketsPanel, ticket_id: str) -> Composer:
    """Open `ticket_id`, press r and type `REPLY_TEXT` in the reply composer, as an agent does."""
    await go_to(panel, ticket_id)
    panel.tickets.table.setFocus()
    press(panel, "r")
    reply = panel.detail.reply_composer
    QTest.keyClicks(reply.editor, REPLY_TEXT)
    return reply


def send_reply(reply: Composer) -> None:
    """Ctrl+Return in the composer: Send reply."""
    QTest.keyClick(reply.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)


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
            reply = await write_reply(first, ticket["id"])
            send_reply(reply)
            await wait_until(lambda: line.lost == 1 and ticket["id"] in first.open_ticket.waiting_replies, 20,
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
            reply = await write_reply(panel, ticket["id"])
            # The customer writes meanwhile: the collision check holds the reply, nothing is posted.
            await admin.tickets.messages.create(ticket["id"], {"direction": "inbound", "channel": "email",
                                                               "body": "Found it in spam, never mind."})
            send_reply(reply)
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


class ServerFailsAfterStoring(FirstReplyPostLost):
    """The first reply POST is stored, but the console hears a 5xx for it (a gateway that failed
    after passing it on); `down` takes the network away."""

    def __init__(self, status: int) -> None:
        super().__init__()
        self._status = status
        self.down = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("the network is down", request=request)
        return await super().handle_async_request(request)

    def instead(self, request: httpx.Request) -> httpx.Response:
        return httpx.Response(self._status, request=request,
                              json={"error": {"code": "UPSTREAM_FAILED", "message": "the upstream failed"}})


def shown_notices(panel: TicketsPanel) -> list[str]:
    """Every message the panel's banner shows from now on (a later one may cover it)."""
    shown: list[str] = []
    show = panel.banner.show_message

    def record(kind, message, *args, **kwargs):
        shown.append(message)
        return show(kind, message, *args, **kwargs)

    panel.banner.show_message = record
    return shown


@pytest.mark.parametrize("status", [502, 500])
def test_a_reply_answered_with_a_server_error_keeps_its_key_and_is_sent_once_after_a_restart(
        qtbot, run_async, sandbox, owner_key, tmp_path, status):  # noqa: F811
    async def scenario():
        admin = AdminClient(sandbox.url, ApiKeyAuth(owner_key))
        ticket = await create_ticket(admin, "Invoices emailed twice")
        line = ServerFailsAfterStoring(status)
        first = await panel_on(qtbot, sandbox.url, owner_key, tmp_path, line)
        second = None
        try:
            await first.activate()
            reply = await write_reply(first, ticket["id"])
            send_reply(reply)
            await wait_until(lambda: line.lost == 1 and "server failed" in reply.status.text(), 20,
                             reply.status.text())
            assert "may have kept it" in reply.status.text() and "not sent" not in reply.status.text().lower(), \
                "the agent is not told a reply the server may have stored was not sent"
            assert await outbound_bodies(admin, ticket["id"]) == [REPLY_TEXT], "the server stored it before failing"

            await close_session(first)
            saved = saved_reply(tmp_path, ticket["id"])
            waiting = WaitingReply.from_mark(saved.mark) if saved is not None else None
            assert waiting is not None and waiting.unanswered, "the draft on disk keeps the reply's key"

            line = ServerFailsAfterStoring(status)
            line.lost = 1  # the server is sound again; only the network is down at first
            line.down = True
            second = await panel_on(qtbot, sandbox.url, owner_key, tmp_path, line)
            notices = shown_notices(second)
            await open_after_restart(second, ticket["id"])
            restored = next((text for text in notices if "repl" in text and "wait" in text), "")
            assert "sent once with no clear answer back" in restored and "written offline" not in restored, notices
            assert "same key" in restored
            reply = second.detail.reply_composer
            await wait_until(lambda: reply.retry.isVisible(), 20, reply.status.text())
            qtbot.mouseClick(reply.retry, Qt.MouseButton.LeftButton)  # still offline: the check cannot run
            await wait_until(lambda: "cannot be reached to check" in reply.status.text(), 20, reply.status.text())
            assert "may already have it" in reply.status.text() and "not sent" not in reply.status.text().lower()

            line.down = False
            qtbot.mouseClick(reply.retry, Qt.MouseButton.LeftButton)
            await wait_until(lambda: "Press Send reply" in reply.status.text(), 20, reply.status.text())
            qtbot.mouseClick(reply.send, Qt.MouseButton.LeftButton)
            await wait_until(lambda: reply.status.text() == "Sent.", 20, reply.status.text())
            assert await outbound_bodies(admin, ticket["id"]) == [REPLY_TEXT], \
                "sent again with the same key: the customer has the reply once"
        finally:
            for panel in (first, second):
                if panel is not None:
                    await close_session(panel)
            await admin.aclose()

    run_async(scenario(), 90)
