"""Keeps the page cache's copy of contacts and tickets current, for search and offline use.

The command palette searches cached records, and a console that loses the network still shows
what it had; so after connecting, the shell pages through contacts and tickets in the background,
incrementally (`updated_since` = the newest `updated_at` of the last complete run), one cache hop
per page.
Pages are awaited one at a time, so the event loop stays free between them.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any

from PySide6.QtCore import QObject, Signal

from app.api import errors

log = logging.getLogger(__name__)

PAGE_SIZE = 100
#: A breath between pages: a background sync must never compete with the UI for a busy CPU.
PAGE_PAUSE_SECONDS = 0.02
_MARKS = "sync_marks"
#: (cache resource, client attribute, scope needed).
SYNCED = (("contacts", "contacts", "crm:read"), ("tickets", "tickets", "support:read"))


class RecordSync(QObject):
    """`run()` brings the cache up to date once; `sig_progress(resource, count)` as pages arrive."""

    sig_progress = Signal(str, int)
    """Records of `resource` stored so far in this run."""

    def __init__(self, client: Any, cache: Any, scopes: frozenset[str] | None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._client = client
        self._cache = cache
        self._scopes = scopes
        self.stored = 0

    async def run(self) -> int:
        """Fetch what changed since the last run; returns how many records were stored."""
        for resource, attribute, scope in SYNCED:
            if self._scopes is not None and scope not in self._scopes:
                continue
            try:
                await self._sync(resource, getattr(self._client, attribute))
            except errors.ApiConnectionError:
                break  # offline: the cache keeps what it has; the next connection resumes
            except errors.Forbidden:
                continue
        return self.stored

    async def _sync(self, resource: str, endpoint: Any) -> None:
        # The panels cache the newest pages too, so the cache's newest `updated_at` says nothing
        # about older records: the sync keeps its own mark, written only when a run completes.
        mark = await self._cache.get_record(_MARKS, resource)
        since = datetime.fromisoformat(mark["updated_since"]) if mark else None
        newest = mark["updated_since"] if mark else ""
        page = await endpoint.list(limit=PAGE_SIZE, updated_since=since)
        count = 0
        while True:
            rows = [item.model_dump(mode="json") for item in page.items]
            if rows:
                await self._cache.put_records(resource, rows)
                count += len(rows)
                self.stored += len(rows)
                newest = max([newest, *(str(row.get("updated_at") or "") for row in rows)])
                self.sig_progress.emit(resource, count)
            if not page.has_next:
                break
            await asyncio.sleep(PAGE_PAUSE_SECONDS)
            page = await page.next_page()
        if newest:
            await self._cache.put_records(_MARKS, [{"id": resource, "updated_since": newest}])
