"""A damaged cache file is moved aside and rebuilt, with a notice; the console never crashes."""

from __future__ import annotations

import sqlite3

import pytest

from app.cache import PageCache
from tests.cache.conftest import contact


def assert_working_and_empty(cache: PageCache) -> None:
    assert cache.count_records("contacts") == 0
    cache.put_records("contacts", [contact(1)])
    assert cache.search("contacts", "person") == ["con_000001"]


def test_garbage_file_is_moved_aside_and_rebuilt(cache_path, clock) -> None:
    cache_path.parent.mkdir(parents=True)
    cache_path.write_bytes(b"this is not a database\x00" * 500)
    with PageCache(cache_path, clock=clock) as cache:
        assert cache.recovered_from is not None
        assert cache.recovered_from.name.startswith("cache.sqlite3.corrupt-")
        assert cache.recovered_from.read_bytes().startswith(b"this is not a database")
        assert not cache.in_memory
        assert_working_and_empty(cache)


def test_truncated_file_is_recovered(cache_path, clock) -> None:
    with PageCache(cache_path, clock=clock) as cache:
        cache.put_records("contacts", [contact(n, notes="n" * 300) for n in range(2000)])
    size = cache_path.stat().st_size
    with open(cache_path, "r+b") as handle:
        handle.truncate(size // 3)
    with PageCache(cache_path, clock=clock) as cache:
        # The header is intact, so the damage may only show on first use: still recovered.
        cache.query_records("contacts", limit=10, offset=1500)
        cache.count_records("contacts", text="person")
        assert cache.recovered_from is not None
        assert_working_and_empty(cache)


def test_wrong_schema_version_is_rebuilt(cache_path, clock) -> None:
    with PageCache(cache_path, clock=clock) as cache:
        cache.put_records("contacts", [contact(1)])
        cache._conn.execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'")
    with PageCache(cache_path, clock=clock) as cache:
        assert cache.recovered_from is not None
        assert_working_and_empty(cache)


def test_someone_elses_sqlite_file_is_rebuilt(cache_path, clock) -> None:
    cache_path.parent.mkdir(parents=True)
    other = sqlite3.connect(cache_path)
    other.execute("CREATE TABLE notes (x)")
    other.commit()
    other.close()
    with PageCache(cache_path, clock=clock) as cache:
        assert cache.recovered_from is not None
        assert_working_and_empty(cache)


def test_unusable_location_falls_back_to_memory(tmp_path, clock) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the cache directory should be")
    with PageCache(blocker / "cache.sqlite3", clock=clock) as cache:
        assert cache.in_memory
        assert_working_and_empty(cache)


def test_other_errors_are_not_mistaken_for_damage(cache: PageCache) -> None:
    with pytest.raises(ValueError, match="needs a string id"):
        cache.put_records("contacts", [{"name": "no id"}])
    assert cache.recovered_from is None
