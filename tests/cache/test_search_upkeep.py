"""A churned search index is merged in small background steps; searches find the same things."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from app.cache import AsyncPageCache, PageCache, search_upkeep
from tests.cache.conftest import contact

QUERIES = ["p", "person 1", "person4", "exa", "vip", "acme", "+1 555 00", "zzz"]


@pytest.fixture(autouse=True)
def small_thresholds(monkeypatch) -> None:
    """Upkeep starts after a few hundred deletes, not thousands, so tests stay small."""
    monkeypatch.setattr("app.cache.search_upkeep.MIN_CHURN", 100)


def churn(cache: PageCache, rounds: int = 4, count: int = 150) -> None:
    """Re-sync every contact several times over (each replace deletes its old index entry).

    In pages of 30, as a sync writes them: each put adds an index segment of its own.
    """
    for version in range(2, rounds + 2):
        for start in range(0, count, 30):
            cache.put_records("contacts", [contact(n, version=version) for n in range(start, start + 30)])


def results(cache: PageCache) -> dict[str, list[str]]:
    return {query: cache.search("contacts", query, limit=200) for query in QUERIES}


def index_pages(cache: PageCache) -> int:
    return cache._conn.execute("SELECT COUNT(*) FROM search_contacts_data").fetchone()[0]


def integrity_check(cache: PageCache) -> None:
    cache._conn.execute("INSERT INTO search_contacts (search_contacts, rank) VALUES ('integrity-check', 1)")


def test_upkeep_is_due_after_churn_and_leaves_results_unchanged(cache_path, clock, monkeypatch) -> None:
    # Steps of 8 pages at most: the merge of this small index is spread over many calls.
    monkeypatch.setattr("app.cache.search_upkeep._FIRST_STEP_PAGES", 8)
    monkeypatch.setattr("app.cache.search_upkeep._MAX_STEP_PAGES", 8)
    with PageCache(cache_path, clock=clock) as cache:
        cache.put_records("contacts", [contact(n) for n in range(600)])
        assert not cache.search_upkeep_due
        churn(cache, count=600)
        assert cache.search_upkeep_due
        before, pages = results(cache), index_pages(cache)
        assert before["person4"] and before["p"]

        steps = 0
        while cache.upkeep_search():
            steps += 1
            assert results(cache) == before  # the same between steps, mid-merge
        assert steps >= 3
        assert not cache.search_upkeep_due
        assert results(cache) == before
        assert index_pages(cache) < pages * 0.6  # the deleted entries are gone
        integrity_check(cache)
        assert cache.upkeep_search() is False  # nothing left to do


def test_evicted_rows_count_as_churn(cache_path, clock) -> None:
    with PageCache(cache_path, clock=clock, max_rows_per_resource=100) as cache:
        for start in range(0, 400, 50):
            cache.put_records("contacts", [contact(n) for n in range(start, start + 50)])
            clock.advance(1)
        assert cache.search_upkeep_due
        before = results(cache)
        assert cache.optimize_search() >= 1
        assert results(cache) == before
        assert set(cache.search("contacts", "person", limit=500)) == {f"con_{n:06d}" for n in range(300, 400)}
        integrity_check(cache)


def test_a_merge_cut_short_by_closing_carries_on_after_reopening(cache_path, clock) -> None:
    with PageCache(cache_path, clock=clock) as cache:
        cache.put_records("contacts", [contact(n) for n in range(150)])
        churn(cache)
        before = results(cache)
        assert cache.upkeep_search(budget_ms=0.1)  # one step: the merge has begun
        assert cache._upkeep_state["contacts"].merging
    with PageCache(cache_path, clock=clock) as reopened:
        assert reopened.search_upkeep_due
        assert results(reopened) == before
        reopened.optimize_search()
        assert not reopened.search_upkeep_due
        assert results(reopened) == before
        integrity_check(reopened)
    with PageCache(cache_path, clock=clock) as again:
        assert not again.search_upkeep_due  # finished for good, not started over


def test_clear_leaves_no_upkeep_behind(cache: PageCache) -> None:
    cache.put_records("contacts", [contact(n) for n in range(150)])
    churn(cache)
    cache.clear()
    assert not cache.search_upkeep_due
    assert cache.search("contacts", "person") == []
    cache.put_records("contacts", [contact(1)])
    assert cache.search("contacts", "person") == ["con_000001"]


def test_async_cache_merges_on_its_own_connection_and_reads_never_wait(cache_path, monkeypatch) -> None:
    """A step that holds the write lock for 0.4 s delays neither a search nor a slice; a put waits."""
    threads: set[str] = set()
    in_step = threading.Event()
    merge = search_upkeep.MergePacer.merge

    def slow_merge(self, conn, table, *, start):
        threads.add(threading.current_thread().name)
        merged = merge(self, conn, table, start=start)
        if not in_step.is_set():
            in_step.set()
            time.sleep(0.4)  # like a step over a huge 1-letter prefix term
        return merged

    monkeypatch.setattr(search_upkeep.MergePacer, "merge", slow_merge)

    async def scenario() -> None:
        cache = await AsyncPageCache.open(cache_path)
        loop = asyncio.get_running_loop()
        try:
            await cache.put_records("contacts", [contact(n) for n in range(150)])
            await cache.run(churn)
            before = await cache.run(results)
            assert await loop.run_in_executor(None, in_step.wait, 5), "no upkeep step started"

            began = time.perf_counter()
            assert await cache.search("contacts", "person4", limit=200) == before["person4"]
            assert len(await cache.query_records("contacts", limit=50)) == 50
            assert time.perf_counter() - began < 0.2, "a read waited for the upkeep step"
            # A write waits for the step's commit instead of failing with "database is locked".
            await cache.put_records("tickets", [{"id": "ticket_1", "subject": "Written while merging"}])

            await cache.search_upkeep_done()
            assert threads and all(name.startswith("opsdesk-cache-upkeep") for name in threads)
            assert not await cache.run(lambda c: c.search_upkeep_due)
            assert await cache.run(results) == before
            assert await cache.search("tickets", "merging") == ["ticket_1"]
            await cache.run(integrity_check)
        finally:
            await cache.close()

    asyncio.run(scenario())


def test_a_cache_in_memory_takes_its_upkeep_steps_in_turn(tmp_path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the cache directory should be")

    async def scenario() -> None:
        cache = await AsyncPageCache.open(blocker / "cache.sqlite3")
        try:
            assert cache.in_memory
            await cache.put_records("contacts", [contact(n) for n in range(150)])
            await cache.run(churn)
            before = await cache.run(results)
            await cache.search_upkeep_done()
            assert not await cache.run(lambda c: c.search_upkeep_due)
            assert await cache.run(results) == before
        finally:
            await cache.close()

    asyncio.run(scenario())


def test_closing_mid_upkeep_is_clean(cache_path) -> None:
    async def scenario() -> None:
        cache = await AsyncPageCache.open(cache_path)
        await cache.put_records("contacts", [contact(n) for n in range(150)])
        await cache.run(churn)
        await cache.close()  # the upkeep task may be between steps: no error, no warning

    asyncio.run(scenario())
    with PageCache(cache_path) as reopened:
        assert reopened.count_records("contacts") == 150
        integrity_check(reopened)
