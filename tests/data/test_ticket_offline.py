"""Tickets offline against the real sandbox: field changes and internal notes wait in the outbox
(keys minted when the agent acted) and replay on reconnect, merged three ways with a colleague's
change; a reply written offline is never sent by the outbox, only when the agent sends it online."""

from __future__ import annotations

import socket
import uuid

import pytest

from app.api import AdminClient, ApiKeyAuth
from app.cache import AsyncPageCache
from app.data.outbox import Outbox
from app.data.outbox_replay import OutboxReplay
from app.data.record_store import Queued
from app.data.stores import Stores
from app.data.ticket_conversation import NOTE, REPLY, ActivitySnapshot


@pytest.fixture
async def desk(sandbox, sandbox_credentials, tmp_path):
    """(offline stores, online stores, colleague): one cache and one outbox, as one profile has."""
    key = sandbox_credentials["test"]["owner_key"]
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        dead_port = closed.getsockname()[1]
    cache = await AsyncPageCache.open(tmp_path / "cache.sqlite3")
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    unreachable = AdminClient(f"http://127.0.0.1:{dead_port}/v1", ApiKeyAuth(key), max_retries=0)
    online = AdminClient(sandbox.url, ApiKeyAuth(key))
    colleague = AdminClient(sandbox.url, ApiKeyAuth(key))
    offline = Stores(unreachable, cache, outbox)
    offline.connection.mark_offline("the train went into a tunnel")
    back = Stores(online, cache, outbox)
    yield offline, back, colleague
    for stores in (offline, back):
        stores.close()
    for client in (unreachable, online, colleague):
        await client.aclose()
    await outbox.close()
    await cache.close()


async def test_offline_changes_and_notes_wait_and_replay_merged_with_a_colleagues(desk):
    offline, back, colleague = desk
    ticket = await colleague.tickets.create({"subject": f"Train {uuid.uuid4().hex[:6]}", "priority": "low"})
    store = offline.tickets
    await store.remember([ticket])

    first = await store.change(ticket, {"status": "pending"})
    assert isinstance(first, Queued) and store.held(ticket.id).status == "pending"
    second = await store.change(first.record, {"priority": "high"})
    assert isinstance(second, Queued)
    noted = await store.conversations.send(NOTE, ticket.id, "Called the customer from the train", "note-key-1",
                                           seen=None)
    assert noted.queued and not noted.sent
    assert ticket.id in store.pending_ids(), "the ticket carries the pending mark"
    keys = [item.idempotency_key for item in offline.outbox.items]
    assert len(keys) == 3 and keys[2] == "note-key-1", "each key was minted when the agent acted"

    await store.remember([ticket])  # the server's copy of the version the changes were made against
    assert (store.held(ticket.id).status, store.held(ticket.id).priority) == ("pending", "high"), \
        "a change waiting in the outbox is not undone by the server's old copy"

    await colleague.tickets.update(ticket.id, {"assignee_id": None, "category": "billing"})  # meanwhile
    report = await OutboxReplay(offline.outbox, back).run()
    assert (report.sent, report.needs_attention) == (3, 0) and report.merged >= 1
    server = await colleague.tickets.get(ticket.id)
    assert (server.status, server.priority, server.category) == ("pending", "high", "billing"), "merged three ways"
    notes = (await colleague.tickets.comments.list(ticket.id)).items
    assert [n.body for n in notes] == ["Called the customer from the train"], "the note was added once"
    assert offline.outbox.items == [] and ticket.id not in back.tickets.pending_ids()
    assert (await OutboxReplay(offline.outbox, back).run()).sent == 0, "nothing is sent twice"


async def test_a_reply_written_offline_is_not_sent_until_the_agent_sends_it_online(desk):
    offline, back, colleague = desk
    ticket = await colleague.tickets.create({"subject": f"Reply {uuid.uuid4().hex[:6]}"})
    await colleague.tickets.messages.create(ticket.id, {"direction": "inbound", "body": "Is it fixed?"})
    before = [m.id for m in (await colleague.tickets.messages.list(ticket.id)).items]

    result = await offline.tickets.conversations.send(REPLY, ticket.id, "Yes, fixed.", "reply-key-1", seen=None)
    assert result.waiting_online and not result.sent
    assert offline.outbox.items == [], "a reply never waits in the outbox"
    assert (await OutboxReplay(offline.outbox, back).run()).sent == 0
    assert [m.id for m in (await colleague.tickets.messages.list(ticket.id)).items] == before, "nothing was sent"

    # Online, the agent looks at the thread (the collision check's snapshot) and confirms.
    now = await back.tickets.conversations.fetch(ticket.id)
    seen = ActivitySnapshot.of(now.ticket, now.messages, now.comments)
    sent = await back.tickets.conversations.send(REPLY, ticket.id, "Yes, fixed.", "reply-key-1", seen=seen)
    assert sent.sent
    bodies = [m.body for m in (await colleague.tickets.messages.list(ticket.id)).items]
    assert bodies.count("Yes, fixed.") == 1
