"""Invoice drafts offline: edits and new drafts wait in the outbox, lists show them, replay sends each once.

Against the real sandbox through a proxy that can be "down" (connections reset before the server
sees them) or lose an answer after the server acted; the server's event log and versions say
how often each change was applied.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import httpx
import pytest

from app.api import AdminClient, ApiKeyAuth, errors
from app.cache import AsyncPageCache
from app.data.invoice_drafts import draft_totals, is_provisional
from app.data.invoices import InvoiceFilter
from app.data.outbox import Outbox
from app.data.outbox_replay import OutboxReplay
from app.data.record_store import Queued, Saved
from app.data.stores import Stores
from tests.api.fault_proxy import FaultProxy


def line(name: str, cents: int, quantity: int = 1, tax_bps: int = 0) -> dict:
    return {"kind": "service", "name": name, "quantity": quantity, "unit_amount_cents": cents, "tax_rate_bps": tax_bps}


@pytest.fixture
async def flaky(sandbox, sandbox_credentials, tmp_path):
    """(stores through a fault proxy, the proxy, the outbox); the proxy starts up."""
    upstream = httpx.URL(sandbox.url)
    proxy = FaultProxy(upstream.host, upstream.port, fault_rate=0.0)
    port = await proxy.start()
    client = AdminClient(f"http://127.0.0.1:{port}/v1", ApiKeyAuth(sandbox_credentials["test"]["owner_key"]),
                         max_retries=0)
    cache = await AsyncPageCache.open(tmp_path / "cache.sqlite3")
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    stores = Stores(client, cache, outbox)
    yield stores, proxy, outbox
    stores.close()
    await outbox.close()
    await cache.close()
    await client.aclose()
    await proxy.stop()


async def created_with(client: AdminClient, notes: str) -> list[str]:
    """Ids of the invoices the server's event log says were created with these notes."""
    return [event.data["id"] async for event in await client.events.list(type="invoice.created", limit=100)
            if (event.data or {}).get("notes") == notes]


def test_provisional_totals_follow_the_platforms_rule():
    # 3 × 33.33 at 7.5 % = 99.99 + 7.49925 → 7.50 (half-up per line); 1 × 0.05 at 10 % = 0.005 → 0.01
    assert draft_totals([line("A", 3333, 3, 750), line("B", 5, 1, 1000)]) == {
        "subtotal_cents": 10_004, "tax_cents": 751, "total_cents": 10_755}


async def test_a_draft_created_and_edited_offline_is_listed_then_created_exactly_once(flaky, colleague):
    stores, proxy, outbox = flaky
    store = stores.invoices
    notes = f"train draft {uuid.uuid4().hex[:8]}"
    drafts = store.listing(InvoiceFilter(status="draft"))
    await drafts.load()
    online_totals = drafts.totals
    proxy.down = True
    stores.connection.mark_offline("ConnectError")

    outcome = await store.new_draft({"currency": "USD", "line_items": [line("Audit", 30_000)], "notes": notes,
                                     "company_id": None}, label="New draft for nobody")
    assert isinstance(outcome, Queued) and is_provisional(outcome.record.id)
    assert drafts.records[0].id == outcome.record.id, "the new draft leads the list while it waits"
    assert drafts.totals.due["USD"] == online_totals.due.get("USD", 0) + 30_000, "the footer counts it"
    item = outbox.items[0]
    assert (item.action, item.record_id, item.label) == ("create", None, "New draft for nobody")
    assert store.pending_ids() == {outcome.record.id}

    edited = await store.update_draft(outcome.record, {"line_items": [line("Audit", 30_000, quantity=2)]})
    assert isinstance(edited, Queued) and outbox.waiting == 1, "an edit of a waiting draft changes its create"
    assert drafts.get(outcome.record.id).total_cents == 60_000

    proxy.down = False
    report = await OutboxReplay(outbox, stores).run()
    assert report.sent == 1 and outbox.items == []
    made = await created_with(colleague, notes)
    assert len(made) == 1, "created exactly once"
    assert store.sent_as(outcome.record.id) == made[0], "the provisional draft knows what it became"
    assert drafts.get(outcome.record.id) is None and drafts.get(made[0]).total_cents == 60_000
    assert (await colleague.invoices.get(made[0])).line_items[0].quantity == 2


async def test_a_create_whose_answer_was_lost_is_queued_with_its_key_and_not_made_twice(flaky, colleague):
    stores, proxy, outbox = flaky
    notes = f"lost answer {uuid.uuid4().hex[:8]}"
    faults = iter(["reset_after"])
    proxy._choose = lambda: next(faults, None)  # the server makes the draft; the answer never arrives

    outcome = await stores.invoices.new_draft({"currency": "EUR", "line_items": [line("Lost", 1_000)], "notes": notes})
    assert isinstance(outcome, Queued) and proxy.injected["reset_after"] == 1
    assert len(await created_with(colleague, notes)) == 1, "the server did make it"

    report = await OutboxReplay(outbox, stores).run()
    assert report.sent == 1 and outbox.items == []
    made = await created_with(colleague, notes)
    assert len(made) == 1, "the replay's same Idempotency-Key got the first answer back: no second draft"
    assert stores.invoices.sent_as(outcome.record.id) == made[0]


async def test_an_existing_draft_edited_offline_merges_a_colleagues_change_and_is_applied_once(flaky, colleague):
    stores, proxy, outbox = flaky
    store = stores.invoices
    base = await store.create_draft({"currency": "USD", "line_items": [line("Design", 10_000), line("Build", 20_000)]})
    listing = store.listing(InvoiceFilter())
    await listing.load()
    proxy.down = True

    mine = [line("Design", 10_000, quantity=2), line("Build", 20_000)]
    due = (date.today() + timedelta(days=45)).isoformat()
    queued = await store.update_draft(base, {"line_items": mine, "due_date": due})
    assert isinstance(queued, Queued) and store.pending_ids() == {base.id}
    assert listing.get(base.id).total_cents == 40_000, "the list shows the edit's totals while it waits"
    await colleague.invoices.update(base.id, {"notes": "PO 4471"})  # a colleague, meanwhile

    proxy.down = False
    report = await OutboxReplay(outbox, stores).run()
    assert (report.sent, report.merged) == (1, 1)
    server = await colleague.invoices.get(base.id)
    assert ([i.quantity for i in server.line_items], str(server.due_date), server.notes) == ([2, 1], due, "PO 4471")
    assert server.total_cents == 40_000
    assert server.version == base.version + 2, "the colleague's change and mine, each applied once"
    assert listing.get(base.id) == server and store.pending_ids() == set()


async def test_a_draft_edit_the_server_refuses_on_replay_stays_with_the_servers_message(flaky, colleague):
    stores, proxy, outbox = flaky
    store = stores.invoices
    today = date.today()
    base = await store.create_draft({"currency": "USD", "line_items": [line("Dates", 500)],
                                     "issue_date": today.isoformat(), "due_date": today.isoformat()})
    proxy.down = True
    await store.update_draft(base, {"due_date": (today - timedelta(days=3)).isoformat()})

    proxy.down = False
    report = await OutboxReplay(outbox, stores).run()
    assert report.needs_attention == 1
    item = store.waiting_change(base.id)
    assert not item.waiting and "must be on or after issue_date" in item.message, item.message
    assert (await colleague.invoices.get(base.id)).version == base.version, "nothing applied"


async def test_send_void_and_payments_need_the_server(flaky):
    stores, proxy, outbox = flaky
    store = stores.invoices
    draft = await store.create_draft({"currency": "USD", "line_items": [line("Money", 900)]})
    proxy.down = True
    for move in (store.send(draft), store.void(draft), store.record_payment(draft, 100, "card")):
        with pytest.raises(errors.ApiConnectionError):
            await move
    assert outbox.items == [], "money never moves from the outbox"
    assert isinstance(await store.new_draft({"currency": "USD"}), Queued)
    proxy.down = False
    await stores.client.me.get()  # any answered exchange: online again
    online = await store.new_draft({"currency": "USD", "notes": "online"})
    assert isinstance(online, Saved) and not isinstance(online, Queued) and outbox.waiting == 1
