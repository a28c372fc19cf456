"""The cache's row and byte counts are running totals: exact after every kind of write."""

from __future__ import annotations

from app.cache import PageCache
from tests.cache.conftest import contact


def assert_exact(cache: PageCache) -> dict[str, tuple[int, int]]:
    """The totals eviction reads equal what counting and summing the whole table gives."""
    kept = {resource: (rows, size) for resource, rows, size in cache._conn.execute(
        "SELECT resource, rows, bytes FROM record_totals WHERE rows != 0 OR bytes != 0").fetchall()}
    counted = {resource: (rows, size) for resource, rows, size in cache._conn.execute(
        "SELECT resource, COUNT(*), SUM(size) FROM records GROUP BY resource").fetchall()}
    assert kept == counted
    assert cache.size_bytes() == sum(size for _, size in counted.values())
    return kept


def test_totals_follow_puts_replaces_deletes_lists_and_clear(cache: PageCache) -> None:
    cache.put_records("contacts", [contact(n) for n in range(30)])
    cache.put_records("tickets", [{"id": f"ticket_{n}", "subject": "Printer on fire"} for n in range(5)])
    assert {r: rows for r, (rows, _) in assert_exact(cache).items()} == {"contacts": 30, "tickets": 5}

    before = cache.size_bytes()
    cache.put_records("contacts", [contact(3, notes="a much longer note than before " * 20)])  # replaced, bigger
    assert cache.size_bytes() > before
    cache.put_records("contacts", [contact(4, notes=None, tags=[])])  # replaced, smaller
    assert assert_exact(cache)["contacts"][0] == 30

    cache.delete_record("contacts", "con_000005")
    cache.delete_record("contacts", "con_000005")  # already gone: nothing changes
    cache.put_list("contacts", {"tag": "vip"}, [contact(100), contact(3)], None)
    assert assert_exact(cache)["contacts"][0] == 30  # 29 + a new one; contact 3 replaced

    cache.clear()
    assert assert_exact(cache) == {}
    assert cache.size_bytes() == 0
    cache.put_records("contacts", [contact(1)])
    assert assert_exact(cache)["contacts"][0] == 1


def test_totals_follow_eviction_by_rows_and_bytes(cache_path, clock) -> None:
    with PageCache(cache_path, clock=clock, max_rows_per_resource=25, max_bytes=12_000) as cache:
        for batch in range(6):
            cache.put_records("contacts", [contact(n) for n in range(batch * 10, batch * 10 + 10)])
            clock.advance(1)
            totals = assert_exact(cache)
            assert totals["contacts"][0] <= 25
        for n in range(10):
            cache.put_records("tickets", [{"id": f"ticket_{n}", "subject": "x" * 900}])
            clock.advance(1)
            assert assert_exact(cache) and cache.size_bytes() <= 12_000
        # The byte bound takes what was fetched longest ago whatever its resource: the old contacts.
        assert cache.get_record("tickets", "ticket_9") is not None
        assert cache.get_record("contacts", "con_000035") is None


def test_totals_survive_reopening(cache_path, clock) -> None:
    with PageCache(cache_path, clock=clock) as cache:
        cache.put_records("contacts", [contact(n) for n in range(40)])
        cache.delete_record("contacts", "con_000007")
        cache.put_records("contacts", [contact(8, name="Renamed Person")])
        written = assert_exact(cache)
    with PageCache(cache_path, clock=clock, max_rows_per_resource=20) as reopened:
        assert assert_exact(reopened) == written
        reopened.put_records("contacts", [contact(99)])  # the smaller bound applies from the totals
        assert assert_exact(reopened)["contacts"][0] == 20
