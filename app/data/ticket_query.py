"""Which tickets the triage list shows: queue, saved view, status, priority, assignee and text.

One query, two ways to answer it that find the same tickets: `server_filters()` are the query
parameters of `GET /support/tickets` (and of its count), `matches()` is the same test applied to
tickets held or cached locally (offline, and the instant answer while the server's is on its
way). The saved views are the server's words (docs/API.md): *My open* = `assignee_id=<me>` and
`state=open`; *Unassigned urgent* = `assigned=false`, `priority=urgent`, `state=open`; *Breaching
SLA* = `breaching_sla=true` (the first response is overdue).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from app.api.models import Ticket

#: The assignee filter value meaning "nobody is assigned".
UNASSIGNED = "__unassigned__"
#: Statuses in which nobody is expected to act any more.
CLOSED_STATUSES = frozenset({"resolved", "closed"})
OPEN_STATUSES = ("new", "open", "pending", "waiting_on_customer")

SAVED_VIEWS: tuple[tuple[str, str], ...] = (
    ("all", "All tickets"),
    ("my_open", "My open"),
    ("unassigned_urgent", "Unassigned urgent"),
    ("breaching_sla", "Breaching SLA"),
)


def is_open(ticket: Ticket) -> bool:
    """Still needs work: neither resolved nor closed."""
    return ticket.status not in CLOSED_STATUSES


def is_breaching(ticket: Ticket, now: datetime) -> bool:
    """The first response is overdue: due before `now`, unanswered, and the ticket still open
    (the server's `breaching_sla=true`)."""
    due = ticket.first_response_due_at
    return due is not None and ticket.first_responded_at is None and is_open(ticket) and due < now


@dataclass(frozen=True)
class TicketQuery:
    """The list's current filter. None on a field means "any"."""

    view: str = "all"
    queue_id: str | None = None
    status: str | None = None
    priority: str | None = None
    #: A member's id, `UNASSIGNED`, or None (anyone).
    assignee_id: str | None = None
    #: Typed text: matches the subject, or the ticket's id, in any letter case.
    text: str = ""
    #: The signed-in member ("My open"); None for an API key or before the identity is known.
    me_id: str | None = None
    #: "open" (neither resolved nor closed) or "closed" (resolved or closed); None: either.
    state: str | None = None

    def with_(self, **changes: Any) -> TicketQuery:
        return replace(self, **changes)

    @property
    def answerable(self) -> bool:
        """Whether any ticket can match ("My open" needs to know who "my" is)."""
        return self.view != "my_open" or self.me_id is not None

    def server_filters(self) -> dict[str, Any]:
        """The query as `Tickets.list` / `Tickets.count` arguments (None values are left out)."""
        filters: dict[str, Any] = {"query": self.text.strip() or None, "queue_id": self.queue_id,
                                   "status": self.status, "priority": self.priority, "state": self.state}
        if self.assignee_id == UNASSIGNED:
            filters["assigned"] = False
        elif self.assignee_id is not None:
            filters["assignee_id"] = self.assignee_id
        if self.view == "my_open":
            filters.update(assignee_id=self.me_id, state="open")
        elif self.view == "unassigned_urgent":
            filters.update(assigned=False, priority="urgent", state="open")
        elif self.view == "breaching_sla":
            filters["breaching_sla"] = True
        return {name: value for name, value in filters.items() if value is not None}

    def contradictory(self) -> bool:
        """The filter bar asks for something its view rules out (e.g. "Unassigned urgent" and a
        named assignee): nothing matches, and the server need not be asked."""
        if not self.answerable:
            return True
        if self.view == "unassigned_urgent":
            return self.priority not in (None, "urgent") or self.assignee_id not in (None, UNASSIGNED) or \
                self.status in CLOSED_STATUSES
        if self.view == "my_open":
            return self.assignee_id not in (None, self.me_id) or self.status in CLOSED_STATUSES
        if self.view == "breaching_sla":
            return self.status in CLOSED_STATUSES
        return False

    def matches(self, ticket: Ticket, now: datetime) -> bool:
        """The same test as the server's, on a ticket held or cached here."""
        if self.contradictory():
            return False
        text = self.text.strip().casefold()
        if text and text not in (ticket.subject or "").casefold() and text != ticket.id.casefold():
            return False
        if self.queue_id is not None and ticket.queue_id != self.queue_id:
            return False
        if self.status is not None and ticket.status != self.status:
            return False
        if self.priority is not None and ticket.priority != self.priority:
            return False
        if self.state is not None and is_open(ticket) != (self.state == "open"):
            return False
        if self.assignee_id is not None:
            wanted = None if self.assignee_id == UNASSIGNED else self.assignee_id
            if ticket.assignee_id != wanted:
                return False
        if self.view == "my_open":
            return ticket.assignee_id == self.me_id and is_open(ticket)
        if self.view == "unassigned_urgent":
            return not ticket.assignee_id and ticket.priority == "urgent" and is_open(ticket)
        if self.view == "breaching_sla":
            return is_breaching(ticket, now)
        return True

    def cache_filters(self) -> dict[str, Any] | None:
        """The exact matches the page cache can apply itself (the rest is `matches`)."""
        exact = {"queue_id": self.queue_id, "status": self.status, "priority": self.priority}
        if self.assignee_id not in (None, UNASSIGNED):
            exact["assignee_id"] = self.assignee_id
        if self.view == "my_open" and self.me_id is not None:
            exact["assignee_id"] = self.me_id
        if self.view == "unassigned_urgent":
            exact["priority"] = "urgent"
        if self.status is None and (self.state == "open" or self.view != "all"):
            exact["status"] = list(OPEN_STATUSES)  # every saved view holds only open tickets
        chosen = {name: value for name, value in exact.items() if value is not None}
        return chosen or None
