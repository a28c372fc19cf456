"""Loading what the triage panel shows, from the page cache and from the server. Qt-free.

Everything comes back as JSON dicts (see `records`). Cache resources: "tickets", "queues",
"members", "ticket_messages", "ticket_comments". A cache failure never stops the panel (the
cache is only a faster first paint and the offline view): it is logged, treated as "nothing
cached", and described to `on_cache_error` so the panel can say why the cached list is missing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from app.ui.panels.tickets.records import as_record

log = logging.getLogger(__name__)

#: The most tickets the panel keeps loaded (the workspace's newest).
MAX_TICKETS = 5_000
PAGE_SIZE = 100

#: Told what went wrong with the page cache, in words for the banner.
CacheErrorReport = Callable[[str], None] | None


@dataclass
class Workload:
    """The lists behind the panel: tickets, queues, members."""

    tickets: list[dict[str, Any]] = field(default_factory=list)
    queues: list[dict[str, Any]] = field(default_factory=list)
    members: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Conversation:
    """One ticket as the server has it now, with its whole thread."""

    ticket: dict[str, Any]
    messages: list[dict[str, Any]]
    comments: list[dict[str, Any]]


def _report(on_cache_error: CacheErrorReport, what: str, error: Exception) -> None:
    if on_cache_error is not None:
        on_cache_error(f"{what} ({type(error).__name__}: {error}).")


async def cached_workload(cache: Any, on_cache_error: CacheErrorReport = None) -> Workload:
    """What the cache has from last time (empty without a cache)."""
    if cache is None:
        return Workload()
    try:
        def read(c) -> Workload:
            return Workload(
                tickets=c.query_records("tickets", order_by="created_at", limit=MAX_TICKETS),
                queues=c.query_records("queues", order_by="id", descending=False, limit=500),
                members=c.query_records("members", order_by="id", descending=False, limit=1000),
            )
        return await cache.run(read)
    except Exception as error:  # the cache is an optimisation; a broken one must not block the panel
        what = "The local cache could not be read; showing only what the server sends"
        log.exception(what)
        _report(on_cache_error, what, error)
        return Workload()


async def cached_conversation(cache: Any, ticket_id: str,
                              on_cache_error: CacheErrorReport = None) -> tuple[list[dict], list[dict]] | None:
    """The cached messages and comments of a ticket, or None if none were ever cached."""
    if cache is None:
        return None
    try:
        def read(c):
            filters = {"ticket_id": ticket_id}
            return (c.query_records("ticket_messages", filters=filters, limit=1000),
                    c.query_records("ticket_comments", filters=filters, limit=1000))
        messages, comments = await cache.run(read)
    except Exception as error:
        what = "The local cache could not be read for this conversation"
        log.exception(what)
        _report(on_cache_error, what, error)
        return None
    return (messages, comments) if messages or comments else None


async def store(cache: Any, on_cache_error: CacheErrorReport = None, **resources: list[dict[str, Any]]) -> None:
    """Write records to the cache (resource name → records); failures are logged and reported."""
    if cache is None:
        return
    try:
        def write(c) -> None:
            for resource, records in resources.items():
                if records:
                    c.put_records(resource, records)
        await cache.run(write)
    except Exception as error:
        what = "Tickets could not be saved to the local cache; offline you will see older data"
        log.exception(what)
        _report(on_cache_error, what, error)


async def _all(page: Any, limit: int = MAX_TICKETS) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    async for item in page:
        items.append(as_record(item))
        if len(items) >= limit:
            break
    return items


async def _listed(list_method: Callable[..., Any], **params: Any) -> list[dict[str, Any]]:
    # One coroutine per list, so a failing list call never leaves another list's walk unawaited.
    return await _all(await list_method(**params))


async def fetch_workload(client: Any) -> Workload:
    """Tickets, queues and members from the server, concurrently."""
    tickets, queues, members = await asyncio.gather(
        _listed(client.tickets.list, limit=PAGE_SIZE),
        _listed(client.queues.list, limit=PAGE_SIZE),
        _listed(client.members.list, limit=PAGE_SIZE),
    )
    return Workload(tickets=tickets, queues=queues, members=members)


async def fetch_changed_tickets(client: Any, since: Any) -> list[dict[str, Any]]:
    """Tickets created or changed at or after `since` (a datetime): the cheap periodic refresh."""
    return await _all(await client.tickets.list(updated_since=since, limit=PAGE_SIZE))


async def fetch_conversation(client: Any, ticket_id: str) -> Conversation:
    """The ticket and its whole thread, fetched together (what "now" looks like on the server)."""
    ticket, messages, comments = await asyncio.gather(
        client.tickets.get(ticket_id),
        client.tickets.messages.list(ticket_id, limit=PAGE_SIZE),
        client.tickets.comments.list(ticket_id, limit=PAGE_SIZE),
    )
    return Conversation(as_record(ticket), await _all(messages), await _all(comments))

