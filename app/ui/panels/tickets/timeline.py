"""One ticket's conversation as a single timeline: pinned internal notes first, then customer
messages, replies and internal notes in the order they happened. Qt-free."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from app.api.models import Comment, Message

#: Entry kinds: what the customer wrote, what was sent to them, and what only agents see.
INBOUND, OUTBOUND, NOTE = "inbound", "outbound", "note"


@dataclass(frozen=True)
class TimelineEntry:
    """One item of the conversation; `customer_visible` is False for internal notes."""

    id: str
    kind: str
    body: str
    created_at: datetime
    author_id: str | None = None
    channel: str | None = None
    pinned: bool = False
    is_new: bool = False

    @property
    def customer_visible(self) -> bool:
        return self.kind != NOTE


def build_timeline(messages: Iterable[Message], comments: Iterable[Comment],
                   new_ids: frozenset[str] = frozenset()) -> list[TimelineEntry]:
    """Pinned notes on top (oldest first), then everything else oldest first."""
    entries = [
        TimelineEntry(id=m.id, kind=OUTBOUND if m.direction == "outbound" else INBOUND, body=m.body or "",
                      created_at=m.created_at, author_id=m.author_id, channel=m.channel, is_new=m.id in new_ids)
        for m in messages
    ] + [
        TimelineEntry(id=c.id, kind=NOTE, body=c.body or "", created_at=c.created_at, author_id=c.author_id,
                      pinned=c.pinned, is_new=c.id in new_ids)
        for c in comments
    ]
    entries.sort(key=lambda entry: (not entry.pinned, entry.created_at, entry.id))
    return entries
