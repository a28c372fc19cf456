"""Companies edited offline: queued in the outbox, sent once on reconnect, merged with a colleague.

Against the real sandbox through a proxy that can be "down" (every connection reset before the
server sees it); the server's version and its event log say how often an edit was applied.
"""

from __future__ import annotations

import uuid

import httpx
import pytest

from app.api import AdminClient, ApiKeyAuth
from app.cache import AsyncPageCache
from app.data.outbox import Outbox
from app.data.outbox_replay import OutboxReplay
from app.data.record_store import Queued
from app.data.stores import Stores
from tests.api.fault_proxy import FaultProxy


@pytest.fixture
async def offline_stores(sandbox, sandbox_credentials, tmp_path):
    """(stores through a proxy that is down, the proxy, the outbox): a session whose network dropped."""
    upstream = httpx.URL(sandbox.url)
    proxy = FaultProxy(upstream.host, upstream.port, fault_rate=0.0)
    port = await proxy.start()
    client = AdminClient(f"http://127.0.0.1:{port}/v1", ApiKeyAuth(sandbox_credentials["test"]["owner_key"]),
                         max_retries=0)
    cache = await AsyncPageCache.open(tmp_path / "cache.sqlite3")
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    stores = Stores(client, cache, outbox)
    proxy.down = True
    yield stores, proxy, outbox
    stores.close()
    await outbox.close()
    await cache.close()
    await client.aclose()
    await proxy.stop()


async def updated_events(client: AdminClient, company_id: str, field: str, value: str) -> int:
    """How many `company.updated` events of the server's log applied `field = value` to the company."""
    count = 0
    async for event in await client.events.list(type="company.updated", limit=100):
        data = event.data or {}
        count += data.get("id") == company_id and data.get(field) == value
    return count


async def test_a_company_edited_offline_is_sent_once_on_reconnect_merged_with_a_colleagues_change(
        offline_stores, colleague):
    stores, proxy, outbox = offline_stores
    stamp = uuid.uuid4().hex[:8]
    company = await colleague.companies.create({"name": f"Offline Co {stamp}", "notes": "old"})

    queued = await stores.companies.update(company, {"website": f"https://{stamp}.example.com"})
    assert isinstance(queued, Queued), "offline, the edit waits instead of failing"
    assert stores.connection.offline
    assert stores.companies.pending_ids() == {company.id}, "the row will carry the pending mark"
    assert (await stores.companies.cached(company.id)).website == f"https://{stamp}.example.com"
    item = outbox.items[0]
    assert (item.action, item.base_version, item.idempotency_key[:7]) == ("update", company.version, "outbox-")

    await colleague.companies.update(company.id, {"notes": "theirs"})  # a colleague, meanwhile
    proxy.down = False
    report = await OutboxReplay(outbox, stores).run()

    assert (report.sent, report.merged, report.needs_attention) == (1, 1, 0)
    assert outbox.items == [] and stores.companies.pending_ids() == set()
    server = await colleague.companies.get(company.id)
    assert (server.website, server.notes) == (f"https://{stamp}.example.com", "theirs"), "both changes kept"
    assert server.version == company.version + 2, "the colleague's change and mine, nothing more"
    assert await updated_events(colleague, company.id, "website", server.website) == 1, "applied exactly once"
    assert (await stores.companies.cached(company.id)).version == server.version, "the list shows the server's"


async def test_a_company_edit_the_server_refuses_on_replay_stays_with_the_servers_message(
        offline_stores, colleague):
    stores, proxy, outbox = offline_stores
    company = await colleague.companies.create({"name": f"Refused Co {uuid.uuid4().hex[:8]}"})

    await stores.companies.update(company, {"website": "not a web address"})
    proxy.down = False
    report = await OutboxReplay(outbox, stores).run()

    assert report.needs_attention == 1 and report.sent == 0
    item = stores.companies.waiting_change(company.id)
    assert item is not None and not item.waiting, "kept for the operator to fix"
    assert item.message.startswith("Not sent:") and "website" in item.message.lower(), item.message
    assert (await colleague.companies.get(company.id)).version == company.version, "nothing applied"
    assert stores.companies.pending_ids() == {company.id}, "still marked pending"
