"""Ticket triage offline with the profile's outbox, against the real sandbox behind a proxy that
can take the network away: the list says it is the cache's, field changes and notes wait (⇪) and
replay on reconnect, and a reply written offline goes to the customer only when the agent confirms it
online, with one Send reply after the collision check has shown what is new."""

from __future__ import annotations

import httpx
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from app.api import AdminClient, ApiKeyAuth
from app.cache import AsyncPageCache
from app.core.drafts import DraftStore
from app.data.outbox import Outbox
from app.data.outbox_replay import OutboxReplay
from app.data.stores import Stores
from app.ui.panel_context import PanelContext
from app.ui.panels.tickets.panel import TicketsPanel
from tests.api.fault_proxy import FaultProxy
from tests.ui.test_tickets_panel import SCOPES, create_ticket, go_to, owner_key, press  # noqa: F401
from tests.waiting import wait_until


async def panel_with_outbox(qtbot, url: str, key: str, home) -> TicketsPanel:
    client = AdminClient(url, ApiKeyAuth(key), max_retries=0)
    cache = await AsyncPageCache.open(home / "cache.sqlite")
    outbox = Outbox(home / "outbox.sqlite")
    context = PanelContext(client=client, cache=cache, profile=None, scopes=SCOPES,
                           drafts=DraftStore(home / "drafts.sqlite"), stores=Stores(client, cache, outbox))
    panel = TicketsPanel(context)
    qtbot.addWidget(panel)
    panel.resize(1400, 820)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def test_offline_triage_waits_in_the_outbox_and_a_reply_waits_for_the_agent(
        qtbot, run_async, sandbox, owner_key, tmp_path):  # noqa: F811
    async def scenario():
        upstream = httpx.URL(sandbox.url)
        proxy = FaultProxy(upstream.host, upstream.port, fault_rate=0.0)
        port = await proxy.start()
        admin = AdminClient(sandbox.url, ApiKeyAuth(owner_key))
        ticket = await create_ticket(admin, "On the train", priority="low")
        panel = await panel_with_outbox(qtbot, f"http://127.0.0.1:{port}/v1", owner_key, tmp_path)
        stores = panel.stores
        try:
            await panel.activate()
            await go_to(panel, ticket["id"])
            before = [m.id for m in (await admin.tickets.messages.list(ticket["id"])).items]

            proxy.down = True
            stores.connection.mark_offline("the train went into a tunnel")
            panel.tickets.show_everything()
            assert "offline: from the cache" in panel.tickets.summary.text()
            assert "searched" in panel.tickets.summary.text() and "cached tickets" in panel.tickets.summary.text()
            assert panel.detail.priority.isEnabled(), "offline, a ticket's fields still change"

            await panel.open_ticket.change(ticket["id"], {"priority": "high"})
            assert stores.outbox.waiting == 1 and panel.detail.priority.currentData() == "high"
            row = panel.tickets.model.row_of_id(ticket["id"])
            subject = panel.tickets.model.data(panel.tickets.model.index(row, panel.tickets.subject_column))
            assert subject.startswith("⇪ "), "the row is marked pending"
            assert "⇪" in panel.detail.meta.text()

            panel.tickets.table.setFocus()
            press(panel, "n")
            QTest.keyClicks(panel.detail.note_composer.editor, "Called from the train")
            QTest.keyClick(panel.detail.note_composer.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
            await wait_until(lambda: stores.outbox.waiting == 2, 10, "the note was not queued")
            assert "outbox" in panel.detail.note_composer.status.text()

            panel.tickets.table.setFocus()
            press(panel, "r")
            reply = panel.detail.reply_composer
            QTest.keyClicks(reply.editor, "It is fixed now.")
            QTest.keyClick(reply.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
            await wait_until(lambda: "send when online" in reply.status.text(), 10, reply.status.text())
            assert reply.text() == "It is fixed now." and stores.outbox.waiting == 2, "a reply never joins the outbox"

            proxy.down = False
            report = await OutboxReplay(stores.outbox, stores).run()
            assert report.sent == 2 and stores.outbox.waiting == 0
            server = await admin.tickets.get(ticket["id"])
            assert server.priority == "high"
            assert [n.body for n in (await admin.tickets.comments.list(ticket["id"])).items] == ["Called from the train"]
            assert [m.id for m in (await admin.tickets.messages.list(ticket["id"])).items] == before, \
                "reconnecting sent no reply by itself"
            await wait_until(lambda: not panel.offline, 10, "the replay's answers did not bring the panel back")

            # Back online, once the ticket's own offline changes are in, the collision check runs by
            # itself: what changed since the reply was written (here the queued note and priority) is
            # shown, nothing is sent, and the agent's one Send reply sends it.
            await wait_until(lambda: "ready to send" in reply.status.text(), 20, reply.status.text())
            assert "1 new item" in reply.status.text() and "fields changed" in reply.status.text()
            assert panel.detail.activity_notice.isVisible() and not reply.retry.isVisible()
            assert [m.id for m in (await admin.tickets.messages.list(ticket["id"])).items] == before, \
                "the check sends nothing"
            qtbot.mouseClick(reply.send, Qt.MouseButton.LeftButton)
            await wait_until(lambda: reply.status.text() == "Sent.", 20, reply.status.text())
            bodies = [m.body for m in (await admin.tickets.messages.list(ticket["id"])).items]
            assert bodies.count("It is fixed now.") == 1
            assert ticket["id"] not in panel.open_ticket.waiting_replies
        finally:
            await panel.context.tasks.cancel_all()
            await panel.context.client.aclose()
            await stores.outbox.close()
            await panel.context.cache.close()
            panel.context.drafts.close()
            await admin.aclose()
            await proxy.stop()

    run_async(scenario(), 90)
