"""Where the contacts table's rows come from: the local cache first, the server behind it.

Two views of the same table model:
- local (the default, and every keystroke of the search box): slices of the page cache filtered
  by company, tag and full-text search, sorted by any column in SQL, paged by offset as the user
  scrolls; once the cache runs out, the server's catalogue is paged on by cursor and cached.
- server (Enter in the search box): the server's own `query` search with the same filters,
  paged lazily by cursor; every page is written to the cache so it is there offline.
`sync()` brings the cache up to date with `updated_since` (only what changed since the newest
cached contact), so returning to the panel costs one small request, not a full reload.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from app.ui.panels.contacts.contact_rows import (
    COMPANY_ID,
    CONTACT_FIELDS,
    ID,
    TAGS,
    ContactRow,
    contact_row,
    contact_row_of_fields,
    contact_rows,
)
from app.ui.record_table_model import RecordTableModel
from app.ui.widgets.record_json import as_json

RESOURCE = "contacts"
#: Rows per cache slice: one worker-thread hop fills several screens.
SLICE_ROWS = 500
#: Best matches shown while typing: ranked by the cache's FTS, one hop, no paging behind them.
SEARCH_ROWS = 100
#: Rows per server page (the contract's maximum).
SERVER_PAGE = 100
#: The cached list entry that remembers how far the server's full catalogue has been paged.
CATALOGUE = {"view": "catalogue"}


@dataclass(frozen=True)
class ContactQuery:
    """What the table shows: search text, filters, sort, and whether the server answers."""

    text: str = ""
    company_id: str | None = None
    tag: str | None = None
    order_by: str = "created_at"
    descending: bool = True
    server: bool = False

    def with_(self, **changes: Any) -> ContactQuery:
        return replace(self, **changes)

    @property
    def ranked(self) -> bool:
        """Typed text alone, answered locally: the best matches first instead of a sorted slice."""
        return bool(self.text) and not (self.server or self.company_id or self.tag)

    def server_filters(self) -> dict[str, Any]:
        return {"query": self.text or None, "company_id": self.company_id, "tag": self.tag}


class ContactList:
    """Fills `model` for a `ContactQuery`; `spawn` runs its background loads (the panel's `run`)."""

    def __init__(self, model: RecordTableModel, cache: Any, client_of: Callable[[], Any],
                 spawn: Callable[[Any], Any]) -> None:
        self.model = model
        self.cache = cache
        self._client_of = client_of
        self._spawn = spawn
        self.query = ContactQuery()
        self._generation = 0
        self._offset = 0
        self._shown: set[str] = set()
        self._server_page: Any = None
        self._catalogue_cursor: str | None = None
        self._catalogue_known = False
        self._catalogue_started = False
        self._offset_has_more = False
        #: False while the server is unreachable: the cache is all there is, no paging on.
        self.online = True
        model.set_fetch_more(self._on_fetch_more)

    # ---- showing a query -------------------------------------------------------------------
    async def show(self, query: ContactQuery) -> None:
        """Replace the rows with the first slice (or server page) of `query`."""
        self.query = query
        self._generation += 1
        generation = self._generation
        if query.server:
            page = await self._client_of().contacts.list(limit=SERVER_PAGE, **query.server_filters())
            bodies = [as_json(item) for item in page.items]
            await self.cache.put_records(RESOURCE, bodies)
            if generation != self._generation:
                return
            self._server_page = page
            rows = contact_rows(bodies)
            self._replace(rows)
            self.model.set_has_more(page.has_next)
            return
        if query.ranked:
            rows = await self._best_matches(query.text)
            if generation != self._generation:
                return
            self._offset_has_more = False
            self._replace(rows)
            self.model.set_has_more(False)
            return
        rows, more = await self._local_slice(query, 0)
        if generation != self._generation:
            return
        self._offset = SLICE_ROWS
        self._replace(rows)
        self.model.set_has_more(more or await self._catalogue_has_more(query))

    async def reload(self) -> None:
        """Show the current query again (after a sync or a write), keeping the view's place."""
        await self.show(self.query)

    def _replace(self, rows: list[ContactRow]) -> None:
        if rows == self.model.rows:
            # Typing a letter often leaves the best matches as they were (about half the keystrokes
            # of the benchmark): a reset would only repaint the table and drop the selection.
            return
        self._shown = {row[ID] for row in rows}
        self.model.replace_rows(rows)

    # ---- paging ----------------------------------------------------------------------------
    def _on_fetch_more(self) -> None:
        self._spawn(self._fetch_more(self._generation))

    async def _fetch_more(self, generation: int) -> None:
        try:
            if self.query.server:
                await self._next_server_page(generation)
            elif self._offset_has_more:
                await self._next_local_slice(generation)
            else:
                await self._next_catalogue_page(generation)
        except BaseException:
            self.model.set_has_more(True)  # let the user scroll again to retry
            raise

    async def _next_local_slice(self, generation: int) -> None:
        rows, more = await self._local_slice(self.query, self._offset)
        if generation != self._generation:
            return
        self._offset += SLICE_ROWS
        self._append(rows)
        self._offset_has_more = more
        self.model.set_has_more(more or await self._catalogue_has_more(self.query))

    async def _next_server_page(self, generation: int) -> None:
        page = await self._server_page.next_page()
        bodies = [as_json(item) for item in page.items]
        await self.cache.put_records(RESOURCE, bodies)
        if generation != self._generation:
            return
        self._server_page = page
        self._append(contact_rows(bodies))
        self.model.set_has_more(page.has_next)

    async def _next_catalogue_page(self, generation: int) -> None:
        """The cache ran out: page the server's full list on from where it was last left."""
        page = await self._client_of().contacts.list(limit=SERVER_PAGE, cursor=self._catalogue_cursor)
        bodies = [as_json(item) for item in page.items]
        await self.cache.put_records(RESOURCE, bodies)
        await self._remember_catalogue(page.next_cursor)
        if generation != self._generation:
            return
        self._append([row for row in contact_rows(bodies) if _matches(self.query, row)])
        self.model.set_has_more(page.has_next)

    def _append(self, rows: list[ContactRow]) -> None:
        fresh = [row for row in rows if row[ID] not in self._shown]
        self._shown.update(row[ID] for row in fresh)
        self.model.append_rows(fresh)

    async def _best_matches(self, text: str) -> list[ContactRow]:
        """The cache's best full-text matches for `text`, in rank order, in one worker-thread hop.

        Sorting a 100k-row slice by date to find a rare word costs a scan of every row; ranking
        the FTS hits costs only the hits, which is what keeps typing instant.
        """

        def work(cache: Any) -> list[ContactRow]:
            return cache.get_records(RESOURCE, cache.search(RESOURCE, text, SEARCH_ROWS),
                                     fields=CONTACT_FIELDS, convert=contact_row_of_fields)

        return await self.cache.run(work)

    async def _local_slice(self, query: ContactQuery, offset: int) -> tuple[list[ContactRow], bool]:
        """One slice of cached rows, built in the cache's thread (no JSON parsing on the UI thread)."""
        text = " ".join(part for part in (query.text, query.tag or "") if part.strip()) or None
        filters = {"company_id": query.company_id} if query.company_id else None

        def work(cache: Any) -> tuple[list[ContactRow], bool]:
            rows = cache.query_records(RESOURCE, filters=filters, text=text, order_by=query.order_by,
                                       descending=query.descending, limit=SLICE_ROWS + 1, offset=offset,
                                       fields=CONTACT_FIELDS, convert=contact_row_of_fields)
            return [row for row in rows[:SLICE_ROWS] if _matches(query, row)], len(rows) > SLICE_ROWS

        rows, more = await self.cache.run(work)
        self._offset_has_more = more
        return rows, more

    async def _catalogue_has_more(self, query: ContactQuery) -> bool:
        """Whether scrolling past the cache should page the server's catalogue on (only unfiltered)."""
        if query.text or query.company_id or query.tag or not self.online or self._client_of() is None:
            return False
        if not self._catalogue_known:
            cached = await self.cache.get_list(RESOURCE, CATALOGUE)
            self._catalogue_known = True
            self._catalogue_cursor = cached.next_cursor if cached else None
            self._catalogue_started = cached is not None
        return self._catalogue_cursor is not None or not self._catalogue_started

    async def _remember_catalogue(self, next_cursor: str | None) -> None:
        self._catalogue_cursor = next_cursor
        self._catalogue_known = True
        self._catalogue_started = True
        await self.cache.put_list(RESOURCE, CATALOGUE, [], next_cursor)

    # ---- keeping the cache current ---------------------------------------------------------
    async def sync(self) -> int:
        """Fetch what changed on the server since the newest cached contact; returns how many."""
        client = self._client_of()
        since = await self.cache.max_updated_at(RESOURCE)
        if since is None:
            page = await client.contacts.list(limit=SERVER_PAGE)
            bodies = [as_json(item) for item in page.items]
            await self.cache.put_records(RESOURCE, bodies)
            await self._remember_catalogue(page.next_cursor)
            return len(bodies)
        changed = 0
        batch: list[dict[str, Any]] = []
        async for item in client.contacts.iterate(updated_since=_parse_time(since), limit=SERVER_PAGE):
            batch.append(as_json(item))
            if len(batch) == SERVER_PAGE:
                changed += await self.cache.put_records(RESOURCE, batch) or len(batch)
                batch = []
        if batch:
            changed += await self.cache.put_records(RESOURCE, batch) or len(batch)
        return changed

    async def remember(self, record: Any) -> ContactRow:
        """A contact just saved: into the cache and into the table (on top if new)."""
        body = as_json(record)
        await self.cache.put_records(RESOURCE, [body])
        row = contact_row(body)
        self._shown.add(row[ID])
        self.model.upsert(row)
        return row

    async def forget(self, contact_id: str) -> None:
        await self.cache.delete_record(RESOURCE, contact_id)
        self._shown.discard(contact_id)
        self.model.remove_id(contact_id)

    # ---- export ----------------------------------------------------------------------------
    async def all_bodies(self, chunk_rows: int = SLICE_ROWS) -> AsyncIterator[list[dict[str, Any]]]:
        """Every contact of the current query, full records, chunk by chunk (for CSV export)."""
        query = self.query
        if query.server:
            page = await self._client_of().contacts.list(limit=SERVER_PAGE, **query.server_filters())
            while True:
                bodies = [as_json(item) for item in page.items]
                for start in range(0, len(bodies), chunk_rows):
                    yield bodies[start:start + chunk_rows]
                if not page.has_next:
                    return
                page = await page.next_page()
        text = " ".join(part for part in (query.text, query.tag or "") if part.strip()) or None
        filters = {"company_id": query.company_id} if query.company_id else None
        offset = 0
        while True:
            bodies = await self.cache.query_records(RESOURCE, filters=filters, text=text, order_by=query.order_by,
                                                    descending=query.descending, limit=chunk_rows, offset=offset)
            if not bodies:
                return
            offset += len(bodies)
            matching = [body for body in bodies if _matches(query, contact_row(body))]
            if matching:
                yield matching

    async def count_local(self) -> int:
        """How many cached contacts the current local query covers (an export's progress total)."""
        query = self.query
        text = " ".join(part for part in (query.text, query.tag or "") if part.strip()) or None
        filters = {"company_id": query.company_id} if query.company_id else None
        return await self.cache.count_records(RESOURCE, filters=filters, text=text)


def _matches(query: ContactQuery, row: ContactRow) -> bool:
    """The exact filters full-text search can only approximate (a tag is a whole tag)."""
    if query.tag and query.tag.lower() not in [t.strip().lower() for t in row[TAGS].split(",")]:
        return False
    return not query.company_id or row[COMPANY_ID] == query.company_id


def _parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text)
