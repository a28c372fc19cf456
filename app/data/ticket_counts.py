"""Ticket counts that are the server's and follow every change this console knows of.

A count of 200,000 tickets cannot be made from the tickets held, so it comes from `GET
/support/tickets/count`. Re-asking after every click would make a closed ticket linger in "12
open" until the answer comes, so the ticket store moves each live count itself as it takes a
ticket's new version (the old version leaves the count it matched, the new one joins its own),
and the next poll asks the server again, which also counts what nobody here saw change.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from app.api.models import Ticket, TicketCount
from app.data.ticket_query import TicketQuery, is_open

#: Where a count comes from: the server's answer, or (offline) the tickets cached here.
SERVER, CACHE = "server", "cache"


@dataclass
class LiveCount:
    """How many tickets match `query` (split by `group_by`); `total` is None until known."""

    query: TicketQuery
    group_by: str | None = None
    total: int | None = None
    groups: dict[str | None, int] = field(default_factory=dict)
    source: str = SERVER

    def of(self, value: str | None) -> int:
        return self.groups.get(value, 0)

    def take(self, count: TicketCount) -> None:
        """The server's answer replaces whatever was counted here."""
        self.total = count.total
        self.groups = {group.value: group.count for group in count.groups or ()}
        self.source = SERVER

    def take_local(self, total: int, groups: Mapping[str | None, int] | None = None) -> None:
        """Counted from the tickets cached here (offline)."""
        self.total = total
        self.groups = dict(groups or {})
        self.source = CACHE

    def follow(self, old: Ticket | None, new: Ticket | None, now: datetime) -> bool:
        """A ticket changed from `old` to `new` (None: it did not exist / no longer does);
        True when this count moved."""
        if self.total is None:
            return False
        was = old is not None and self.query.matches(old, now)
        now_matches = new is not None and self.query.matches(new, now)
        if not was and not now_matches:
            return False
        if was:
            self._add(old, -1)
        if now_matches:
            self._add(new, 1)
        return True

    def _add(self, ticket: Ticket, step: int) -> None:
        self.total = max(0, (self.total or 0) + step)
        if self.group_by is not None:
            value = getattr(ticket, self.group_by)
            self.groups[value] = max(0, self.groups.get(value, 0) + step)


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
    """Tickets counted here (offline, from those cached), the way the server counts them."""
    total = 0
    by_queue: Counter = Counter()
    for ticket in tickets:
        total += 1
        if is_open(ticket):
            by_queue[ticket.queue_id] += 1
    return TicketCounts(total, sum(by_queue.values()), by_queue)
