"""Support tickets: the triage list's tickets (cached first, then the server's), its queues and
members, field changes, bulk changes and new tickets; one ticket's thread is `conversations`.

The store holds the loaded tickets once. The list, the queue counts and the list's "n of m" are
all computed from them (`count_tickets`), so they agree with each other and follow every change.
A late answer never replaces a newer version of a ticket (a poll that left before our write and
answered after it). The page cache is the first paint and the offline view, never a reason to
stop: a cache failure is logged and kept as `cache_problem` until a later cache call succeeds.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from app.api import errors
from app.api.models import Contact, Member, Queue, Ticket, TicketUpdate
from app.api.models.base import ApiModel
from app.data.merge import FieldConflict
from app.data.observable import Observable
from app.data.record_store import MergeNeeded, RecordStore, Saved, StoreChange, dump
from app.data.ticket_bulk import BulkResult, apply_bulk
from app.data.ticket_conversation import TicketConversations

log = logging.getLogger(__name__)
T = TypeVar("T")
A = TypeVar("A", bound=ApiModel)

#: The most tickets the list holds (the workspace's newest).
MAX_TICKETS = 5_000
#: Records per server page (the contract's maximum).
PAGE_SIZE = 100
#: Statuses in which nobody is expected to act any more.
CLOSED_STATUSES = frozenset({"resolved", "closed"})


def is_open(ticket: Ticket) -> bool:
    """Still needs work: neither resolved nor closed."""
    return ticket.status not in CLOSED_STATUSES


@dataclass(frozen=True)
class TicketCounts:
    """How many tickets there are and how many of them are open, in all and per queue."""

    total: int
    open: int
    open_by_queue: Mapping[str | None, int]

    def open_in(self, queue_id: str | None) -> int:
        """Open tickets of one queue; None: of every queue (tickets in no queue included)."""
        return self.open if queue_id is None else self.open_by_queue.get(queue_id, 0)


def count_tickets(tickets: Iterable[Ticket]) -> TicketCounts:
    """The one way tickets are counted: the queue list and the list summary both use it."""
    total = 0
    by_queue: Counter = Counter()
    for ticket in tickets:
        total += 1
        if is_open(ticket):
            by_queue[ticket.queue_id] += 1
    return TicketCounts(total, sum(by_queue.values()), by_queue)


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
    """Tickets, cached and on the server, and the working set the triage list shows."""

    resource = "tickets"
    endpoint = "tickets"
    model = Ticket
    editable = frozenset(TicketUpdate.model_fields)

    def __init__(self, client: Any, cache: Any, connection: Any) -> None:
        super().__init__(client, cache, connection)
        self._held: dict[str, Ticket] = {}
        self.queues: tuple[Queue, ...] = ()
        self.members: tuple[Member, ...] = ()
        self._queue_names: dict[str, str] = {}
        self._member_names: dict[str, str] = {}
        #: The server had at least MAX_TICKETS tickets: the newest are held, not all.
        self.truncated = False
        #: What went wrong with the page cache last, in words for a banner; None while it works.
        self.cache_problem: str | None = None
        self.cache_problems: Observable[str | None] = Observable()
        self.conversations = TicketConversations(self)

    # ---- the working set ---------------------------------------------------------------------
    @property
    def tickets(self) -> list[Ticket]:
        """Every held ticket, newest first."""
        return list(self._held.values())

    def held(self, ticket_id: str | None) -> Ticket | None:
        return self._held.get(ticket_id) if ticket_id is not None else None

    def counts(self) -> TicketCounts:
        return count_tickets(self._held.values())

    def queue_name(self, queue_id: str | None) -> str:
        return self._queue_names.get(queue_id, queue_id or "") if queue_id else ""

    def member_name(self, member_id: str | None) -> str:
        return self._member_names.get(member_id, member_id or "") if member_id else ""

    def _set_choices(self, queues: Sequence[Queue], members: Sequence[Member]) -> None:
        self.queues, self.members = tuple(queues), tuple(members)
        self._queue_names = {q.id: q.name or q.id for q in self.queues}
        self._member_names = {m.id: m.name or m.id for m in self.members}

    def _is_news(self, record: Ticket) -> bool:
        """Not older than the version held (a tie is taken: the server's word on the same version)."""
        held = self._held.get(record.id)
        return held is None or held.version <= record.version

    def _take(self, records: Iterable[Ticket], *, replace: bool = False) -> list[Ticket]:
        """Hold `records` (instead of every held one, with `replace`) except where a newer version
        is held already, and tell the listeners at once; returns the records taken."""
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
        new = {r.id: r for r in taken if r.id not in held}
        for record in taken:
            if record.id in held:
                held[record.id] = record
        if new:  # new tickets go on top, in the order given (the server's: newest first)
            self._held = {**new, **held}
        self.changes.emit(StoreChange(upserted=tuple(dict.fromkeys(r.id for r in taken))))
        return taken

    async def remember(self, records: Iterable[Ticket], *, replace: bool = False) -> None:
        """Cache the records, then hold them (see `_take`) and tell the listeners.

        Holding and telling come last, together: nothing reads a held ticket its views have not
        heard of, and a caller that awaited this (a save) acts on it before anything else runs."""
        records = list(records)
        await self.write_cache(tickets=[dump(r) for r in records if self._is_news(r)])
        self._take(records, replace=replace)

    async def take_synced(self, records: Iterable[Ticket]) -> None:
        """Cache the whole page; hold only the tickets already held (the list is not the archive)."""
        records = list(records)
        await self.write_cache(tickets=[dump(r) for r in records if self._is_news(r)])
        self._take([r for r in records if r.id in self._held])

    async def forget(self, record_id: str) -> None:
        self._held.pop(record_id, None)
        self.changes.emit(StoreChange(removed=(record_id,)))
        if self._cache is not None:
            await self._guarded(lambda: self._cache.delete_record(self.resource, record_id),
                                "A deleted ticket could not be removed from the local cache")

    # ---- loading -----------------------------------------------------------------------------
    async def load_cached(self) -> bool:
        """The cached tickets, queues and members, when nothing is held yet (the first paint,
        offline); True when there were any."""
        if self._held:
            return True

        def read(cache):
            return (cache.query_records("tickets", order_by="created_at", limit=MAX_TICKETS),
                    cache.query_records("queues", order_by="id", descending=False, limit=500),
                    cache.query_records("members", order_by="id", descending=False, limit=1000))

        found = await self.read_cache(read, "The local cache could not be read; showing only what the server sends")
        if found is None or not any(found):
            return False
        tickets, queues, members = found
        self._set_choices(_parsed(Queue, queues), _parsed(Member, members))
        self._take(_parsed(Ticket, tickets), replace=True)
        return True

    async def refresh(self) -> None:
        """Every ticket (up to MAX_TICKETS), queue and member from the server, held and cached."""
        api, client = self.api, self._client
        (tickets, more), (queues, _), (members, _) = await asyncio.gather(
            _collect(api.list(limit=PAGE_SIZE), MAX_TICKETS),
            _collect(client.queues.list(limit=PAGE_SIZE), 500),
            _collect(client.members.list(limit=PAGE_SIZE), 1000),
        )
        self.truncated = more
        self._set_choices(queues, members)
        self._take(tickets, replace=True)
        await self.write_cache(tickets=[dump(t) for t in tickets], queues=[dump(q) for q in queues],
                               members=[dump(m) for m in members])

    async def poll(self) -> list[Ticket]:
        """Tickets created or changed since the newest one held (all of them when none is held)."""
        since = max((t.updated_at for t in self._held.values()), default=None)
        if since is None:
            await self.refresh()
            return self.tickets
        changed, _ = await _collect(self.api.list(updated_since=since, limit=PAGE_SIZE), MAX_TICKETS)
        await self.remember(changed)
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
        fields is merged in (`Saved.merged_from` names them); of the same ones, nothing is sent."""
        outcome = await self.update(base, changes)
        if isinstance(outcome, MergeNeeded):
            return Refused(outcome.theirs, outcome.merge.conflicts, outcome.request_id)
        return outcome

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
        await self.remember([ticket])
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
