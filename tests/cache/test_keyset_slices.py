"""Keyset slices (`after=`) show exactly the rows OFFSET slices show, in the same order."""

from __future__ import annotations

import pytest

from app.cache import PageCache
from tests.cache.conftest import contact


def people(count: int) -> list[dict]:
    """Contacts with repeated names, some without a company or a name, dates with ties."""
    rows = []
    for n in range(count):
        extra = {"name": f"Person {n % 7}", "created_at": f"2026-01-01T00:00:{n % 13:02d}Z", "rank": n % 5}
        if n % 4 == 0:
            extra["company_name"] = None
        row = contact(n, **extra)
        if n % 9 == 0:
            row.pop("name")
        rows.append(row)
    return rows


def walk_by_keyset(cache: PageCache, order_by: str, descending: bool, page: int, **options) -> list[str]:
    ids, after = [], None
    while True:
        rows = cache.query_records("contacts", order_by=order_by, descending=descending, limit=page,
                                   after=after, fields=(order_by, "id"), **options)
        ids += [record_id for _, record_id in rows]
        if len(rows) < page:
            return ids
        after = rows[-1]


ORDERS = [("created_at", True), ("created_at", False), ("updated_at", True), ("id", False),
          ("name", False), ("name", True), ("company_name", False), ("company_name", True), ("rank", True)]


@pytest.mark.parametrize(("order_by", "descending"), ORDERS)
def test_keyset_pages_equal_offset_pages(cache: PageCache, order_by: str, descending: bool) -> None:
    cache.put_records("contacts", people(120))
    by_offset = [r["id"] for r in cache.query_records("contacts", order_by=order_by, descending=descending, limit=500)]
    assert len(by_offset) == 120
    for page in (1, 7, 50):
        assert walk_by_keyset(cache, order_by, descending, page) == by_offset


@pytest.mark.parametrize(("order_by", "descending"), [("name", False), ("company_name", True), ("created_at", True)])
def test_keyset_with_filters_text_and_an_offset_after_the_key(cache: PageCache, order_by: str, descending: bool) -> None:
    cache.put_records("contacts", people(120))
    options = {"filters": {"tags": "[]"}, "text": "person"}
    expected = [r["id"] for r in cache.query_records("contacts", order_by=order_by, descending=descending,
                                                     limit=500, **options)]
    assert 0 < len(expected) < 120
    assert walk_by_keyset(cache, order_by, descending, 9, **options) == expected
    key = cache.sort_key("contacts", expected[10], order_by)
    skipped = cache.query_records("contacts", order_by=order_by, descending=descending, limit=5, offset=3,
                                  after=key, **options)
    assert [r["id"] for r in skipped] == expected[14:19]
    beyond = cache.query_records("contacts", order_by=order_by, descending=descending, limit=5,
                                 offset=len(expected), after=key, **options)
    assert beyond == []


def test_a_key_stays_valid_when_its_row_is_deleted(cache: PageCache) -> None:
    cache.put_records("contacts", people(40))
    ordered = [r["id"] for r in cache.query_records("contacts", order_by="name", limit=100)]
    key = cache.sort_key("contacts", ordered[19], "name")
    cache.delete_record("contacts", ordered[19])
    after = cache.query_records("contacts", order_by="name", limit=5, after=key)
    assert [r["id"] for r in after] == ordered[20:25]
    assert cache.sort_key("contacts", ordered[19], "name") is None


def test_after_must_be_a_value_and_an_id(cache: PageCache) -> None:
    with pytest.raises(ValueError, match="after"):
        cache.query_records("contacts", after="con_000001")


def test_deep_offsets_start_from_earlier_slices_and_stay_exact(cache: PageCache, monkeypatch) -> None:
    monkeypatch.setattr("app.cache.slice_queries.ANCHORED_FROM_OFFSET", 10)
    cache.put_records("contacts", people(200))

    def ids(**options) -> list[str]:
        return [r["id"] for r in cache.query_records("contacts", **options)]

    for order_by, descending in (("created_at", True), ("name", False), ("company_name", True)):
        everything = ids(order_by=order_by, descending=descending, limit=500)
        # Paging down, jumping back up and far down again: each slice what OFFSET gives.
        for offset in [*range(10, 200, 17), 15, 190, 11, 100, 199, 250]:
            assert ids(order_by=order_by, descending=descending, limit=13, offset=offset) == \
                everything[offset:offset + 13], (order_by, offset)


def test_remembered_slice_positions_are_dropped_on_any_write(cache: PageCache, cache_path, clock, monkeypatch) -> None:
    monkeypatch.setattr("app.cache.slice_queries.ANCHORED_FROM_OFFSET", 10)
    cache.put_records("contacts", people(100))
    first = [r["id"] for r in cache.query_records("contacts", limit=10, offset=50)]
    cache.put_records("contacts", [contact(500, created_at="2030-01-01T00:00:00Z")])  # sorts first
    assert [r["id"] for r in cache.query_records("contacts", limit=10, offset=51)] == first

    with PageCache(cache_path, clock=clock) as other:  # another connection writes the same file
        other.put_records("contacts", [contact(501, created_at="2031-01-01T00:00:00Z")])
    assert [r["id"] for r in cache.query_records("contacts", limit=10, offset=52)] == first


# ---- packed slices: what a table keeps, packed by SQLite in one step ---------------------------------

PACKED = ("name", "email", "company_name", "tags", "rank")
SEP = "\x1f"


def packed_by_python(record: dict) -> str:
    """The packing `query_packed` promises, done the slow way: "" for null/missing, a list's items
    joined by ", ", separators inside a value shown as spaces."""
    values = []
    for field in PACKED:
        value = record.get(field)
        if isinstance(value, list):
            value = ", ".join(str(item) for item in value)
        values.append("" if value is None else str(value).replace(SEP, " ").replace("\x1e", " "))
    return SEP.join(values)


def walk_packed(cache: PageCache, page: int, **options) -> tuple[list[str], list[str]]:
    ids, texts, after = [], [], None
    while True:
        packed = cache.query_packed("contacts", PACKED, SEP, lists=("tags",), limit=page, after=after, **options)
        assert packed.ids or after is None, "a key said rows follow, yet none did"
        ids += packed.ids
        texts += packed.texts
        if packed.after is None:
            return ids, texts
        after = packed.after


@pytest.mark.parametrize(("order_by", "descending"), [("created_at", True), ("name", False), ("company_name", True)])
def test_packed_slices_hold_the_rows_of_record_slices_in_their_order(cache: PageCache, order_by: str,
                                                                     descending: bool) -> None:
    records = people(120)
    records[3]["tags"] = ["vip", "a, b", 7]
    records[5]["tags"] = "one tag"
    cache.put_records("contacts", records)
    expected = cache.query_records("contacts", order_by=order_by, descending=descending, limit=500)
    for page in (1, 7, 50, 500):
        ids, texts = walk_packed(cache, page, order_by=order_by, descending=descending)
        assert ids == [r["id"] for r in expected]
        assert texts == [packed_by_python(r) for r in expected]
    filtered = cache.query_records("contacts", order_by=order_by, descending=descending, limit=500,
                                   filters={"company_name": "Acme Ltd"}, text="person")
    assert 0 < len(filtered) < 120
    assert walk_packed(cache, 9, order_by=order_by, descending=descending, filters={"company_name": "Acme Ltd"},
                       text="person")[0] == [r["id"] for r in filtered]


def test_a_packed_slice_is_split_into_rows_where_it_is_read_not_in_the_cache_thread(cache: PageCache) -> None:
    # Splitting holds the GIL: done in the cache thread, a preemption there made the UI thread wait.
    cache.put_records("contacts", people(40))
    packed = cache.query_packed("contacts", PACKED, SEP, limit=30)
    assert packed.ids is not packed.ids and packed.texts is not packed.texts, "the rows were split before being read"
    assert packed.ids == [r["id"] for r in cache.query_records("contacts", limit=30)]
    assert len(packed.texts) == 30 and packed.after is not None


@pytest.mark.parametrize("order_by", ["created_at", "name"])
def test_no_statement_of_a_packed_slice_hands_its_rows_over_one_by_one(cache: PageCache, cache_path,
                                                                        order_by: str) -> None:
    # Each row handed over is a GIL hand-over between the cache thread and the UI thread.
    import sqlite3

    cache.put_records("contacts", people(300))
    first = cache.query_packed("contacts", PACKED, SEP, order_by=order_by, limit=100)
    statements: list[str] = []
    cache._conn.set_trace_callback(statements.append)
    try:
        packed = cache.query_packed("contacts", PACKED, SEP, order_by=order_by, limit=100, after=first.after)
    finally:
        cache._conn.set_trace_callback(None)
    assert len(packed.ids) == 100 and statements
    with sqlite3.connect(cache_path) as reader:
        for statement in statements:
            rows = reader.execute(statement).fetchall()
            assert len(rows) <= 1, f"{len(rows)} rows handed over one by one: {statement[:120]}"


def test_a_value_holding_a_separator_is_packed_with_spaces_and_keeps_its_neighbours(cache: PageCache) -> None:
    records = people(30)
    records[4]["name"] = f"Ada{SEP}Lovelace"
    records[9]["email"] = "x\x1ey@example.com"
    records[12]["tags"] = [f"a{SEP}b", "c"]
    cache.put_records("contacts", records)
    expected = cache.query_records("contacts", limit=100)
    packed = cache.query_packed("contacts", PACKED, SEP, lists=("tags",), limit=100)
    assert packed.texts == [packed_by_python(r) for r in expected]
    assert all(len(text.split(SEP)) == len(PACKED) for text in packed.texts)
    assert "Ada Lovelace" in packed.texts[packed.ids.index(records[4]["id"])]


def test_packed_slices_take_only_plain_field_names_and_a_single_separator(cache: PageCache) -> None:
    cache.put_records("contacts", people(3))
    with pytest.raises(ValueError, match="field name"):
        cache.query_packed("contacts", ("name", "body') || ('"), SEP)
    for sep in ("\x1e", "ab", "'", ","):
        with pytest.raises(ValueError, match="sep"):
            cache.query_packed("contacts", ("name",), sep)
    assert cache.query_packed("other", ("name",), SEP).ids == []
