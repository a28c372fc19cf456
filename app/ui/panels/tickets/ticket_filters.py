"""Which tickets the list shows: the filter bar (queue, status, priority, assignee) and the saved
views ("My open", "Unassigned urgent", "Breaching SLA"). Qt-free, applied to loaded tickets.

Saved views combine conditions the API cannot express in one exact-match query (several
statuses, "no assignee", "due within the hour"), so the list loads the workspace's tickets once
and filters locally; the queue list's counts come from the same rows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from app.ui.panels.tickets.sla import CLOSED_STATUSES, first_response_remaining

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


def _get(ticket: Any, name: str) -> Any:
    return ticket.get(name) if isinstance(ticket, dict) else getattr(ticket, name, None)


def is_open(ticket: Any) -> bool:
    """Still needs work: neither resolved nor closed."""
    return _get(ticket, "status") not in CLOSED_STATUSES


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

    def matches(self, ticket: Any, *, me_id: str | None, now: datetime) -> bool:
        if self.text:
            needle = self.text.casefold()
            if needle not in (_get(ticket, "subject") or "").casefold() and needle not in str(_get(ticket, "id")).casefold():
                return False
        if self.queue_id is not None and _get(ticket, "queue_id") != self.queue_id:
            return False
        if self.status is not None and _get(ticket, "status") != self.status:
            return False
        if self.priority is not None and _get(ticket, "priority") != self.priority:
            return False
        if self.assignee_id is not None:
            wanted = None if self.assignee_id == UNASSIGNED else self.assignee_id
            if _get(ticket, "assignee_id") != wanted:
                return False
        return _view_matches(self.view, ticket, me_id=me_id, now=now)


def _view_matches(view: str, ticket: Any, *, me_id: str | None, now: datetime) -> bool:
    if view == "my_open":
        return me_id is not None and _get(ticket, "assignee_id") == me_id and is_open(ticket)
    if view == "unassigned_urgent":
        return not _get(ticket, "assignee_id") and _get(ticket, "priority") == "urgent" and is_open(ticket)
    if view == "breaching_sla":
        remaining = first_response_remaining(ticket, now)
        return remaining is not None and remaining <= BREACH_WINDOW
    return True


def open_counts_by_queue(tickets: Iterable[Any]) -> Counter:
    """Open tickets per queue id (None: tickets in no queue); the queue list shows these."""
    return Counter(_get(ticket, "queue_id") for ticket in tickets if is_open(ticket))
