"""Support desk records: queues, tickets, their customer-visible messages and internal comments."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from app.api.models.base import ApiModel


class Queue(ApiModel):
    """A support queue and its first-response target."""

    id: str
    key: str
    name: str
    first_response_target_minutes: int | None = None
    status: str = "active"


class QueueCreate(ApiModel):
    """A new support queue."""

    key: str
    name: str
    first_response_target_minutes: int | None = None
    status: str | None = None


class Ticket(ApiModel):
    """A support ticket; `version` feeds If-Match, illegal transitions are 409."""

    id: str
    subject: str
    status: str
    priority: str
    source: str | None = None
    category: str | None = None
    queue_id: str | None = None
    assignee_id: str | None = None
    contact_id: str | None = None
    company_id: str | None = None
    invoice_id: str | None = None
    custom_fields: dict[str, Any] = Field(default_factory=dict)
    first_response_due_at: datetime | None = None
    first_responded_at: datetime | None = None
    version: int
    created_at: datetime
    updated_at: datetime


class TicketCountGroup(ApiModel):
    """One slice of a ticket count: the value of the grouped field (None: none, e.g. no assignee)."""

    value: str | None = None
    count: int


class TicketCount(ApiModel):
    """How many tickets match a list's filters (`GET /support/tickets/count`), optionally split
    by one field (`groups`, largest first; None without `group_by`)."""

    total: int
    groups: list[TicketCountGroup] | None = None

    def of(self, value: str | None) -> int:
        """The count of one group's value (0 when the server named no such group)."""
        return next((g.count for g in self.groups or () if g.value == value), 0)


class TicketCreate(ApiModel):
    """A new ticket; only `subject` is required."""

    subject: str
    status: str | None = None
    priority: str | None = None
    source: str | None = None
    category: str | None = None
    queue_id: str | None = None
    assignee_id: str | None = None
    contact_id: str | None = None
    company_id: str | None = None
    invoice_id: str | None = None
    custom_fields: dict[str, Any] | None = None


class TicketUpdate(ApiModel):
    """Only the fields set are sent; setting one to None clears it."""

    subject: str | None = None
    status: str | None = None
    priority: str | None = None
    source: str | None = None
    category: str | None = None
    queue_id: str | None = None
    assignee_id: str | None = None
    contact_id: str | None = None
    company_id: str | None = None
    invoice_id: str | None = None
    custom_fields: dict[str, Any] | None = None


class Message(ApiModel):
    """One customer-visible message on a ticket's thread."""

    id: str
    ticket_id: str
    direction: str
    channel: str
    body: str
    author_id: str | None = None
    created_at: datetime


class MessageCreate(ApiModel):
    """A message to add: inbound (from the customer) or outbound (a reply)."""

    direction: str
    body: str
    channel: str | None = None


class Comment(ApiModel):
    """An internal note on a ticket, never shown to the customer."""

    id: str
    ticket_id: str
    body: str
    pinned: bool = False
    author_id: str | None = None
    created_at: datetime


class CommentCreate(ApiModel):
    """An internal note to add, optionally pinned."""

    body: str
    pinned: bool | None = None
