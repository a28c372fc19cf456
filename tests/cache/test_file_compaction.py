"""After churn the cache file shrinks back: search upkeep gives freed pages back and empties the WAL.

What a user would notice: a profile's cache that grew by half after one re-sync (1.59x at 10k
contacts) and never came back.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from app.cache import AsyncPageCache, PageCache, search_upkeep
from tests.cache.conftest import contact


@pytest.fixture(autouse=True)
def small_thresholds(monkeypatch) -> None:
    monkeypatch.setattr("app.cache.search_upkeep.MIN_CHURN", 100)


def resync(cache: PageCache, count: int, versions: range) -> None:
    for version in versions:
        for start in range(0, count, 50):
            cache.put_records("contacts", [contact(n, version=version) for n in range(start, start + 50)])


def pragma(cache: PageCache, name: str) -> int:
    return cache._conn.execute(f"PRAGMA {name}").fetchone()[0]


def on_disk(path: Path) -> int:
    """The cache file with its WAL and shared-memory files."""
    return sum(p.stat().st_size for p in path.parent.iterdir() if p.name.startswith(path.name))


def test_a_churned_cache_gives_its_free_pages_back_after_upkeep(cache_path, clock) -> None:
    with PageCache(cache_path, clock=clock) as cache:
        resync(cache, 800, range(1, 2))
        fresh_pages = pragma(cache, "page_count")
        before = cache.search("contacts", "person", limit=1000)
        resync(cache, 800, range(2, 6))
        assert cache.search_upkeep_due
        cache.optimize_search()
        assert not cache.search_upkeep_due
        assert pragma(cache, "freelist_count") == 0, "freed pages were kept in the file"
        assert pragma(cache, "page_count") <= 1.2 * fresh_pages
        assert cache.search("contacts", "person", limit=1000) == before
        assert cache._conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_the_background_upkeep_empties_the_wal_once_the_merge_is_done(cache_path) -> None:
    async def scenario() -> None:
        cache = await AsyncPageCache.open(cache_path)
        try:
            await cache.run(lambda c: resync(c, 800, range(1, 2)))
            fresh = on_disk(cache_path)
            await cache.run(lambda c: resync(c, 800, range(2, 6)))
            await cache.search_upkeep_done()
            assert Path(f"{cache_path}-wal").stat().st_size == 0
            assert on_disk(cache_path) <= 1.2 * fresh
            assert await cache.count_records("contacts") == 800
        finally:
            await cache.close()

    asyncio.run(scenario())


def test_compaction_of_a_file_made_without_incremental_vacuum_only_empties_the_wal(tmp_path) -> None:
    conn = sqlite3.connect(tmp_path / "old.sqlite3", isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE t (x TEXT)")
    conn.executemany("INSERT INTO t VALUES (?)", [("x" * 500,)] * 2000)
    conn.execute("DELETE FROM t")
    assert conn.execute("PRAGMA freelist_count").fetchone()[0] > 0
    more, _ = search_upkeep.compact_step(conn)
    assert more is False
    assert (tmp_path / "old.sqlite3-wal").stat().st_size == 0
    conn.close()
