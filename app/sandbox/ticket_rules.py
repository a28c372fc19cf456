"""Support ticket rules the server enforces: which status changes are legal, and the
first-response SLA (due time from the queue's target, met by the first outbound message).

Pure functions so the rules are unit-tested without a server; the support router applies them."""

from __future__ import annotations

from datetime import datetime, timedelta

STATUSES: tuple[str, ...] = ("new", "open", "pending", "waiting_on_customer", "resolved", "closed")
PRIORITIES: tuple[str, ...] = ("low", "normal", "high", "urgent")
CHANNELS: tuple[str, ...] = ("email", "chat", "phone", "web", "whatsapp", "telegram")

# Nothing returns to `new` (it means "nobody has looked yet"); `closed` is final, so a customer
# writing again opens a new ticket; `resolved` can be reopened until it is closed.
_WORKING = ("open", "pending", "waiting_on_customer")
_TRANSITIONS: dict[str, frozenset[str]] = {
    "new": frozenset({*_WORKING, "resolved", "closed"}),
    "open": frozenset({"pending", "waiting_on_customer", "resolved", "closed"}),
    "pending": frozenset({"open", "waiting_on_customer", "resolved", "closed"}),
    "waiting_on_customer": frozenset({"open", "pending", "resolved", "closed"}),
    "resolved": frozenset({"open", "closed"}),
    "closed": frozenset(),
}


def allowed_transitions(current: str) -> frozenset[str]:
    """The statuses a ticket in `current` may move to (staying put is always allowed)."""
    return _TRANSITIONS[current]


def can_transition(current: str, target: str) -> bool:
    """True when a ticket may go from `current` to `target`; the same status is a no-op, so legal."""
    return current == target or target in _TRANSITIONS[current]


def first_response_due(created_at: datetime, target_minutes: int | None) -> datetime | None:
    """When the first reply is due: `created_at` plus the queue's target; None without a queue."""
    if target_minutes is None:
        return None
    return created_at + timedelta(minutes=target_minutes)


def responded_at_after_message(current: str | None, direction: str, message_at: str) -> str | None:
    """`first_responded_at` after a message: the first outbound message sets it, nothing changes it after."""
    if current is None and direction == "outbound":
        return message_at
    return current
