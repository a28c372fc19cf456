"""Stores of short lists a view shows whole (webhook endpoints, API keys).

Such a list is a few dozen records, so the store holds it, in the server's order (newest first):
a count or a summary over it is then a plain sum the view can redo on every change, and every
write that goes through the store (create, update, rotate, revoke, delete) lands in it at once.
The page cache keeps the same records for the first paint and for offline starts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from app.api.models.base import ApiModel
from app.data.record_store import RecordStore, StoreChange

M = TypeVar("M", bound=ApiModel)
#: More than a short list ever holds; the cache's slice is bounded by it.
MAX_LISTED = 1000


@dataclass(frozen=True)
class Revealed(Generic[M]):
    """A record the platform returned with its secret, shown once: only `record` is kept or cached."""

    record: M
    secret: str = field(repr=False)


class ListedStore(RecordStore[M]):
    """A `RecordStore` that also holds the whole list; `changes` tell which ids moved."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._listed: dict[str, M] = {}

    @property
    def listed(self) -> list[M]:
        """Every record, newest first (the server's order; new ones on top)."""
        return list(self._listed.values())

    def listed_one(self, record_id: str) -> M | None:
        return self._listed.get(record_id)

    @property
    def connected(self) -> bool:
        """A client exists (a Retry can reach the server; offline or not is found by trying)."""
        return self._client is not None

    async def load_cached(self) -> list[M]:
        """The cached list, when nothing was listed yet this session (the first paint, offline)."""
        if not self._listed:
            cached = await self.cached_where(limit=MAX_LISTED)
            if cached:
                self._listed = {self._id(record): record for record in cached}
                self.changes.emit(StoreChange(reset=True))
        return self.listed

    async def reload(self) -> list[M]:
        """Every record from the server, cached; records the server no longer lists are forgotten.

        A platform that cannot list them (its manifest) keeps what this session made or read."""
        if not self.supports(f"{self.endpoint}.list"):
            return self.listed
        fresh = [self.keepable(record) async for record in (await self.api.list()).iter_items()]
        fresh_ids = {self._id(record) for record in fresh}
        if self._cache is not None:
            cached_ids = {self._id(record) for record in await self.cached_where(limit=MAX_LISTED)}
            for stale in cached_ids - fresh_ids:
                await self._cache.delete_record(self.resource, stale)
            if fresh:
                await self._cache.put_records(self.resource, [r.model_dump(mode="json") for r in fresh])
        self._listed = {self._id(record): record for record in fresh}
        self.changes.emit(StoreChange(reset=True))
        return self.listed

    def keepable(self, record: M) -> M:
        """The record as it may be kept and cached (subclasses drop secrets here)."""
        return record

    async def remember(self, records: Iterable[M]) -> None:
        kept = [self.keepable(record) for record in records]
        new = {self._id(r): r for r in kept if self._id(r) not in self._listed}
        for record in kept:
            if self._id(record) in self._listed:
                self._listed[self._id(record)] = record
        if new:
            self._listed = {**new, **self._listed}
        await super().remember(kept)

    async def forget(self, record_id: str) -> None:
        self._listed.pop(record_id, None)
        await super().forget(record_id)

    @staticmethod
    def _id(record: M) -> str:
        return record.id  # type: ignore[attr-defined]
