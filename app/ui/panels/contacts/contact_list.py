"""Where the contacts table's rows come from: the contact store, the cache first, the server behind it.

Two views of the same table model:
- local (the default, and every keystroke of the search box): slices of the cached contacts
  filtered by company, tag and full-text search, sorted by any column, paged by keyset as the
  user scrolls (each slice starts after the sort key of the one before, a seek at any depth);
  once the cache runs out, the server's catalogue is paged on by cursor.
- server (Enter in the search box): the server's own `query` search with the same filters,
  paged lazily by cursor.
The store does the reading (in the cache's thread, just the fields a row needs) and the caching;
this class keeps the table model in step with it, and follows the store's changes: a contact
saved or fetched anywhere is repainted in place, a deleted one leaves, a sync re-reads the slice.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any

from app.api.models import Contact
from app.data.contacts import ContactQuery, ContactStore
from app.data.record_store import StoreChange
from app.ui.panels.contacts.contact_rows import (
    CONTACT_FIELDS,
    ID,
    PACKED_FIELDS,
    PACKED_LISTS,
    ContactRow,
    contact_row_of_fields,
    contact_row_of_model,
    contact_rows,
)
from app.ui.panels.contacts.packed_rows import SEP, PackedBatch
from app.ui.panels.contacts.shown_ids import ShownIds
from app.ui.record_table_model import RecordTableModel

__all__ = ["ContactList", "ContactQuery"]

#: Rows looked through per turn of the event loop when repainting changed contacts.
REPAINT_SCAN_ROWS = 20_000


class ContactList:
    """Fills `model` for a `ContactQuery` from `store`; `spawn` runs background loads (the panel's
    `run`), `on_shown()` is called whenever a query's rows have been shown."""

    def __init__(self, model: RecordTableModel, store: ContactStore, spawn: Callable[[Any], Any],
                 on_shown: Callable[[], None] = lambda: None) -> None:
        self.model = model
        self.store = store
        self._spawn = spawn
        self._on_shown = on_shown
        self.query = ContactQuery()
        self._generation = 0
        #: The sort key the next cached slice starts after (None: no more cached rows).
        self._after: tuple[Any, str] | None = None
        #: The ids of the rows shown (sharded: no single growth step stalls a scroll).
        self._shown = ShownIds()
        self._server_page: Any = None
        self._reload: asyncio.Task | None = None
        model.set_fetch_more(self._on_fetch_more)

    # ---- showing a query -------------------------------------------------------------------
    async def show(self, query: ContactQuery) -> None:
        """Replace the rows with the first slice (or server page) of `query`."""
        await self._show(query)
        self._on_shown()

    async def reload(self) -> None:
        """Show the current query again (after a sync), from its first slice."""
        await self.show(self.query)

    async def settled(self) -> None:
        """Wait for a reload the store's changes started (so a refresh returns with its rows shown)."""
        if self._reload is not None and not self._reload.done():
            await asyncio.shield(self._reload)

    async def _show(self, query: ContactQuery) -> None:
        self.query = query
        self._generation += 1
        generation = self._generation
        if query.server:
            page = await self.store.search_server(query)
            if generation != self._generation:
                return
            self._server_page = page
            self._replace(contact_rows(page.items))
            self.model.set_has_more(page.has_next)
            return
        if query.ranked:
            rows = await self.store.best_matches(query.text, CONTACT_FIELDS, contact_row_of_fields)
            if generation != self._generation:
                return
            self._after = None
            self._replace(rows)
            self.model.set_has_more(False)
            return
        rows, after = await self._cached_slice(query, None)
        if generation != self._generation:
            return
        self._after = after
        self._replace(rows)
        self.model.set_has_more(after is not None or await self.store.catalogue_has_more(query))

    def status_text(self) -> str:
        """What the rows are, for the line under the table: "100+ cached contacts", …"""
        query = self.query
        more = "+" if self.model.has_more else ""
        where = f"server results for “{query.text}”" if query.server else "cached contacts"
        if query.ranked:
            where = f"best cached matches for “{query.text}” (Enter asks the server)"
        elif query.text and not query.server:
            where += f" matching “{query.text}” (Enter asks the server)"
        return f"{self.model.rowCount()}{more} {where}"

    def _replace(self, rows: Sequence[ContactRow]) -> None:
        if rows == self.model.rows:
            # Typing a letter often leaves the best matches as they were (about half the keystrokes
            # of the benchmark): a reset would only repaint the table and drop the selection.
            return
        self._shown = ShownIds(row[ID] for row in rows)
        self.model.replace_rows(rows)

    # ---- paging ----------------------------------------------------------------------------
    def _on_fetch_more(self) -> None:
        self._spawn(self._fetch_more(self._generation))

    async def _fetch_more(self, generation: int) -> None:
        try:
            if self.query.server:
                await self._next_server_page(generation)
            elif self._after is not None:
                await self._next_local_slice(generation)
            else:
                await self._next_catalogue_page(generation)
        except BaseException:
            self.model.set_has_more(True)  # let the user scroll again to retry
            raise

    async def _cached_slice(self, query: ContactQuery, after: tuple[Any, str] | None
                            ) -> tuple[Sequence[ContactRow], tuple[Any, str] | None]:
        """The slice of cached rows after `after`, and the key of the next one.

        Packed by SQLite (`PackedBatch`), so the cache's thread runs no Python per row and the
        UI thread never waits for it to hand rows over; a tag filter's exact test is Python's,
        so those rows are built one by one in the cache's thread as before.
        """
        if query.tag:
            return await self.store.cached_slice(query, 0, CONTACT_FIELDS, contact_row_of_fields, after=after)
        ids, texts, following = await self.store.cached_packed_slice(query, PACKED_FIELDS, SEP,
                                                                     lists=PACKED_LISTS, after=after)
        return PackedBatch(ids, texts), following

    async def _next_local_slice(self, generation: int) -> None:
        rows, after = await self._cached_slice(self.query, self._after)
        if generation != self._generation:
            return
        self._after = after
        self._append(rows)
        self.model.set_has_more(after is not None or await self.store.catalogue_has_more(self.query))

    async def _next_server_page(self, generation: int) -> None:
        page = await self.store.next_page(self._server_page)
        if generation != self._generation:
            return
        self._server_page = page
        self._append(contact_rows(page.items))
        self.model.set_has_more(page.has_next)

    async def _next_catalogue_page(self, generation: int) -> None:
        contacts, more = await self.store.next_catalogue_page()
        if generation != self._generation:
            return
        self._append(contact_rows(contacts))
        self.model.set_has_more(more)

    def _append(self, rows: Sequence[ContactRow]) -> None:
        if isinstance(rows, PackedBatch):
            batch = rows.without(self._shown)
            self._shown.update(batch.ids)
            self.model.append_rows(batch)
            return
        fresh = [row for row in rows if row[ID] not in self._shown]
        self._shown.update(row[ID] for row in fresh)
        self.model.append_rows(fresh)

    # ---- following the store ----------------------------------------------------------------
    def show_saved(self, contact: Contact) -> None:
        """A contact this panel just saved: repainted in place, or on top if it is new."""
        row = contact_row_of_model(contact)
        self._shown.add(row[ID])
        self.model.upsert(row)

    def on_store_change(self, change: StoreChange) -> None:
        """The store changed: drop removed rows, repaint shown ones, re-read the slice on a reset."""
        for contact_id in change.removed:
            if contact_id in self._shown:
                self._shown.discard(contact_id)
                self.model.remove_id(contact_id)
        if change.reset:
            self._reload = self._spawn(self.reload())
            return
        shown = [contact_id for contact_id in change.upserted if contact_id in self._shown]
        if shown:
            self._spawn(self._repaint(shown))

    async def _repaint(self, ids: list[str]) -> None:
        """Show the cached version of these shown contacts in their rows, wherever they are.

        Found by one pass over the rows, a slice of them per turn of the event loop: a position
        index of 100k rows would cost more memory than the rows' own id set, and one pass over
        100k rows at once would hold the loop for several milliseconds.
        """
        wanted = {row[ID]: row for row in await self.store.cached_rows(ids, CONTACT_FIELDS, contact_row_of_fields)}
        generation, start = self._generation, 0
        while wanted and start < self.model.rowCount() and generation == self._generation:
            rows_now, end = self.model.rows, min(start + REPAINT_SCAN_ROWS, self.model.rowCount())
            # The ids alone: unpacking every row passed (`PackedRows`) would cost 10x more.
            for index, row_id in enumerate(rows_now.ids_between(start, end), start):
                fresh = wanted.pop(row_id, None)
                if fresh is not None and fresh != rows_now[index]:
                    rows_now[index] = fresh
                    self.model.dataChanged.emit(self.model.index(index, 0),
                                                self.model.index(index, self.model.columnCount() - 1))
            start = end
            await asyncio.sleep(0)
