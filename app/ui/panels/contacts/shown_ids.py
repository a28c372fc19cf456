"""The ids of the rows a contacts table shows, in shards so that no single growth step is long.

A dict rehashes every key when it outgrows its table: at 131,072 ids that took 5-8 ms on the UI
thread, inside one appended slice, and stalled the scroll. Split over `SHARDS` dicts by the id's
hash, each resize moves a thirty-second of the ids. Dicts of strings also stay out of the cyclic
collector's passes (a set would not: 250k ids added 6 ms to each full pass).
"""

from __future__ import annotations

from collections.abc import Iterable

SHARDS = 32


class ShownIds:
    """A set of ids (`in`, `add`, `discard`, `update`) kept as `SHARDS` dicts."""

    __slots__ = ("_shards",)

    def __init__(self, ids: Iterable[str] = ()) -> None:
        self._shards: list[dict[str, None]] = [{} for _ in range(SHARDS)]
        self.update(ids)

    def __contains__(self, record_id: object) -> bool:
        return record_id in self._shards[hash(record_id) % SHARDS]

    def __len__(self) -> int:
        return sum(len(shard) for shard in self._shards)

    def add(self, record_id: str) -> None:
        self._shards[hash(record_id) % SHARDS][record_id] = None

    def discard(self, record_id: str) -> None:
        self._shards[hash(record_id) % SHARDS].pop(record_id, None)

    def update(self, ids: Iterable[str]) -> None:
        shards = self._shards
        for record_id in ids:
            shards[hash(record_id) % SHARDS][record_id] = None
