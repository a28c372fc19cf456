"""Every request the console made for one profile, live and persisted; and the server's own log.

`RequestHistory` takes each exchange from the client (`add`, retries included), holds the
session's records newest first (bounded), and writes them to the profile's page cache, bounded
there too, so the log survives a restart. Records are already redacted by the client (their
masked headers and bodies are built on first read); the cache strips secrets once more.
`changes` tells a view what arrived.

Writing a record costs more than taking it (its masked bodies are built, turned into JSON and
written), so the history writes in the pauses between requests, not during a burst: once no
record has arrived for a quarter of a second, or at the latest ten seconds (or 2,000 records)
after the oldest unsaved one, in chunks that each leave the event loop free again within a few ms.

`ServerRequestLog` pages through the platform's record of this workspace's calls (logs:read).
`curl_command` and `export_har` turn records into what an operator shares (both redacted).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import deque
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, fields
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from app.api.export import to_curl, to_har
from app.api.models import ApiRequestLogEntry
from app.api.pagination import CursorPage
from app.api.records import RequestRecord
from app.data.observable import Observable
from app.data.record_store import Offline

log = logging.getLogger(__name__)
_monotonic = time.monotonic

#: Records held for the session's view (the cache keeps its own bound).
MAX_RECORDS = 5000
#: The pause in the stream of records after which the unsaved ones are written.
_QUIET_SECONDS = 0.25
#: How long a record waits for a pause at most, in a burst that never pauses.
_MAX_WAIT_SECONDS = 10.0
#: Records kept for a later write while the cache refuses them (a full disk), the oldest going
#: first; also the most a burst leaves unsaved before a write.
MAX_UNSAVED_RECORDS = 2000
#: Records converted and written per cache hop (each chunk a few ms of the event loop).
_CHUNK = 50
_FIELD_NAMES = tuple(f.name for f in fields(RequestRecord))
_FIELDS = set(_FIELD_NAMES)
#: Server log entries per page.
SERVER_PAGE = 100


def record_to_dict(record: RequestRecord) -> dict[str, Any]:
    """A JSON-ready dict of the record (what the cache keeps); `time` is its start, for filtering."""
    data = {name: getattr(record, name) for name in _FIELD_NAMES}
    data["started_at"] = data["time"] = record.started_at.isoformat()
    for name in ("request_headers", "response_headers"):
        data[name] = [list(pair) for pair in data[name]]
    return data


def record_from_dict(data: dict[str, Any]) -> RequestRecord:
    """The record back from `record_to_dict`'s shape (headers come back as tuples)."""
    values = {key: value for key, value in data.items() if key in _FIELDS}
    values["started_at"] = datetime.fromisoformat(values["started_at"])
    for name in ("request_headers", "response_headers"):
        values[name] = tuple(tuple(pair) for pair in values.get(name) or ())
    for name in ("request_body", "response_body"):
        values[name] = values.get(name) or ""
    return RequestRecord(**values)


def record_key(record: RequestRecord) -> tuple:
    """What identifies one exchange across the live stream and the persisted copy."""
    return (record.started_at.isoformat(), record.method, record.url, record.attempt)


def curl_command(record: RequestRecord) -> str:
    """The exchange as a curl command line; the key is left out (`$OPSDESK_TOKEN`)."""
    return to_curl(record)


async def export_har(path: str | Path, records: Iterable[RequestRecord]) -> int:
    """Write `records` as a HAR 1.2 file; returns how many were written.

    Building and writing thousands of entries takes a while: it runs in a worker thread of its
    own (qasync's default executor is avoided), so the window keeps answering.
    """
    chosen = list(records)
    await asyncio.get_running_loop().run_in_executor(_export_executor(), _write_har, Path(path), chosen)
    return len(chosen)


@cache
def _export_executor() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="opsdesk-har-export")


def _write_har(target: Path, records: list[RequestRecord]) -> None:
    target.write_text(json.dumps(to_har(records), indent=2, ensure_ascii=False), encoding="utf-8")


@dataclass(frozen=True, slots=True)
class HistoryChange:
    """A record `added` on top (and the keys of any `dropped` off the bottom), or `reset`: re-read all."""

    added: RequestRecord | None = None
    dropped: tuple[tuple, ...] = ()
    reset: bool = False


class RequestHistory:
    """The request records of one profile's session; `cache` is its AsyncPageCache (or None)."""

    def __init__(self, cache: Any, *, keep: int = MAX_RECORDS) -> None:
        self._cache = cache
        self._keep = keep
        self._records: deque[RequestRecord] = deque()  # newest first
        self._pending: list[RequestRecord] = []
        self._last_added = self._oldest_unsaved = 0.0
        self._flush_task: asyncio.Task | None = None
        # Whether `_flush_task` is still to run its course: `add` reads a flag, not the task's state.
        self._flush_waiting = False
        self._writing = asyncio.Lock()
        self._closed = False
        self.loaded = False
        """Whether the persisted records were merged in (`ensure_loaded`)."""
        self.changes: Observable[HistoryChange] = Observable()

    @property
    def records(self) -> list[RequestRecord]:
        """Every record held, newest first."""
        return list(self._records)

    def __len__(self) -> int:
        return len(self._records)

    def find(self, request_id: str) -> RequestRecord | None:
        return next((record for record in self._records if record.request_id == request_id), None)

    def add(self, record: RequestRecord) -> None:
        """Take one record from the client (its request listener).

        This runs once per exchange, in the middle of the caller's request: it reads no field the
        transport builds lazily (the URL, headers, bodies), so nothing is masked here. Records
        are told apart from the persisted copies when those are merged in (`ensure_loaded`).
        """
        if self._closed:
            return
        now = self._last_added = _monotonic()
        pending = self._pending
        if not pending:
            self._oldest_unsaved = now
        pending.append(record)
        records = self._records
        records.appendleft(record)
        dropped = ()
        if len(records) > self._keep:
            dropped = tuple(record_key(records.pop()) for _ in range(len(records) - self._keep))
        if self.changes._listeners:  # no view open: no change to tell
            self.changes.emit(HistoryChange(added=record, dropped=dropped))
        if not self._flush_waiting and self._cache is not None:
            self._flush_waiting = True
            self._flush_task = asyncio.ensure_future(self._flush_when_quiet())

    async def ensure_loaded(self) -> None:
        """Merge the persisted log in, once (this session's records keep arriving live)."""
        if self.loaded:
            return
        persisted = await self.load(self._keep)
        if self.loaded:
            return
        self.loaded = True
        live = {record_key(record) for record in self._records}
        fresh = [record for record in persisted if record_key(record) not in live]
        # Live records that arrived while loading are newer than anything persisted.
        merged = [*self._records, *fresh]
        merged.sort(key=lambda r: r.started_at, reverse=True)
        self._records = deque(merged[:self._keep])
        self.changes.emit(HistoryChange(reset=True))

    async def _flush_when_quiet(self) -> None:
        """Write the unsaved records at each pause (or once the oldest has waited too long)."""
        try:
            while self._pending:
                now = time.monotonic()
                due = min(self._last_added + _QUIET_SECONDS, self._oldest_unsaved + _MAX_WAIT_SECONDS)
                if now < due and len(self._pending) < MAX_UNSAVED_RECORDS:
                    await asyncio.sleep(due - now)
                    continue
                # Shielded: `close` cancels this task, and a write under way must finish, not be lost.
                if not await asyncio.shield(self.flush()):
                    return  # the cache refused: the records wait for the next arrival's flush
        finally:
            self._flush_waiting = False

    async def flush(self) -> bool:
        """Write the records not yet persisted, in order, a chunk per cache hop; False if refused."""
        if self._cache is None or not self._pending:
            return True
        async with self._writing:
            batch, self._pending = self._pending, []
            for start in range(0, len(batch), _CHUNK):
                chunk = batch[start:start + _CHUNK]
                try:
                    await self._cache.append_request_records([record_to_dict(r) for r in chunk])
                except Exception:  # a full disk must not lose the console: the rest waits for the next flush
                    log.exception("could not persist %d request records", len(batch) - start)
                    self._pending = [*batch[start:], *self._pending][-MAX_UNSAVED_RECORDS:]
                    self._oldest_unsaved = time.monotonic()
                    return False
        return True

    async def load(self, limit: int = MAX_RECORDS) -> list[RequestRecord]:
        """Every persisted record (this session's included), newest first."""
        await self.flush()
        if self._cache is None:
            return []
        rows = await self._cache.recent_request_records(limit=limit)
        records = []
        for row in rows:
            try:
                records.append(record_from_dict(row))
            except (KeyError, TypeError, ValueError):
                log.warning("skipped an unreadable persisted request record")
        return records

    async def close(self) -> None:
        """Persist what is pending and stop taking records."""
        self._closed = True
        if self._flush_task is not None and not self._flush_task.done():
            self._flush_task.cancel()
            await asyncio.gather(self._flush_task, return_exceptions=True)
        await self.flush()


class ServerRequestLog:
    """The platform's log of this workspace's calls (`GET /dev/api-requests`), newest first."""

    def __init__(self, client: Any) -> None:
        self._client = client

    @property
    def connected(self) -> bool:
        return self._client is not None

    async def first_page(self, *, method: str | None = None, status: int | None = None,
                         limit: int = SERVER_PAGE) -> CursorPage[ApiRequestLogEntry]:
        if self._client is None:
            raise Offline()
        return await self._client.dev_logs.api_requests(method=method, status=status, limit=limit)

    async def more(self, page: CursorPage[ApiRequestLogEntry]) -> CursorPage[ApiRequestLogEntry] | None:
        """The page after `page`, or None after the last."""
        return await page.next_page()
