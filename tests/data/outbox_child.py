"""A console's outbox replay as its own process, for the kill -9 test.

    python -m tests.data.outbox_child OUTBOX_FILE BASE_URL API_KEY

Replays the outbox against the server and prints "sent" each time an item is done. Every answer
is held back 40 ms after the server sent it: a kill then often lands after the server applied a
change and before the outbox heard of it, the window in which a careless replay sends twice.
"""

from __future__ import annotations

import asyncio
import sys

import httpx

from app.api import AdminClient, ApiKeyAuth
from app.data.outbox import Outbox
from app.data.outbox_replay import OutboxReplay
from app.data.stores import Stores


class LateAnswers(httpx.AsyncHTTPTransport):
    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await super().handle_async_request(request)
        await asyncio.sleep(0.04)
        return response


async def main(path: str, url: str, key: str) -> None:
    outbox = Outbox(path)
    outbox.changes.subscribe(lambda items: print("sent", len(items), flush=True))
    async with AdminClient(url, ApiKeyAuth(key), transport=LateAnswers()) as client:
        await OutboxReplay(outbox, Stores(client, None)).run()
    await outbox.close()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
