"""Writing records: each made a row (secrets stripped, search text taken), upserted with its
search index entries, or deleted with them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from app.cache import database
from app.cache.record_json import json_default
from app.cache.search_text import SEARCHABLE, search_columns
from app.cache.secret_filter import strip_secrets


class RecordWrites:
    """`PageCache`'s record writes, each inside the caller's transaction but `_put_rows`."""

    def _record_row(self, resource: str, record: Mapping[str, Any]) -> tuple:
        """(resource, id, body, created_at, updated_at, fetched_at, size, title, detail)."""
        if not isinstance(record, Mapping):
            raise TypeError(f"a cached {resource} record must be a mapping, not {type(record).__name__}")
        record_id = record.get("id")
        if not isinstance(record_id, str) or not record_id:
            raise ValueError(f"a cached {resource} record needs a string id")
        clean = strip_secrets(record)
        body = json.dumps(clean, separators=(",", ":"), ensure_ascii=False, default=json_default)
        title, detail = search_columns(resource, clean)
        return (resource, record_id, body, json_default(clean.get("created_at")),
                json_default(clean.get("updated_at")), self.clock(), len(body.encode()), title, detail)

    def _put_rows(self, resource: str, rows: list[tuple]) -> int:
        with self._transaction():
            self._upsert(resource, rows)
            self._evict(resource)
        return len(rows)

    def _upsert(self, resource: str, rows: list[tuple]) -> None:
        """Write records and their search index entries (old index entries out first).

        A record given twice in one batch is written once, as the later copy (both copies made
        two search index entries with one rowid, and the put failed).
        """
        rows = list({row[1]: row for row in rows}.values())
        searchable = resource in SEARCHABLE
        if searchable:
            existing = self._rowids(resource, [row[1] for row in rows])
            table = database.search_table(resource)
            # In rowid order, as the inserts below: FTS5 flushes its pending terms to a new segment
            # whenever a write's rowid is lower than the one before (a segment per row, merged later).
            self._conn.executemany(f"DELETE FROM {table} WHERE rowid = ?", [(r,) for r in sorted(existing.values())])
            self._note_search_deletes(resource, len(existing))
        self._conn.executemany(
            "INSERT INTO records (resource, id, body, created_at, updated_at, fetched_at, size) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (resource, id) DO UPDATE SET body = excluded.body, "
            "created_at = excluded.created_at, updated_at = excluded.updated_at, "
            "fetched_at = excluded.fetched_at, size = excluded.size",
            [row[:7] for row in rows],
        )
        if searchable:
            rowids = {**existing, **self._rowids(resource, [row[1] for row in rows if row[1] not in existing])}
            self._conn.executemany(
                f"INSERT INTO {table} (rowid, search_title, search_detail) VALUES (?, ?, ?)",
                sorted((rowids[row[1]], row[7], row[8]) for row in rows if row[7] is not None or row[8] is not None),
            )

    def _rowids(self, resource: str, ids: Sequence[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        for start in range(0, len(ids), 500):
            chunk = list(ids[start:start + 500])
            found.update(self._conn.execute(
                f"SELECT id, rowid FROM records WHERE resource = ? AND id IN ({','.join('?' * len(chunk))})",
                (resource, *chunk),
            ).fetchall())
        return found

    def _delete_rows(self, doomed: Sequence[tuple[int, str]]) -> None:
        """Delete records given as (rowid, resource), with their search index entries."""
        for resource in {resource for _, resource in doomed} & SEARCHABLE.keys():
            rowids = [(rowid,) for rowid, owner in doomed if owner == resource]
            self._conn.executemany(f"DELETE FROM {database.search_table(resource)} WHERE rowid = ?", rowids)
            self._note_search_deletes(resource, len(rowids))
        self._conn.executemany("DELETE FROM records WHERE rowid = ?", [(rowid,) for rowid, _ in doomed])
