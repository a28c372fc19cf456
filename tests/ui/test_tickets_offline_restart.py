"""A reply written offline outlives a restart of the console, against the real sandbox behind a proxy
that can take the network away: the next session shows it waiting to be sent when online, runs the
collision check once the server answers, and sends it on one Send reply, exactly once, with the
Idempotency-Key minted before the restart. Dropping the draft drops the "send when online" mark."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest

from app.api import AdminClient, ApiKeyAuth
from app.core.drafts import DraftStore
from app.ui.panels.tickets.composer import draft_key
from app.ui.panels.tickets.panel import TicketsPanel
from app.ui.panels.tickets.waiting_reply import WaitingReply
from tests.api.fault_proxy import FaultProxy
from tests.ui.test_tickets_offline import panel_with_outbox
from tests.ui.test_tickets_panel import (  # noqa: F401
    SCOPES,
    create_ticket,
    current_id,
    go_to,
    owner_key,
    press,
)
from tests.waiting import wait_until

REPLY_TEXT = "Written on the train: the export works again."


_closed: set[int] = set()


async def close_session(panel: TicketsPanel) -> None:
    """What quitting the console does to the panel's profile files: queued draft writes finish, then
    the client, outbox, cache and drafts file are closed and the window goes. Once per panel."""
    if id(panel) in _closed:
        return
    _closed.add(id(panel))
    await asyncio.wrap_future(panel.drafts.list("", lambda _drafts: None))  # runs after every queued write
    await panel.context.tasks.cancel_all()
    await panel.context.client.aclose()
    await panel.stores.outbox.close()
    await panel.context.cache.close()
    panel.context.drafts.close()
    panel.hide()  # closing the last window would quit the test's application


def saved_reply(home: Path, ticket_id: str):
    """The reply's draft as it is on disk (a reader of its own, as the next session would be)."""
    store = DraftStore(home / "drafts.sqlite")
    try:
        return next((d for d in store.list("ticket:") if d.key == draft_key(ticket_id, "reply")), None)
    finally:
        store.close()


async def outbound_bodies(admin: AdminClient, ticket_id: str) -> list[str]:
    return [m.body for m in (await admin.tickets.messages.list(ticket_id)).items if m.direction == "outbound"]


async def write_reply_offline(qtbot, panel: TicketsPanel, proxy: FaultProxy, ticket_id: str) -> None:
    """Open the ticket online, lose the network, write the reply and press Send (Ctrl+Return)."""
    await panel.activate()
    await go_to(panel, ticket_id)
    proxy.down = True
    panel.stores.connection.mark_offline("the train went into a tunnel")
    panel.tickets.table.setFocus()
    press(panel, "r")
    reply = panel.detail.reply_composer
    QTest.keyClicks(reply.editor, REPLY_TEXT)
    QTest.keyClick(reply.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    await wait_until(lambda: "send when online" in reply.status.text(), 10, reply.status.text())


async def open_after_restart(panel: TicketsPanel, ticket_id: str) -> None:
    """Walk to the ticket as an agent would, without waiting for the server (it may not answer)."""
    await panel.activate()
    search = panel.tickets.search
    search.setFocus()
    QTest.keyClicks(search, ticket_id)
    panel.tickets.table.setFocus()
    for _ in range(panel.tickets.model.rowCount() + 1):
        if current_id(panel) == ticket_id:
            break
        press(panel, "j")
    assert current_id(panel) == ticket_id, "the ticket is in the cached list"
    reply = panel.detail.reply_composer
    await wait_until(lambda: reply.ticket_id == ticket_id and not reply.loading and reply.isVisible(), 10,
                     "the ticket's reply draft never showed")


@dataclass
class Restarts:
    """One profile home restarted several times, against the sandbox behind a proxy that can take
    the network away; `admin` is the owner's own client straight to the sandbox."""

    qtbot: object
    url: str
    owner_key: str
    home: Path
    proxy: FaultProxy
    admin: AdminClient
    ticket: dict = field(default_factory=dict)
    panels: list[TicketsPanel] = field(default_factory=list)

    async def start(self) -> TicketsPanel:
        """The console started (again) on the same profile home."""
        self.panels.append(await panel_with_outbox(self.qtbot, self.url, self.owner_key, self.home))
        return self.panels[-1]


@asynccontextmanager
async def restarts(qtbot, sandbox, key: str, home: Path, title: str) -> AsyncIterator[Restarts]:
    """A `Restarts` with a new ticket called `title`; every session started is closed afterwards."""
    upstream = httpx.URL(sandbox.url)
    proxy = FaultProxy(upstream.host, upstream.port, fault_rate=0.0)
    url = f"http://127.0.0.1:{await proxy.start()}/v1"
    rig = Restarts(qtbot, url, key, home, proxy, AdminClient(sandbox.url, ApiKeyAuth(key)))
    try:
        rig.ticket = await create_ticket(rig.admin, title)
        yield rig
    finally:
        for panel in rig.panels:
            await close_session(panel)
        await rig.admin.aclose()
        await proxy.stop()


def test_a_reply_written_offline_still_waits_after_a_restart_and_one_confirmation_sends_it(
        qtbot, run_async, sandbox, owner_key, tmp_path):  # noqa: F811
    async def scenario():
        async with restarts(qtbot, sandbox, owner_key, tmp_path, "Export broken since Monday") as rig:
            admin, proxy, ticket = rig.admin, rig.proxy, rig.ticket
            first = await rig.start()
            await write_reply_offline(qtbot, first, proxy, ticket["id"])
            await close_session(first)
            saved = saved_reply(tmp_path, ticket["id"])
            assert saved is not None and saved.text == REPLY_TEXT
            waiting = WaitingReply.from_mark(saved.mark)
            assert waiting is not None, "the draft on disk carries the send-when-online mark"
            # While the console is closed and the agent still offline, the customer writes again.
            await admin.tickets.messages.create(ticket["id"], {"direction": "inbound", "channel": "email",
                                                               "body": "Any news? It is still broken here."})

            second = await rig.start()  # the console started again, offline
            await open_after_restart(second, ticket["id"])
            reply = second.detail.reply_composer
            assert reply.text() == REPLY_TEXT
            await wait_until(lambda: "send when online" in reply.status.text(), 10, reply.status.text())
            assert "not sent" in reply.status.text() or "Not sent" in reply.status.text()
            assert await outbound_bodies(admin, ticket["id"]) == []

            proxy.down = False
            await second.poll()  # the panel's 30-second poll: the server answers again
            await wait_until(lambda: "ready to send" in reply.status.text(), 20, reply.status.text())
            assert "1 new item" in reply.status.text(), "the collision check shows the customer's new message"
            assert second.detail.activity_notice.isVisible()
            assert await outbound_bodies(admin, ticket["id"]) == [], "nothing goes before the agent confirms"

            qtbot.mouseClick(reply.send, Qt.MouseButton.LeftButton)
            await wait_until(lambda: reply.status.text() == "Sent.", 20, reply.status.text())
            assert await outbound_bodies(admin, ticket["id"]) == [REPLY_TEXT]
            assert ticket["id"] not in second.open_ticket.waiting_replies
            await asyncio.wrap_future(second.drafts.list("", lambda _drafts: None))
            assert saved_reply(tmp_path, ticket["id"]) is None, "sending took the draft and its mark away"
            # The send used the key minted when the agent pressed Send before the restart: the
            # server takes that key as the same reply again, so there is still exactly one.
            await admin.tickets.messages.create(ticket["id"], {"direction": "outbound", "channel": "email",
                                                               "body": REPLY_TEXT},
                                                idempotency_key=waiting.idempotency_key)
            assert await outbound_bodies(admin, ticket["id"]) == [REPLY_TEXT]

    run_async(scenario(), 90)


def test_restarted_online_the_check_runs_at_once_and_dropping_the_draft_drops_the_mark(
        qtbot, run_async, sandbox, owner_key, tmp_path):  # noqa: F811
    async def scenario():
        async with restarts(qtbot, sandbox, owner_key, tmp_path, "Invoice PDF is blank") as rig:
            admin, proxy, ticket, panels = rig.admin, rig.proxy, rig.ticket, rig.panels
            await rig.start()
            await write_reply_offline(qtbot, panels[0], proxy, ticket["id"])
            await close_session(panels[0])

            proxy.down = False  # the network came back while the console was closed
            await rig.start()
            await open_after_restart(panels[1], ticket["id"])
            reply = panels[1].detail.reply_composer
            await wait_until(lambda: "ready to send" in reply.status.text(), 20, reply.status.text())
            assert "Nothing is new" in reply.status.text()
            assert await outbound_bodies(admin, ticket["id"]) == []

            # The agent decides against it and empties the composer: the draft goes, and its mark.
            reply.editor.setFocus()
            QTest.keySequence(reply.editor, QKeySequence.StandardKey.SelectAll)
            QTest.keyClick(reply.editor, Qt.Key.Key_Delete)
            await wait_until(lambda: ticket["id"] not in panels[1].open_ticket.waiting_replies, 10,
                             "the emptied draft still waits")
            await close_session(panels[1])
            assert saved_reply(tmp_path, ticket["id"]) is None

            await rig.start()
            await open_after_restart_without_draft(panels[2], ticket["id"])
            reply = panels[2].detail.reply_composer
            assert reply.text() == "" and "send when online" not in reply.status.text()
            assert panels[2].open_ticket.waiting_replies == {}
            assert await outbound_bodies(admin, ticket["id"]) == []

    run_async(scenario(), 90)


async def open_after_restart_without_draft(panel: TicketsPanel, ticket_id: str) -> None:
    await panel.activate()
    await go_to(panel, ticket_id)
    reply = panel.detail.reply_composer
    await wait_until(lambda: reply.ticket_id == ticket_id and not reply.loading, 10, "the draft was never read")
