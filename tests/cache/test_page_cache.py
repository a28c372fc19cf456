"""What a panel reads from the cache is what it last saw from the server, fast and ordered."""

from __future__ import annotations

import pytest

from app.cache import PageCache, canonical_query
from tests.cache.conftest import contact


def test_records_round_trip_and_survive_reopening(cache: PageCache, cache_path, clock) -> None:
    assert cache.put_records("contacts", [contact(1), contact(2)]) == 2
    cache.put_records("contacts", [contact(1, name="Renamed", version=2)])
    assert cache.get_record("contacts", "con_000001")["name"] == "Renamed"
    assert cache.get_record("tickets", "con_000001") is None
    cache.close()
    with PageCache(cache_path, clock=clock) as reopened:
        assert [r["id"] for r in reopened.get_records("contacts", ["con_000002", "nope", "con_000001"])] == [
            "con_000002", "con_000001"]
        assert reopened.delete_record("contacts", "con_000002")
        assert not reopened.delete_record("contacts", "con_000002")
        assert reopened.count_records("contacts") == 1
        assert reopened.recovered_from is None


def test_list_pages_keep_server_order_cursor_and_age(cache: PageCache, clock) -> None:
    query = {"tag": "vip", "limit": 20, "cursor": None}
    assert cache.get_list("contacts", query) is None
    cache.put_list("contacts", query, [contact(3), contact(1)], "cursor-2")
    clock.advance(30)
    cache.put_list("contacts", {**query, "cursor": "cursor-2"}, [contact(2), contact(1)], None, append=True)
    clock.advance(90)

    cached = cache.get_list("contacts", {"tag": "vip"})  # same query whatever the page params
    assert [r["id"] for r in cached.rows] == ["con_000003", "con_000001", "con_000002"]
    assert cached.next_cursor is None
    assert cached.age_seconds == 90

    cache.put_list("contacts", query, [contact(9)], "c")  # a refresh of page one starts over
    assert [r["id"] for r in cache.get_list("contacts", query).rows] == ["con_000009"]
    assert cache.get_list("contacts", {"tag": "other"}) is None


def test_canonical_query_ignores_order_paging_and_empty_values() -> None:
    assert canonical_query({"b": 1, "a": "x", "cursor": "c", "limit": 50, "q": ""}) == canonical_query(
        {"a": "x", "b": 1})
    assert canonical_query({"a": "x"}) != canonical_query({"a": "y"})


def test_max_updated_at_drives_incremental_refresh(cache: PageCache) -> None:
    assert cache.max_updated_at("contacts") is None
    cache.put_records("contacts", [contact(5), contact(70), contact(3)])
    assert cache.max_updated_at("contacts") == contact(70)["updated_at"]
    cache.put_records("contacts", [contact(3, updated_at="2026-03-01T00:00:00Z")])
    assert cache.max_updated_at("contacts") == "2026-03-01T00:00:00Z"
    assert cache.max_updated_at("tickets") is None


def test_the_newest_update_is_kept_as_a_running_figure_not_by_an_index(cache: PageCache) -> None:
    cache.put_records("contacts", [contact(n, updated_at=f"2026-04-{n:02d}T00:00:00Z") for n in range(1, 11)])
    assert cache._conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'records_by_updated'").fetchone() is None, (
        "every put keeps an index on updated_at that no list has asked for")
    cache.delete_record("contacts", contact(10)["id"])
    assert cache.max_updated_at("contacts") == "2026-04-10T00:00:00Z", "the server was seen as of then"
    cache.clear()
    assert cache.max_updated_at("contacts") is None


def test_query_records_slices_filters_orders_and_counts(cache: PageCache) -> None:
    cache.put_records("contacts", [contact(n) for n in range(1, 101)])
    cache.put_records("companies", [{"id": "com_1", "name": "Acme"}])

    newest = cache.query_records("contacts", limit=5)
    assert [r["id"] for r in newest] == [f"con_{n:06d}" for n in (100, 99, 98, 97, 96)]
    page = cache.query_records("contacts", order_by="email", descending=False, limit=3, offset=1)
    emails = sorted(contact(n)["email"] for n in range(1, 101))
    assert [r["email"] for r in page] == emails[1:4]
    assert cache.count_records("contacts") == 100
    assert cache.count_records("contacts", filters={"name": ["Person 1", "Person 2", "Nobody"]}) == 2
    assert cache.count_records("contacts", filters={"notes": None}) == 100
    assert cache.count_records("contacts", text="person1") == 12  # person1, person10-19, person100
    assert [r["id"] for r in cache.query_records("contacts", text="person10", order_by="id",
                                                 descending=False)] == ["con_000010", "con_000100"]


def test_query_records_refuses_field_names_that_are_not_names(cache: PageCache) -> None:
    import pytest

    with pytest.raises(ValueError, match="not a field name"):
        cache.query_records("contacts", order_by="name; DROP TABLE records")
    with pytest.raises(ValueError, match="not a field name"):
        cache.count_records("contacts", filters={"a.b": 1})


def test_query_records_returns_big_slices_whole(cache: PageCache) -> None:
    cache.put_records("contacts", [contact(n) for n in range(1, 1501)])
    everything = cache.query_records("contacts", order_by="id", descending=False, limit=2000)
    assert [r["id"] for r in everything] == [f"con_{n:06d}" for n in range(1, 1501)]


def test_slices_and_lookups_convert_each_body_as_it_is_read(cache: PageCache) -> None:
    import gc

    cache.put_records("contacts", [contact(n) for n in range(1, 1501)])

    def row(body: dict) -> tuple[str, str]:
        return (body["id"], body["email"])

    rows = cache.query_records("contacts", order_by="id", descending=False, limit=600, offset=100, convert=row)
    assert rows == [row(body) for body in cache.query_records("contacts", order_by="id", descending=False,
                                                               limit=600, offset=100)]
    assert cache.get_records("contacts", ["con_000007", "nope", "con_000003"], convert=row) == [
        ("con_000007", contact(7)["email"]), ("con_000003", contact(3)["email"])]

    # Converted one by one, the parsed bodies do not pile up in the collector's young
    # generation (whose pass then runs in the cache thread, holding the GIL).
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        before = gc.get_count()[0]
        cache.query_records("contacts", limit=1000, convert=row)
        converted = gc.get_count()[0] - before
        gc.collect()
        before = gc.get_count()[0]
        bodies = cache.query_records("contacts", limit=1000)
        whole = gc.get_count()[0] - before
        del bodies
    finally:
        if was_enabled:
            gc.enable()
    # About one kept row per record, against three tracked objects per parsed contact.
    assert converted < whole / 2, (converted, whole)


def test_slices_and_lookups_read_just_the_named_fields(cache: PageCache) -> None:
    tagged = {**contact(2), "tags": ["vip", "Zürich"], "score": 7}
    cache.put_records("contacts", [contact(1), tagged, contact(3)])
    fields = ("id", "email", "tags", "score", "missing")

    rows = cache.query_records("contacts", order_by="id", descending=False, limit=2, fields=fields)
    assert rows[0][:2] == ("con_000001", contact(1)["email"])
    # Arrays come back as their JSON text; absent fields as None; numbers as numbers.
    assert rows[1] == ("con_000002", tagged["email"], '["vip","Zürich"]', 7, None)
    assert cache.get_records("contacts", ["con_000003", "nope", "con_000002"], fields=("id",),
                             convert=lambda values: values[0]) == ["con_000003", "con_000002"]
    with pytest.raises(ValueError, match="'e-mail' is not a field name"):
        cache.query_records("contacts", fields=("id", "e-mail"))


def ids(rows: list[dict]) -> list[str]:
    return [r["id"] for r in rows]


def test_deep_slices_follow_writes_from_this_and_other_connections(cache: PageCache, cache_path, clock) -> None:
    cache.put_records("contacts", [contact(n) for n in range(3000)])
    expected = sorted((contact(n) for n in range(3000)), key=lambda c: (c["created_at"], c["id"]), reverse=True)
    assert ids(cache.query_records("contacts", limit=3, offset=2000)) == ids(expected[2000:2003])

    newest = contact(9999, created_at="2027-01-01T00:00:00Z")
    cache.put_records("contacts", [newest])
    assert ids(cache.query_records("contacts", limit=3, offset=2001)) == ids(expected[2000:2003])

    with PageCache(cache_path, clock=clock) as other_window:
        other_window.delete_record("contacts", newest["id"])
        other_window.delete_record("contacts", expected[0]["id"])
    assert ids(cache.query_records("contacts", limit=3, offset=1999)) == ids(expected[2000:2003])


def test_a_record_given_twice_in_one_batch_is_kept_once_as_the_later_copy(cache: PageCache) -> None:
    batch = [contact(3, created_at="2026-03-01T00:00:00Z"), contact(1, created_at=None),
             contact(2, created_at="2026-01-01T00:00:00Z"),
             contact(3, name="Zelda Later", created_at="2025-01-01T00:00:00Z", version=2)]
    assert cache.put_records("contacts", batch) == 4
    assert cache.count_records("contacts") == 3
    assert cache.get_record("contacts", "con_000003")["name"] == "Zelda Later"
    assert cache.search("contacts", "zelda") == ["con_000003"]
    assert cache.search("contacts", "person 3") == []
    assert [r["id"] for r in cache.query_records("contacts", order_by="created_at", descending=False)] == [
        "con_000001", "con_000003", "con_000002"]
