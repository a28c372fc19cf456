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

from dataclasses import dataclass
from typing import Any

from app.api import errors
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
            except errors.ApiStatusError as error:
                await self.outbox.mark(item.seq, "needs_attention", f"Not sent: {error.message}")
            except _Collision as collision:
                await self.outbox.mark(item.seq, "needs_attention", str(collision))
            else:
                report.sent += 1
                report.merged += int(merged)
                await self.outbox.drop(item.seq)
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
