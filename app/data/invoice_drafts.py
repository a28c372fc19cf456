"""Invoice drafts created or changed offline, as the lists show them until the server has them.

A draft created without a server waits in the outbox as a `create`, with the Idempotency-Key
minted when the operator saved it. Until the server names it, it is a provisional draft built
from the queued body: id `new-<outbox seq>`, status draft, no number yet (the server assigns one),
totals by the platform's own rule (integer cents, each line taxed on its own, half-up), so the
list's footer counts it as the server will. A draft edited offline keeps its server id and gets
its totals recomputed the same way.

When the outbox's create is sent, the server's invoice takes the provisional one's place; the
key the create was sent with says which invoice it became (`sent_as`), so an editor that still
shows the provisional draft can carry on with the real one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from app.api.models import Invoice
from app.data.outbox import OutboxItem

RESOURCE = "invoices"
_PREFIX = "new-"


def placeholder_id(seq: int) -> str:
    """The provisional id of the draft the outbox item `seq` creates (the replay's own name for it)."""
    return f"{_PREFIX}{seq}"


def is_provisional(invoice_id: str | None) -> bool:
    """Whether `invoice_id` names a draft the server does not have yet."""
    return bool(invoice_id) and invoice_id.startswith(_PREFIX)


def draft_totals(line_items: Iterable[Mapping[str, Any] | Any]) -> dict[str, int]:
    """Subtotal, tax and total of the lines in cents, as the platform computes them."""
    subtotal = tax = 0
    for line in line_items:
        values = line if isinstance(line, Mapping) else line.model_dump()
        amount = int(values.get("quantity", 1)) * int(values.get("unit_amount_cents", 0))
        subtotal += amount
        tax += (amount * int(values.get("tax_rate_bps") or 0) * 2 + 10_000) // 20_000
    return {"subtotal_cents": subtotal, "tax_cents": tax, "total_cents": subtotal + tax}


def with_totals(invoice: Invoice) -> Invoice:
    """`invoice` (edited locally) with the totals its lines add up to and what is then due."""
    totals = draft_totals(invoice.line_items)
    due = 0 if invoice.status == "void" else max(totals["total_cents"] - invoice.amount_paid_cents, 0)
    return invoice.model_copy(update={**totals, "amount_due_cents": due})


def provisional(item: OutboxItem) -> Invoice:
    """The draft a queued create will make, as the lists and the editor show it meanwhile."""
    stamp = datetime.fromtimestamp(item.queued_at, UTC)
    totals = draft_totals(item.fields.get("line_items") or ())
    return Invoice.model_validate({
        "currency": "USD", **item.fields, "id": placeholder_id(item.seq),
        "invoice_number": item.fields.get("invoice_number") or "", "status": "draft", "version": 0,
        "created_at": stamp, "updated_at": stamp, **totals, "amount_paid_cents": 0,
        "amount_due_cents": totals["total_cents"]})


class PendingDrafts:
    """The outbox's invoice creates as provisional drafts, and the invoice each one became."""

    def __init__(self) -> None:
        self._creates: dict[str, OutboxItem] = {}
        #: Idempotency-Key of a create the server answered → the invoice id it made.
        self._made_by_key: dict[str, str] = {}
        #: Provisional id → the server's invoice id, once its create was sent.
        self._sent_as: dict[str, str] = {}

    def follow(self, items: Iterable[OutboxItem]) -> tuple[list[Invoice], list[str]]:
        """Take the outbox's items as they are now: the provisional drafts, and the ids of those gone."""
        creates = {placeholder_id(item.seq): item for item in items
                   if item.resource == RESOURCE and item.action == "create"}
        gone = [draft_id for draft_id in self._creates if draft_id not in creates]
        for draft_id in gone:
            made = self._made_by_key.pop(self._creates[draft_id].idempotency_key, None)
            if made is not None:
                self._sent_as[draft_id] = made
        self._creates = creates
        return self.drafts(), gone

    def drafts(self) -> list[Invoice]:
        """The provisional drafts, newest first (as the server lists invoices)."""
        return [provisional(item) for item in sorted(self._creates.values(), key=lambda i: -i.seq)]

    def item(self, draft_id: str) -> OutboxItem | None:
        return self._creates.get(draft_id)

    def sent_as(self, draft_id: str) -> str | None:
        """The server's id of the invoice a provisional draft became (None: not sent yet, or dropped)."""
        return self._sent_as.get(draft_id)

    def created(self, idempotency_key: str | None, invoice_id: str) -> None:
        """The server made `invoice_id` for the create keyed `idempotency_key`."""
        if idempotency_key:
            self._made_by_key[idempotency_key] = invoice_id


class KeyedCreates:
    """The client's invoices resource, telling `drafts` which invoice each keyed create made.

    The outbox's replay creates through the store's `api`; this is how the store learns which
    provisional draft a new invoice replaces without the replay knowing about drafts.
    """

    def __init__(self, resource: Any, drafts: PendingDrafts) -> None:
        self._resource = resource
        self._drafts = drafts

    def __getattr__(self, name: str) -> Any:
        return getattr(self._resource, name)

    async def create(self, invoice: Any, *, idempotency_key: str | None = None) -> Invoice:
        created = await self._resource.create(invoice, idempotency_key=idempotency_key)
        self._drafts.created(idempotency_key, created.id)
        return created
