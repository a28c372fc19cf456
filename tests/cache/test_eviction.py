"""The cache stays bounded: what was fetched longest ago goes first."""

from __future__ import annotations

from app.cache import PageCache
from tests.cache.conftest import contact


def test_rows_per_resource_bound_evicts_least_recently_fetched(cache_path, clock) -> None:
    with PageCache(cache_path, clock=clock, max_rows_per_resource=50) as cache:
        for batch in range(4):
            cache.put_records("contacts", [contact(n) for n in range(batch * 20, batch * 20 + 20)])
            clock.advance(1)
        cache.put_records("contacts", [contact(5)])  # fetched again: now the freshest
        cache.put_records("tickets", [{"id": "ticket_1", "subject": "kept"}])

        assert cache.count_records("contacts") == 50
        kept = {r["id"] for r in cache.query_records("contacts", limit=100)}
        assert "con_000005" in kept
        assert kept - {"con_000005"} == {f"con_{n:06d}" for n in range(31, 80)}
        assert cache.search("contacts", "person0") == []  # evicted rows leave the search index
        assert cache.count_records("tickets") == 1


def test_byte_bound_holds(cache_path, clock) -> None:
    with PageCache(cache_path, clock=clock, max_bytes=20_000) as cache:
        for n in range(200):
            cache.put_records("contacts", [contact(n, notes="x" * 500)])
            clock.advance(1)
        assert cache.size_bytes() <= 20_000
        assert cache.get_record("contacts", "con_000199") is not None
        assert cache.get_record("contacts", "con_000000") is None


def test_list_pages_and_request_log_are_bounded(cache_path, clock) -> None:
    with PageCache(cache_path, clock=clock, max_list_pages=3, max_request_records=10) as cache:
        for n in range(5):
            cache.put_list("contacts", {"tag": f"t{n}"}, [contact(n)], None)
            clock.advance(1)
        assert cache.get_list("contacts", {"tag": "t0"}) is None
        assert cache.get_list("contacts", {"tag": "t4"}) is not None
        cache.append_request_records({"time": n, "method": "GET", "url": f"/v1/x/{n}", "status": 200}
                                     for n in range(25))
        urls = [r["url"] for r in cache.recent_request_records()]
        assert urls == [f"/v1/x/{n}" for n in range(24, 14, -1)]
