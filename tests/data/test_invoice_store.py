"""The invoice store against the real sandbox: an open list and its totals follow every write,
filters hold, drafts merge a colleague's change line by line, and payments are kept for offline."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.api import AdminClient, errors
from app.data.invoices import InvoiceFilter, ListTotals
from app.data.record_store import MergeNeeded, Saved


def line(name: str, cents: int, quantity: int = 1) -> dict:
    return {"kind": "service", "name": name, "quantity": quantity, "unit_amount_cents": cents, "tax_rate_bps": 0}


async def servers_totals(client: AdminClient, **filters) -> ListTotals:
    return ListTotals.of([invoice async for invoice in client.invoices.iterate(limit=100, **filters)])


async def test_an_open_list_and_its_totals_follow_every_write(stores, colleague) -> None:
    store = stores.invoices
    listing = store.listing(InvoiceFilter())
    told = []
    listing.changes.subscribe(lambda changed: told.append(changed.totals))
    await listing.load()
    assert listing.source == "server" and listing.totals == await servers_totals(colleague)

    draft = await store.create_draft({"currency": "USD", "line_items": [line("Audit", 30_000)], "notes": None})
    assert listing.records[0].id == draft.id, "a new draft goes on top"
    assert listing.totals == await servers_totals(colleague) and told[-1] == listing.totals
    sent = await store.send(draft)
    recorded = await store.record_payment(sent, 10_000, "card")
    assert recorded.invoice.status == "partially_paid" and recorded.payment.amount_cents == 10_000
    assert listing.get(draft.id).amount_due_cents == 20_000
    assert listing.totals == await servers_totals(colleague)

    mistake = await store.create_draft({"currency": "EUR", "line_items": [line("Mistake", 5_000)]})
    await store.void(mistake)
    assert listing.get(mistake.id).amount_due_cents == 0
    assert listing.totals == await servers_totals(colleague)

    listing.close()
    await store.create_draft({"currency": "USD", "line_items": [line("Unseen", 100)]})
    assert listing.totals != await servers_totals(colleague), "a closed list no longer follows the store"


async def test_a_filtered_list_takes_only_the_invoices_that_match(stores, colleague) -> None:
    store = stores.invoices
    drafts = store.listing(InvoiceFilter(status="draft"))
    soon = store.listing(InvoiceFilter(due_before=date.today() + timedelta(days=10)))
    await drafts.load()
    await soon.load()
    assert drafts.totals == await servers_totals(colleague, status="draft")
    assert all(invoice.status == "draft" for invoice in drafts.records)

    draft = await store.create_draft({"currency": "USD", "line_items": [line("Filtered", 700)],
                                      "issue_date": date.today().isoformat(),
                                      "due_date": (date.today() + timedelta(days=5)).isoformat()})
    assert drafts.get(draft.id) is not None and soon.get(draft.id) is not None
    sent = await store.send(draft)
    assert drafts.get(draft.id) is None, "a sent invoice leaves the drafts"
    assert soon.get(draft.id) == sent
    assert drafts.totals == await servers_totals(colleague, status="draft")


async def test_a_draft_merges_a_colleagues_line_change_line_by_line(stores, colleague) -> None:
    store = stores.invoices
    base = await store.create_draft({"currency": "USD", "line_items": [line("Design", 10_000), line("Build", 20_000)]})
    theirs = [line("Design", 10_000), line("Build", 20_000, quantity=3)]
    await colleague.invoices.update(base.id, {"line_items": theirs}, if_match=base.version)

    mine = [line("Design review", 10_000), line("Build", 20_000)]
    outcome = await store.update_draft(base, {"line_items": mine, "notes": "Net 15"})
    assert isinstance(outcome, Saved) and outcome.merged_from == ("line_items",)
    on_server = await colleague.invoices.get(base.id)
    assert [(item.name, item.quantity) for item in on_server.line_items] == [("Design review", 1), ("Build", 3)]
    assert on_server.notes == "Net 15" and on_server.total_cents == 70_000

    # Both change the same line's quantity: that quantity, and nothing else, is asked about.
    await colleague.invoices.update(base.id, {"line_items": [line("Design review", 10_000, 2), line("Build", 20_000, 3)]},
                                    if_match=on_server.version)
    clash = await store.update_draft(on_server, {"line_items": [line("Design review", 10_000, 5), line("Build", 20_000, 3)],
                                                 "notes": "Net 30"})
    assert isinstance(clash, MergeNeeded)
    assert [conflict.label for conflict in clash.merge.conflicts] == ["line_items[0].quantity"]
    settled = await store.resolve(clash, {("line_items", 0, "quantity"): "mine"})
    assert isinstance(settled, Saved)
    final = await colleague.invoices.get(base.id)
    assert [item.quantity for item in final.line_items] == [5, 3] and final.notes == "Net 30"


async def test_an_over_payment_is_refused_and_the_invoice_read_again(stores, colleague) -> None:
    store = stores.invoices
    draft = await colleague.invoices.create({"currency": "USD", "line_items": [line("Support", 9_000)]})
    sent = await colleague.invoices.send(draft.id)
    listing = store.listing(InvoiceFilter())
    await listing.load()
    await colleague.payments.create({"invoice_id": sent.id, "amount_cents": 8_000, "method": "cash"})
    with pytest.raises(errors.ValidationFailed):
        await store.record_payment(sent, 9_000, "card")  # what was due when the invoice was read
    assert listing.get(sent.id).amount_due_cents == 1_000, "the list shows what the server judged by"
    assert [p.amount_cents async for p in await colleague.payments.list(invoice_id=sent.id)] == [8_000]


async def test_payments_read_online_are_there_offline(stores, colleague) -> None:
    store = stores.invoices
    draft = await colleague.invoices.create({"currency": "GBP", "line_items": [line("Hosting", 4_000)]})
    sent = await colleague.invoices.send(draft.id)
    await store.record_payment(sent, 1_500, "bank_transfer")
    online = await store.payments_of(sent.id)
    assert [p.amount_cents for p in online] == [1_500]
    stores.connection.mark_offline("test: the server went away")
    assert await store.payments_of(sent.id) == online
