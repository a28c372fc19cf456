"""Invoices with their payments; the footer's totals are derived here.

A list on screen is an `InvoiceList`: the invoices matching one `InvoiceFilter`, read from the
cache first and then from the server. Every write that goes through the store (a draft created
or saved, an invoice sent or voided, a payment recorded) and every server read lands in each open
list, so a list's `totals` (the footer's "N invoices — due … · paid …") follow each change
without a reload. Drafts save through the base class's three-way merge, line items per line.
`issuer()` says who the invoices are from (the workspace's billing identity, for the PDF).

Offline, drafts still change: an edit waits in the outbox like any record's, a new draft waits
as a create and shows in the lists as a provisional draft (`app.data.invoice_drafts`) until the
server has it. Sending, voiding and payments move money and need the server.
"""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Literal

from app.api import errors
from app.api.models import Invoice, InvoiceCreate, InvoiceUpdate, Payment
from app.data.connection import Connection
from app.data.invoice_drafts import (
    KeyedCreates,
    PendingDrafts,
    is_provisional,
    provisional,
    with_totals,
)
from app.data.invoice_issuer import Issuer
from app.data.observable import Observable
from app.data.outbox import OutboxItem, new_key
from app.data.record_store import MergeNeeded, Offline, Queued, RecordStore, Saved, dump

#: Invoices a list shows from the cache; a workspace with more is narrowed by its filters.
MAX_LISTED = 5000
#: Page size of the server reads (the platform's maximum).
PAGE_SIZE = 100
#: The page cache's resource for payment lists (one cached list per invoice).
PAYMENTS = "payments"
#: The page cache's resource for the issuer (GET /workspace's name and address), for offline PDFs.
ISSUER = "invoice_issuer"


@dataclass(frozen=True)
class InvoiceFilter:
    """What the list shows: one status, one customer, due strictly before a day (None: any)."""

    status: str | None = None
    company_id: str | None = None
    due_before: date | None = None

    def matches(self, invoice: Invoice) -> bool:
        return ((self.status is None or invoice.status == self.status)
                and (self.company_id is None or invoice.company_id == self.company_id)
                and (self.due_before is None
                     or (invoice.due_date is not None and invoice.due_date < self.due_before)))

    def cache_filters(self) -> dict[str, Any] | None:
        """The equality filters the page cache can apply itself (the due date is checked after)."""
        found = {name: value for name, value in (("status", self.status), ("company_id", self.company_id)) if value}
        return found or None

    def query(self) -> dict[str, Any]:
        """The arguments of `client.invoices.list`."""
        return {"status": self.status, "company_id": self.company_id, "due_before": self.due_before}


@dataclass(frozen=True)
class ListTotals:
    """How many invoices, and the money due and paid on them per currency (minor units)."""

    count: int
    due: Mapping[str, int] = field(default_factory=dict)
    paid: Mapping[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, invoices: Iterable[Invoice]) -> ListTotals:
        count, due, paid = 0, {}, {}
        for invoice in invoices:
            count += 1
            currency = invoice.currency or "USD"
            due[currency] = due.get(currency, 0) + invoice.amount_due_cents
            paid[currency] = paid.get(currency, 0) + invoice.amount_paid_cents
        return cls(count, due, paid)

    @property
    def currencies(self) -> list[str]:
        return sorted(set(self.due) | set(self.paid))


@dataclass(frozen=True)
class RecordedPayment:
    """A payment the server took, and the invoice as it stands after it."""

    payment: Payment
    invoice: Invoice


class InvoiceList:
    """The invoices matching `filter`, newest first, as the store last knew them.

    `changes` carries the list itself after each change: the first fill from the cache, the
    server's answer, and every record a store write or read touched since (added when it now
    matches, replaced, or dropped when it no longer matches).
    """

    def __init__(self, store: InvoiceStore, invoice_filter: InvoiceFilter) -> None:
        self.filter = invoice_filter
        self.changes: Observable[InvoiceList] = Observable()
        #: Where the records came from last: nothing yet, the page cache, or the server.
        self.source: Literal["none", "cache", "server"] = "none"
        self._store = store
        self._records: dict[str, Invoice] = {}

    @property
    def records(self) -> list[Invoice]:
        return list(self._records.values())

    @property
    def totals(self) -> ListTotals:
        return ListTotals.of(self._records.values())

    def get(self, invoice_id: str) -> Invoice | None:
        return self._records.get(invoice_id)

    async def load(self) -> None:
        """The cached matches at once, then the server's; a connection error comes after the first.

        Drafts waiting in the outbox to be created lead both (they are the newest)."""
        waiting = self._store.provisional_matching(self.filter)
        self._replace([*waiting, *await self._store.cached_matching(self.filter)], "cache")
        fresh = await self._store.server_matching(self.filter)
        self._replace([*self._store.provisional_matching(self.filter), *fresh], "server")
        await self._store.remember(fresh)

    def close(self) -> None:
        """Stop following the store (the view moved on to another filter)."""
        self._store.unlist(self)

    def _replace(self, records: list[Invoice], source: Literal["cache", "server"]) -> None:
        self._records = {invoice.id: invoice for invoice in records}
        self.source = source
        self.changes.emit(self)

    def take(self, records: Iterable[Invoice]) -> None:
        """The store stored `records`: follow them (newcomers on top, as the server orders)."""
        changed = False
        for invoice in records:
            known = self._records.get(invoice.id)
            if self.filter.matches(invoice):
                if known == invoice:
                    continue
                if known is None:
                    self._records = {invoice.id: invoice, **self._records}
                else:
                    self._records[invoice.id] = invoice
                changed = True
            elif known is not None:
                del self._records[invoice.id]
                changed = True
        if changed:
            self.changes.emit(self)

    def drop(self, invoice_id: str) -> None:
        if self._records.pop(invoice_id, None) is not None:
            self.changes.emit(self)


class InvoiceStore(RecordStore[Invoice]):
    """Invoices and their payments, cached and on the server; open lists follow every write."""

    resource = "invoices"
    endpoint = "invoices"
    model = Invoice
    editable = frozenset(InvoiceUpdate.model_fields)

    def __init__(self, client: Any, cache: Any, connection: Connection, outbox: Any = None) -> None:
        self._lists: weakref.WeakSet[InvoiceList] = weakref.WeakSet()
        self._drafts = PendingDrafts()
        self._outbox: Any = None
        self._stop_following: Any = None
        super().__init__(client, cache, connection, outbox)

    # ---- the outbox: drafts created offline ------------------------------------------------
    @property
    def outbox(self) -> Any:
        """The profile's outbox; its invoice creates are shown as provisional drafts in every list."""
        return self._outbox

    @outbox.setter
    def outbox(self, outbox: Any) -> None:
        if self._stop_following is not None:
            self._stop_following()
        self._outbox = outbox
        self._stop_following = outbox.changes.subscribe(self._on_outbox_changed) if outbox is not None else None
        self._on_outbox_changed(outbox.items if outbox is not None else [])

    @property
    def api(self) -> Any:
        return KeyedCreates(super().api, self._drafts)

    def provisional_matching(self, invoice_filter: InvoiceFilter) -> list[Invoice]:
        """The drafts waiting to be created that `invoice_filter` shows."""
        return [draft for draft in self._drafts.drafts() if invoice_filter.matches(draft)]

    def pending_ids(self) -> set[str]:
        """Invoices with a change waiting in the outbox, provisional drafts included (rows marked ⇪)."""
        if self._outbox is None:
            return set()
        return self._outbox.pending_ids(self.resource) | {draft.id for draft in self._drafts.drafts()}

    def waiting_change(self, invoice_id: str) -> OutboxItem | None:
        """The outbox's change to `invoice_id` that the operator should hear about first (one the
        server refused, else the oldest waiting), None when nothing waits."""
        if self._outbox is None:
            return None
        if is_provisional(invoice_id):
            return self._drafts.item(invoice_id)
        mine = [item for item in self._outbox.items if item.resource == self.resource and item.record_id == invoice_id]
        return next((item for item in mine if not item.waiting), mine[0] if mine else None)

    def sent_as(self, draft_id: str) -> str | None:
        """The server's id of the invoice a provisional draft became once its create was sent."""
        return self._drafts.sent_as(draft_id)

    def _on_outbox_changed(self, items: list[OutboxItem]) -> None:
        drafts, gone = self._drafts.follow(items)
        for invoice_list in list(self._lists):
            for draft_id in gone:
                invoice_list.drop(draft_id)
            invoice_list.take(drafts)

    # ---- lists -----------------------------------------------------------------------------
    def listing(self, invoice_filter: InvoiceFilter) -> InvoiceList:
        """A list for `invoice_filter` that follows the store until it is closed; `load()` fills it."""
        invoice_list = InvoiceList(self, invoice_filter)
        self._lists.add(invoice_list)
        return invoice_list

    def unlist(self, invoice_list: InvoiceList) -> None:
        self._lists.discard(invoice_list)

    async def cached_matching(self, invoice_filter: InvoiceFilter) -> list[Invoice]:
        found = await self.cached_where(filters=invoice_filter.cache_filters(), limit=MAX_LISTED)
        return [invoice for invoice in found if invoice_filter.matches(invoice)]

    async def server_matching(self, invoice_filter: InvoiceFilter) -> list[Invoice]:
        """Every invoice the server lists for the filter (not stored: `InvoiceList.load` does)."""
        return [invoice async for invoice in self.api.iterate(**invoice_filter.query(), limit=PAGE_SIZE)]

    async def remember(self, records: Iterable[Invoice]) -> None:
        records = list(records)
        await super().remember(records)
        for invoice_list in list(self._lists):
            invoice_list.take(records)

    async def forget(self, record_id: str) -> None:
        await super().forget(record_id)
        for invoice_list in list(self._lists):
            invoice_list.drop(record_id)

    # ---- drafts and their life ---------------------------------------------------------------
    async def create_draft(self, values: Mapping[str, Any]) -> Invoice:
        """A new draft from the editor's values (empty ones left to the server: number, customer)."""
        return await self.create({name: value for name, value in values.items() if value is not None})

    async def new_draft(self, values: Mapping[str, Any], *, label: str = "") -> Saved[Invoice] | Queued[Invoice]:
        """Create a draft now, or (no server, with an outbox) queue its create: `Queued` with the
        provisional draft the lists show meanwhile. `label` names it in the outbox.

        The Idempotency-Key is minted here, when the operator saved: a create that got no answer
        is queued with the key it was sent with, so if the server did make it, the replay gets
        that invoice back instead of a second one.
        """
        body = InvoiceCreate.model_validate({k: v for k, v in values.items() if v is not None}).to_body()
        if self._outbox is None:
            return Saved(await self.create(body))
        key = new_key()
        if self.online:
            try:
                created = await self.api.create(body, idempotency_key=key)
            except errors.ApiConnectionError:
                pass  # no answer: queued below with the key it used
            else:
                await self.remember([created])
                return Saved(created)
        item = await self._outbox.queue(self.resource, None, "create", body, label=label or "New invoice draft",
                                        idempotency_key=key)
        return Queued(provisional(item), (), item)

    async def update_draft(self, base: Invoice, values: Mapping[str, Any]
                           ) -> Saved[Invoice] | Queued[Invoice] | MergeNeeded[Invoice]:
        """Save the fields the operator changed over `base` (the version the edit started from),
        merged three ways on 412; offline it waits in the outbox (`Queued`, totals recomputed).

        An empty number or customer keeps the invoice's (the server refuses a null number);
        empty notes clear them. A provisional draft's queued create takes the change instead.
        """
        mine = {name: value for name, value in values.items() if value is not None or name == "notes"}
        if is_provisional(base.id):
            return await self._edit_provisional(base, mine)
        outcome = await self.update(base, mine)
        if isinstance(outcome, Queued):
            local = with_totals(outcome.record)
            await self.remember([local])
            return Queued(local, (), outcome.item)
        return outcome

    async def _edit_provisional(self, draft: Invoice, mine: Mapping[str, Any]
                                ) -> Saved[Invoice] | Queued[Invoice] | MergeNeeded[Invoice]:
        item = self._drafts.item(draft.id)
        if item is not None:
            body = InvoiceCreate.model_validate(
                {k: v for k, v in {**item.fields, **mine}.items() if v is not None}).to_body()
            with contextlib.suppress(KeyError):  # KeyError: it was sent meanwhile
                edited = await self._outbox.edit(item.seq, body)
                return Queued(provisional(edited), (), edited)
        sent_id = self._drafts.sent_as(draft.id)
        sent = await self.cached(sent_id) if sent_id else None
        if sent is None:
            raise errors.NotFound("This draft is no longer waiting to be created (it was dropped from the outbox).",
                                  status=404, code="NOT_FOUND")
        return await self.update_draft(sent, mine)

    async def send(self, invoice: Invoice) -> Invoice:
        sent = await self.api.send(invoice.id)
        await self.remember([sent])
        return sent

    async def void(self, invoice: Invoice) -> Invoice:
        voided = await self.api.void(invoice.id)
        await self.remember([voided])
        return voided

    # ---- payments ----------------------------------------------------------------------------
    async def payments_of(self, invoice_id: str) -> list[Payment]:
        """The invoice's payments, newest first: the server's (cached) online, the cached ones offline."""
        # Kept as one cached list per invoice: filtering cached records by a field would index
        # that field over every cached record of every resource.
        query = {"invoice_id": invoice_id}
        if is_provisional(invoice_id):
            return []  # not on the server yet: nothing can have been paid
        if not self.online:
            cached = await self._cache.get_list(PAYMENTS, query) if self._cache is not None else None
            return [Payment.model_validate(body) for body in cached.rows] if cached else []
        payments = [payment async for payment in await self._payments.list(invoice_id=invoice_id, limit=PAGE_SIZE)]
        if self._cache is not None:
            await self._cache.put_list(PAYMENTS, query, [dump(payment) for payment in payments], None)
        return payments

    async def record_payment(self, invoice: Invoice, amount_cents: int, method: str) -> RecordedPayment:
        """Record a payment against `invoice`; the invoice is read again either way.

        The server refuses more than is due (`ValidationFailed`, raised after the invoice was
        refreshed, so the amount due shown is the one it judged by).
        """
        body = {"invoice_id": invoice.id, "amount_cents": amount_cents, "method": method,
                "paid_at": datetime.now(UTC).isoformat().replace("+00:00", "Z")}
        try:
            payment = await self._payments.create(body)
        except errors.ValidationFailed:
            with contextlib.suppress(errors.ApiError):
                await self.fetch(invoice.id)
            raise
        return RecordedPayment(payment, await self.fetch(invoice.id))

    # ---- who the invoices are from ----------------------------------------------------------
    async def issuer(self) -> Issuer:
        """The workspace as the PDF's issuer: the server's (cached) online, the cached one offline,
        an empty name when it was never known."""
        if self.online:
            with contextlib.suppress(errors.ApiConnectionError):
                issuer = Issuer.of(await self._client.workspace.get())
                if self._cache is not None:
                    await self._cache.put_list(ISSUER, None, [{"id": "issuer", "name": issuer.name,
                                                               "address": list(issuer.address),
                                                               "tax_id": issuer.tax_id, "email": issuer.email,
                                                               "test": issuer.test}], None)
                return issuer
        cached = await self._cache.get_list(ISSUER, None) if self._cache is not None else None
        if cached and cached.rows:
            row = cached.rows[0]
            return Issuer(row.get("name") or "", tuple(row.get("address") or ()), row.get("tax_id") or "",
                          row.get("email") or "", bool(row.get("test")))
        return Issuer("")

    @property
    def _payments(self) -> Any:
        if self._client is None:
            raise Offline()
        return self._client.payments
