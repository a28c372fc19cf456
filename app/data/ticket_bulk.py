"""One change (status, priority, assignee or queue) applied to many tickets, one PATCH each.

Each PATCH carries the ticket's version as `If-Match` and is not merged: a bulk change is decided
over the list as the agent saw it, so a ticket a colleague changed since then fails with 412 (and
is shown as the colleague left it) instead of being changed on top of work nobody reviewed. Every
ticket gets its own result, reported as it arrives so the view can move a progress bar.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.api import errors
from app.api.models import Ticket

#: PATCHes in flight at once: quick on a local sandbox, gentle on a real rate limit.
CONCURRENCY = 4

#: Sends one PATCH: (ticket id, changes, If-Match version) → the updated ticket.
Patch = Callable[[str, Mapping[str, Any], int], Awaitable[Ticket]]


@dataclass(frozen=True)
class BulkResult:
    """The outcome for one ticket: the updated ticket, or the error and a sentence about it."""

    ticket_id: str
    ticket: Ticket | None = None
    error: BaseException | None = None
    message: str = "Updated"

    @property
    def ok(self) -> bool:
        return self.error is None


def explain_failure(error: BaseException) -> str:
    """Why one ticket of a bulk change failed, in words that say what to do next."""
    if isinstance(error, errors.PreconditionFailed):
        return "Changed by someone else since the list loaded (412): their version is shown now; review, then apply again"
    if isinstance(error, errors.Forbidden):
        return "Not allowed for this credential (403)"
    if isinstance(error, errors.Conflict):
        return f"Not possible from its current state (409): {error.message}"
    if isinstance(error, errors.ValidationFailed):
        return f"Refused (422): {error.message}"
    if isinstance(error, errors.NotFound):
        return "No longer exists (404)"
    if isinstance(error, errors.ApiStatusError):
        return f"{error.status} {error.code}: {error.message}"
    if isinstance(error, errors.ApiConnectionError):
        return "No answer from the server"
    return f"Unexpected problem: {type(error).__name__}"


async def apply_bulk(patch: Patch, tickets: Sequence[Ticket], changes: Mapping[str, Any],
                     on_result: Callable[[BulkResult], None]) -> list[BulkResult]:
    """PATCH `changes` onto each ticket with its version as If-Match; report each result."""
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(ticket: Ticket) -> BulkResult:
        async with gate:
            try:
                result = BulkResult(ticket.id, ticket=await patch(ticket.id, changes, ticket.version))
            except errors.ApiError as error:
                result = BulkResult(ticket.id, error=error, message=explain_failure(error))
            on_result(result)
            return result

    return list(await asyncio.gather(*(one(ticket) for ticket in tickets)))
