"""`client.queues` and `client.tickets` (with `.messages` and `.comments`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any, Literal

from app.api.models import (
    Comment,
    CommentCreate,
    Message,
    MessageCreate,
    Queue,
    QueueCreate,
    Ticket,
    TicketCount,
    TicketCreate,
    TicketUpdate,
)
from app.api.pagination import CursorPage
from app.api.request_loop import RequestLoop
from app.api.resources.base import Resource, as_body

TicketState = Literal["open", "closed"]
TicketGroupBy = Literal["status", "priority", "queue_id", "assignee_id"]
#: The filters `Tickets.count` takes: every filter of `Tickets.list`, and `updated_since`.
COUNT_FILTERS = frozenset({
    "query", "status", "priority", "source", "category", "queue_id", "assignee_id", "contact_id", "company_id",
    "invoice_id", "custom_field_key", "custom_field_value", "state", "assigned", "breaching_sla",
    "first_response_due_before", "updated_since"})


class Queues(Resource):
    """Support queues: list and create."""

    async def list(self, limit: int = 100, cursor: str | None = None) -> CursorPage[Queue]:
        """One page, newest first, filtered by the arguments (`next_page()` walks on)."""
        return await self._page("/support/queues", Queue, {"limit": limit, "cursor": cursor})

    async def create(self, queue: QueueCreate | dict[str, Any], *, idempotency_key: str | None = None) -> Queue:
        """Create it; retries reuse one Idempotency-Key, so it happens once."""
        return await self._item("POST", "/support/queues", Queue, body=as_body(queue, QueueCreate),
                                idempotency_key=idempotency_key)


class TicketMessages(Resource):
    """A ticket's customer-visible thread."""

    async def list(self, ticket_id: str, limit: int = 20, cursor: str | None = None) -> CursorPage[Message]:
        """One page, newest first, filtered by the arguments (`next_page()` walks on)."""
        return await self._page(f"/support/tickets/{ticket_id}/messages", Message,
                                {"limit": limit, "cursor": cursor})

    async def create(self, ticket_id: str, message: MessageCreate | dict[str, Any], *,
                     idempotency_key: str | None = None) -> Message:
        """Create it; retries reuse one Idempotency-Key, so it happens once."""
        return await self._item("POST", f"/support/tickets/{ticket_id}/messages", Message,
                                body=as_body(message, MessageCreate), idempotency_key=idempotency_key)


class TicketComments(Resource):
    """A ticket's internal notes, never shown to the customer."""

    async def list(self, ticket_id: str, limit: int = 20, cursor: str | None = None) -> CursorPage[Comment]:
        """One page, newest first, filtered by the arguments (`next_page()` walks on)."""
        return await self._page(f"/support/tickets/{ticket_id}/comments", Comment,
                                {"limit": limit, "cursor": cursor})

    async def create(self, ticket_id: str, comment: CommentCreate | dict[str, Any], *,
                     idempotency_key: str | None = None) -> Comment:
        """Create it; retries reuse one Idempotency-Key, so it happens once."""
        return await self._item("POST", f"/support/tickets/{ticket_id}/comments", Comment,
                                body=as_body(comment, CommentCreate), idempotency_key=idempotency_key)


class Tickets(Resource):
    """Support tickets: list with every contract filter, read, create, update (with If-Match)."""

    def __init__(self, loop: RequestLoop) -> None:
        super().__init__(loop)
        self.messages = TicketMessages(loop)
        self.comments = TicketComments(loop)

    async def list(
        self, query: str | None = None, status: str | None = None, priority: str | None = None,
        source: str | None = None, category: str | None = None, queue_id: str | None = None,
        assignee_id: str | None = None, contact_id: str | None = None, company_id: str | None = None,
        invoice_id: str | None = None, updated_since: datetime | None = None, limit: int = 20,
        cursor: str | None = None, *, state: TicketState | None = None, assigned: bool | None = None,
        breaching_sla: bool | None = None, first_response_due_before: datetime | None = None,
        custom_field_key: str | None = None, custom_field_value: str | None = None,
    ) -> CursorPage[Ticket]:
        """One page, newest first, filtered by the arguments (`next_page()` walks on).

        Beside the contract's exact matches: `state` ("open": neither resolved nor closed;
        "closed": resolved or closed), `assigned` (False: nobody is), `breaching_sla` (True: the
        first response is overdue by the server's clock) and `first_response_due_before` (still
        owed a first response due before that moment). docs/API.md has the details."""
        return await self._page("/support/tickets", Ticket, {
            "query": query, "status": status, "priority": priority, "source": source, "category": category,
            "queue_id": queue_id, "assignee_id": assignee_id, "contact_id": contact_id,
            "company_id": company_id, "invoice_id": invoice_id, "custom_field_key": custom_field_key,
            "custom_field_value": custom_field_value, "state": state, "assigned": assigned,
            "breaching_sla": breaching_sla, "first_response_due_before": first_response_due_before,
            "updated_since": updated_since, "limit": limit, "cursor": cursor})

    async def count(self, *, group_by: TicketGroupBy | None = None, **filters: Any) -> TicketCount:
        """How many tickets `list` would page through with the same `filters` (any of its filter
        arguments, and `updated_since`); `group_by` splits the total by one field in the same answer."""
        unknown = sorted(set(filters) - COUNT_FILTERS)
        if unknown:
            raise TypeError(f"Tickets.count() got unknown filter(s): {', '.join(unknown)}; "
                            f"it takes {', '.join(sorted(COUNT_FILTERS))}")
        return await self._item("GET", "/support/tickets/count", TicketCount,
                                params={**filters, "group_by": group_by})

    async def iterate(self, **filters: Any) -> AsyncIterator[Ticket]:
        """Every ticket matching `filters` (the arguments of `list`), page after page."""
        async for ticket in await self.list(**filters):
            yield ticket

    async def get(self, ticket_id: str) -> Ticket:
        """One record by id (NotFound if it is not in this workspace)."""
        return await self._item("GET", f"/support/tickets/{ticket_id}", Ticket)

    async def create(self, ticket: TicketCreate | dict[str, Any], *, idempotency_key: str | None = None) -> Ticket:
        """Create it; retries reuse one Idempotency-Key, so it happens once."""
        return await self._item("POST", "/support/tickets", Ticket, body=as_body(ticket, TicketCreate),
                                idempotency_key=idempotency_key)

    async def update(self, ticket_id: str, patch: TicketUpdate | dict[str, Any], *,
                     if_match: int | None = None, idempotency_key: str | None = None) -> Ticket:
        """Change only the fields in `patch`; `if_match=ticket.version` refuses a stale edit (412)."""
        return await self._item("PATCH", f"/support/tickets/{ticket_id}", Ticket,
                                body=as_body(patch, TicketUpdate), if_match=if_match,
                                idempotency_key=idempotency_key)
