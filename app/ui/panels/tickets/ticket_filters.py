"""Which tickets the list shows: the filter bar (queue, status, priority, assignee) and the saved
views ("My open", "Unassigned urgent", "Breaching SLA"). Qt-free, applied to the held tickets.

Saved views combine conditions the API cannot express in one exact-match query (several
statuses, "no assignee", "due within the hour"), so the ticket store holds the workspace's
tickets once and the list filters them locally; the queue counts come from the same tickets.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from app.api.models import Ticket
from app.data.tickets import is_open
from app.ui.panels.tickets.sla import first_response_remaining

#: The filter value meaning "nobody is assigned".
UNASSIGNED = "__unassigned__"
#: A ticket whose first response is due within this window counts as breaching.
BREACH_WINDOW = timedelta(hours=1)

SAVED_VIEWS: tuple[tuple[str, str], ...] = (
    ("all", "All tickets"),
    ("my_open", "My open"),
    ("unassigned_urgent", "Unassigned urgent"),
    ("breaching_sla", "Breaching SLA"),
)


@dataclass(frozen=True)
class TicketFilter:
    """The list's current filter. None on a field means "any"."""

    view: str = "all"
    queue_id: str | None = None
    status: str | None = None
    priority: str | None = None
    assignee_id: str | None = None
    #: Typed text: matches the subject or the ticket id, case-insensitively.
    text: str = ""

    def with_(self, **changes: Any) -> TicketFilter:
        return replace(self, **changes)

    def matches(self, ticket: Ticket, *, me_id: str | None, now: datetime) -> bool:
        if self.text:
            needle = self.text.casefold()
            if needle not in (ticket.subject or "").casefold() and needle not in ticket.id.casefold():
                return False
        if self.queue_id is not None and ticket.queue_id != self.queue_id:
            return False
        if self.status is not None and ticket.status != self.status:
            return False
        if self.priority is not None and ticket.priority != self.priority:
            return False
        if self.assignee_id is not None:
            wanted = None if self.assignee_id == UNASSIGNED else self.assignee_id
            if ticket.assignee_id != wanted:
                return False
        return _view_matches(self.view, ticket, me_id=me_id, now=now)


def _view_matches(view: str, ticket: Ticket, *, me_id: str | None, now: datetime) -> bool:
    if view == "my_open":
        return me_id is not None and ticket.assignee_id == me_id and is_open(ticket)
    if view == "unassigned_urgent":
        return not ticket.assignee_id and ticket.priority == "urgent" and is_open(ticket)
    if view == "breaching_sla":
        remaining = first_response_remaining(ticket, now)
        return remaining is not None and remaining <= BREACH_WINDOW
    return True
