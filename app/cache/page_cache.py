"""The per-profile page cache: what the console last saw from the server, on local disk.

Panels show cached rows at once and refresh behind them (stale-while-revalidate): records are
kept by (resource, id) with their JSON body and when they were fetched; list pages by
(resource, canonical query) with their ordered ids and next cursor. Big local lists are sliced
with `query_records`/`count_records` (deep slices by keyset, `after=`), typed searches go to
SQLite FTS5 (`search`, its indexes kept compact by `upkeep_search`), and the request log is
kept here too so it survives a restart.

Guarantees: no secret is written (see `secret_filter`); the file is bounded (rows per resource,
total bytes, list pages, request records) by evicting what was fetched longest ago, measured
by running totals rather than by scanning the table; a damaged file is moved aside and rebuilt
(`recovered_from` tells the UI). One `PageCache` is used by one thread at a time: the UI wraps
it in `AsyncPageCache`, whose single worker thread owns it.

`PageCache` is the public face and owns the connection (open, rebuild, transactions); each part
of its work lives in its own module: `record_writes`, `slice_queries`, `list_pages`,
`request_log`, `upkeep_schedule`, `eviction`, `search_ranking`, `record_json`.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Self, TypeVar

from app.cache import database, search_upkeep
from app.cache.eviction import Eviction
from app.cache.list_pages import ListPages
from app.cache.record_json import body_columns, keyed_bodies, parsed_records
from app.cache.record_writes import RecordWrites
from app.cache.request_log import RequestLog
from app.cache.search_ranking import ranked_ids
from app.cache.search_text import SEARCHABLE, fts_query
from app.cache.slice_queries import ROW_VALUE_ORDERS, SliceQueries
from app.cache.slices import (
    PackedSlice,
    SliceAnchors,
    joined_rowids,
    packed_expression,
    read_packed,
)
from app.cache.upkeep_schedule import SearchUpkeepSchedule

T = TypeVar("T")

DEFAULT_MAX_ROWS_PER_RESOURCE = 250_000
DEFAULT_MAX_BYTES = 512 * 1024 * 1024
DEFAULT_MAX_LIST_PAGES = 2_000
DEFAULT_MAX_REQUEST_RECORDS = 5_000


class PageCache(RecordWrites, SliceQueries, ListPages, RequestLog, SearchUpkeepSchedule, Eviction):
    """One profile's cache file. Not thread-safe: one thread at a time (see `AsyncPageCache`)."""

    def __init__(
        self,
        path: str | Path,
        *,
        max_rows_per_resource: int = DEFAULT_MAX_ROWS_PER_RESOURCE,
        max_bytes: int = DEFAULT_MAX_BYTES,
        max_list_pages: int = DEFAULT_MAX_LIST_PAGES,
        max_request_records: int = DEFAULT_MAX_REQUEST_RECORDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.path = Path(path)
        self.max_rows_per_resource = max_rows_per_resource
        self.max_bytes = max_bytes
        self.max_list_pages = max_list_pages
        self.max_request_records = max_request_records
        self.clock = clock
        #: Where a damaged cache file was moved to, if that happened; the UI shows a notice.
        self.recovered_from: Path | None = None
        #: True when no file could be used and the cache lives in memory for this session.
        self.in_memory = False
        #: True when a search index has churned enough that `upkeep_search` has work to do;
        #: a plain attribute, so another thread (AsyncPageCache's loop) may read it.
        self.search_upkeep_due = False
        self._indexed_fields: set[str] = set()
        self._anchors = SliceAnchors()
        self._data_version: int | None = None
        self._upkeep_state: dict[str, search_upkeep.UpkeepState] = {}
        self._churn_pending: dict[str, int] = {}
        self._pacer = search_upkeep.MergePacer()
        #: A whole merge has completed: the file has pages to give back and a WAL to empty.
        self._compact_due = False
        self._generation = 0
        #: Steps, merges and time search upkeep has taken since this cache was opened.
        self.search_upkeep_tally = search_upkeep.UpkeepTally()
        self._conn = self._open()
        self._load_upkeep_state()

    # ----- records -------------------------------------------------------------------------

    def put_records(self, resource: str, records: Iterable[Mapping[str, Any]]) -> int:
        """Insert or replace records (each needs an `id`) in one transaction; returns how many."""
        rows = [self._record_row(resource, record) for record in records]
        if not rows:
            return 0
        return self._guarded(lambda: self._put_rows(resource, rows))

    def get_record(self, resource: str, record_id: str) -> dict[str, Any] | None:
        """The cached body of one record, or None."""
        row = self._guarded(lambda: self._conn.execute(
            "SELECT body FROM records WHERE resource = ? AND id = ?", (resource, record_id)
        ).fetchone())
        return json.loads(row[0]) if row else None

    def get_records(self, resource: str, ids: Sequence[str], *,
                    convert: Callable[[Any], Any] | None = None,
                    fields: Sequence[str] | None = None) -> list[Any]:
        """The cached bodies of `ids`, in that order; ids not in the cache are skipped.

        `convert` and `fields` work as in `query_records`.
        """
        return self._guarded(lambda: self._bodies_in_order(resource, ids, fields, convert))

    def delete_record(self, resource: str, record_id: str) -> bool:
        """Forget one record (deleted on the server); True if it was cached."""
        def delete() -> bool:
            with self._transaction():
                row = self._conn.execute(
                    "SELECT rowid FROM records WHERE resource = ? AND id = ?", (resource, record_id)
                ).fetchone()
                if row is not None:
                    self._delete_rows([(row[0], resource)])
            return row is not None

        return self._guarded(delete)

    def max_updated_at(self, resource: str) -> str | None:
        """The newest `updated_at` put for `resource`: the `updated_since` of the next refresh.

        A running figure (`record_totals`), not `MAX()` over an index: a record deleted or evicted
        since does not lower it, and need not, since the server was seen as of that moment.
        """
        row = self._guarded(lambda: self._conn.execute(
            "SELECT newest_update FROM record_totals WHERE resource = ?", (resource,)
        ).fetchone())
        return row[0] if row else None

    def query_records(
        self,
        resource: str,
        *,
        filters: Mapping[str, Any] | None = None,
        text: str | None = None,
        order_by: str = "created_at",
        descending: bool = True,
        limit: int = 100,
        offset: int = 0,
        convert: Callable[[Any], Any] | None = None,
        fields: Sequence[str] | None = None,
        after: tuple[Any, str] | None = None,
    ) -> list[Any]:
        """A slice of the cached records of `resource`, for big local lists.

        `filters` maps a top-level field to a value (equality) or a list of values (any of);
        `text` narrows to full-text matches; `order_by` is a column (`created_at`, `updated_at`,
        `fetched_at`, `id`) or any top-level field name; ties are broken by id.
        `after` = (sort value, id) of a row starts the slice just after that row (a keyset
        slice): the same rows as the OFFSET that row's position + 1 would give, but a seek in
        the index instead of a walk past every earlier row (a 100-row slice 1M rows deep:
        58.6 ms by OFFSET). Take the key from the last row shown (`sort_key` gives it for an
        id); it stays valid if that row is deleted. `offset` then skips rows after the key.
        A plain deep `offset` is served from the keys of earlier slices where it can, so
        paging on by offset costs the gap since the last slice, not the depth.
        `convert` turns each body into what the caller keeps (a table row) right after it is
        parsed, so a slice of full bodies never lives at once: 500 parsed contacts alive filled
        the cyclic collector's young generation, and its pass (8-14 ms, holding the GIL in this
        worker thread) stalled the UI while it scrolled.
        `fields` names the top-level fields the caller needs: each record is then the tuple of
        their values (None where absent; arrays and objects as their JSON text), read by SQLite
        instead of parsing whole bodies in Python. Parsing 500 bodies held the GIL in this
        worker thread for 5 ms (25 ms for full-size contacts), and the UI thread, waiting for
        it, stalled a scroll. `convert`, if given, then receives the tuple.
        """
        if limit < 0 or offset < 0:
            raise ValueError("limit and offset must not be negative")
        if after is not None:
            if not (isinstance(after, (tuple, list)) and len(after) == 2 and isinstance(after[1], str)):
                raise ValueError("after must be a (sort value, id) pair")
            after = (after[0], after[1])
        columns = body_columns(fields)
        where, params = self._where(resource, filters, text)
        order = self._indexed_expression(order_by)

        def query() -> list[dict[str, Any]]:
            rowids = self._slice_rowids(where, params, order_by, order, descending, limit, offset, after)
            bodies: dict[int, Any] = {}
            for start in range(0, len(rowids), 500):
                chunk = rowids[start:start + 500]
                bodies.update(keyed_bodies(self._conn.execute(
                    f"SELECT rowid, {columns} FROM records WHERE rowid IN ({','.join('?' * len(chunk))})", chunk), fields))
            return parsed_records([bodies[rowid] for rowid in rowids], fields, convert)

        return self._guarded(query)

    def query_packed(self, resource: str, fields: Sequence[str], sep: str, *, lists: Sequence[str] = (),
                     filters: Mapping[str, Any] | None = None, text: str | None = None,
                     order_by: str = "created_at", descending: bool = True, limit: int = 100,
                     after: tuple[Any, str] | None = None) -> PackedSlice:
        """`query_records(fields=...)`'s slice as a table keeps it: ids, and each row's `fields`
        joined by `sep` (`slices.packed_expression`: arrays named in `lists` as their items),
        packed by SQLite in one step (`slices.read_packed`: the UI thread never waits for this
        thread to hand rows over), with the key the next slice starts after.
        """
        if limit <= 0:
            raise ValueError("limit must be positive")
        fields, lists = tuple(fields), tuple(lists)
        packed_expression(fields, sep, lists)  # bad names or separators fail here, before any read
        where, params = self._where(resource, filters, text)
        order = self._indexed_expression(order_by)

        def query() -> PackedSlice:
            rowids = joined_rowids(self._conn, where, params, order, row_value=order_by in ROW_VALUE_ORDERS,
                                   descending=descending, after=after, limit=limit + 1)
            if rowids is None:
                return PackedSlice([], [])
            more = rowids.count(",") == limit
            if more:  # the extra row only says that more follow
                rowids = rowids[:rowids.rindex(",")]
            packed = read_packed(self._conn, rowids, fields, sep, lists)
            if not more:
                return packed
            (key,) = self._conn.execute(f"SELECT {order}, id FROM records WHERE rowid = ?",
                                        (int(rowids[rowids.rfind(",") + 1:]),)).fetchall()
            return packed.followed_by((key[0], key[1]))

        return self._guarded(query)

    def sort_key(self, resource: str, record_id: str, order_by: str = "created_at") -> tuple[Any, str] | None:
        """The `after=` key of one cached record for slices sorted by `order_by`, or None."""
        order = self._indexed_expression(order_by)
        row = self._guarded(lambda: self._conn.execute(
            f"SELECT {order}, id FROM records WHERE resource = ? AND id = ?", (resource, record_id)
        ).fetchone())
        return (row[0], row[1]) if row else None

    def count_records(
        self, resource: str, *, filters: Mapping[str, Any] | None = None, text: str | None = None
    ) -> int:
        """How many cached records `query_records` would page through."""
        where, params = self._where(resource, filters, text)
        row = self._guarded(lambda: self._conn.execute(
            f"SELECT COUNT(*) FROM records WHERE {where}", params
        ).fetchone())
        return row[0]

    def search(self, resource: str, text: str, limit: int = 50) -> list[str]:
        """Ids of cached `resource` records matching typed `text`, best match first.

        Every word is matched as a prefix over the resource's searchable fields (contacts:
        name, email, phone, company name, tags; tickets: subject and cached message bodies).
        Ranking is bm25 with the title weighted up, over the newest `SEARCH_CANDIDATES`
        matches: a 2-letter prefix over 100k contacts stays as fast as a precise query.
        A resource without a search index (invoices, webhooks …) has no matches.
        """
        query = fts_query(text)
        if query is None or limit <= 0 or resource not in SEARCHABLE:
            return []
        return self._guarded(lambda: ranked_ids(self._conn, resource, query, limit))

    # ----- housekeeping --------------------------------------------------------------------

    def clear(self) -> None:
        """Forget everything cached (records, lists, request log)."""
        def clear() -> None:
            with self._transaction():
                for table in ("records", "list_pages", "request_log", "record_totals", "search_upkeep"):
                    self._conn.execute(f"DELETE FROM {table}")
                # Deleting every row of an FTS5 table writes a tombstone per row; a new table is empty.
                for resource in SEARCHABLE:
                    self._conn.execute(f"DROP TABLE {database.search_table(resource)}")
                    self._conn.execute(database.search_table_sql(resource))
            self._upkeep_state.clear()
            self._compact_due = self.search_upkeep_due = False

        self._guarded(clear)

    def size_bytes(self) -> int:
        """Bytes of record bodies cached: the figure `max_bytes` bounds (a running total)."""
        return self._guarded(self._total_bytes)

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ----- internals -----------------------------------------------------------------------

    def _open(self) -> sqlite3.Connection:
        try:
            return database.connect(self.path)
        except (sqlite3.Error, OSError):
            return self._rebuild()

    def _rebuild(self) -> sqlite3.Connection:
        """Move the damaged file aside and start a new one (or, failing that, use memory)."""
        self._indexed_fields.clear()
        self._anchors.forget()
        self._upkeep_state.clear()
        self._compact_due = self.search_upkeep_due = False
        self._generation += 1
        try:
            self.recovered_from = database.move_aside(self.path)
            return database.connect(self.path)
        except (sqlite3.Error, OSError):
            self.in_memory = True
            return database.connect_in_memory()

    def _guarded(self, operation: Callable[[], T]) -> T:
        """Run `operation`; if the file turns out damaged, rebuild it and run it once more."""
        try:
            return operation()
        except sqlite3.DatabaseError as exc:
            if not database.is_damage(exc):
                raise
        try:
            self._conn.close()
        except sqlite3.Error:
            pass
        self._conn = self._rebuild()
        self._load_upkeep_state()
        return operation()

    @contextmanager
    def _transaction(self, *, records_change: bool = True) -> Iterator[None]:
        """One write transaction; slice positions remembered before it are forgotten."""
        if records_change:
            self._anchors.forget()
        self._churn_pending = {}
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield
            self._record_churn()
        except BaseException:
            self._conn.execute("ROLLBACK")
            self._churn_pending = {}
            raise
        self._conn.execute("COMMIT")
        self._apply_churn()

    def _bodies_in_order(self, resource: str, ids: Sequence[str], fields: Sequence[str] | None,
                         convert: Callable[[Any], Any] | None) -> list[Any]:
        columns = body_columns(fields)
        bodies: dict[str, Any] = {}
        for start in range(0, len(ids), 500):
            chunk = list(ids[start:start + 500])
            marks = ",".join("?" * len(chunk))
            bodies.update(keyed_bodies(self._conn.execute(
                f"SELECT id, {columns} FROM records WHERE resource = ? AND id IN ({marks})",
                (resource, *chunk)), fields))
        return parsed_records([bodies[i] for i in ids if i in bodies], fields, convert)
