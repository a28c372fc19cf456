"""The workspace's contacts: cached slices for the list, the server's copy for the form, merged saves.

The contacts list reads the page cache in the cache's own thread and asks for just the fields a
table row needs (SQLite's `json_extract`), so a 100,000-contact workspace scrolls and searches
without parsing whole records; typed text alone is answered by the cache's ranked full-text
search. Enter asks the server (`search_server`), and scrolling past the cache pages the server's
full catalogue on from where it was last left. `sync()` brings the cache up to date with
`updated_since` and says so with one `reset` change. Saves go through `RecordStore.update`: a
colleague's concurrent change is merged three ways and only fields both changed come back.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, TypeVar

from app.api import errors
from app.api.models import Contact, ContactUpdate, Invoice, Ticket
from app.data.record_store import RecordStore, StoreChange, dump
from app.data.sync import CLOCK_SKEW_SECONDS, resume_mark

R = TypeVar("R")
#: Rows per cache slice: one worker-thread hop fills several screens.
SLICE_ROWS = 500
#: Best matches shown while typing: ranked by the cache's FTS, one hop, no paging behind them.
SEARCH_ROWS = 100
#: Rows per server page (the contract's maximum).
SERVER_PAGE = 100
#: Related tickets and invoices shown in a contact's detail.
RELATED_ROWS = 50
#: Contacts listed in a company's detail.
COMPANY_CONTACTS = 1000
#: The cached list entry that remembers how far the server's full catalogue has been paged.
CATALOGUE = {"view": "catalogue"}


@dataclass(frozen=True)
class ContactQuery:
    """What the list shows: search text, filters, sort, and whether the server answers."""

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

    @property
    def filtered(self) -> bool:
        return bool(self.text or self.company_id or self.tag)

    def server_filters(self) -> dict[str, Any]:
        return {"query": self.text or None, "company_id": self.company_id, "tag": self.tag}

    def cache_text(self) -> str | None:
        """The full-text part of a cached slice: the typed text, and the tag (narrowed exactly after)."""
        return " ".join(part for part in (self.text, self.tag or "") if part.strip()) or None

    def cache_filters(self) -> dict[str, Any] | None:
        return {"company_id": self.company_id} if self.company_id else None


@dataclass(frozen=True)
class Related:
    """A contact's tickets and invoices, newest first."""

    tickets: list[Ticket]
    invoices: list[Invoice]
    #: Why a list is empty because the platform cannot give it ("tickets" / "invoices" → sentence).
    unavailable: Mapping[str, str] = field(default_factory=dict)


async def _related_page(store: RecordStore[Any], what: str, contact_id: str, unavailable: dict[str, str]) -> list[Any]:
    """The contact's newest `what`, or none with the platform's reason when it cannot list them."""
    if not store.supports(f"{what}.list"):
        unavailable[what] = f"This platform has no {what}"
        return []
    try:
        return list((await store.api.list(contact_id=contact_id, limit=RELATED_ROWS)).items)
    except errors.NotSupported as refused:  # the platform lists them, but not by contact
        unavailable[what] = refused.message
        return []


class ContactStore(RecordStore[Contact]):
    """Contacts, cached and on the server."""

    resource = "contacts"
    endpoint = "contacts"
    model = Contact
    editable = frozenset(ContactUpdate.model_fields)

    def __init__(self, client: Any, cache: Any, connection: Any) -> None:
        super().__init__(client, cache, connection)
        self._catalogue_cursor: str | None = None
        self._catalogue_known = False
        self._catalogue_started = False

    @property
    def connected(self) -> bool:
        """Whether the session has a client at all (offline or not): a retry can reach the server."""
        return self._client is not None

    # ---- the list, from the cache: field tuples, in the cache's thread ------------------------
    async def best_matches(self, text: str, fields: Sequence[str], convert: Callable[[tuple], R],
                           limit: int = SEARCH_ROWS) -> list[R]:
        """The cache's best full-text matches for `text`, in rank order, in one worker-thread hop.

        Sorting a 100k-row slice by date to find a rare word costs a scan of every row; ranking
        the FTS hits costs only the hits, which is what keeps typing instant. Each match is the
        tuple of `fields`, handed to `convert` (the caller's row).
        """
        if self._cache is None:
            return []

        def work(cache: Any) -> list[R]:
            return cache.get_records(self.resource, cache.search(self.resource, text, limit),
                                     fields=fields, convert=convert)

        return await self._cache.run(work)

    async def cached_slice(self, query: ContactQuery, offset: int, fields: Sequence[str],
                           convert: Callable[[tuple], R], limit: int = SLICE_ROWS, *,
                           after: tuple[Any, str] | None = None) -> tuple[list[R], tuple[Any, str] | None]:
        """One sorted, filtered slice of cached contacts, and the key the next one starts after.

        The slice starts after the row whose sort key is `after` (what the previous slice
        returned), else at `offset`. Paging on by key is a seek in the cache's index at any
        depth, where an OFFSET walks every earlier row once a write has made the cache forget
        where its recent slices ended (a sync while the list is scrolled 200k rows down).
        The second value is that key for the slice's last row (before the exact tag test, so no
        row is skipped), or None when no rows follow: truthy exactly when more follow.
        Built in the cache's thread from the values of `fields` (no JSON parsing on the UI
        thread; `fields` must hold "id"); a tag filter is applied exactly there, since
        full-text search only approximates it (a tag is a whole tag, any case).
        """
        if self._cache is None:
            return [], None
        exact = _tag_test(query.tag, fields)
        id_position = list(fields).index("id")

        def work(cache: Any) -> tuple[list[R], tuple[Any, str] | None]:
            values = cache.query_records(self.resource, filters=query.cache_filters(), text=query.cache_text(),
                                         order_by=query.order_by, descending=query.descending,
                                         limit=limit + 1, offset=0 if after else offset, after=after, fields=fields)
            rows = [convert(v) for v in values[:limit] if exact is None or exact(v)]
            if len(values) <= limit:
                return rows, None
            # The row was read in this same hop, so it is there; its key stays valid if it goes later.
            return rows, cache.sort_key(self.resource, values[limit - 1][id_position], query.order_by)

        return await self._cache.run(work)

    async def cached_packed_slice(self, query: ContactQuery, fields: Sequence[str], sep: str, *,
                                  lists: Sequence[str] = (), limit: int = SLICE_ROWS,
                                  after: tuple[Any, str] | None = None
                                  ) -> tuple[list[str], list[str], tuple[Any, str] | None]:
        """`cached_slice`'s rows as SQLite packs them for a table (`PageCache.query_packed`): the
        ids, each row's `fields` joined by `sep` (arrays named in `lists` as their items joined by
        ", "), and the key the next slice starts after (None: no rows follow). No Python runs
        per row in the cache's thread, so the UI thread never waits for it. Not for a tag filter,
        whose exact test is Python's (`cached_slice`).
        """
        if query.tag:
            raise ValueError("a tag filter is tested exactly in Python: use cached_slice")
        if self._cache is None:
            return [], [], None
        packed = await self._cache.query_packed(
            self.resource, fields, sep, lists=lists, filters=query.cache_filters(), text=query.cache_text(),
            order_by=query.order_by, descending=query.descending, limit=limit, after=after)
        return packed.ids, packed.texts, packed.after

    async def cached_rows(self, ids: Sequence[str], fields: Sequence[str], convert: Callable[[tuple], R]) -> list[R]:
        """The cached contacts of `ids` as rows (ids not cached are skipped), in one hop."""
        if self._cache is None or not ids:
            return []
        ids = list(ids)
        return await self._cache.run(lambda cache: cache.get_records(self.resource, ids, fields=fields,
                                                                     convert=convert))

    async def count_cached(self, query: ContactQuery) -> int:
        """How many cached contacts a local query covers (before the exact tag test)."""
        if self._cache is None:
            return 0
        return await self._cache.count_records(self.resource, filters=query.cache_filters(), text=query.cache_text())

    # ---- the list, from the server ------------------------------------------------------------
    async def search_server(self, query: ContactQuery, limit: int = SERVER_PAGE) -> Any:
        """The server's first page for `query` (a `CursorPage[Contact]`), cached."""
        page = await self.api.list(limit=limit, **query.server_filters())
        await self._keep(page.items)
        return page

    async def next_page(self, page: Any) -> Any:
        """The page after `page`, cached."""
        following = await page.next_page()
        await self._keep(following.items)
        return following

    async def catalogue_has_more(self, query: ContactQuery) -> bool:
        """Whether scrolling past the cache should page the server's catalogue on (only unfiltered)."""
        if query.filtered or not self.online or self._cache is None:
            return False
        if not self._catalogue_known:
            cached = await self._cache.get_list(self.resource, CATALOGUE)
            self._catalogue_known = True
            self._catalogue_cursor = cached.next_cursor if cached else None
            self._catalogue_started = cached is not None
        return self._catalogue_cursor is not None or not self._catalogue_started

    async def next_catalogue_page(self) -> tuple[list[Contact], bool]:
        """The cache ran out: the server's full list paged on from where it was last left; cached."""
        page = await self.api.list(limit=SERVER_PAGE, cursor=self._catalogue_cursor)
        await self._keep(page.items)
        await self._remember_catalogue(page.next_cursor)
        return page.items, page.has_next

    async def sync(self) -> int:
        """Fetch what changed on the server since the newest cached contact; returns how many.

        The newest cached `updated_at` less the clock skew the background sync allows, or that
        sync's resume mark when it is older: an edit committed while a page was being read has an
        `updated_at` older than the page's newest, and would be skipped from the newest alone.
        Listeners hear one `reset` when anything changed (a list re-reads its slice once, not
        once per record).
        """
        newest = await self._cache.max_updated_at(self.resource) if self._cache is not None else None
        since: str | None = None
        if newest is not None:
            moment = datetime.fromisoformat(newest) - timedelta(seconds=CLOCK_SKEW_SECONDS)
            mark = await resume_mark(self._cache, self.resource)
            since = (min(moment, mark) if mark is not None else moment).isoformat()
        if since is None:
            page = await self.api.list(limit=SERVER_PAGE)
            await self._keep(page.items)
            await self._remember_catalogue(page.next_cursor)
            changed = len(page.items)
        else:
            changed = 0
            batch: list[Contact] = []
            async for contact in self.api.iterate(updated_since=datetime.fromisoformat(since), limit=SERVER_PAGE):
                batch.append(contact)
                if len(batch) == SERVER_PAGE:
                    changed += await self._keep(batch)
                    batch = []
            changed += await self._keep(batch)
        if changed:
            self.changes.emit(StoreChange(reset=True))
        return changed

    # ---- one contact and what hangs off it --------------------------------------------------
    async def related(self, contact_id: str, tickets: RecordStore[Ticket], invoices: RecordStore[Invoice],
                      *, refresh: bool) -> Related:
        """The contact's tickets and invoices: cached ones, or (with `refresh`) the server's, cached."""
        if refresh:
            unavailable: dict[str, str] = {}
            found_tickets = await _related_page(tickets, "tickets", contact_id, unavailable)
            found_invoices = await _related_page(invoices, "invoices", contact_id, unavailable)
            await tickets.remember(found_tickets)
            await invoices.remember(found_invoices)
            return Related(found_tickets, found_invoices, unavailable)
        where = {"filters": {"contact_id": contact_id}, "limit": RELATED_ROWS}
        return Related(await tickets.cached_where(**where), await invoices.cached_where(**where))

    async def at_company(self, company_id: str, *, refresh: bool) -> list[Contact]:
        """The company's contacts by name: cached, or (with `refresh`) the server's, cached."""
        if refresh:
            fresh = [contact async for contact in self.api.iterate(company_id=company_id, limit=SERVER_PAGE)]
            await self.remember(fresh)
            return by_name(fresh)
        return by_name(await self.cached_where(filters={"company_id": company_id}, limit=COMPANY_CONTACTS))

    async def email_holder(self, email: str, holder_id: str | None = None) -> Contact | None:
        """The contact that already has `email`: by the id the server named, else by a search."""
        if holder_id:
            cached = await self.cached(holder_id)
            if cached is not None:
                return cached
            try:
                return await self.fetch(holder_id)
            except errors.ApiError:
                return None
        page = await self.api.list(query=email, limit=20)
        return next((c for c in page.items if (c.email or "").lower() == email.lower()), None)

    # ---- export -------------------------------------------------------------------------------
    async def export_bodies(self, query: ContactQuery, chunk_rows: int = SLICE_ROWS
                            ) -> AsyncIterator[list[dict[str, Any]]]:
        """Every contact of `query` as its JSON body, chunk by chunk (a CSV export's rows).

        Bodies, not models: an export of 100k cached contacts writes what the cache holds without
        validating each record first.
        """
        if query.server:
            page = await self.search_server(query)
            while True:
                bodies = [dump(contact) for contact in page.items]
                for start in range(0, len(bodies), chunk_rows):
                    yield bodies[start:start + chunk_rows]
                if not page.has_next:
                    return
                page = await self.next_page(page)
        if self._cache is None:
            return
        offset = 0
        while True:
            bodies = await self._cache.query_records(self.resource, filters=query.cache_filters(),
                                                     text=query.cache_text(), order_by=query.order_by,
                                                     descending=query.descending, limit=chunk_rows, offset=offset)
            if not bodies:
                return
            offset += len(bodies)
            matching = [body for body in bodies if not query.tag or _has_tag(body.get("tags"), query.tag)]
            if matching:
                yield matching

    # ---- the cache ------------------------------------------------------------------------------
    async def _keep(self, contacts: Sequence[Contact]) -> int:
        """Cache pages read for a list without a change notice: the list that asked shows them."""
        if not contacts or self._cache is None:
            return len(contacts)
        return await self._cache.put_records(self.resource, [dump(c) for c in contacts]) or len(contacts)

    async def _remember_catalogue(self, next_cursor: str | None) -> None:
        self._catalogue_cursor = next_cursor
        self._catalogue_known = True
        self._catalogue_started = True
        if self._cache is not None:
            await self._cache.put_list(self.resource, CATALOGUE, [], next_cursor)


def by_name(contacts: list[Contact]) -> list[Contact]:
    return sorted(contacts, key=lambda contact: (contact.name or "").casefold())


def _tag_test(tag: str | None, fields: Sequence[str]) -> Callable[[tuple], bool] | None:
    if not tag:
        return None
    position = list(fields).index("tags")
    return lambda values: _has_tag(values[position], tag)


def _has_tag(tags: Any, tag: str) -> bool:
    """Whether `tags` (a list, or the cache's JSON text of one) holds `tag` as a whole tag, any case."""
    if isinstance(tags, str):
        try:
            tags = json.loads(tags) if tags.startswith("[") else [tags]
        except ValueError:
            tags = [tags]
    wanted = tag.strip().lower()
    return any(str(t).strip().lower() == wanted for t in tags or ())

