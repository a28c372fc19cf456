"""Cached list pages: one per (resource, canonical query), its ids in server order and the next cursor."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

_PAGE_KEYS_IGNORED = {"cursor", "limit"}


@dataclass(frozen=True)
class CachedList:
    """A cached list view: its rows in server order, the next cursor, and how old it is."""

    rows: list[dict[str, Any]]
    next_cursor: str | None
    fetched_at: float
    age_seconds: float


def canonical_query(query: Mapping[str, Any] | None) -> str:
    """One string per distinct list query: keys sorted, empty values, cursor and limit dropped."""
    items = {}
    for key, value in (query or {}).items():
        if key in _PAGE_KEYS_IGNORED or value is None or value == "" or value == []:
            continue
        items[str(key)] = sorted(value) if isinstance(value, (list, tuple, set)) else value
    return json.dumps(items, sort_keys=True, separators=(",", ":"), default=str)


class ListPages:
    """`PageCache`'s list pages: the first page of a query replaces its list, later pages extend it."""

    def put_list(
        self,
        resource: str,
        query: Mapping[str, Any] | None,
        records: Sequence[Mapping[str, Any]],
        next_cursor: str | None,
        *,
        append: bool = False,
    ) -> None:
        """Cache one fetched page of a list: its records, and its ids in order.

        The first page replaces the list (`append=False`); later pages (`append=True`) add
        their ids after those already cached, so the cached list mirrors what was scrolled.
        """
        rows = [self._record_row(resource, record) for record in records]
        key = canonical_query(query)
        ids = [row[1] for row in rows]

        def put() -> None:
            with self._transaction():
                if rows:
                    self._upsert(resource, rows)
                page_ids = ids
                if append:
                    existing = self._conn.execute(
                        "SELECT ids FROM list_pages WHERE resource = ? AND query = ?", (resource, key)
                    ).fetchone()
                    if existing:
                        earlier = json.loads(existing[0])
                        known = set(earlier)
                        page_ids = earlier + [i for i in ids if i not in known]
                self._conn.execute(
                    "INSERT INTO list_pages (resource, query, ids, next_cursor, fetched_at) "
                    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (resource, query) DO UPDATE SET "
                    "ids = excluded.ids, next_cursor = excluded.next_cursor, "
                    "fetched_at = excluded.fetched_at",
                    (resource, key, json.dumps(page_ids), next_cursor, self.clock()),
                )
                self._evict(resource)
                self._evict_list_pages()

        self._guarded(put)

    def get_list(self, resource: str, query: Mapping[str, Any] | None) -> CachedList | None:
        """The cached list for this query (rows in server order), or None if never fetched."""
        key = canonical_query(query)

        def get() -> CachedList | None:
            row = self._conn.execute(
                "SELECT ids, next_cursor, fetched_at FROM list_pages WHERE resource = ? AND query = ?",
                (resource, key),
            ).fetchone()
            if row is None:
                return None
            ids, next_cursor, fetched_at = json.loads(row[0]), row[1], row[2]
            rows = self._bodies_in_order(resource, ids, None, None)
            return CachedList(rows, next_cursor, fetched_at, max(0.0, self.clock() - fetched_at))

        return self._guarded(get)
