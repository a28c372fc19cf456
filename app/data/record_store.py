"""The shape every resource store shares: cached reads, server reads, writes, three-way merge.

`RecordStore` keeps no copy of a record: the page cache holds the stored JSON, the view holds
the typed model it was handed. A write says which version it started from (`base`); on a stale
`If-Match` the store fetches theirs and merges (`app.data.merge`); only fields both sides changed
differently come back to the operator as a `MergeNeeded`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, TypeVar

from app.api import errors
from app.api.models.base import ApiModel
from app.data.connection import Connection
from app.data.merge import Choice, MergeResult, Path, changed_fields, three_way
from app.data.observable import Observable
from app.data.outbox import new_key

M = TypeVar("M", bound=ApiModel)
#: The fields that name a record in the outbox's list ("Ada Lovelace: phone, notes").
_TITLE_FIELDS = ("name", "subject", "invoice_number", "url")
#: A stale If-Match retried after a clean merge; a workspace where more colleagues race than this
#: is asked rather than looped on.
MAX_MERGE_ROUNDS = 3


class Offline(errors.ApiConnectionError):
    """The store has no client (no connection was made): nothing can be sent."""

    def __init__(self) -> None:
        super().__init__("Not connected to a server.")


@dataclass(frozen=True)
class StoreChange:
    """What changed in a store: ids stored or updated, ids removed, or `reset` (re-read all)."""

    upserted: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    reset: bool = False


@dataclass(frozen=True)
class Saved(Generic[M]):
    """The server took the write; `merged_from` names fields taken from a colleague's change."""

    record: M
    merged_from: tuple[str, ...] = ()


@dataclass(frozen=True)
class Queued(Saved[M]):
    """The server could not be reached: the change waits in the outbox and is sent on reconnect.

    `record` is the record as it will be once sent (what the views show, marked pending)."""

    item: Any = None


@dataclass(frozen=True)
class MergeNeeded(Generic[M]):
    """Both sides changed some fields differently: the operator picks, then `resolve`."""

    base: M
    theirs: M
    mine: dict[str, Any]
    merge: MergeResult
    merged_from: tuple[str, ...] = field(default=())
    #: The refused (412) write's request id, for the banner's request-log link.
    request_id: str | None = None


def dump(record: ApiModel) -> dict[str, Any]:
    return record.model_dump(mode="json")


class RecordStore(Generic[M]):
    """Base of the stores of records with ids and versions (contacts, companies, invoices, …)."""

    #: Page cache resource name.
    resource: ClassVar[str]
    #: The client's resource attribute (`client.contacts`).
    endpoint: ClassVar[str]
    model: ClassVar[type[ApiModel]]
    #: Top-level fields a PATCH may carry (the rest are the server's).
    editable: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, client: Any, cache: Any, connection: Connection, outbox: Any = None) -> None:
        self._client = client
        self._cache = cache
        self.connection = connection
        #: The profile's `app.data.outbox.Outbox`: offline edits wait there (None: refused offline).
        self.outbox = outbox
        self.changes: Observable[StoreChange] = Observable()

    # ---- reads -----------------------------------------------------------------------------
    @property
    def online(self) -> bool:
        return self._client is not None and not self.connection.offline

    def supports(self, operation: str) -> bool:
        """True unless the profile's platform lacks `operation` ("tickets.list"; its manifest says)."""
        dialect = getattr(self._client, "dialect", None)
        return dialect is None or dialect.manifest.supports(operation)

    @property
    def api(self) -> Any:
        """The client's resource; `Offline` without a client."""
        if self._client is None:
            raise Offline()
        return getattr(self._client, self.endpoint)

    def parse(self, body: Mapping[str, Any]) -> M:
        return self.model.model_validate(body)  # type: ignore[return-value]

    async def cached(self, record_id: str) -> M | None:
        if self._cache is None:
            return None
        body = await self._cache.get_record(self.resource, record_id)
        return self.parse(body) if body is not None else None

    async def cached_where(self, *, limit: int = 5000, **options: Any) -> list[M]:
        if self._cache is None:
            return []
        return [self.parse(body) for body in await self._cache.query_records(self.resource, limit=limit, **options)]

    async def fetch(self, record_id: str) -> M:
        """The server's record, stored in the cache; a deleted record is dropped and `NotFound` raised."""
        try:
            record = await self.api.get(record_id)
        except errors.NotFound:
            await self.forget(record_id)
            raise
        await self.remember([record])
        return record

    # ---- the cache, and telling the views ---------------------------------------------------
    async def remember(self, records: Iterable[M]) -> None:
        records = list(records)
        if not records:
            return
        if self._cache is not None:
            await self._cache.put_records(self.resource, [dump(r) for r in records])
        self.changes.emit(StoreChange(upserted=tuple(r.id for r in records)))  # type: ignore[attr-defined]

    async def take_synced(self, records: Iterable[M]) -> None:
        """A page of the background sync: cached, and the views told (stores that hold a working
        set of their own take only the records they hold)."""
        await self.remember(records)

    async def forget(self, record_id: str) -> None:
        if self._cache is not None:
            await self._cache.delete_record(self.resource, record_id)
        self.changes.emit(StoreChange(removed=(record_id,)))

    # ---- writes ----------------------------------------------------------------------------
    async def create(self, body: ApiModel | Mapping[str, Any]) -> M:
        record = await self.api.create(body)
        await self.remember([record])
        return record

    async def update(self, base: M, mine: Mapping[str, Any], *,
                     idempotency_key: str | None = None) -> Saved[M] | MergeNeeded[M]:
        """Save the operator's change of `base`: sent now, or (offline, with an outbox) `Queued`.

        A record with changes still waiting in the outbox queues this one behind them, so one
        record's changes reach the server in the order they were made. An attempt that got no
        answer is queued with the Idempotency-Key it used: if the server did apply it, the replay
        gets the first answer back instead of applying it twice. The replay itself passes the
        queued key and is always sent.
        """
        if self.outbox is None or idempotency_key is not None:
            return await self.send_update(base, mine, idempotency_key=idempotency_key)
        record_id = base.id  # type: ignore[attr-defined]
        if not self.online or record_id in self.outbox.pending_ids(self.resource):
            return await self._queue(base, mine, None)
        key = new_key()
        try:
            return await self.send_update(base, mine, idempotency_key=key)
        except errors.ApiConnectionError:
            return await self._queue(base, mine, key)

    async def _queue(self, base: M, mine: Mapping[str, Any], key: str | None) -> Queued[M]:
        base_body = dump(base)
        fields = self._patch(base_body, {**base_body, **mine})
        title = next((str(v) for v in (getattr(base, name, None) for name in _TITLE_FIELDS) if v), "")
        label = f"{title or base.id}: {', '.join(fields)}"  # type: ignore[attr-defined]
        item = await self.outbox.queue(self.resource, base.id, "update", fields, base=base_body,  # type: ignore
                                       base_version=base.version, label=label, idempotency_key=key)  # type: ignore
        local = self.parse({**base_body, **fields})
        await self.remember([local])
        return Queued(local, (), item)

    async def send_update(self, base: M, mine: Mapping[str, Any], *,
                          idempotency_key: str | None = None) -> Saved[M] | MergeNeeded[M]:
        """Send the fields of `mine` that differ from `base`, with `If-Match: base.version`.

        A 412 fetches theirs and merges three ways; a clean merge is sent at once against their
        version, a conflicted one comes back as `MergeNeeded` for the operator to settle.
        `idempotency_key` (the outbox's, minted when the operator acted) keys the first PATCH; a
        merged re-send is another request, keyed by it and the version it is sent against, so a
        replay after a crash repeats exactly the requests that were made.
        """
        base_body = dump(base)
        mine_body = {**base_body, **mine}
        merged_from: tuple[str, ...] = ()
        current = base
        patch = self._patch(base_body, mine_body)
        for _round in range(MAX_MERGE_ROUNDS):
            if not patch:
                return Saved(current, merged_from)
            key = idempotency_key if current is base or idempotency_key is None else \
                f"{idempotency_key}.v{current.version}"  # type: ignore[attr-defined]
            try:
                saved = await self.api.update(current.id, patch, if_match=current.version,  # type: ignore[attr-defined]
                                              idempotency_key=key)
            except errors.PreconditionFailed as stale:
                theirs = await self.fetch(current.id)  # type: ignore[attr-defined]
                theirs_body = dump(theirs)
                merge = three_way(base_body, mine_body, theirs_body)
                merged_from = tuple(sorted(set(merged_from) | set(self._patch(base_body, theirs_body))))
                if not merge.clean:
                    return MergeNeeded(base, theirs, mine_body, merge, merged_from, stale.request_id)
                current, patch = theirs, self._patch(theirs_body, merge.merged)
                continue
            await self.remember([saved])
            return Saved(saved, merged_from)
        raise errors.PreconditionFailed("The record kept changing on the server while saving; open it again.",
                                        status=412, code="PRECONDITION_FAILED")

    async def resolve(self, needed: MergeNeeded[M], choices: Mapping[Path, Choice]) -> Saved[M] | MergeNeeded[M]:
        """Save the merge with the operator's choice per conflict, against their version."""
        return await self.update(needed.theirs, needed.merge.resolved(choices))

    async def delete(self, record: M) -> None:
        await self.api.delete(record.id, if_match=record.version)  # type: ignore[attr-defined]
        await self.forget(record.id)  # type: ignore[attr-defined]

    def _patch(self, before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
        patch = changed_fields(before, after)
        return {k: v for k, v in patch.items() if not self.editable or k in self.editable}
