"""One ticket's conversation as a single timeline: pinned internal notes first, then customer
messages, replies and internal notes in the order they happened. Qt-free."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

#: Entry kinds: what the customer wrote, what was sent to them, and what only agents see.
INBOUND, OUTBOUND, NOTE = "inbound", "outbound", "note"


@dataclass(frozen=True)
class TimelineEntry:
    """One item of the conversation; `customer_visible` is False for internal notes."""

    id: str
    kind: str
    body: str
    created_at: str
    author_id: str | None = None
    channel: str | None = None
    pinned: bool = False
    is_new: bool = False

    @property
    def customer_visible(self) -> bool:
        return self.kind != NOTE


def build_timeline(messages: Iterable[dict[str, Any]], comments: Iterable[dict[str, Any]],
                   new_ids: frozenset[str] = frozenset()) -> list[TimelineEntry]:
    """Pinned notes on top (oldest first), then everything else oldest first."""
    entries = [
        TimelineEntry(id=m["id"], kind=OUTBOUND if m.get("direction") == "outbound" else INBOUND,
                      body=m.get("body") or "", created_at=str(m.get("created_at") or ""),
                      author_id=m.get("author_id"), channel=m.get("channel"), is_new=m["id"] in new_ids)
        for m in messages
    ] + [
        TimelineEntry(id=c["id"], kind=NOTE, body=c.get("body") or "", created_at=str(c.get("created_at") or ""),
                      author_id=c.get("author_id"), pinned=bool(c.get("pinned")), is_new=c["id"] in new_ids)
        for c in comments
    ]
    entries.sort(key=lambda entry: (not entry.pinned, entry.created_at, entry.id))
    return entries
