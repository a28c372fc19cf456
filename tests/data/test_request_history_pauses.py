"""The request history writes its records in the pauses between bursts: every burst, not only
the first, reaches the page cache (what the request log shows after a restart)."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

from app.api import RequestRecord
from app.cache import AsyncPageCache
from app.data.request_history import RequestHistory

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def record(path: str, seconds: int) -> RequestRecord:
    return RequestRecord(started_at=T0 + timedelta(seconds=seconds), method="GET", url=f"http://127.0.0.1/v1{path}",
                         status=200, duration_ms=3.0, attempt=1, request_id=f"req_{seconds}", idempotency_key=None,
                         request_size=0, response_size=2, request_headers=(), response_headers=(),
                         request_body="", response_body="{}")


async def persisted_count_reaches(cache: AsyncPageCache, count: int, timeout: float = 5.0) -> int:
    """How many records the cache holds once it holds `count` (or when `timeout` runs out)."""
    deadline = time.monotonic() + timeout
    while True:
        held = len(await cache.recent_request_records(limit=100))
        if held >= count or time.monotonic() > deadline:
            return held
        await asyncio.sleep(0.05)


async def test_every_burst_is_written_in_the_pause_after_it(tmp_path) -> None:
    cache = await AsyncPageCache.open(tmp_path / "cache.sqlite3")
    history = RequestHistory(cache)
    try:
        for second in range(3):
            history.add(record(f"/first/{second}", second))
        assert await persisted_count_reaches(cache, 3) == 3
        for second in range(3, 5):  # a second burst, after the first one's write has finished
            history.add(record(f"/second/{second}", second))
        assert await persisted_count_reaches(cache, 5) == 5
        assert len(history) == 5
    finally:
        await history.close()
        await cache.close()
