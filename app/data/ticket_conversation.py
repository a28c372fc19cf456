"""One ticket's conversation: its customer messages and internal notes, cached and on the server,
and sending what an agent wrote.

A reply goes to a customer and cannot be unsent (Help Scout's rule): it is sent only after a fresh
look at the ticket shows nothing new since the agent opened it, otherwise it is held and the new
activity comes back to be shown first. An internal note goes straight away.

Offline, an internal note waits in the outbox with the Idempotency-Key minted when the agent
pressed Add note, and is replayed on reconnect. A reply is never sent from the outbox: offline it
stays the agent's draft, marked to send when online (`SendResult.waiting_online`); once the
server answers, the agent confirms it and it goes through the collision check like any reply.
Cache resources: "ticket_messages" and "ticket_comments", filtered by `ticket_id`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from app.api import errors
from app.api.models import Comment, Message, Ticket
from app.data.record_store import StoreChange, dump

REPLY, NOTE = "reply", "note"
#: Items per server page, and the most of a thread that is read.
PAGE_SIZE = 100
MAX_ITEMS = 1000


@dataclass(frozen=True)
class Conversation:
    """One ticket as the server has it now, with its whole thread."""

    ticket: Ticket
    messages: tuple[Message, ...]
    comments: tuple[Comment, ...]


@dataclass(frozen=True)
class ActivitySnapshot:
    """What the agent has seen of a ticket: its version and the ids of its messages and notes."""

    ticket_id: str
    version: int
    seen_ids: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def of(cls, ticket: Ticket, messages: Iterable[Message], comments: Iterable[Comment]) -> ActivitySnapshot:
        return cls(ticket.id, ticket.version, frozenset(item.id for item in (*messages, *comments)))

    def after_own_write(self, before: Ticket, after: Ticket) -> ActivitySnapshot:
        """Our own change landed on the version we had seen: it is not someone else's activity."""
        if before.id == self.ticket_id and before.version == self.version:
            return replace(self, version=after.version)
        return self


@dataclass(frozen=True)
class NewActivity:
    """The difference between a snapshot and the ticket now."""

    ticket_changed: bool
    new_items: Sequence[Message | Comment]

    @property
    def any(self) -> bool:
        return self.ticket_changed or bool(self.new_items)


def new_activity(seen: ActivitySnapshot, ticket: Ticket, messages: Iterable[Message],
                 comments: Iterable[Comment]) -> NewActivity:
    """New messages/notes since `seen`, and whether the ticket's own fields changed."""
    fresh = [item for item in (*messages, *comments) if item.id not in seen.seen_ids]
    return NewActivity(ticket_changed=ticket.version != seen.version, new_items=fresh)


@dataclass(frozen=True)
class SendResult:
    """`sent` (then `now` is the thread after it, when it could be read), or held: then `now` is the
    ticket as it is and `new_ids` what the agent has not seen."""

    sent: bool
    now: Conversation | None = None
    new_ids: frozenset[str] = frozenset()
    #: A note queued in the outbox (offline): it is added when the server answers again.
    queued: bool = False
    #: A reply not sent because the server cannot be reached: it stays a draft until confirmed online.
    waiting_online: bool = False


async def _collect(pages: Any, limit: int = MAX_ITEMS) -> tuple:
    items = []
    async for item in await pages:
        items.append(item)
        if len(items) >= limit:
            break
    return tuple(items)


class TicketConversations:
    """The threads of the ticket store's tickets (`stores.tickets.conversations`)."""

    def __init__(self, tickets: Any) -> None:
        #: The `TicketStore`: its client resource, its working set and its guarded cache.
        self._tickets = tickets

    async def cached(self, ticket_id: str) -> tuple[tuple[Message, ...], tuple[Comment, ...]] | None:
        """The cached messages and notes of a ticket, or None if none were ever cached (or the cache failed)."""
        def read(cache):
            filters = {"ticket_id": ticket_id}
            return (cache.query_records("ticket_messages", filters=filters, limit=MAX_ITEMS),
                    cache.query_records("ticket_comments", filters=filters, limit=MAX_ITEMS))

        found = await self._tickets.read_cache(read, "The local cache could not be read for this conversation")
        if not found or not (found[0] or found[1]):
            return None
        messages, comments = found
        return (tuple(Message.model_validate(m) for m in messages),
                tuple(Comment.model_validate(c) for c in comments))

    async def fetch(self, ticket_id: str) -> Conversation:
        """The ticket and its whole thread, fetched together (what "now" looks like on the server)."""
        api = self._tickets.api
        ticket, messages, comments = await asyncio.gather(
            api.get(ticket_id),
            _collect(api.messages.list(ticket_id, limit=PAGE_SIZE)),
            _collect(api.comments.list(ticket_id, limit=PAGE_SIZE)),
        )
        conversation = Conversation(ticket, messages, comments)
        await self._tickets.remember([ticket])
        await self._tickets.write_cache(ticket_messages=[dump(m) for m in messages],
                                        ticket_comments=[dump(c) for c in comments])
        return conversation

    async def send(self, kind: str, ticket_id: str, text: str, idempotency_key: str, *,
                   seen: ActivitySnapshot | None, pinned: bool = False) -> SendResult:
        """Post a reply (collision-checked against `seen`) or a note; API errors propagate.

        Once the server has it, the thread is read again for the caller to show; a failure of that
        read does not undo the send (`now` is then None)."""
        store = self._tickets
        if kind == REPLY and store._client is None:
            return SendResult(False, waiting_online=True)
        if kind == NOTE and not store.online and store.outbox is not None:
            return await self._queue_note(ticket_id, text, idempotency_key, pinned)
        api = store.api
        if kind == REPLY:
            try:  # offline or not, the agent's Send is how the console finds out the server is back
                now = await self.fetch(ticket_id)
            except errors.ApiConnectionError:
                return SendResult(False, waiting_online=True)
            seen_here = seen if seen is not None and seen.ticket_id == ticket_id else None
            if seen_here is None:  # the agent never saw this thread load: show it before anything goes out
                return SendResult(False, now)
            change = new_activity(seen_here, now.ticket, now.messages, now.comments)
            if change.any:
                return SendResult(False, now, frozenset(item.id for item in change.new_items))
            await api.messages.create(ticket_id, {"direction": "outbound", "channel": "email", "body": text},
                                      idempotency_key=idempotency_key)
        else:
            try:
                await api.comments.create(ticket_id, {"body": text, "pinned": pinned}, idempotency_key=idempotency_key)
            except errors.ApiConnectionError:
                if store.outbox is None:
                    raise
                # No answer: queued with the key this attempt used, so a note the server did
                # take is not added twice by the replay.
                return await self._queue_note(ticket_id, text, idempotency_key, pinned)
        try:
            return SendResult(True, await self.fetch(ticket_id))
        except errors.ApiError:
            return SendResult(True)

    async def _queue_note(self, ticket_id: str, text: str, idempotency_key: str, pinned: bool) -> SendResult:
        ticket = self._tickets.held(ticket_id)
        subject = ticket.subject if ticket is not None else ticket_id
        await self._tickets.outbox.queue("tickets", ticket_id, "note", {"body": text, "pinned": pinned},
                                         label=f"{subject}: internal note", idempotency_key=idempotency_key)
        self._tickets.changes.emit(StoreChange(upserted=(ticket_id,)))  # its row shows the pending mark
        return SendResult(False, queued=True)

    async def add_message(self, ticket_id: str, body: dict[str, Any], *, idempotency_key: str) -> Message:
        """Add a message to a ticket's thread (a new ticket's first, inbound, message)."""
        message = await self._tickets.api.messages.create(ticket_id, body, idempotency_key=idempotency_key)
        await self._tickets.write_cache(ticket_messages=[dump(message)])
        return message
