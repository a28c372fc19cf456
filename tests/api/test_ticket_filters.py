"""`client.tickets.list` with the server's view filters and `client.tickets.count`, against the
real sandbox: each filter finds the tickets its view promises, and the count agrees with the list."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.api import errors, models
from tests.api.sandbox_clients import owner_client, unique


@pytest.fixture
async def client(sandbox):
    async with owner_client(sandbox) as client:
        yield client


async def every(client, **filters) -> list[models.Ticket]:
    return [t async for t in client.tickets.iterate(limit=100, **filters)]


async def test_each_view_filter_finds_what_it_promises_and_the_count_agrees(client):
    await client.tickets.create({"subject": unique("Unassigned urgent"), "priority": "urgent"})
    for filters, holds in (
        ({"state": "open"}, lambda t: t.status not in ("resolved", "closed")),
        ({"state": "closed"}, lambda t: t.status in ("resolved", "closed")),
        ({"assigned": False}, lambda t: t.assignee_id is None),
        ({"assigned": True}, lambda t: t.assignee_id is not None),
        ({"assigned": False, "priority": "urgent", "state": "open"},
         lambda t: t.assignee_id is None and t.priority == "urgent" and t.status not in ("resolved", "closed")),
    ):
        found = await every(client, **filters)
        assert found and all(holds(t) for t in found), filters
        assert (await client.tickets.count(**filters)).total == len(found), filters
    everything = await every(client)
    assert (await client.tickets.count()).total == len(everything)
    opened, closed = await every(client, state="open"), await every(client, state="closed")
    assert len(opened) + len(closed) == len(everything), "open and closed split the workspace"


async def test_breaching_sla_is_an_overdue_unanswered_open_ticket(client):
    now = datetime.now(UTC)
    breaching = await every(client, breaching_sla=True)
    assert breaching, "the demo data has tickets past their first-response target"
    for ticket in breaching:
        assert ticket.first_responded_at is None and ticket.status not in ("resolved", "closed")
        assert ticket.first_response_due_at is not None and ticket.first_response_due_at < now
    assert (await client.tickets.count(breaching_sla=True)).total == len(breaching)
    within_a_day = await every(client, first_response_due_before=now + timedelta(days=1))
    assert {t.id for t in breaching} <= {t.id for t in within_a_day}, "overdue is due before tomorrow"


async def test_a_new_ticket_moves_between_counts_as_it_changes(client):
    subject = unique("Counted")
    before = await client.tickets.count(state="open", group_by="priority")
    ticket = await client.tickets.create({"subject": subject, "priority": "urgent"})
    after = await client.tickets.count(state="open", group_by="priority")
    assert after.total == before.total + 1 and after.of("urgent") == before.of("urgent") + 1
    assert (await client.tickets.count(query=subject)).total == 1
    assert [t.id for t in (await client.tickets.list(query=subject, assigned=False, state="open")).items] == [ticket.id]
    await client.tickets.update(ticket.id, {"status": "resolved"})
    assert (await client.tickets.count(state="open", group_by="priority")).of("urgent") == before.of("urgent")
    assert (await client.tickets.count(query=subject, state="closed")).total == 1


async def test_count_groups_split_the_total_largest_first(client):
    by_queue = await client.tickets.count(state="open", group_by="queue_id")
    assert by_queue.groups is not None and sum(g.count for g in by_queue.groups) == by_queue.total
    assert [g.count for g in by_queue.groups] == sorted((g.count for g in by_queue.groups), reverse=True)
    queue = next(g.value for g in by_queue.groups if g.value is not None)
    assert (await client.tickets.count(state="open", queue_id=queue)).total == by_queue.of(queue)
    assert (await client.tickets.count()).groups is None, "no group_by, no groups"


async def test_bad_filters_are_named(client):
    with pytest.raises(TypeError, match="breaching"):
        await client.tickets.count(breaching=True)
    with pytest.raises(errors.BadRequest) as refused:
        await client.tickets.count(state="sideways")
    assert "state" in str(refused.value.details) or "state" in refused.value.message
