"""A 429 storm through a recording proxy: many concurrent calls against a small rate limit.

Shared by the storm test and its benchmark. The proxy sees what really went over the wire, so
"sent inside a Retry-After window" and "wire requests per call" are counted there, not by the
client under test.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from app.api import AdminClient, ApiKeyAuth
from tests.api.fault_proxy import FaultProxy, WireExchange

#: The issue's storm: rate limit 60, 200 calls, 20 at a time.
RATE_LIMIT = 60
CALLS = 200
CONCURRENT = 20
#: The sandbox's 60 s window becomes 2 s: the storm takes seconds, not minutes.
TIME_SCALE = 30.0


@dataclass(frozen=True)
class StormResult:
    completed: int
    wire: list[WireExchange]

    @property
    def wire_per_call(self) -> float:
        return len(self.wire) / CALLS

    @property
    def refused(self) -> int:
        return sum(1 for exchange in self.wire if exchange.status == 429)

    def sent_inside_windows(self) -> int:
        """Requests the proxy forwarded while a Retry-After it had relayed was still running."""
        windows = [(e.answered_at, e.answered_at + e.retry_after) for e in self.wire
                   if e.status == 429 and e.retry_after is not None]
        # 5 ms of slack: the client's clock starts the window when it reads the answer, a hair later.
        return sum(1 for e in self.wire for start, end in windows if start < e.sent_at < end - 0.005)


async def run_storm(url: str, key: str) -> StormResult:
    host_port = url.split("//", 1)[1].split("/", 1)[0]
    host, port = host_port.rsplit(":", 1)
    proxy = FaultProxy(host, int(port), fault_rate=0.0)
    proxy_port = await proxy.start()
    slots = asyncio.Semaphore(CONCURRENT)
    try:
        async with AdminClient(f"http://127.0.0.1:{proxy_port}/v1", ApiKeyAuth(key)) as client:
            async def one_call() -> bool:
                async with slots:
                    page = await client.contacts.list(limit=1)
                    return bool(page.items)

            results = await asyncio.gather(*(one_call() for _ in range(CALLS)))
    finally:
        await proxy.stop()
    return StormResult(sum(results), list(proxy.wire))
