"""The page cache for an asyncio (qasync) UI: every call runs in one worker thread.

SQLite connections belong to the thread that uses them, and a cache call must never block the
UI's event loop, so `AsyncPageCache` owns a single-thread executor that opens, uses and closes
the `PageCache`. Each hop costs ~80 µs, so batch: `await cache.run(lambda c: ...)` runs any
sequence of cache calls in one hop.

Search indexes are kept compact in the background: when writes have churned one (the cache
says so in `search_upkeep_due`), a task takes merge steps of ~5 ms from the cache, runs each on
a `SearchMerger` (a second connection, in a second thread: reads go on alongside it, as WAL
allows) when no call of the UI's is running (or after 0.1 s of waiting for that), and pauses
between them. A put that meets a step waits for it to commit; a read waits for none.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from app.cache.list_pages import CachedList
from app.cache.page_cache import PageCache
from app.cache.search_upkeep import SearchMerger
from app.cache.slices import PackedSlice

T = TypeVar("T")

#: Pause between two search upkeep steps, and between looks for a moment with no call running.
UPKEEP_PAUSE_S = 0.005
#: Steps wait for a moment with no call running, but never longer than this: a sync that keeps
#: the cache busy must not leave the index to grow until it ends.
UPKEEP_MAX_WAIT_S = 0.1
#: After upkeep failed (a locked or damaged file), how long before it is tried again.
UPKEEP_RETRY_S = 60.0

_log = logging.getLogger(__name__)


class AsyncPageCache:
    """Awaitable twins of `PageCache`'s methods, safe to call from any asyncio loop.

    Construct with `await AsyncPageCache.open(path, **options)`; `close()` when the profile
    is closed. `recovered_from` and `in_memory` mirror the wrapped cache for the UI's notice.
    """

    def __init__(self, executor: ThreadPoolExecutor, cache: PageCache) -> None:
        self._executor = executor
        self._cache = cache
        self._upkeep: asyncio.Task[None] | None = None
        self._upkeep_failed_at: float | None = None
        self._merger: SearchMerger | None = None
        self._merger_executor: ThreadPoolExecutor | None = None
        self._calls_running = 0
        self._closed = False

    @classmethod
    async def open(cls, path: str | Path, **options: Any) -> AsyncPageCache:
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="opsdesk-cache")
        loop = asyncio.get_running_loop()
        try:
            cache = await loop.run_in_executor(executor, partial(PageCache, path, **options))
        except BaseException:
            executor.shutdown(wait=False)
            raise
        opened = cls(executor, cache)
        opened._start_upkeep()  # a merge interrupted by the last exit carries on
        return opened

    @property
    def path(self) -> Path:
        return self._cache.path

    @property
    def recovered_from(self) -> Path | None:
        return self._cache.recovered_from

    @property
    def in_memory(self) -> bool:
        return self._cache.in_memory

    async def run(self, work: Callable[[PageCache], T]) -> T:
        """Run `work(cache)` in the cache's thread: batch several calls into one hop."""
        self._calls_running += 1
        try:
            result = await asyncio.get_running_loop().run_in_executor(self._executor, work, self._cache)
        finally:
            self._calls_running -= 1
        self._start_upkeep()
        return result

    async def search_upkeep_done(self) -> None:
        """Wait until no search upkeep is due or running (tests, benchmarks)."""
        while self._upkeep is not None and not self._upkeep.done():
            await asyncio.shield(self._upkeep)

    def _start_upkeep(self) -> None:
        if self._closed or not self._cache.search_upkeep_due:
            return
        if self._upkeep_failed_at is not None and time.monotonic() - self._upkeep_failed_at < UPKEEP_RETRY_S:
            return
        if self._upkeep is None or self._upkeep.done():
            self._upkeep = asyncio.get_running_loop().create_task(self._keep_search_compact())

    async def _keep_search_compact(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while not self._closed:
                # A step holds the file's write lock: start it when no call is running, so a
                # put does not queue behind it, or when it has waited long enough.
                waiting_since = time.monotonic()
                while (self._calls_running and not self._closed
                       and time.monotonic() - waiting_since < UPKEEP_MAX_WAIT_S):
                    await asyncio.sleep(UPKEEP_PAUSE_S)
                if self._closed or not await self._upkeep_step(loop):
                    return
                await asyncio.sleep(UPKEEP_PAUSE_S)
        except Exception:  # noqa: BLE001 (any failure: see below)
            # Upkeep only keeps searches fast: a failure must not reach the UI as an error.
            self._upkeep_failed_at = time.monotonic()
            _log.warning("search index upkeep stopped", exc_info=True)

    async def _upkeep_step(self, loop: asyncio.AbstractEventLoop) -> bool:
        """One step, planned and recorded in the cache's thread, run in the merger's."""
        if self._cache.in_memory:  # no second connection to a memory database: take turns
            return await loop.run_in_executor(self._executor, self._cache.upkeep_search)
        plan = await loop.run_in_executor(self._executor, self._cache.plan_search_upkeep)
        if plan is None:
            return False
        if self._merger is None or self._merger_executor is None:
            self._merger = SearchMerger(self._cache.path)
            self._merger_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="opsdesk-cache-upkeep")
        merged, seconds = await loop.run_in_executor(self._merger_executor, self._merger.step, plan)
        return await loop.run_in_executor(self._executor, self._cache.finish_search_upkeep, plan, merged, seconds)

    async def put_records(self, resource: str, records: Iterable[Mapping[str, Any]]) -> int:
        records = list(records)
        return await self.run(lambda c: c.put_records(resource, records))

    async def get_record(self, resource: str, record_id: str) -> dict[str, Any] | None:
        return await self.run(lambda c: c.get_record(resource, record_id))

    async def get_records(self, resource: str, ids: Sequence[str]) -> list[dict[str, Any]]:
        ids = list(ids)
        return await self.run(lambda c: c.get_records(resource, ids))

    async def delete_record(self, resource: str, record_id: str) -> bool:
        return await self.run(lambda c: c.delete_record(resource, record_id))

    async def max_updated_at(self, resource: str) -> str | None:
        return await self.run(lambda c: c.max_updated_at(resource))

    async def query_records(self, resource: str, **options: Any) -> list[dict[str, Any]]:
        return await self.run(lambda c: c.query_records(resource, **options))

    async def query_packed(self, resource: str, fields: Sequence[str], sep: str, **options: Any) -> PackedSlice:
        return await self.run(lambda c: c.query_packed(resource, fields, sep, **options))

    async def sort_key(self, resource: str, record_id: str, order_by: str = "created_at") -> tuple[Any, str] | None:
        return await self.run(lambda c: c.sort_key(resource, record_id, order_by))

    async def count_records(self, resource: str, **options: Any) -> int:
        return await self.run(lambda c: c.count_records(resource, **options))

    async def search(self, resource: str, text: str, limit: int = 50) -> list[str]:
        return await self.run(lambda c: c.search(resource, text, limit))

    async def put_list(
        self,
        resource: str,
        query: Mapping[str, Any] | None,
        records: Sequence[Mapping[str, Any]],
        next_cursor: str | None,
        *,
        append: bool = False,
    ) -> None:
        records = list(records)
        await self.run(lambda c: c.put_list(resource, query, records, next_cursor, append=append))

    async def get_list(self, resource: str, query: Mapping[str, Any] | None) -> CachedList | None:
        return await self.run(lambda c: c.get_list(resource, query))

    async def append_request_records(self, records: Iterable[Mapping[str, Any]]) -> int:
        records = list(records)
        return await self.run(lambda c: c.append_request_records(records))

    async def recent_request_records(
        self,
        *,
        method: str | None = None,
        status_class: int | str | None = None,
        text: str | None = None,
        since: float | datetime | str | None = None,
        limit: int = 500,
    ) -> list[dict[str, Any]]:
        return await self.run(lambda c: c.recent_request_records(
            method=method, status_class=status_class, text=text, since=since, limit=limit))

    async def clear(self) -> None:
        await self.run(lambda c: c.clear())

    async def close(self) -> None:
        """Stop search upkeep (a merge resumes on the next open), close the file, stop the threads."""
        self._closed = True
        upkeep, self._upkeep = self._upkeep, None
        loop = asyncio.get_running_loop()
        try:
            if upkeep is not None:
                upkeep.cancel()
                await asyncio.gather(upkeep, return_exceptions=True)
            if self._merger is not None and self._merger_executor is not None:
                # Queued behind a step still running, if any: it commits or rolls back first.
                await loop.run_in_executor(self._merger_executor, self._merger.close)
            await loop.run_in_executor(self._executor, self._cache.close)
        finally:
            if self._merger_executor is not None:
                self._merger_executor.shutdown(wait=False)
            self._executor.shutdown(wait=False)
