"""Support desk records: queues, tickets, their customer-visible messages and internal comments."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from app.api.models.base import ApiModel


class Queue(ApiModel):
    id: str
    key: str
    name: str
    first_response_target_minutes: int | None = None
    status: str = "active"


class QueueCreate(ApiModel):
    key: str
    name: str
    first_response_target_minutes: int | None = None
    status: str | None = None


class Ticket(ApiModel):
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


class TicketCreate(ApiModel):
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
    id: str
    ticket_id: str
    direction: str
    channel: str
    body: str
    author_id: str | None = None
    created_at: datetime


class MessageCreate(ApiModel):
    direction: str
    body: str
    channel: str | None = None


class Comment(ApiModel):
    id: str
    ticket_id: str
    body: str
    pinned: bool = False
    author_id: str | None = None
    created_at: datetime


class CommentCreate(ApiModel):
    body: str
    pinned: bool | None = None
