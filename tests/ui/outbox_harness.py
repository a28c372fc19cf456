"""A panel's session whose network can drop: the invoices and companies offline tests share it.

Built as the console builds a session (stores over a client and a page cache, the profile's
outbox, an `OutboxSender` that sends when the server answers again), except that the client
talks to the real sandbox through a `FaultProxy`: `drop()` takes the network away (every
connection reset before the server sees it), `restore()` gives it back.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from app.api import AdminClient, ApiKeyAuth
from app.cache import AsyncPageCache
from app.data.outbox import Outbox
from app.data.outbox_replay import OutboxSender
from app.data.stores import Stores
from app.ui.panel_context import PanelContext
from tests.api.fault_proxy import FaultProxy

SCOPES = frozenset({"crm:read", "crm:write", "support:read"})


@dataclass
class FlakySession:
    proxy: FaultProxy
    client: AdminClient
    cache: Any
    outbox: Outbox
    stores: Stores
    context: PanelContext
    sender: OutboxSender

    def drop(self) -> None:
        """The network goes: the next request fails, and the panels hear so at once."""
        self.proxy.down = True
        self.stores.connection.mark_offline("ConnectError")

    def restore(self) -> None:
        """The network is back: the sender's next probe is answered and the outbox replays."""
        self.proxy.down = False

    async def close(self) -> None:
        self.sender.close()
        await self.context.tasks.cancel_all()
        self.stores.close()
        await self.outbox.close()
        await self.cache.close()
        await self.client.aclose()
        await self.proxy.stop()


async def open_flaky_session(sandbox_url: str, key: str, folder: Path) -> FlakySession:
    upstream = httpx.URL(sandbox_url)
    proxy = FaultProxy(upstream.host, upstream.port, fault_rate=0.0)
    port = await proxy.start()
    client = AdminClient(f"http://127.0.0.1:{port}/v1", ApiKeyAuth(key), max_retries=0)
    cache = await AsyncPageCache.open(folder / "cache.sqlite3")
    outbox = Outbox(folder / "outbox.sqlite3")
    stores = Stores(client, cache, outbox)
    context = PanelContext(client=client, cache=cache, profile=None, scopes=SCOPES, stores=stores)
    sender = OutboxSender(outbox, stores, context.tasks.spawn)
    return FlakySession(proxy, client, cache, outbox, stores, context, sender)
