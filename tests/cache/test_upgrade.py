"""A cache written by the previous Opsdesk is upgraded in place: nothing cached is lost."""

from __future__ import annotations

import sqlite3

from app.cache import PageCache
from app.cache.database import search_table
from tests.cache.conftest import contact


def _make_version_2(path) -> None:
    """Turn a current cache file into what version 2 wrote: search indexes without 1-letter prefixes."""
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
