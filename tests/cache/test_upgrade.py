"""A cache written by an earlier Opsdesk is upgraded in place: nothing cached is lost."""

from __future__ import annotations

import sqlite3

from app.cache import PageCache
from app.cache.database import search_table
from tests.cache.conftest import contact


def _make_version_3(path) -> None:
    """Turn a current cache file into what version 3 wrote: no running totals, no search upkeep."""
    conn = sqlite3.connect(path)
    for trigger in ("record_totals_insert", "record_totals_delete", "record_totals_update", "record_totals_newest"):
        conn.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    conn.execute("DROP TABLE record_totals")
    conn.execute("DROP TABLE search_upkeep")
    conn.execute("DROP INDEX IF EXISTS records_by_updated")
    conn.execute("CREATE INDEX records_by_updated ON records (resource, updated_at)")
    conn.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()


def _make_version_2(path) -> None:
    """What version 2 wrote: version 3's tables, with search indexes without 1-letter prefixes."""
    _make_version_3(path)
    conn = sqlite3.connect(path)
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE '%fts5%'").fetchall():
        conn.execute(f"CREATE VIRTUAL TABLE old_{name} USING fts5 (search_title, search_detail, "
                     "tokenize='unicode61 remove_diacritics 2', prefix='2 3')")
        conn.execute(f"INSERT INTO old_{name} (rowid, search_title, search_detail) "
                     f"SELECT rowid, search_title, search_detail FROM {name}")
        conn.execute(f"DROP TABLE {name}")
        conn.execute(f"ALTER TABLE old_{name} RENAME TO {name}")
    conn.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()


def totals(cache: PageCache) -> dict[str, tuple[int, int]]:
    """The running totals, and what summing the table says they must be."""
    kept = {r: (n, b) for r, n, b in cache._conn.execute(
        "SELECT resource, rows, bytes FROM record_totals WHERE rows > 0").fetchall()}
    summed = {r: (n, b) for r, n, b in cache._conn.execute(
        "SELECT resource, COUNT(*), SUM(size) FROM records GROUP BY resource").fetchall()}
    assert kept == summed
    return kept


def test_a_version_2_cache_keeps_its_records_and_searches_by_first_letters(cache_path, clock) -> None:
    with PageCache(cache_path, clock=clock) as cache:
        cache.put_records("contacts", [contact(n) for n in range(1, 51)])
        wanted = cache.search("contacts", "person 1", limit=50)
    _make_version_2(cache_path)

    with PageCache(cache_path, clock=clock) as cache:
        assert cache.recovered_from is None, "an older cache was treated as damaged"
        assert cache.count_records("contacts") == 50
        assert cache.search("contacts", "person 1", limit=50) == wanted
        assert set(cache.search("contacts", "person4", limit=50)) == {f"con_{n:06d}" for n in (4, *range(40, 50))}
        sql = cache._conn.execute("SELECT sql FROM sqlite_master WHERE name = ?",
                                  (search_table("contacts"),)).fetchone()[0]
        assert "prefix='1 2 3'" in sql
        cache.put_records("contacts", [contact(51)])
        assert cache.search("contacts", "person51") == ["con_000051"]
        assert totals(cache)["contacts"][0] == 51


def test_a_version_3_cache_sums_its_totals_once_and_then_keeps_them(cache_path, clock) -> None:
    with PageCache(cache_path, clock=clock) as cache:
        cache.put_records("contacts", [contact(n) for n in range(1, 41)])
        cache.put_records("tickets", [{"id": f"ticket_{n}", "subject": "Hello"} for n in range(7)])
        size = cache.size_bytes()
    _make_version_3(cache_path)

    with PageCache(cache_path, clock=clock, max_rows_per_resource=40) as cache:
        assert cache.recovered_from is None, "an older cache was treated as damaged"
        assert totals(cache) == {"contacts": (40, totals(cache)["contacts"][1]), "tickets": (7, totals(cache)["tickets"][1])}
        assert cache.size_bytes() == size
        clock.advance(1)
        cache.put_records("contacts", [contact(n) for n in range(41, 46)])  # over the bound: the oldest go
        assert cache.count_records("contacts") == 40
        assert cache.get_record("contacts", "con_000045") is not None
        totals(cache)
        assert cache.max_updated_at("contacts") == contact(45)["updated_at"]
        assert index_sql(cache) is None, "version 5 keeps no index on updated_at until a list sorts by it"


def index_sql(cache: PageCache) -> str | None:
    row = cache._conn.execute("SELECT sql FROM sqlite_master WHERE name = 'records_by_updated'").fetchone()
    return row[0] if row else None


_VERSION_4_TRIGGERS = """
CREATE TRIGGER record_totals_insert AFTER INSERT ON records BEGIN
    INSERT INTO record_totals (resource, rows, bytes) VALUES (NEW.resource, 1, NEW.size)
    ON CONFLICT (resource) DO UPDATE SET rows = rows + 1, bytes = bytes + excluded.bytes;
END;
CREATE TRIGGER record_totals_delete AFTER DELETE ON records BEGIN
    UPDATE record_totals SET rows = rows - 1, bytes = bytes - OLD.size WHERE resource = OLD.resource;
END;
CREATE TRIGGER record_totals_update AFTER UPDATE OF resource, size ON records BEGIN
    UPDATE record_totals SET rows = rows - 1, bytes = bytes - OLD.size WHERE resource = OLD.resource;
    INSERT INTO record_totals (resource, rows, bytes) VALUES (NEW.resource, 1, NEW.size)
    ON CONFLICT (resource) DO UPDATE SET rows = rows + 1, bytes = bytes + excluded.bytes;
END;
"""


def _make_version_4(path) -> None:
    """What version 4 wrote: totals without the newest update, an index on (resource, updated_at, id)."""
    conn = sqlite3.connect(path)
    for trigger in ("record_totals_insert", "record_totals_delete", "record_totals_update", "record_totals_newest"):
        conn.execute(f"DROP TRIGGER {trigger}")
    conn.execute("ALTER TABLE record_totals DROP COLUMN newest_update")
    conn.executescript(_VERSION_4_TRIGGERS)
    conn.execute("CREATE INDEX IF NOT EXISTS records_by_updated ON records (resource, updated_at, id)")
    conn.execute("UPDATE meta SET value = '4' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()


def test_a_version_4_cache_keeps_the_newest_update_without_an_index_on_it(cache_path, clock) -> None:
    with PageCache(cache_path, clock=clock) as cache:
        cache.put_records("contacts", [contact(n, updated_at=f"2026-02-{n:02d}T00:00:00Z") for n in range(1, 21)])
        cache.put_records("tickets", [{"id": "ticket_1", "subject": "Hi", "updated_at": "2026-05-01T00:00:00Z"}])
        by_update = [r["id"] for r in cache.query_records("contacts", order_by="updated_at", limit=50)]
    _make_version_4(cache_path)

    with PageCache(cache_path, clock=clock) as cache:
        assert cache.recovered_from is None, "an older cache was treated as damaged"
        assert index_sql(cache) is None
        assert (cache.max_updated_at("contacts"), cache.max_updated_at("tickets")) == (
            "2026-02-20T00:00:00Z", "2026-05-01T00:00:00Z")
        # Replaced with the same body size and a newer date: the running figure follows.
        cache.put_records("contacts", [contact(3, updated_at="2026-02-28T00:00:00Z")])
        assert cache.max_updated_at("contacts") == "2026-02-28T00:00:00Z"
        cache.put_records("contacts", [contact(4, updated_at="2026-01-01T00:00:00Z")])
        assert cache.max_updated_at("contacts") == "2026-02-28T00:00:00Z", "an older date lowered the newest"
        totals(cache)
        after = [r["id"] for r in cache.query_records("contacts", order_by="updated_at", limit=50)]
        assert after[0] == "con_000003" and [i for i in after if i not in ("con_000003", "con_000004")] == [
            i for i in by_update if i not in ("con_000003", "con_000004")]
        assert "updated_at, id" in index_sql(cache), "a sort by updated_at made its index"
