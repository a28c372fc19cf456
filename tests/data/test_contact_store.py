"""The contact store on the real sandbox: merged saves, the list's cached slices, sync, related records."""

from __future__ import annotations

import uuid

import pytest

from app.cache import AsyncPageCache
from app.data.contacts import ContactQuery
from app.data.record_store import MergeNeeded, Saved, StoreChange
from app.data.stores import Stores


def unique(word: str) -> str:
    return f"{word}{uuid.uuid4().hex[:8]}"


async def test_a_colleagues_change_to_another_field_is_merged_and_resent(session):
    stores, colleague = session
    created = await colleague.contacts.create({"name": unique("Merge "), "phone": "+1 555 0100", "notes": "old"})
    base = await stores.contacts.fetch(created.id)
    heard: list[StoreChange] = []
    stores.contacts.changes.subscribe(heard.append)
    await colleague.contacts.update(created.id, {"phone": "+1 555 111 2222"}, if_match=base.version)

    outcome = await stores.contacts.update(base, {"notes": "mine"})

    assert isinstance(outcome, Saved) and outcome.merged_from == ("phone",)
    server = await colleague.contacts.get(created.id)
    assert (server.phone, server.notes, server.version) == ("+1 555 111 2222", "mine", base.version + 2)
    assert outcome.record.version == server.version
    assert (await stores.contacts.cached(created.id)).notes == "mine", "the saved version is cached"
    assert any(created.id in change.upserted for change in heard)


@pytest.mark.parametrize("keep, phone", [("mine", "+1 555 333 4444"), ("theirs", "+1 555 111 2222")])
async def test_a_field_both_changed_is_the_only_conflict_and_its_answer_keeps_the_rest(session, keep, phone):
    stores, colleague = session
    created = await colleague.contacts.create({"name": unique("Both "), "phone": "+1 555 0100",
                                               "email": f"{unique('b')}@example.com"})
    base = await stores.contacts.fetch(created.id)
    their_email = f"{unique('theirs')}@example.com"
    await colleague.contacts.update(created.id, {"phone": "+1 555 111 2222", "email": their_email},
                                    if_match=base.version)

    needed = await stores.contacts.update(base, {"phone": "+1 555 333 4444", "notes": "mine"})

    assert isinstance(needed, MergeNeeded)
    assert [c.label for c in needed.merge.conflicts] == ["phone"]
    assert (await colleague.contacts.get(created.id)).notes is None, "nothing sent before the answer"
    saved = await stores.contacts.resolve(needed, {("phone",): keep})
    assert isinstance(saved, Saved)
    server = await colleague.contacts.get(created.id)
    assert (server.phone, server.email, server.notes) == (phone, their_email, "mine")


async def test_cached_slices_read_row_fields_and_match_tags_exactly(tmp_path):
    cache = await AsyncPageCache.open(tmp_path / "cache.sqlite3")
    stores = Stores(None, cache)
    try:
        stamp = "2026-11-20T10:00:0{}Z"
        await cache.put_records("contacts", [
            {"id": f"con_{i}", "name": name, "tags": tags, "company_id": "com_1" if i < 3 else None,
             "version": 1, "created_at": stamp.format(i), "updated_at": stamp.format(i)}
            for i, (name, tags) in enumerate([("Ada", ["vip"]), ("Bea", ["VIP", "beta"]), ("Cy", ["vipx"]),
                                              ("Dee", [])])])
        fields = ("id", "name", "tags")
        rows, more = await stores.contacts.cached_slice(ContactQuery(), 0, fields, tuple, limit=2)
        assert [row[0] for row in rows] == ["con_3", "con_2"] and more, "newest first, in slices"
        tagged, _ = await stores.contacts.cached_slice(ContactQuery(tag="vip"), 0, fields, tuple)
        assert sorted(row[0] for row in tagged) == ["con_0", "con_1"], "a tag is a whole tag, any case"
        at_company = ContactQuery(company_id="com_1", order_by="name", descending=False)
        rows, more = await stores.contacts.cached_slice(at_company, 0, fields, tuple)
        assert [row[1] for row in rows] == ["Ada", "Bea", "Cy"] and not more
        assert await stores.contacts.count_cached(at_company) == 3
        assert [row[1] for row in await stores.contacts.best_matches("bea", fields, tuple)] == ["Bea"]
        assert not await stores.contacts.catalogue_has_more(ContactQuery()), "no server: nothing to page on"
        exported = [body async for chunk in stores.contacts.export_bodies(ContactQuery(tag="vip"), 1) for body in chunk]
        assert sorted(body["id"] for body in exported) == ["con_0", "con_1"]
    finally:
        stores.close()
        await cache.close()


async def test_sync_fetches_what_changed_and_says_so_once(session):
    stores, colleague = session
    heard: list[StoreChange] = []
    stores.contacts.changes.subscribe(heard.append)
    assert await stores.contacts.sync() > 0, "an empty cache gets the first page"
    assert heard == [StoreChange(reset=True)]
    newest = (await colleague.contacts.list(limit=1)).items[0]
    notes = unique("synced ")
    await colleague.contacts.update(newest.id, {"notes": notes})
    heard.clear()
    assert await stores.contacts.sync() >= 1
    assert heard == [StoreChange(reset=True)]
    assert (await stores.contacts.cached(newest.id)).notes == notes


async def test_related_records_and_the_holder_of_an_email(session):
    stores, colleague = session
    email = f"{unique('holder')}@example.com"
    contact = await colleague.contacts.create({"name": unique("Holder "), "email": email})
    ticket = await colleague.tickets.create({"subject": unique("Help "), "contact_id": contact.id})
    invoice = await colleague.invoices.create({"currency": "EUR", "contact_id": contact.id, "line_items": [
        {"kind": "service", "name": "Setup", "quantity": 1, "unit_amount_cents": 100}]})
    fresh = await stores.contacts.related(contact.id, stores.tickets, stores.invoices, refresh=True)
    assert [t.id for t in fresh.tickets] == [ticket.id] and [i.id for i in fresh.invoices] == [invoice.id]
    cached = await stores.contacts.related(contact.id, stores.tickets, stores.invoices, refresh=False)
    assert [t.id for t in cached.tickets] == [ticket.id] and [i.id for i in cached.invoices] == [invoice.id]
    assert (await stores.contacts.email_holder(email.upper())).id == contact.id
    assert (await stores.contacts.email_holder(email, contact.id)).id == contact.id
