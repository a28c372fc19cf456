"""The persisted request log keeps records the cache refused once (a full disk) and writes them later."""

from __future__ import annotations

from datetime import UTC, datetime

from app.api import RequestRecord
from app.cache import AsyncPageCache
from app.data.request_history import RequestHistory


class RefusesFirstWrite:
    """A real page cache whose first request-log write fails, as on a full disk."""

    def __init__(self, cache: AsyncPageCache) -> None:
        self._cache = cache
        self.refused = 0

    def __getattr__(self, name: str):
        return getattr(self._cache, name)

    async def append_request_records(self, rows):
        if not self.refused:
            self.refused = len(rows)
            raise OSError(28, "No space left on device")
        return await self._cache.append_request_records(rows)


def record(path: str) -> RequestRecord:
    return RequestRecord(started_at=datetime.now(UTC), method="GET", url=f"http://127.0.0.1/v1{path}", status=200,
                         duration_ms=3.0, attempt=1, request_id=f"req_{path.strip('/')}", idempotency_key=None,
                         request_size=0, response_size=2, request_headers=(), response_headers=(),
                         request_body="", response_body="{}")


def test_records_a_failed_write_refused_are_written_by_the_next_flush(qapp, run_async, tmp_path):
    async def scenario():
        cache = await AsyncPageCache.open(tmp_path / "cache.sqlite3")
        flaky = RefusesFirstWrite(cache)
        history = RequestHistory(flaky)
        history.add(record("/contacts"))
        history.add(record("/tickets"))
        await history.flush()
        assert flaky.refused == 2
        history.add(record("/me"))
        await history.close()
        urls = {r.url.rsplit("/v1", 1)[1] for r in await RequestHistory(cache).load()}
        assert urls == {"/contacts", "/tickets", "/me"}
        await cache.close()

    run_async(scenario())
