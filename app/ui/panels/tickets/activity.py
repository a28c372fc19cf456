"""Collision safety for replies: what changed on a ticket since the agent opened it.

Help Scout's rule: if a colleague replied or the ticket changed while you were typing, your reply
is held and the new activity is shown first. Qt-free: the panel takes a snapshot when it opens a
ticket and compares it with a fresh fetch just before sending.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any


def _get(record: Any, name: str) -> Any:
    return record.get(name) if isinstance(record, dict) else getattr(record, name, None)


@dataclass(frozen=True)
class ActivitySnapshot:
    """What the agent has seen of a ticket: its version and the ids of its messages and notes."""

    ticket_id: str
    version: int | None
    seen_ids: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def of(cls, ticket: Any, messages: Iterable[Any], comments: Iterable[Any]) -> ActivitySnapshot:
        ids = {_get(item, "id") for item in (*messages, *comments)}
        return cls(_get(ticket, "id"), _get(ticket, "version"), frozenset(ids))


@dataclass(frozen=True)
class NewActivity:
    """The difference between a snapshot and the ticket now."""

    ticket_changed: bool
    new_items: Sequence[Any]

    @property
    def any(self) -> bool:
        return self.ticket_changed or bool(self.new_items)


def new_activity(seen: ActivitySnapshot, ticket: Any, messages: Iterable[Any], comments: Iterable[Any]) -> NewActivity:
    """New messages/notes since `seen`, and whether the ticket's own fields changed."""
    fresh = [item for item in (*messages, *comments) if _get(item, "id") not in seen.seen_ids]
    return NewActivity(ticket_changed=_get(ticket, "version") != seen.version, new_items=fresh)
