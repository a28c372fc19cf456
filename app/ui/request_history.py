"""Every request the console made for one profile: live from the client, persisted in the cache.

The client calls `add` for each exchange (retries included); records are emitted at once as
`sig_record` (status bar, request log panel) and written to the profile's page cache in small
batches, bounded there, so the log survives a restart. Records are already redacted by the
client; the cache strips secrets once more.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import asdict, fields
from datetime import datetime
from typing import Any

from PySide6.QtCore import QObject, Signal

from app.api import RequestRecord

log = logging.getLogger(__name__)

#: Records written per cache hop; the flush runs right after the burst that filled it.
_FLUSH_DELAY_SECONDS = 0.25
#: Records kept for a later write while the cache refuses them (a full disk); the oldest go first.
MAX_UNSAVED_RECORDS = 2000
_FIELDS = {f.name for f in fields(RequestRecord)}


def record_to_dict(record: RequestRecord) -> dict[str, Any]:
    """A JSON-ready dict of the record (what the cache keeps); `time` is its start, for filtering."""
    data = asdict(record)
    data["started_at"] = record.started_at.isoformat()
    data["time"] = data["started_at"]
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


class RequestHistory(QObject):
    """The request records of one profile's session; `cache` is its AsyncPageCache (or None)."""

    sig_record = Signal(object)
    """A new exchange finished (a `RequestRecord`)."""

    def __init__(self, cache: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._cache = cache
        self._pending: list[RequestRecord] = []
        self._flush_task: asyncio.Task | None = None
        self._closed = False

    def add(self, record: RequestRecord) -> None:
        """Take one record from the client (its request listener)."""
        if self._closed:
            return
        self._pending.append(record)
        self.sig_record.emit(record)
        if self._cache is not None and (self._flush_task is None or self._flush_task.done()):
            self._flush_task = asyncio.ensure_future(self._flush_soon())

    async def _flush_soon(self) -> None:
        await asyncio.sleep(_FLUSH_DELAY_SECONDS)
        await self.flush()

    async def flush(self) -> None:
        """Write the records not yet persisted."""
        if self._cache is None or not self._pending:
            return
        batch, self._pending = self._pending, []
        try:
            await self._cache.append_request_records([record_to_dict(r) for r in batch])
        except Exception:  # a full disk must not lose the console: the batch waits for the next flush
            log.exception("could not persist %d request records", len(batch))
            self._pending = [*batch, *self._pending][-MAX_UNSAVED_RECORDS:]

    async def load(self, limit: int = 5000) -> list[RequestRecord]:
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
