"""Keeps the page cache's copy of contacts and tickets current, for search and offline use.

The command palette searches cached records, and a console that loses the network still shows
what it had; so after connecting, the session pages through contacts and tickets in the
background, incrementally, one cache hop per page. Pages are awaited one at a time, so the event
loop stays free between them. Progress is published through `progress` (an `Observable`): the
data layer never imports Qt, and the status bar adapts it with `app.ui.store_binding.bind`.

The resume mark of a complete run is the server's clock when the run STARTED (the earliest `Date`
header answered while the first page was fetched), less `CLOCK_SKEW_SECONDS`, the header's whole
seconds and a write committed just before the page was read. Not the newest `updated_at` seen:
pages come newest-created first, so a record edited during a run after its page was fetched gets an
`updated_at` older than the newest one of a later page, and a mark taken from those would skip the
edit forever. Everything changed since the run started is at or after the start mark, so the next run
fetches it again (a few records twice is the price). The server's clock, not ours: the platform
compares against its own `updated_at`, and a desktop clock may be minutes off.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from functools import partial
from typing import Any

from app.api import errors
from app.data.observable import Observable
from app.data.record_store import RecordStore

log = logging.getLogger(__name__)

PAGE_SIZE = 100
#: A breath between pages: a background sync must never compete with the UI for a busy CPU.
PAGE_PAUSE_SECONDS = 0.02
_MARKS = "sync_marks"
#: Subtracted from the server's start time: `Date` has whole seconds, and a write may commit just before.
CLOCK_SKEW_SECONDS = 5.0
#: `GET /deletions`'s resource name for each synced cache resource.
DELETED_AS = {"contacts": "contact", "companies": "company", "tickets": "ticket", "invoices": "invoice",
              "webhooks": "webhook"}
#: The stores (attributes of `Stores`) whose records are synced, and the scope each needs.
SYNCED: tuple[tuple[str, str], ...] = (("contacts", "crm:read"), ("tickets", "support:read"))


@dataclass(frozen=True)
class SyncProgress:
    """Records of `resource` stored so far in this run."""

    resource: str
    count: int


async def resume_mark(cache: Any, resource: str) -> datetime | None:
    """Where the last complete background run of `resource` said to resume (None: never ran)."""
    mark = await cache.get_record(_MARKS, resource) if cache is not None else None
    return datetime.fromisoformat(mark["updated_since"]) if mark else None


class RecordSync:
    """`run()` brings the cache up to date once; `progress` hears each page stored.

    Pages go through their store (`take_synced`), so an open view hears of a record that changed
    on the server while it was not looking.
    """

    def __init__(self, stores: Any, scopes: frozenset[str] | None) -> None:
        self._stores = stores
        self._client = stores.client
        self._cache = stores.cache
        self._scopes = scopes
        self.stored = 0
        #: Records dropped because the server deleted them since the last run.
        self.removed = 0
        self.progress: Observable[SyncProgress] = Observable()

    async def run(self) -> int:
        """Fetch what changed since the last run; returns how many records were stored."""
        for name, scope in SYNCED:
            if self._scopes is not None and scope not in self._scopes:
                continue
            try:
                await self._sync(getattr(self._stores, name))
            except errors.ApiConnectionError:
                break  # offline: the cache keeps what it has; the next connection resumes
            except errors.Forbidden:
                continue
        return self.stored

    async def _drop_deleted(self, store: RecordStore[Any], since: datetime) -> int:
        """Forget what the server deleted since `since` (an incremental sync cannot see it otherwise)."""
        kind = DELETED_AS.get(store.resource)
        if kind is None:
            return 0
        try:
            page = await self._client.deletions.list(kind, since=since, limit=PAGE_SIZE)
        except (errors.NotFound, errors.BadRequest):
            log.info("the server keeps no deletions list; deleted %s stay cached until opened", store.resource)
            return 0
        removed = 0
        while True:
            for deletion in page.items:
                await store.forget(deletion.id)
                removed += 1
            if not page.has_next:
                return removed
            page = await page.next_page()

    async def _sync(self, store: RecordStore[Any]) -> None:
        resource, endpoint = store.resource, store.api
        # The panels cache the newest pages too, so the cache's newest `updated_at` says nothing
        # about older records: the sync keeps its own mark, written only when a run completes.
        since = await resume_mark(self._cache, resource)
        answered: list[datetime] = []
        stop_listening = self._client.add_request_listener(partial(_collect_server_time, answered))
        try:
            page = await endpoint.list(limit=PAGE_SIZE, updated_since=since)
        finally:
            stop_listening()
        # Without a Date header the run cannot say when it started: resume from the old mark again.
        started = min(answered) - timedelta(seconds=CLOCK_SKEW_SECONDS) if answered else since
        count = 0
        while True:
            if page.items:
                await store.take_synced(page.items)
                count += len(page.items)
                self.stored += len(page.items)
                self.progress.emit(SyncProgress(resource, count))
            if not page.has_next:
                break
            await asyncio.sleep(PAGE_PAUSE_SECONDS)
            page = await page.next_page()
        if since is not None:
            self.removed += await self._drop_deleted(store, since)
        if started is not None:
            await self._cache.put_records(_MARKS, [{"id": resource, "updated_since": started.isoformat()}])


def _collect_server_time(answered: list[datetime], record: Any) -> None:
    """Keep the server's clock from an answered exchange's `Date` header (RFC 9110 HTTP-date)."""
    value = record.header("date") if record.status is not None else None
    if not value:
        return
    try:
        answered.append(parsedate_to_datetime(value))
    except (TypeError, ValueError):
        log.warning("the server sent an unreadable Date header: %r", value)
