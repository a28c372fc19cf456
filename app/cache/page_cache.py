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
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Self, TypeVar

from app.cache import database, search_upkeep
from app.cache.search_text import (
    DETAIL_WEIGHT,
    SEARCH_PARENT,
    SEARCHABLE,
    TITLE_WEIGHT,
    fts_query,
    search_columns,
    searched_resources,
)
from app.cache.secret_filter import mask_values, strip_request_record, strip_secrets
from app.cache.slices import (
    ANCHORED_FROM_OFFSET,
    PackedSlice,
    SliceAnchors,
    joined_rowids,
    keyset_segments,
    packed_expression,
    read_packed,
)

T = TypeVar("T")

DEFAULT_MAX_ROWS_PER_RESOURCE = 250_000
DEFAULT_MAX_BYTES = 512 * 1024 * 1024
DEFAULT_MAX_LIST_PAGES = 2_000
DEFAULT_MAX_REQUEST_RECORDS = 5_000
#: Newest matches ranked per search: five times the rows the contacts table shows while typing;
#: ranking costs per candidate (bm25): 2,000 took 3-7 ms of a 2-letter keystroke over 100k contacts, 500 take 1-3.
SEARCH_CANDIDATES = 500
_COLUMN_ORDERS = {"created_at", "updated_at", "fetched_at", "id"}
# Column indexes made the first time a slice sorts or filters by the column (see `_indexed_expression`).
_LAZY_COLUMN_INDEXES = {"updated_at": "records_by_updated ON records (resource, updated_at, id)"}
# Columns whose index ends in id: a keyset slice by them is one row-value range seek.
_ROW_VALUE_ORDERS = {"created_at", "updated_at", "id"}
_FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
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


class PageCache:
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
        columns = _body_columns(fields)
        where, params = self._where(resource, filters, text)
        order = self._indexed_expression(order_by)

        def query() -> list[dict[str, Any]]:
            rowids = self._slice_rowids(where, params, order_by, order, descending, limit, offset, after)
            bodies: dict[int, Any] = {}
            for start in range(0, len(rowids), 500):
                chunk = rowids[start:start + 500]
                bodies.update(_keyed(self._conn.execute(
                    f"SELECT rowid, {columns} FROM records WHERE rowid IN ({','.join('?' * len(chunk))})", chunk), fields))
            return _records([bodies[rowid] for rowid in rowids], fields, convert)

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
            rowids = joined_rowids(self._conn, where, params, order, row_value=order_by in _ROW_VALUE_ORDERS,
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
        return self._guarded(lambda: self._ranked_ids(resource, query, limit))

    # ----- list pages ----------------------------------------------------------------------

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

    # ----- request log ---------------------------------------------------------------------

    def append_request_records(self, records: Iterable[Mapping[str, Any]]) -> int:
        """Keep the client's (already redacted) request records; the oldest beyond the bound go.

        Plain dicts with the fields of `app.api`'s RequestRecord (time, method, url, status …).
        Secrets are stripped once more before writing, in case a redaction was missed.
        """
        rows = []
        for record in records:
            clean = json.loads(json.dumps(strip_request_record(record), default=_json_default))
            status = clean.get("status")
            rows.append((
                _epoch(record.get("time")),
                clean.get("method"),
                clean.get("url"),
                status if isinstance(status, int) else None,
                json.dumps(clean, separators=(",", ":")),
            ))
        if not rows:
            return 0

        def append() -> int:
            with self._transaction(records_change=False):
                self._conn.executemany(
                    "INSERT INTO request_log (time, method, url, status, record) VALUES (?, ?, ?, ?, ?)",
                    rows,
                )
                self._conn.execute(
                    "DELETE FROM request_log WHERE seq <= (SELECT MAX(seq) FROM request_log) - ?",
                    (self.max_request_records,),
                )
            return len(rows)

        return self._guarded(append)

    def recent_request_records(
        self,
        *,
        method: str | None = None,
        status_class: int | str | None = None,
        text: str | None = None,
        since: float | datetime | str | None = None,
        limit: int = 500,
    ) -> list[dict[str, Any]]:
        """Persisted request records, newest first, filtered like the request log panel does.

        `status_class` is 1–5 (e.g. 4 for 4xx) or "error" for exchanges without a status
        (connection errors, timeouts); `text` is a case-insensitive substring of the URL;
        `since` is a time (epoch seconds, datetime or RFC 3339) records must not be older than.
        """
        clauses, params = ["1"], []
        if method:
            clauses.append("method = ?")
            params.append(method.upper())
        if status_class == "error":
            clauses.append("status IS NULL")
        elif status_class is not None:
            klass = int(status_class)
            clauses.append("status BETWEEN ? AND ?")
            params += [klass * 100, klass * 100 + 99]
        if text:
            clauses.append("url LIKE ? ESCAPE '\\'")
            params.append("%" + re.sub(r"([\\%_])", r"\\\1", text) + "%")
        if since is not None:
            clauses.append("time >= ?")
            params.append(_epoch(since))
        sql = f"SELECT record FROM request_log WHERE {' AND '.join(clauses)} ORDER BY seq DESC LIMIT ?"
        rows = self._guarded(lambda: self._conn.execute(sql, (*params, limit)).fetchall())
        return [json.loads(record) for (record,) in rows]

    # ----- search index upkeep -------------------------------------------------------------

    def upkeep_search(self, budget_ms: float = search_upkeep.STEP_BUDGET_MS) -> bool:
        """One bounded step of merging a churned search index; True while more steps are due.

        Runs on this cache's own connection. `AsyncPageCache` instead takes each step from
        `plan_search_upkeep`, runs it on a `SearchMerger` in another thread (reads then never
        wait for it), and reports back with `finish_search_upkeep`.
        Searches find the same records, in the same order, before, during and after a merge.
        """
        def step() -> bool:
            plan = self.plan_search_upkeep()
            if plan is None:
                return False
            merged, seconds = search_upkeep.merge_step(self._conn, self._pacer, plan, budget_ms)
            return self.finish_search_upkeep(plan, merged, seconds)

        return self._guarded(step)

    def plan_search_upkeep(self) -> search_upkeep.UpkeepPlan | None:
        """The next upkeep step to take, or None when no search index needs one."""
        due = [(resource, state) for resource, state in self._upkeep_state.items() if state.due]
        if not due:
            self.search_upkeep_due = self._compact_due
            return search_upkeep.UpkeepPlan("", False, 0, self._generation, compact=True) if self._compact_due else None
        # An index already being merged first: its merge is carried on, never restarted.
        resource, state = max(due, key=lambda item: (item[1].merging, item[1].churn))
        start = not state.merging
        return search_upkeep.UpkeepPlan(resource, start, state.churn if start else state.churn_at_start,
                                        self._generation)

    def finish_search_upkeep(self, plan: search_upkeep.UpkeepPlan, merged: bool, seconds: float) -> bool:
        """Mirror a step taken (by `upkeep_search` or a `SearchMerger`); True while more are due."""
        state = self._upkeep_state.get(plan.resource)
        if plan.compact:
            self.search_upkeep_tally.add(seconds, completed=False)
            self._compact_due = merged and plan.generation == self._generation
        elif state is not None and plan.generation == self._generation:  # else cleared or rebuilt meanwhile
            self.search_upkeep_tally.add(seconds, completed=not merged)
            if merged:
                state.merging, state.churn_at_start = True, plan.cleared
            else:
                state.churn, state.merging, state.churn_at_start = max(0, state.churn - plan.cleared), False, 0
                self._compact_due = True
            state.live_rows = self._guarded(lambda: self._live_rows(plan.resource))
        self.search_upkeep_due = self._compact_due or any(item.due for item in self._upkeep_state.values())
        return self.search_upkeep_due

    def optimize_search(self) -> int:
        """Run every due upkeep step now (tests, benchmarks, a quiet moment); returns how many."""
        steps = 0
        while self.search_upkeep_due:
            steps += 1
            if not self.upkeep_search():
                break
        return steps

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

    def _record_row(self, resource: str, record: Mapping[str, Any]) -> tuple:
        """(resource, id, body, created_at, updated_at, fetched_at, size, title, detail)."""
        if not isinstance(record, Mapping):
            raise TypeError(f"a cached {resource} record must be a mapping, not {type(record).__name__}")
        record_id = record.get("id")
        if not isinstance(record_id, str) or not record_id:
            raise ValueError(f"a cached {resource} record needs a string id")
        clean = strip_secrets(record)
        body = json.dumps(clean, separators=(",", ":"), ensure_ascii=False, default=_json_default)
        title, detail = search_columns(resource, clean)
        return (resource, record_id, body, _json_default(clean.get("created_at")),
                _json_default(clean.get("updated_at")), self.clock(), len(body.encode()), title, detail)

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

    def _evict(self, resource: str) -> None:
        """Drop what was fetched longest ago until the row and byte bounds hold again.

        The counts come from `record_totals` (kept by triggers), so a put costs the same at 1M
        cached rows as at 10k; only the rows evicted are read.
        """
        row = self._conn.execute(
            "SELECT rows FROM record_totals WHERE resource = ?", (resource,)
        ).fetchone()
        count = row[0] if row else 0
        if count > self.max_rows_per_resource:
            self._delete_rows(self._conn.execute(
                "SELECT rowid, resource FROM records WHERE resource = ? ORDER BY fetched_at, rowid LIMIT ?",
                (resource, count - self.max_rows_per_resource),
            ).fetchall())
        total = self._total_bytes()
        while total > self.max_bytes:
            doomed = []
            for rowid, owner, size in self._oldest_rows(1000):
                if total <= self.max_bytes:
                    break
                doomed.append((rowid, owner))
                total -= size
            if not doomed:
                break
            self._delete_rows(doomed)

    def _evict_list_pages(self) -> None:
        self._conn.execute(
            "DELETE FROM list_pages WHERE rowid IN (SELECT rowid FROM list_pages "
            "ORDER BY fetched_at DESC LIMIT -1 OFFSET ?)",
            (self.max_list_pages,),
        )

    def _total_bytes(self) -> int:
        return self._conn.execute("SELECT COALESCE(SUM(bytes), 0) FROM record_totals").fetchone()[0]

    def _oldest_rows(self, limit: int) -> list[tuple[int, str, int]]:
        """The `limit` rows fetched longest ago over all resources, as (rowid, resource, size).

        Merged from each resource's (resource, fetched_at) index: one global ORDER BY fetched_at
        would sort the whole table on every put once the byte bound is reached.
        """
        candidates: list[tuple[float, int, str, int]] = []
        for (owner,) in self._conn.execute("SELECT resource FROM record_totals WHERE rows > 0").fetchall():
            candidates += [(fetched_at, rowid, owner, size) for rowid, fetched_at, size in self._conn.execute(
                "SELECT rowid, fetched_at, size FROM records WHERE resource = ? "
                "ORDER BY fetched_at, rowid LIMIT ?", (owner, limit))]
        candidates.sort()
        return [(rowid, owner, size) for _, rowid, owner, size in candidates[:limit]]

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
            rowids = self._rowids_after(where, params, order, order_by in _ROW_VALUE_ORDERS, descending,
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

    def _note_search_deletes(self, resource: str, count: int) -> None:
        if count:
            self._churn_pending[resource] = self._churn_pending.get(resource, 0) + count

    def _record_churn(self) -> None:
        """Within the transaction: add this transaction's search index deletes to the table."""
        for resource, count in self._churn_pending.items():
            self._conn.execute(
                "INSERT INTO search_upkeep (resource, churn) VALUES (?, ?) "
                "ON CONFLICT (resource) DO UPDATE SET churn = churn + excluded.churn", (resource, count))

    def _apply_churn(self) -> None:
        """After the commit: mirror the new churn, and say whether upkeep is due."""
        pending, self._churn_pending = self._churn_pending, {}
        for resource, count in pending.items():
            state = self._upkeep_state.setdefault(resource, search_upkeep.UpkeepState())
            state.churn += count
            state.live_rows = self._live_rows(resource)
        if pending:
            self.search_upkeep_due = self._compact_due or any(state.due for state in self._upkeep_state.values())

    def _live_rows(self, resource: str) -> int:
        row = self._conn.execute("SELECT rows FROM record_totals WHERE resource = ?", (resource,)).fetchone()
        return row[0] if row else 0

    def _load_upkeep_state(self) -> None:
        self._upkeep_state = {
            resource: search_upkeep.UpkeepState(churn, bool(merging), churn_at_start, self._live_rows(resource))
            for resource, churn, merging, churn_at_start in self._conn.execute(
                "SELECT resource, churn, merging, churn_at_start FROM search_upkeep").fetchall()
            if resource in SEARCHABLE
        }
        self.search_upkeep_due = any(state.due for state in self._upkeep_state.values())

    def _bodies_in_order(self, resource: str, ids: Sequence[str], fields: Sequence[str] | None,
                         convert: Callable[[Any], Any] | None) -> list[Any]:
        columns = _body_columns(fields)
        bodies: dict[str, Any] = {}
        for start in range(0, len(ids), 500):
            chunk = list(ids[start:start + 500])
            marks = ",".join("?" * len(chunk))
            bodies.update(_keyed(self._conn.execute(
                f"SELECT id, {columns} FROM records WHERE resource = ? AND id IN ({marks})",
                (resource, *chunk)), fields))
        return _records([bodies[i] for i in ids if i in bodies], fields, convert)

    def _ranked_ids(self, resource: str, query: str, limit: int) -> list[str]:
        scored: list[tuple[float, int]] = []
        for searched in searched_resources(resource):
            table = database.search_table(searched)
            scored += self._conn.execute(
                f"SELECT bm25({table}, {TITLE_WEIGHT}, {DETAIL_WEIGHT}), -rowid FROM {table} "
                f"WHERE {table} MATCH ? ORDER BY rowid DESC LIMIT ?",
                (query, SEARCH_CANDIDATES),
            ).fetchall()
        scored.sort()
        ids: list[str] = []
        seen: set[str] = set()
        for start in range(0, len(scored), 200):
            rowids = [-negated for _, negated in scored[start:start + 200]]
            marks = ",".join("?" * len(rowids))
            found = {
                rowid: (hit_resource, hit_id, body)
                for rowid, hit_resource, hit_id, body in self._conn.execute(
                    "SELECT rowid, resource, id, CASE WHEN resource = ? THEN NULL ELSE body END "
                    f"FROM records WHERE rowid IN ({marks})",
                    (resource, *rowids),
                )
            }
            for rowid in rowids:
                if rowid not in found:
                    continue
                hit_resource, hit_id, body = found[rowid]
                if hit_resource != resource:
                    hit_id = json.loads(body).get(SEARCH_PARENT[hit_resource][1])
                if hit_id and hit_id not in seen:
                    seen.add(hit_id)
                    ids.append(hit_id)
                    if len(ids) == limit:
                        return ids
        return ids

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
        if not _FIELD_NAME.match(field):
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


def _body_columns(fields: Sequence[str] | None) -> str:
    """What to select of a record: its whole body, or the named top-level fields (by SQLite)."""
    if fields is None:
        return "body"
    if not fields:
        raise ValueError("fields must name at least one field")
    for field in fields:
        if not _FIELD_NAME.match(field):
            raise ValueError(f"{field!r} is not a field name a cached record can be read by")
    return ", ".join(f"json_extract(body, '$.{field}')" for field in fields)


def _keyed(rows: Iterable[tuple[Any, ...]], fields: Sequence[str] | None) -> Iterator[tuple[Any, Any]]:
    """(key, body text) or (key, field values) from rows selected as key + `_body_columns`."""
    for key, *values in rows:
        yield key, values[0] if fields is None else tuple(values)


def _records(selected: list[Any], fields: Sequence[str] | None, convert: Callable[[Any], Any] | None) -> list[Any]:
    """Bodies parsed (or field values as read), each converted as soon as it is parsed."""
    if fields is not None:
        return selected if convert is None else [convert(values) for values in selected]
    if convert is None:
        return [json.loads(body) for body in selected]
    return [convert(json.loads(body)) for body in selected]


def _json_default(value: Any) -> Any:
    """Dates as RFC 3339 text (as the API sends them), bytes as text, anything else as its str.

    Text made from an unknown object goes through the secret filter too: its str may show a key.
    """
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if value is None or isinstance(value, (str, int, float, bool, list, dict)):
        return value
    return mask_values(str(value))


def _epoch(value: Any) -> float | None:
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value).timestamp()
        except ValueError:
            return None
    return None
