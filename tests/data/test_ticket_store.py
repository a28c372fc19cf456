"""The ticket store on the real sandbox: the held list and its counts, merged field changes, bulk
changes with a result per ticket, the conversation's collision check, and the cache's trouble."""

from __future__ import annotations

import uuid

from app.api.models import Ticket
from app.data.record_store import Saved, StoreChange
from app.data.ticket_conversation import NOTE, REPLY, ActivitySnapshot
from app.data.ticket_query import TicketQuery
from app.data.tickets import PAGE_SIZE, Refused


def unique(word: str) -> str:
    return f"{word} {uuid.uuid4().hex[:8]}"


async def test_the_counts_are_the_servers_and_follow_every_change(session):
    stores, colleague = session
    tickets = stores.tickets
    heard: list[StoreChange] = []
    tickets.changes.subscribe(heard.append)
    await tickets.refresh()
    assert heard[-1].reset
    counts = tickets.counts()
    server_open = await colleague.tickets.count(state="open", group_by="queue_id")
    assert (counts.total, counts.open) == ((await colleague.tickets.count()).total, server_open.total) > (0, 0)
    assert dict(counts.open_by_queue) == {g.value: g.count for g in server_open.groups}
    assert tickets.tickets == [], "counting loads no tickets"

    arrived = await colleague.tickets.create({"subject": unique("Arrives")})
    await tickets.list_page(TicketQuery())  # the list's first page: the newest, the new one on top
    changed = await tickets.poll()
    assert arrived.id in {t.id for t in changed} or tickets.held(arrived.id) is not None
    assert (tickets.counts().total, tickets.counts().open) == (counts.total + 1, counts.open + 1)

    base = tickets.held(arrived.id)
    opened = tickets.live_count(TicketQuery(state="open", text=base.subject))
    await tickets.recount(opened)
    assert opened.total == 1
    outcome = await tickets.change(base, {"status": "resolved"})
    assert isinstance(outcome, Saved) and tickets.held(arrived.id).status == "resolved"
    assert tickets.counts().open == counts.open, "resolving it leaves the open count at once"
    assert opened.total == 0, "and every live count it was in"
    await tickets.recount()
    assert tickets.counts().open == counts.open and opened.total == 0, "the server agrees"


async def test_the_list_is_paged_and_filtered_by_the_server(session):
    stores, colleague = session
    tickets = stores.tickets
    tag = unique("Paged")
    made = [await colleague.tickets.create({"subject": f"{tag} {n}", "priority": "urgent"}) for n in range(3)]
    query = TicketQuery(view="unassigned_urgent", text=tag)
    rows, cursor = await tickets.list_page(query)
    assert [t.id for t in rows] == [t.id for t in reversed(made)] and cursor is None, "newest first, one page"
    everything, cursor = await tickets.list_page(TicketQuery())
    assert len(everything) == PAGE_SIZE or cursor is None
    if cursor is not None:
        following, _ = await tickets.list_page(TicketQuery(), cursor)
        assert not {t.id for t in following} & {t.id for t in everything}, "the next page follows on"
    assert [t.id for t in tickets.instant(query)] == [t.id for t in reversed(made)], "held: the instant answer"


async def test_a_late_answer_never_replaces_a_newer_version(session):
    stores, colleague = session
    tickets = stores.tickets
    created = await colleague.tickets.create({"subject": unique("Late")})
    await tickets.remember([created])
    newer = await colleague.tickets.update(created.id, {"priority": "high"})
    await tickets.remember([newer])
    await tickets.remember([created])  # a poll that left before the update, answering after it
    await tickets.remember([created], replace=True)  # and a whole refresh as late
    assert tickets.held(created.id).version == newer.version and tickets.held(created.id).priority == "high"
    body = await stores.cache.get_record("tickets", created.id)
    assert body["version"] == newer.version, "the cache keeps the newer version too"


async def test_a_colleagues_change_of_another_field_is_merged_and_of_the_same_field_refused(session):
    stores, colleague = session
    tickets = stores.tickets
    created = await colleague.tickets.create({"subject": unique("Merge"), "priority": "low"})
    base = await tickets.fetch(created.id)
    await colleague.tickets.update(created.id, {"priority": "urgent"}, if_match=base.version)

    merged = await tickets.change(base, {"status": "pending"})
    assert isinstance(merged, Saved) and merged.merged_from == ("priority",)
    server = await colleague.tickets.get(created.id)
    assert (server.status, server.priority) == ("pending", "urgent")
    assert tickets.held(created.id).version == server.version

    await colleague.tickets.update(created.id, {"priority": "normal"}, if_match=server.version)
    refused = await tickets.change(merged.record, {"priority": "high"})
    assert isinstance(refused, Refused) and [c.label for c in refused.conflicts] == ["priority"]
    assert refused.request_id and refused.request_id.startswith("req_"), "the refused PATCH can be looked up"
    assert refused.theirs.priority == "normal" and tickets.held(created.id).priority == "normal"
    assert (await colleague.tickets.get(created.id)).priority == "normal", "nothing of theirs was overwritten"


async def test_a_bulk_change_reports_each_ticket_and_holds_the_colleagues_version_of_stale_ones(session):
    stores, colleague = session
    tickets = stores.tickets
    made = [await colleague.tickets.create({"subject": unique(f"Bulk {n}")}) for n in range(4)]
    await tickets.remember(made)
    await colleague.tickets.update(made[1].id, {"priority": "high"})  # ours is stale now
    reported = []
    results = await tickets.change_many([tickets.held(t.id) for t in made], {"status": "pending"}, reported.append)
    assert len(reported) == len(results) == 4
    by_id = {r.ticket_id: r for r in results}
    assert not by_id[made[1].id].ok and "412" in by_id[made[1].id].message
    assert all(by_id[t.id].ok for t in made if t.id != made[1].id)
    stale = tickets.held(made[1].id)
    assert (stale.status, stale.priority) == ("new", "high"), "the colleague's version is held, not ours"
    assert all(tickets.held(t.id).status == "pending" for t in made if t.id != made[1].id)


async def test_a_reply_waits_for_activity_the_agent_has_not_seen(session):
    stores, colleague = session
    conversations = stores.tickets.conversations
    created = await colleague.tickets.create({"subject": unique("Thread")})
    await colleague.tickets.messages.create(created.id, {"direction": "inbound", "body": "Help"})
    seen = await conversations.fetch(created.id)
    snapshot = ActivitySnapshot.of(seen.ticket, seen.messages, seen.comments)
    theirs = await colleague.tickets.comments.create(created.id, {"body": "I am on it"})

    held = await conversations.send(REPLY, created.id, "Hello", "key-1", seen=snapshot)
    assert not held.sent and held.new_ids == {theirs.id}
    assert [m.direction for m in (await colleague.tickets.messages.list(created.id)).items] == ["inbound"]

    now = held.now
    sent = await conversations.send(REPLY, created.id, "Hello", "key-1",
                                    seen=ActivitySnapshot.of(now.ticket, now.messages, now.comments))
    assert sent.sent and any(m.body == "Hello" for m in sent.now.messages), "the thread after it comes back"
    note = await conversations.send(NOTE, created.id, "Internal", "key-2", seen=None, pinned=True)
    assert note.sent and any(c.body == "Internal" and c.pinned for c in note.now.comments)
    cached = await conversations.cached(created.id)
    assert {m.body for m in cached[0]} >= {"Help", "Hello"} and "Internal" in {c.body for c in cached[1]}


async def test_a_cache_failure_is_kept_as_a_problem_until_the_cache_works_again(session):
    stores, _colleague = session
    tickets = stores.tickets
    heard: list[str | None] = []
    tickets.cache_problems.subscribe(heard.append)
    unsavable = {"subject": "no id"}  # the cache refuses a record without an id
    await tickets.write_cache(tickets=[unsavable])
    assert tickets.cache_problem and "local cache" in tickets.cache_problem
    ticket = Ticket.model_validate({"id": "tkt_fine", "subject": "Fine", "status": "open", "priority": "low",
                                    "version": 1, "created_at": "2026-11-23T10:00:00Z",
                                    "updated_at": "2026-11-23T10:00:00Z"})
    await tickets.remember([ticket])
    assert tickets.cache_problem is None, "the problem goes once a later write gets through"
    assert heard == [heard[0], None] and heard[0]
