"""The first-response clock of a ticket: time left until its SLA is breached (negative after).

Qt-free: the ticket list's countdown column and the "Breaching SLA" view share these rules.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from app.api.models import Ticket
from app.data.tickets import CLOSED_STATUSES
from app.ui.time_text import due_text

#: Any fixed moment: a remaining time is shown as the deadline that far from it.
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def as_datetime(value: Any) -> datetime | None:
    """A timezone-aware datetime from a model field (datetime or RFC 3339 text), or None."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def display_time(value: Any) -> str:
    """A time stamp as people read it, in their local time: "23 Nov 2026 14:05"."""
    moment = as_datetime(value)
    return moment.astimezone().strftime("%d %b %Y %H:%M") if moment else ""


def first_response_remaining(ticket: Ticket, now: datetime) -> timedelta | None:
    """Time left to the first-response deadline; None when answered, closed or without a target."""
    if ticket.first_responded_at or ticket.status in CLOSED_STATUSES:
        return None
    due = as_datetime(ticket.first_response_due_at)
    return None if due is None else due - now


def is_breached(ticket: Ticket, now: datetime) -> bool:
    remaining = first_response_remaining(ticket, now)
    return remaining is not None and remaining < timedelta(0)


def format_countdown(remaining: timedelta | None) -> str:
    """In words: "due in 2 h 05 min", "due in 45 s", "3 d overdue" once breached; "" when no clock runs."""
    if remaining is None:
        return ""
    return due_text(_EPOCH + remaining, _EPOCH)


def breach_sort_key(ticket: Ticket, now: datetime) -> tuple[int, float]:
    """Soonest breach first (most overdue at the very top); tickets without a clock last."""
    remaining = first_response_remaining(ticket, now)
    if remaining is None:
        return (1, 0.0)
    return (0, remaining.total_seconds())
