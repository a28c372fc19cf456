"""Sending the outbox once the server answers again: in order, one at a time, with the original keys.

Rules, in the order they are checked for each queued change (oldest first):
- a record whose earlier change still waits for the operator holds its later ones back (changes
  to one record are applied in the order they were made, or not at all);
- no answer (offline again): stop, everything stays queued for the next reconnect;
- a stale `If-Match` (412) goes to the store's three-way merge; a clean merge is sent and the item
  is done, a real collision stays queued "needs attention" with the fields both sides changed;
- the record is gone or out of reach (404, 403): never replayed into it; kept for the operator;
- any other refusal that is the operator's to fix (422, 409, 400): kept with the server's message;
- success: the item is removed, and the store has the server's record (views follow).
A crash at any point replays the same requests with the same Idempotency-Keys, so the server
applies each change once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from app.api import errors
from app.data.observable import Observable
from app.data.outbox import Outbox, OutboxItem
from app.data.record_store import MergeNeeded

#: Outbox resources and the `Stores` attribute whose store sends them.
STORES = {"contacts": "contacts", "companies": "companies", "tickets": "tickets", "invoices": "invoices"}


@dataclass
class ReplayReport:
    sent: int = 0
    merged: int = 0
    needs_attention: int = 0
    stopped_offline: bool = False


class OutboxReplay:
    """`run()` sends what it can of `outbox` through `stores` and says what happened."""

    def __init__(self, outbox: Outbox, stores: Any) -> None:
        self.outbox = outbox
        self.stores = stores
        #: Per record: the version a change was sent against and the server's answer to it. A
        #: record's next change queued against that same version continues from the answer
        #: instead of meeting its own predecessor as a stale If-Match.
        self._answered: dict[tuple[str, str], tuple[int, Any]] = {}

    async def run(self) -> ReplayReport:
        report = ReplayReport()
        held: set[tuple[str, str]] = set()
        for item in list(self.outbox.items):
            record = (item.resource, item.record_id or f"new-{item.seq}")
            if not item.waiting or record in held:
                held.add(record)
                continue
            try:
                merged = await self._send(item)
            except errors.ApiConnectionError:
                report.stopped_offline = True
                break
            except (errors.NotFound, errors.Forbidden) as error:
                gone = "was deleted" if isinstance(error, errors.NotFound) else "is no longer yours to change"
                await self.outbox.mark(item.seq, "needs_attention", f"Not sent: this record {gone} on the server.")
            except errors.ValidationFailed as error:
                words = "; ".join(f"{name}: {text}" for name, text in error.fields.items()) or error.message
                await self.outbox.mark(item.seq, "needs_attention", f"Not sent: {words}")
            except errors.ApiStatusError as error:
                await self.outbox.mark(item.seq, "needs_attention", f"Not sent: {error.message}")
            except _Collision as collision:
                await self.outbox.mark(item.seq, "needs_attention", str(collision))
            else:
                report.sent += 1
                report.merged += int(merged)
                # Sent as it was: an edit made while it was on its way stays, under its new key.
                await self.outbox.drop(item.seq, key=item.idempotency_key)
                continue
            report.needs_attention += 1
            held.add(record)
        return report

    async def _send(self, item: OutboxItem) -> bool:
        """Send one item; True when a colleague's change was merged in on the way."""
        if item.action == "note":
            await self.stores.tickets.api.comments.create(item.record_id, item.fields,
                                                          idempotency_key=item.idempotency_key)
            await self.stores.tickets.conversations.fetch(item.record_id)
            return False
        store = getattr(self.stores, STORES[item.resource])
        if item.action == "create":
            created = await store.api.create(item.fields, idempotency_key=item.idempotency_key)
            await store.remember([created])
            return False
        base = store.parse(item.base)
        sent_against, answer = self._answered.get((item.resource, item.record_id), (None, None))
        if answer is not None and item.base_version == sent_against:
            base = answer
        outcome = await store.update(base, item.fields, idempotency_key=item.idempotency_key)
        if isinstance(outcome, MergeNeeded):
            fields = ", ".join(conflict.label for conflict in outcome.merge.conflicts)
            raise _Collision(f"A colleague changed {fields} too; open the record to choose which to keep.")
        self._answered[(item.resource, item.record_id)] = (item.base_version, outcome.record)
        return bool(outcome.merged_from)


class _Collision(Exception):
    """Both sides changed the same fields: the operator decides."""


class OutboxSender:
    """Sends the outbox whenever the server answers again, and probes for it while it does not.

    A change queued offline starts the probing: every `PROBE_SECONDS` one cheap request asks
    whether the server is back; any answered exchange (a panel's Retry, a poll) also counts. Then
    `OutboxReplay` runs; `reports` hears how each run went (the status bar's badge follows the
    outbox itself).
    """

    PROBE_SECONDS = 15.0

    def __init__(self, outbox: Outbox, stores: Any, spawn: Callable[[Coroutine[Any, Any, Any]], Any]) -> None:
        self.outbox = outbox
        self.stores = stores
        self._spawn = spawn
        self._task: Any = None
        self.reports: Observable[ReplayReport] = Observable()
        self._stops = [stores.connection.changes.subscribe(lambda state: self.kick()),
                       outbox.changes.subscribe(lambda items: self.kick())]

    def kick(self) -> None:
        """Send (or start waiting to send) if changes wait and no run is under way."""
        if self._task is not None and not self._task.done():
            return
        if any(item.waiting for item in self.outbox.items) and self.stores.client is not None:
            self._task = self._spawn(self._run())

    async def _run(self) -> None:
        replay = OutboxReplay(self.outbox, self.stores)
        while any(item.waiting for item in self.outbox.items):
            if self.stores.connection.offline:
                await asyncio.sleep(self.PROBE_SECONDS)
                try:
                    await self.stores.client.me.get()
                except errors.ApiError:
                    continue
            report = await replay.run()
            self.reports.emit(report)
            if not report.stopped_offline:
                return

    def close(self) -> None:
        for stop in self._stops:
            stop()
