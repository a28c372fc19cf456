"""The support API's shapes: the queue, ticket, message and comment records it answers with, the
bodies that create or change them, the ticket count's answer, and the enumerations and path and
query parameters they share (the router, the ticket search and the event triggers use them).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Path, Query
from pydantic import BaseModel, ConfigDict, Field

from app.sandbox.validation import CustomFields, NotNull, unset, whole

TicketStatus = Literal["new", "open", "pending", "waiting_on_customer", "resolved", "closed"]
Priority = Literal["low", "normal", "high", "urgent"]
Source = Literal["manual", "email", "chat", "phone", "web", "api", "mcp", "slack", "other"]
Channel = Literal["email", "chat", "phone", "web", "whatsapp", "telegram"]
QueueStatus = Literal["active", "paused", "archived"]
Id = Annotated[str, Field(min_length=1, max_length=64)]
IdQuery = Annotated[str | None, Query(max_length=64)]
TicketIdPath = Annotated[str, Path(max_length=64)]
Subject = Annotated[str, Field(min_length=1, max_length=300)]
TicketState = Literal["open", "closed"]
GroupBy = Literal["status", "priority", "queue_id", "assignee_id"]


class Queue(BaseModel):
    id: str
    key: str
    name: str
    first_response_target_minutes: int
    status: QueueStatus
    created_at: str
    updated_at: str


class QueueCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key: str = Field(min_length=1, max_length=50, pattern=r"^[a-z0-9][a-z0-9_-]*$",
                     description="Short lowercase handle, unique in the workspace.")
    name: str = Field(min_length=1, max_length=100)
    first_response_target_minutes: whole(ge=1, le=43_200) = Field(description="Up to 30 days.")
    status: QueueStatus = "active"


class Ticket(BaseModel):
    id: str
    subject: str
    status: TicketStatus
    priority: Priority
    source: str | None
    category: str | None
    queue_id: str | None
    assignee_id: str | None
    contact_id: str | None
    company_id: str | None
    invoice_id: str | None
    custom_fields: dict[str, Any]
    first_response_due_at: str | None
    first_responded_at: str | None
    version: int
    created_at: str
    updated_at: str


class TicketCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    subject: Subject
    status: Literal["new", "open", "pending", "waiting_on_customer"] = "new"
    priority: Priority = "normal"
    source: Source = "api"
    category: str | None = Field(default=None, min_length=1, max_length=100)
    queue_id: Id | None = None
    assignee_id: Id | None = None
    contact_id: Id | None = None
    company_id: Id | None = None
    invoice_id: Id | None = None
    custom_fields: CustomFields = Field(default_factory=dict)


class TicketUpdate(BaseModel):
    """Only the fields sent change; `null` clears an optional one (`subject`, `status` and
    `priority` cannot be null)."""

    model_config = ConfigDict(extra="forbid")
    subject: Subject | NotNull = unset()
    status: TicketStatus | NotNull = unset()
    priority: Priority | NotNull = unset()
    source: Source | None = None
    category: str | None = Field(default=None, min_length=1, max_length=100)
    queue_id: Id | None = None
    assignee_id: Id | None = None
    contact_id: Id | None = None
    company_id: Id | None = None
    invoice_id: Id | None = None
    custom_fields: CustomFields | None = None


class Message(BaseModel):
    id: str
    ticket_id: str
    direction: Literal["inbound", "outbound"]
    channel: Channel
    body: str
    author_id: str | None
    created_at: str


class MessageCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    direction: Literal["inbound", "outbound"]
    channel: Channel = "email"
    body: str = Field(min_length=1, max_length=20_000)


class Comment(BaseModel):
    id: str
    ticket_id: str
    body: str
    pinned: bool
    author_id: str | None
    created_at: str


class CommentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    body: str = Field(min_length=1, max_length=20_000)
    pinned: bool = False


class TicketCountGroup(BaseModel):
    value: str | None = Field(description="The group's value (null: none, e.g. no assignee).")
    count: int


class TicketCount(BaseModel):
    total: int = Field(description="Tickets matching every filter.")
    groups: list[TicketCountGroup] | None = Field(
        description="With `group_by`: the total split by that field, largest first; null without it.")
