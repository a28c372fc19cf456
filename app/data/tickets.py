"""Support tickets: the triage list's tickets (cached first, then the server's pages), its queues
and members, the server's counts, field changes (queued in the outbox offline), bulk changes and
new tickets; one ticket's thread is `conversations`.

The server filters, pages and counts (`list_page`, `recount`): a workspace of 200,000 tickets is
never loaded whole. The store holds each ticket it has seen once, in its newest version; the
list's rows, the queue counts and the list's "n of m" are live counts (`app.data.ticket_counts`)
that move as the store takes a ticket's new version, so a ticket closed here leaves "open" at
once. A late answer never replaces a newer version of a ticket (a poll that left before our write
and answered after it), and a change waiting in the outbox is not undone by the server's copy of
the version it was made against. The page cache is the first paint and the offline view, never a
reason to stop: a cache failure is logged and kept as `cache_problem` until a later cache call succeeds.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from app.api import errors
from app.api.models import Contact, Member, Queue, Ticket, TicketUpdate
from app.api.models.base import ApiModel
from app.data.merge import FieldConflict
from app.data.observable import Observable
from app.data.record_store import (
    MergeNeeded,
    Offline,
    Queued,
    RecordStore,
    Saved,
    StoreChange,
    dump,
)
from app.data.ticket_bulk import BulkResult, apply_bulk
from app.data.ticket_conversation import TicketConversations
from app.data.ticket_counts import LiveCount, TicketCounts, count_tickets
from app.data.ticket_query import CLOSED_STATUSES, TicketQuery, is_open

__all__ = ["CLOSED_STATUSES", "MAX_CACHED", "PAGE_SIZE", "Refused", "TicketCounts", "TicketStore", "count_tickets",
           "is_open"]

log = logging.getLogger(__name__)
T = TypeVar("T")
A = TypeVar("A", bound=ApiModel)

#: The newest cached tickets read for the first paint (and searched offline).
MAX_CACHED = 5_000
#: Records per server page (the contract's maximum).
PAGE_SIZE = 100
#: Tickets a poll takes at most (a console back after a long night asks the server to count again).
MAX_POLLED = 5_000


@dataclass(frozen=True)
class Refused:
    """A colleague changed the same field first: nothing was sent, and `theirs` is held now."""

    theirs: Ticket
    conflicts: tuple[FieldConflict, ...]
    #: The refused PATCH's request id (the request log shows the exchange).
    request_id: str | None = None


async def _collect(pages: Awaitable[Any], limit: int) -> tuple[list[Any], bool]:
    """Items of a list call, page after page, up to `limit`; and whether the limit cut it short."""
    items: list[Any] = []
    async for item in await pages:
        items.append(item)
        if len(items) >= limit:
            return items, True
    return items, False


def _parsed(model: type[A], bodies: Iterable[Mapping[str, Any]]) -> list[A]:
    parsed = []
    for body in bodies:
        try:
            parsed.append(model.model_validate(body))
        except ValueError:  # a record cached by an older console: the server's copy replaces it later
            log.warning("skipping an unreadable cached %s", model.__name__)
    return parsed


class TicketStore(RecordStore[Ticket]):
    """Tickets, cached and on the server: what the triage list has seen, and the server's counts."""

    resource = "tickets"
    endpoint = "tickets"
    model = Ticket
    editable = frozenset(TicketUpdate.model_fields)

    def __init__(self, client: Any, cache: Any, connection: Any, *,
                 clock: Callable[[], datetime] | None = None) -> None:
        super().__init__(client, cache, connection)
        self._held: dict[str, Ticket] = {}
        self.clock = clock or (lambda: datetime.now(UTC))
        self.queues: tuple[Queue, ...] = ()
        self.members: tuple[Member, ...] = ()
        self._queue_names: dict[str, str] = {}
        self._member_names: dict[str, str] = {}
        #: Open tickets per queue, and every ticket: the queue list's numbers.
        self.open_by_queue = LiveCount(TicketQuery(state="open"), "queue_id")
        self.everything = LiveCount(TicketQuery())
        self._live: list[LiveCount] = [self.open_by_queue, self.everything]
        #: A live count moved (the server answered, or a ticket changed here).
        self.count_changes: Observable[LiveCount] = Observable()
        #: Tickets whose queued change is being made the held version right now.
        self._queuing: set[str] = set()
        #: What went wrong with the page cache last, in words for a banner; None while it works.
        self.cache_problem: str | None = None
        self.cache_problems: Observable[str | None] = Observable()
        self.conversations = TicketConversations(self)

    # ---- what has been seen --------------------------------------------------------------------
    @property
    def tickets(self) -> list[Ticket]:
        """Every held ticket, newest first (as taken: the server's order)."""
        return list(self._held.values())

    def held(self, ticket_id: str | None) -> Ticket | None:
        return self._held.get(ticket_id) if ticket_id is not None else None

    def instant(self, query: TicketQuery) -> list[Ticket]:
        """The held tickets `query` matches, newest first: the answer before the server's (and offline)."""
        now = self.clock()
        found = [t for t in self._held.values() if query.matches(t, now)]
        return sorted(found, key=lambda t: (t.created_at, t.id), reverse=True)

    def pending_ids(self) -> set[str]:
        """Tickets with a change or a note waiting in the outbox (their rows carry ⇪)."""
        return self.outbox.pending_ids(self.resource) if self.outbox is not None else set()

    def counts(self) -> TicketCounts:
        """The queue list's numbers: the server's (moved by changes since), or offline those cached."""
        if self.open_by_queue.total is None or self.everything.total is None:
            return count_tickets(self._held.values())
        return TicketCounts(self.everything.total, self.open_by_queue.total, dict(self.open_by_queue.groups))

    @property
    def counts_from_cache(self) -> bool:
        """The queue counts are of the cached tickets (the server has not counted yet)."""
        return self.open_by_queue.total is None or self.open_by_queue.source != "server"

    def queue_name(self, queue_id: str | None) -> str:
        return self._queue_names.get(queue_id, queue_id or "") if queue_id else ""

    def member_name(self, member_id: str | None) -> str:
        return self._member_names.get(member_id, member_id or "") if member_id else ""

    def _set_choices(self, queues: Sequence[Queue], members: Sequence[Member]) -> None:
        self.queues, self.members = tuple(queues), tuple(members)
        self._queue_names = {q.id: q.name or q.id for q in self.queues}
        self._member_names = {m.id: m.name or m.id for m in self.members}

    def _is_news(self, record: Ticket) -> bool:
        """Not older than the version held (a tie is taken: the server's word on the same version),
        except that a change waiting in the outbox keeps its version until the server takes it."""
        held = self._held.get(record.id)
        if held is None or record.id in self._queuing:
            return True
        if held.version == record.version and held != record and record.id in self.pending_ids():
            return False
        return held.version <= record.version

    def _take(self, records: Iterable[Ticket], *, replace: bool = False, quiet: bool = False,
              created: bool = False) -> list[Ticket]:
        """Hold `records` (instead of every held one, with `replace`) except where a newer version
        is held already, move the live counts, and tell the listeners at once (not with `quiet`:
        a page read for the list that asked); returns the records taken."""
        records = list(records)
        taken = [r for r in records if self._is_news(r)]
        if replace:
            held = self._held
            self._held = {r.id: r if self._is_news(r) else held[r.id] for r in records}
            self.changes.emit(StoreChange(reset=True))
            return taken
        if not taken:
            return taken
        held = self._held
        self._follow_counts([(held.get(r.id), r) for r in taken if r.id in held or created])
        new = {r.id: r for r in taken if r.id not in held}
        for record in taken:
            if record.id in held:
                held[record.id] = record
        if new:  # new tickets go on top, in the order given (the server's: newest first)
            self._held = {**new, **held}
        if not quiet:
            self.changes.emit(StoreChange(upserted=tuple(dict.fromkeys(r.id for r in taken))))
        return taken

    def _follow_counts(self, transitions: Sequence[tuple[Ticket | None, Ticket | None]]) -> None:
        now = self.clock()
        for count in list(self._live):
            moved = [count.follow(old, new, now) for old, new in transitions]  # every transition, not the first
            if any(moved):
                self.count_changes.emit(count)

    async def remember(self, records: Iterable[Ticket], *, replace: bool = False, created: bool = False) -> None:
        """Cache the records, then hold them (see `_take`) and tell the listeners.

        Holding and telling come last, together: nothing reads a held ticket its views have not
        heard of, and a caller that awaited this (a save) acts on it before anything else runs."""
        records = list(records)
        await self.write_cache(tickets=[dump(r) for r in records if self._is_news(r)])
        self._take(records, replace=replace, created=created)

    async def take_synced(self, records: Iterable[Ticket]) -> None:
        """Cache the whole page; hold only the tickets already held (the list is not the archive)."""
        records = list(records)
        await self.write_cache(tickets=[dump(r) for r in records if self._is_news(r)])
        self._take([r for r in records if r.id in self._held])

    async def forget(self, record_id: str) -> None:
        old = self._held.pop(record_id, None)
        if old is not None:
            self._follow_counts([(old, None)])
        self.changes.emit(StoreChange(removed=(record_id,)))
        if self._cache is not None:
            await self._guarded(lambda: self._cache.delete_record(self.resource, record_id),
                                "A deleted ticket could not be removed from the local cache")

    # ---- the server's pages and counts --------------------------------------------------------
    def live_count(self, query: TicketQuery, group_by: str | None = None) -> LiveCount:
        """A count of `query` that follows changes from now on (until `release`); unknown until `recount`."""
        count = LiveCount(query, group_by)
        self._live.append(count)
        return count

    def release(self, count: LiveCount) -> None:
        if count in self._live and count not in (self.open_by_queue, self.everything):
            self._live.remove(count)

    async def recount(self, *counts: LiveCount) -> None:
        """Ask the server for `counts` (every live count when none is named), in one round of requests."""
        wanted = list(counts or self._live)
        if not self.supports("tickets.count"):  # the platform cannot count: what is held is counted
            self.count_locally(*wanted)
            return
        api = self.api
        answers = await asyncio.gather(*(api.count(group_by=c.group_by, **c.query.server_filters())
                                         for c in wanted if c.query.answerable))
        for count, answer in zip([c for c in wanted if c.query.answerable], answers, strict=True):
            count.take(answer)
            self.count_changes.emit(count)

    def count_locally(self, *counts: LiveCount) -> None:
        """Offline: `counts` of the tickets cached here (marked as such)."""
        now = self.clock()
        for count in counts:
            found = [t for t in self._held.values() if count.query.matches(t, now)]
            groups = Counter(getattr(t, count.group_by) for t in found) if count.group_by else None
            count.take_local(len(found), groups)
            self.count_changes.emit(count)

    async def list_page(self, query: TicketQuery, cursor: str | None = None) -> tuple[list[Ticket], str | None]:
        """One server page of `query` (newest first), cached and held; the held (newest) version
        of each ticket, and the cursor of the next page (None: the last)."""
        page = await self.api.list(limit=PAGE_SIZE, cursor=cursor, **query.server_filters())
        await self.write_cache(tickets=[dump(t) for t in page.items if self._is_news(t)])
        self._take(page.items, quiet=True)
        return [self._held.get(t.id, t) for t in page.items], page.next_cursor

    # ---- loading -----------------------------------------------------------------------------
    async def load_cached(self) -> bool:
        """The newest cached tickets, the queues and the members, when nothing is held yet (the
        first paint, and what is searched offline); True when there were any."""
        if self._held:
            return True

        def read(cache):
            return (cache.query_records("tickets", order_by="created_at", limit=MAX_CACHED),
                    cache.query_records("queues", order_by="id", descending=False, limit=500),
                    cache.query_records("members", order_by="id", descending=False, limit=1000))

        found = await self.read_cache(read, "The local cache could not be read; showing only what the server sends")
        if found is None or not any(found):
            return False
        tickets, queues, members = found
        self._set_choices(_parsed(Queue, queues), _parsed(Member, members))
        self._take(_parsed(Ticket, tickets), replace=True)
        self.count_locally(self.open_by_queue, self.everything)
        return True

    async def refresh(self) -> None:
        """Queues, members and the queue counts from the server (the list pages its own tickets)."""
        client = self._client
        if client is None:
            raise Offline()
        (queues, _), (members, _), _ = await asyncio.gather(
            self._listed_choices("queues.list", lambda: client.queues.list(limit=PAGE_SIZE), 500),
            self._listed_choices("members.list", lambda: client.members.list(limit=PAGE_SIZE), 1000),
            self.recount(self.open_by_queue, self.everything),
        )
        self._set_choices(queues, members)
        self.changes.emit(StoreChange(reset=True))
        await self.write_cache(queues=[dump(q) for q in queues], members=[dump(m) for m in members])

    async def _listed_choices(self, operation: str, pages: Callable[[], Awaitable[Any]],
                              limit: int) -> tuple[list[Any], bool]:
        """Queues or members for the pickers; none on a platform without them (its manifest)."""
        if not self.supports(operation):
            return [], False
        return await _collect(pages(), limit)

    async def poll(self) -> list[Ticket]:
        """Tickets created or changed since the newest one held, then every live count again."""
        since = max((t.updated_at for t in self._held.values()), default=None)
        changed: list[Ticket] = []
        if since is not None:
            changed, _ = await _collect(self.api.list(updated_since=since, limit=PAGE_SIZE), MAX_POLLED)
            await self.remember(changed)
        await self.recount()
        return changed

    async def find(self, ticket_id: str) -> Ticket | None:
        """A ticket by id: the held one, the cached one, or the server's (None when nowhere)."""
        if ticket_id in self._held:
            return self._held[ticket_id]
        body = await self.read_cache(lambda cache: cache.get_record(self.resource, ticket_id),
                                     "The local cache could not be read")
        if body is not None:
            self._take([self.parse(body)])
        elif self._client is not None:
            await self.fetch(ticket_id)
        return self._held.get(ticket_id)

    # ---- writes ----------------------------------------------------------------------------
    async def change(self, base: Ticket, changes: Mapping[str, Any]) -> Saved[Ticket] | Refused:
        """Change fields of the ticket as the agent saw it (`base`): a colleague's change of other
        fields is merged in (`Saved.merged_from` names them); of the same ones, nothing is sent.
        Offline it waits in the outbox (`Queued`: the ticket is held as it will be, marked pending)."""
        outcome = await self.update(base, changes)
        if isinstance(outcome, MergeNeeded):
            return Refused(outcome.theirs, outcome.merge.conflicts, outcome.request_id)
        return outcome

    async def _queue(self, base: Ticket, mine: Mapping[str, Any], key: str | None) -> Queued[Ticket]:
        self._queuing.add(base.id)  # the queued version replaces the held one of the same version
        try:
            return await super()._queue(base, mine, key)
        finally:
            self._queuing.discard(base.id)

    async def change_many(self, tickets: Sequence[Ticket], changes: Mapping[str, Any],
                          on_result: Callable[[BulkResult], None]) -> list[BulkResult]:
        """Apply `changes` to each ticket (see `app.data.ticket_bulk`), reporting each result;
        the tickets refused as stale are fetched again, so the colleague's version is held."""
        api = self.api

        async def patch(ticket_id: str, body: Mapping[str, Any], version: int) -> Ticket:
            return await api.update(ticket_id, dict(body), if_match=version)

        def taken(result: BulkResult) -> None:
            if result.ticket is not None:
                self._take([result.ticket])
            on_result(result)

        results = await apply_bulk(patch, tickets, changes, taken)
        stale = [r.ticket_id for r in results if isinstance(r.error, errors.PreconditionFailed)]
        theirs = await asyncio.gather(*(api.get(i) for i in stale), return_exceptions=True)
        self._take([t for t in theirs if isinstance(t, Ticket)])
        saved = [r.ticket for r in results if r.ticket is not None] + [t for t in theirs if isinstance(t, Ticket)]
        await self.write_cache(tickets=[dump(t) for t in saved])
        return results

    async def create_ticket(self, body: Mapping[str, Any], *, idempotency_key: str) -> Ticket:
        """Create a ticket (the key makes a retry of the same input create it once)."""
        ticket = await self.api.create(dict(body), idempotency_key=idempotency_key)
        await self.remember([ticket], created=True)
        return ticket

    async def contacts_to_choose(self, query: str | None) -> list[Contact]:
        """Contacts a new ticket can be for: the newest, or those the server finds for `query`."""
        if self._client is None:
            return []
        return (await self._client.contacts.list(query=query, limit=PAGE_SIZE)).items

    # ---- the page cache, guarded -------------------------------------------------------------
    async def read_cache(self, work: Callable[[Any], T], what: str) -> T | None:
        """`work(page_cache)` in the cache's thread; None without a cache or when it fails."""
        if self._cache is None:
            return None
        return await self._guarded(lambda: self._cache.run(work), what)

    async def write_cache(self, **resources: list[dict[str, Any]]) -> None:
        """Store records per cache resource in one hop (empty lists are skipped)."""
        if self._cache is None or not any(resources.values()):
            return

        def write(cache) -> None:
            for resource, records in resources.items():
                if records:
                    cache.put_records(resource, records)

        await self._guarded(lambda: self._cache.run(write),
                            "Tickets could not be saved to the local cache; offline you will see older data")

    async def _guarded(self, call: Callable[[], Awaitable[T]], what: str) -> T | None:
        try:
            result = await call()
        except Exception as error:  # the cache is an optimisation; a broken one must not stop the desk
            log.exception(what)
            self._set_cache_problem(f"{what} ({type(error).__name__}: {error}).")
            return None
        self._set_cache_problem(None)
        return result

    def _set_cache_problem(self, problem: str | None) -> None:
        if problem != self.cache_problem:
            self.cache_problem = problem
            self.cache_problems.emit(problem)
