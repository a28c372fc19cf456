"""Invoices with their payments; the footer's totals are derived here.

A list on screen is an `InvoiceList`: the invoices matching one `InvoiceFilter`, read from the
cache first and then from the server. Every write that goes through the store (a draft created
or saved, an invoice sent or voided, a payment recorded) and every server read lands in each open
list, so a list's `totals` (the footer's "N invoices — due … · paid …") follow each change
without a reload. Drafts save through the base class's three-way merge, line items per line.
`issuer()` says who the invoices are from (the workspace's billing identity, for the PDF).
"""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Literal

from app.api import errors
from app.api.models import Invoice, InvoiceUpdate, Payment
from app.data.connection import Connection
from app.data.observable import Observable
from app.data.record_store import MergeNeeded, Offline, RecordStore, Saved, dump

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
class Issuer:
    """Who the invoices are from: the name they are issued under, the billing address (one line
    each), the tax id and the billing email, as GET /workspace says them."""

    name: str
    address: tuple[str, ...] = ()
    tax_id: str = ""
    email: str = ""
    #: A test workspace's invoices are marked as such on paper.
    test: bool = False

    @classmethod
    def of(cls, workspace: Any) -> Issuer:
        """From GET /workspace: `legal_name` (else `name`), `billing_address` (else `address`, text or
        an address object), `tax_id`, `billing_email`; what the server does not send stays empty."""
        def field(name: str) -> Any:
            return getattr(workspace, name, None)

        return cls(field("legal_name") or field("name") or "",
                   address_lines(field("billing_address") or field("address")),
                   field("tax_id") or "", field("billing_email") or "", field("environment") == "test")


def address_lines(address: Any) -> tuple[str, ...]:
    """A postal address as printed lines: its `formatted` lines when the server sends them, a
    text's lines, or an address object's parts (line1, line2, postal code and city, region, country)."""
    if isinstance(address, Mapping) and address.get("formatted"):
        return tuple(str(line).strip() for line in address["formatted"] if str(line).strip())
    if isinstance(address, str):
        return tuple(line.strip() for line in address.splitlines() if line.strip())
    if isinstance(address, Mapping):
        city = " ".join(str(part) for part in (address.get("postal_code"), address.get("city")) if part)
        parts = (address.get("line1"), address.get("line2"), city, address.get("state") or address.get("region"),
                 address.get("country"))
        return tuple(str(part).strip() for part in parts if part and str(part).strip())
    return ()


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
        """The cached matches at once, then the server's; a connection error comes after the first."""
        self._replace(await self._store.cached_matching(self.filter), "cache")
        fresh = await self._store.server_matching(self.filter)
        self._replace(fresh, "server")
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

    def __init__(self, client: Any, cache: Any, connection: Connection) -> None:
        super().__init__(client, cache, connection)
        self._lists: weakref.WeakSet[InvoiceList] = weakref.WeakSet()

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

    async def update_draft(self, base: Invoice, values: Mapping[str, Any]) -> Saved[Invoice] | MergeNeeded[Invoice]:
        """Save the fields the operator changed over `base` (the version the edit started from),
        merged three ways on 412.

        An empty number or customer keeps the invoice's (the server refuses a null number);
        empty notes clear them.
        """
        mine = {name: value for name, value in values.items() if value is not None or name == "notes"}
        return await self.update(base, mine)

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
