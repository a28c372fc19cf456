"""Sending what an agent wrote: a customer reply only after a fresh look at the ticket shows
nothing new since they opened it, an internal note straight away. Qt-free.

A reply cannot be unsent, so a reply is held (not sent) when the ticket's version moved or a
message or note appeared that the agent has not seen; the caller shows that activity first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.ui.panels.tickets.activity import ActivitySnapshot, new_activity
from app.ui.panels.tickets.ticket_data import Conversation, fetch_conversation

REPLY, NOTE = "reply", "note"


@dataclass(frozen=True)
class SendResult:
    """`sent`, or held: then `now` is the ticket as it is and `new_ids` what the agent has not seen."""

    sent: bool
    now: Conversation | None = None
    new_ids: frozenset[str] = frozenset()


async def send_written(client: Any, kind: str, ticket_id: str, text: str, idempotency_key: str, *,
                       seen: ActivitySnapshot | None, pinned: bool = False) -> SendResult:
    """Post a reply (collision-checked against `seen`) or a note; API errors propagate."""
    if kind == REPLY:
        now = await fetch_conversation(client, ticket_id)
        seen_here = seen if seen is not None and seen.ticket_id == ticket_id else None
        if seen_here is None:  # the agent never saw this thread load: show it before anything goes out
            return SendResult(False, now)
        change = new_activity(seen_here, now.ticket, now.messages, now.comments)
        if change.any:
            return SendResult(False, now, frozenset(item["id"] for item in change.new_items))
        await client.tickets.messages.create(
            ticket_id, {"direction": "outbound", "channel": "email", "body": text}, idempotency_key=idempotency_key)
    else:
        await client.tickets.comments.create(ticket_id, {"body": text, "pinned": pinned},
                                             idempotency_key=idempotency_key)
    return SendResult(True)
