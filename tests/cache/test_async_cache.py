"""AsyncPageCache: the UI awaits cache work that runs in one thread owning the connection."""

from __future__ import annotations

import asyncio
import threading

from app.cache import AsyncPageCache, PageCache
from tests.cache.conftest import contact


def test_async_calls_run_in_one_worker_thread(cache_path) -> None:
    async def scenario() -> None:
        cache = await AsyncPageCache.open(cache_path)
        try:
            await cache.put_records("contacts", [contact(n) for n in range(50)])
            await cache.put_list("contacts", {}, [contact(1)], "next")
            cached = await cache.get_list("contacts", {})
            assert [r["id"] for r in cached.rows] == ["con_000001"] and cached.next_cursor == "next"
            assert await cache.count_records("contacts", text="person4") == 11
            assert len(await cache.query_records("contacts", limit=10, offset=45)) == 5
            assert await cache.search("contacts", "person49") == ["con_000049"]
            assert await cache.max_updated_at("contacts") == contact(49)["updated_at"]
            await cache.append_request_records([{"time": 1.0, "method": "GET", "url": "/v1/x", "status": 200}])
            assert (await cache.recent_request_records(status_class=2))[0]["url"] == "/v1/x"

            def batch(c: PageCache) -> tuple[str, int]:
                c.delete_record("contacts", "con_000000")
                return threading.current_thread().name, c.count_records("contacts")

            results = await asyncio.gather(*(cache.run(batch) for _ in range(5)))
            assert {name for name, _ in results} == {results[0][0]}
            assert results[0][0].startswith("opsdesk-cache") and results[0][0] != threading.current_thread().name
            assert results[-1][1] == 49
            assert cache.recovered_from is None
        finally:
            await cache.close()

    asyncio.run(scenario())


def test_async_open_reports_recovery(cache_path) -> None:
    cache_path.parent.mkdir(parents=True)
    cache_path.write_bytes(b"\xff" * 4096)

    async def scenario() -> None:
        cache = await AsyncPageCache.open(cache_path)
        assert cache.recovered_from is not None
        assert await cache.count_records("contacts") == 0
        await cache.close()

    asyncio.run(scenario())
