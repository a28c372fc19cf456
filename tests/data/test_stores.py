"""A session's stores: one per resource, shared by every panel that asks, each with the outbox."""

from __future__ import annotations

from app.data.outbox import Outbox
from app.data.stores import Stores


async def test_each_resource_has_one_store_shared_by_whoever_asks_and_edits_go_to_the_outbox(stores, tmp_path) -> None:
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    session = Stores(stores.client, stores.cache, outbox)
    for name in ("contacts", "companies", "tickets", "invoices", "webhooks", "api_keys", "quota"):
        assert getattr(session, name) is getattr(session, name), name
    assert all(getattr(session, name).outbox is outbox for name in ("contacts", "companies", "tickets", "invoices"))
    assert session.api_keys.identity is session.identity
    session.close()
    outbox.close()


async def test_the_quota_store_hears_responses_before_anyone_asks_for_it(stores) -> None:
    session = Stores(stores.client, stores.cache)
    for _ in range(5):
        await stores.client.workspace.get()
    assert session.quota.rate_limit.remaining is not None and session.quota.burn.per_minute() > 0
    session.close()
