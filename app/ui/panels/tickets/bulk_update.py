"""Apply one change (status, priority, assignee or queue) to many tickets, one PATCH each.

Qt-free. Each PATCH carries the ticket's version as `If-Match`, so a ticket a colleague changed
since the list loaded fails with 412 instead of being overwritten; every ticket gets its own
result, reported as it arrives so the panel can move a progress bar.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from app.api import errors

#: PATCHes in flight at once: quick on a local sandbox, gentle on a real rate limit.
CONCURRENCY = 4


def _get(record: Any, name: str) -> Any:
    return record.get(name) if isinstance(record, dict) else getattr(record, name, None)


@dataclass(frozen=True)
class BulkResult:
    """The outcome for one ticket: the updated ticket, or the error and a sentence about it."""

    ticket_id: str
    ticket: Any = None
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


async def apply_bulk(
    update: Callable[[str, dict, int | None], Awaitable[Any]],
    tickets: Sequence[Any],
    changes: dict[str, Any],
    on_result: Callable[[BulkResult], None],
) -> list[BulkResult]:
    """PATCH `changes` onto each ticket with its version as If-Match; report each result."""
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(ticket: Any) -> BulkResult:
        async with gate:
            ticket_id, version = _get(ticket, "id"), _get(ticket, "version")
            try:
                updated = await update(ticket_id, changes, version)
                result = BulkResult(ticket_id, ticket=updated)
            except errors.ApiError as error:
                result = BulkResult(ticket_id, error=error, message=explain_failure(error))
            on_result(result)
            return result

    return list(await asyncio.gather(*(one(ticket) for ticket in tickets)))
