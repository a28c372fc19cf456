"""The webhook store against the real sandbox: secrets are returned once and never kept, a
colleague's concurrent change is merged, and the list follows deletions made elsewhere."""

from __future__ import annotations

from app.data.record_store import Saved
from app.data.stores import Stores


async def test_the_signing_secret_is_returned_once_and_never_cached(stores, tmp_path) -> None:
    store = stores.webhooks
    changes = []
    store.changes.subscribe(changes.append)
    revealed = await store.create_endpoint({"name": "Secret keeper", "url": "https://secret.example.com/h",
                                            "event_types": ["invoice.paid"]})
    assert revealed.secret.startswith("whsec_")
    assert store.listed[0].id == revealed.record.id  # new endpoints on top
    assert getattr(store.listed[0], "signing_secret", None) is None
    assert changes[-1].upserted == (revealed.record.id,)
    rotated = await store.rotate_secret(revealed.record)
    assert rotated.secret.startswith("whsec_") and rotated.secret != revealed.secret
    cached = await store.cached(revealed.record.id)
    assert cached is not None and cached.signing_secret_preview == rotated.record.signing_secret_preview
    for path in tmp_path.iterdir():  # the database and its write-ahead log
        data = path.read_bytes()
        assert revealed.secret.encode() not in data and rotated.secret.encode() not in data, path


async def test_a_status_change_merges_a_colleagues_rename(stores, colleague) -> None:
    store = stores.webhooks
    created = (await store.create_endpoint({"name": "Warehouse", "url": "https://w.example.com/h",
                                            "event_types": ["invoice.paid"]})).record
    await colleague.webhooks.update(created.id, {"name": "Warehouse (EU)"}, if_match=created.version)
    outcome = await store.set_status(created, "paused")  # started from the version before the rename
    assert isinstance(outcome, Saved) and outcome.merged_from == ("name",)
    on_server = await colleague.webhooks.get(created.id)
    assert (on_server.name, on_server.status) == ("Warehouse (EU)", "paused")
    assert store.listed_one(created.id).name == "Warehouse (EU)"


async def test_reload_forgets_endpoints_deleted_elsewhere(stores, colleague) -> None:
    store = stores.webhooks
    doomed = (await store.create_endpoint({"name": "Doomed", "url": "https://d.example.com/h",
                                           "event_types": ["invoice.paid"]})).record
    await colleague.webhooks.delete(doomed.id)
    await store.reload()
    assert store.listed_one(doomed.id) is None
    assert await store.cached(doomed.id) is None
    offline = Stores(None, stores.cache).webhooks  # an offline start paints the cached list
    assert [w.id for w in await offline.load_cached()] == [w.id for w in store.listed]


async def test_a_test_event_tells_the_delivery_log(stores) -> None:
    store = stores.webhooks
    webhook = (await store.create_endpoint({"name": "Test target", "url": "https://t.example.com/h",
                                            "event_types": ["invoice.paid"]})).record
    told: list[str] = []
    store.deliveries_changed.subscribe(told.append)
    delivery = await store.send_test(webhook.id)
    assert told == [webhook.id] and delivery.event_type == "webhook.test"
    page = await store.deliveries(webhook_id=webhook.id)
    assert [d.id for d in page.items] == [delivery.id]
    assert store.name_of(webhook.id) == "Test target"
