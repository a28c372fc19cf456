"""A customer reply written offline (or sent with no answer back), kept as the agent's draft marked
"send when online".

The mark is stored on the draft itself (`DraftStore.mark`), so it survives a restart with the
text and goes with it when the draft is sent or dropped. It holds what the reply's one Send needs
later: the Idempotency-Key minted when the agent first pressed Send (the same reply is never
posted twice), and what the agent had seen of the ticket then, so the collision check on
reconnect shows what came in since the reply was written. Qt-free.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from app.data.ticket_conversation import REPLY, ActivitySnapshot

#: The mark's kind, so other marks a draft may carry one day are never taken for this one.
SEND_WHEN_ONLINE = "send_when_online"


@dataclass(frozen=True)
class WaitingReply:
    """The key of a reply held offline, and the ticket as the agent had seen it when writing (or None)."""

    idempotency_key: str
    seen: ActivitySnapshot | None = None
    #: Its POST may have gone out with no answer back: the server may already have it (the same
    #: key makes sending it again safe), so it is never said to be "not sent".
    unanswered: bool = False

    def to_mark(self) -> str:
        seen = self.seen
        return json.dumps({
            "kind": SEND_WHEN_ONLINE,
            "idempotency_key": self.idempotency_key,
            "unanswered": self.unanswered,
            "seen": None if seen is None else {"ticket_id": seen.ticket_id, "version": seen.version,
                                               "ids": sorted(seen.seen_ids)},
        })

    @classmethod
    def from_mark(cls, mark: str | None) -> WaitingReply | None:
        """The waiting reply a draft's mark describes; None for no mark, another kind, or an unreadable one."""
        try:
            data = json.loads(mark) if mark else None
            if not isinstance(data, dict) or data.get("kind") != SEND_WHEN_ONLINE:
                return None
            seen = data.get("seen")
            snapshot = None if seen is None else ActivitySnapshot(str(seen["ticket_id"]), int(seen["version"]),
                                                                  frozenset(map(str, seen["ids"])))
            return cls(str(data["idempotency_key"]), snapshot, data.get("unanswered") is True)
        except (ValueError, TypeError, KeyError):
            return None  # a mark the console cannot read: the draft stays a plain draft, nothing is sent


def waiting_replies(drafts: Iterable) -> dict[str, WaitingReply]:
    """Ticket id → waiting reply, from the profile's saved drafts (`DraftStore.list("ticket:")`)."""
    found: dict[str, WaitingReply] = {}
    for draft in drafts:
        prefix, _, rest = draft.key.partition(":")
        ticket_id, _, kind = rest.rpartition(":")
        waiting = WaitingReply.from_mark(getattr(draft, "mark", None)) if prefix == "ticket" and kind == REPLY else None
        if waiting is not None and ticket_id:
            found[ticket_id] = waiting
    return found
