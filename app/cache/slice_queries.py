"""Sorted, filtered slices of cached records: the WHERE clause, the index behind a sort, and the
rowids of a slice by keyset or by OFFSET.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.cache import database
from app.cache.record_json import FIELD_NAME
from app.cache.search_text import SEARCHABLE, fts_query
from app.cache.slices import ANCHORED_FROM_OFFSET, keyset_segments

_COLUMN_ORDERS = {"created_at", "updated_at", "fetched_at", "id"}
# Column indexes made the first time a slice sorts or filters by the column (see `_indexed_expression`).
_LAZY_COLUMN_INDEXES = {"updated_at": "records_by_updated ON records (resource, updated_at, id)"}
# Columns whose index ends in id: a keyset slice by them is one row-value range seek.
ROW_VALUE_ORDERS = {"created_at", "updated_at", "id"}


class SliceQueries:
    """`PageCache`'s slice reads; a deep OFFSET starts from the keys earlier slices remembered."""

    def _slice_rowids(self, where: str, params: list[Any], order_by: str, order: str, descending: bool,
                      limit: int, offset: int, after: tuple[Any, str] | None) -> list[int]:
        """The rowids of one sorted slice, by keyset where a key is known, else by OFFSET."""
        if limit == 0:
            return []
        query = (where, tuple(params), order, descending)
        key, skip, position = after, offset, None
        if after is None and offset >= ANCHORED_FROM_OFFSET:
            self._check_anchors()
            nearest = self._anchors.nearest(query, offset)
            if nearest is not None:
                key, skip = nearest[1], offset - nearest[0] - 1
            position = offset
        if key is None:
            # Rowids first: skipping `offset` rows then walks only the index, not the bodies.
            # (Remembering the whole ordered list instead costs ~100 ms to rebuild after every write.)
            direction = "DESC" if descending else "ASC"
            rowids = [rowid for (rowid,) in self._conn.execute(
                f"SELECT rowid FROM records WHERE {where} "
                f"ORDER BY {order} {direction}, id {direction} LIMIT ? OFFSET ?", (*params, limit, skip))]
        else:
            rowids = self._rowids_after(where, params, order, order_by in ROW_VALUE_ORDERS, descending,
                                        key, limit, skip)
        if position is not None and rowids:
            (last,) = self._conn.execute(f"SELECT {order}, id FROM records WHERE rowid = ?", (rowids[-1],)).fetchall()
            self._anchors.remember(query, position + len(rowids) - 1, (last[0], last[1]))
        return rowids

    def _rowids_after(self, where: str, params: list[Any], order: str, row_value: bool, descending: bool,
                      key: tuple[Any, str], limit: int, skip: int) -> list[int]:
        """The rowids of up to `limit` rows sorted after `key`, `skip` of them skipped first."""
        rowids: list[int] = []
        for condition, extra, ordered in keyset_segments(order, row_value=row_value, descending=descending, key=key):
            segment_where = f"{where} AND {condition}"
            found = [rowid for (rowid,) in self._conn.execute(
                f"SELECT rowid FROM records WHERE {segment_where} {ordered} LIMIT ? OFFSET ?",
                (*params, *extra, limit - len(rowids), skip))]
            if found:
                skip = 0
            elif skip:
                # This part held `skip` rows or fewer, all skipped: skip the rest in the next.
                (held,) = self._conn.execute(
                    f"SELECT COUNT(*) FROM (SELECT 1 FROM records WHERE {segment_where} LIMIT ?)",
                    (*params, *extra, skip)).fetchone()
                skip -= held
            rowids += found
            if len(rowids) >= limit:
                break
        return rowids

    def _check_anchors(self) -> None:
        """Forget remembered slice positions if another connection changed the file.

        The search upkeep's `SearchMerger` is one: its commits cannot be told from others, so
        offset paging starts again from an OFFSET after each (a keyset `after=` never does).
        """
        (version,) = self._conn.execute("PRAGMA data_version").fetchone()
        if version != self._data_version:
            self._anchors.forget()
            self._data_version = version

    def _where(
        self, resource: str, filters: Mapping[str, Any] | None, text: str | None
    ) -> tuple[str, list[Any]]:
        clauses, params = ["resource = ?"], [resource]
        for field, value in (filters or {}).items():
            expression = self._indexed_expression(field)
            if isinstance(value, (list, tuple, set)):
                values = list(value)
                if not values:
                    clauses.append("0")
                    continue
                clauses.append(f"{expression} IN ({','.join('?' * len(values))})")
                params += values
            elif value is None:
                clauses.append(f"{expression} IS NULL")
            else:
                clauses.append(f"{expression} = ?")
                params.append(value)
        if text is not None:
            query = fts_query(text)
            if query is None:
                return " AND ".join(clauses), params
            if resource not in SEARCHABLE:
                raise ValueError(f"cached {resource} records have no full-text index to search")
            table = database.search_table(resource)
            clauses.append(f"rowid IN (SELECT rowid FROM {table} WHERE {table} MATCH ?)")
            params.append(query)
        return " AND ".join(clauses), params

    def _field_expression(self, field: str) -> str:
        if field in _COLUMN_ORDERS:
            return field
        if not FIELD_NAME.match(field):
            raise ValueError(f"{field!r} is not a field name a cached record can be filtered or sorted by")
        return f"json_extract(body, '$.{field}')"

    def _indexed_expression(self, field: str) -> str:
        """The SQL for a field, with an index on it created the first time it is used."""
        expression = self._field_expression(field)
        if field in _LAZY_COLUMN_INDEXES and field not in self._indexed_fields:
            # Kept only once a list is sorted or filtered by it: every index makes a put dearer.
            self._guarded(lambda: self._conn.execute(f"CREATE INDEX IF NOT EXISTS {_LAZY_COLUMN_INDEXES[field]}"))
            self._indexed_fields.add(field)
        if field not in _COLUMN_ORDERS and field not in self._indexed_fields:
            # An expression index makes filtering or sorting 100k cached rows by a field a range
            # scan instead of a JSON parse per row; only fields panels actually use get one.
            self._guarded(lambda: self._conn.execute(
                f"CREATE INDEX IF NOT EXISTS records_by_field_{field} "
                f"ON records (resource, {expression}, id)"
            ))
            self._indexed_fields.add(field)
        return expression
