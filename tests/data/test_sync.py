"""The background record sync on the real sandbox: an edit made while a run pages through the
records is fetched by the next run, however far the run had got; progress is heard page by page."""

from __future__ import annotations

import uuid

from app.api import AdminClient, ApiKeyAuth
from app.cache import AsyncPageCache
from app.data.record_store import StoreChange
from app.data.stores import Stores
from app.data.sync import RecordSync, SyncProgress


class EditAfterFirstPage:
    """The sync's cache, with a colleague editing records right after the first page was stored.

    The edited records are the newest (on the page already fetched) and the oldest (still to come):
    the fault a desktop sync meets every day, made to happen at one exact point.
    """

    def __init__(self, cache: AsyncPageCache, edit) -> None:
        self._cache = cache
        self._edit = edit
        self._pages = 0

    def __getattr__(self, name: str):
        return getattr(self._cache, name)

    async def put_records(self, resource, rows):
        stored = await self._cache.put_records(resource, rows)
        if resource == "contacts":
            self._pages += 1
            if self._pages == 1:
                await self._edit()
        return stored


async def test_an_edit_made_during_a_sync_run_is_fetched_by_the_next_run(sandbox, sandbox_credentials, tmp_path):
    key = sandbox_credentials["test"]["owner_key"]
    stamp = uuid.uuid4().hex[:8]
    cache = await AsyncPageCache.open(tmp_path / "cache.sqlite3")
    try:
        async with AdminClient(sandbox.url, ApiKeyAuth(key)) as client, \
                AdminClient(sandbox.url, ApiKeyAuth(key)) as colleague:
            newest = (await client.contacts.list(limit=1)).items[0]
            all_contacts = [contact async for contact in await client.contacts.list(limit=100)]
            assert len(all_contacts) > 100, "the sync must need more than one page for this test"
            oldest = all_contacts[-1]

            async def edit():
                await colleague.contacts.update(newest.id, {"notes": f"edited during sync {stamp} (newest)"})
                await colleague.contacts.update(oldest.id, {"notes": f"edited during sync {stamp} (oldest)"})

            first = RecordSync(Stores(client, EditAfterFirstPage(cache, edit)), None)
            heard: list[SyncProgress] = []
            first.progress.subscribe(heard.append)
            await first.run()
            assert first.stored >= len(all_contacts)
            # The status bar's "Caching contacts …: n" counts up page by page, per resource.
            contacts = [p.count for p in heard if p.resource == "contacts"]
            assert len(contacts) > 1 and contacts == sorted(contacts) and contacts[-1] >= len(all_contacts)
            assert any(p.resource == "tickets" for p in heard)
            stores = Stores(client, cache)
            told: list[StoreChange] = []
            stores.contacts.changes.subscribe(told.append)
            second = RecordSync(stores, None)
            await second.run()
            # An open contacts view hears of the edits the sync brought.
            assert {newest.id, oldest.id} <= {i for change in told for i in change.upserted}
            # Incremental: the second run fetched what changed lately, not everything again.
            assert second.stored < len(all_contacts)
            assert (await cache.get_record("contacts", newest.id))["notes"] == f"edited during sync {stamp} (newest)"
            assert (await cache.get_record("contacts", oldest.id))["notes"] == f"edited during sync {stamp} (oldest)"
    finally:
        await cache.close()


async def test_a_credential_without_the_support_scope_syncs_contacts_only(sandbox, sandbox_credentials, tmp_path):
    key = sandbox_credentials["test"]["owner_key"]
    cache = await AsyncPageCache.open(tmp_path / "cache.sqlite3")
    try:
        async with AdminClient(sandbox.url, ApiKeyAuth(key)) as client:
            sync = RecordSync(Stores(client, cache), frozenset({"crm:read"}))
            heard: list[SyncProgress] = []
            sync.progress.subscribe(heard.append)
            await sync.run()
        assert {p.resource for p in heard} == {"contacts"}
        assert await cache.count_records("contacts") == sync.stored
        assert await cache.count_records("tickets") == 0
    finally:
        await cache.close()


async def test_a_contact_deleted_elsewhere_leaves_the_cache_and_local_search_on_the_next_sync(
        sandbox, sandbox_credentials, tmp_path):
    key = sandbox_credentials["test"]["owner_key"]
    stamp = uuid.uuid4().hex[:8]
    cache = await AsyncPageCache.open(tmp_path / "cache.sqlite3")
    try:
        async with AdminClient(sandbox.url, ApiKeyAuth(key)) as client:
            doomed = await client.contacts.create({"name": f"Deleted Elsewhere {stamp}"})
            stores = Stores(client, cache)
            await RecordSync(stores, frozenset({"crm:read"})).run()
            assert await cache.get_record("contacts", doomed.id) is not None
            assert doomed.id in await cache.search("contacts", f"Elsewhere {stamp}")

            await client.contacts.delete(doomed.id)  # a colleague, through the API
            told: list[StoreChange] = []
            stores.contacts.changes.subscribe(told.append)
            sync = RecordSync(stores, frozenset({"crm:read"}))
            await sync.run()
        assert sync.removed >= 1
        assert await cache.get_record("contacts", doomed.id) is None
        assert doomed.id not in await cache.search("contacts", f"Elsewhere {stamp}")
        assert any(doomed.id in change.removed for change in told), "an open list hears it is gone"
    finally:
        await cache.close()
