"""Who each invoice is for: its company by name, else its contact by name, and the contact's email.

Invoices carry ids only. Company names come from the company store's list (the filter and the
editor offer the same list); contacts from the contact cache, and the few not cached from the
server (at most `MAX_CONTACT_FETCHES` per list shown, so a big list never floods the rate limit).
Only names and emails are kept here, never the records.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable
from dataclasses import dataclass

from app.api import errors
from app.api.models import Company, Invoice
from app.data.stores import Stores

#: Contacts asked from the server for one list (the rest stay unnamed until cached).
MAX_CONTACT_FETCHES = 50
#: Contacts asked at once.
_PARALLEL = 4


@dataclass(frozen=True)
class Customer:
    """The PDF's customer block: a company and/or a person, and where to write to them."""

    company: str = ""
    contact: str = ""
    email: str = ""

    @property
    def lines(self) -> list[str]:
        return [line for line in (self.company, self.contact, self.email) if line]


class Customers:
    """Names the invoices' customers from the stores."""

    def __init__(self, stores: Stores) -> None:
        self._stores = stores
        #: company id → name; contact id → (name, email).
        self.companies: dict[str, str] = {}
        self._contacts: dict[str, tuple[str, str]] = {}
        self._asked: set[str] = set()

    def name(self, invoice: Invoice) -> str:
        """The list's Customer cell: the company's name, else the contact's ("" when unknown)."""
        if invoice.company_id:
            return self.companies.get(invoice.company_id, "")
        return self._contacts.get(invoice.contact_id or "", ("", ""))[0]

    async def of(self, invoice: Invoice) -> Customer:
        """The invoice's customer block; its contact is looked up now if it is not named yet."""
        contact_id = invoice.contact_id
        if contact_id and contact_id not in self._contacts:
            store = self._stores.contacts
            contact = await store.cached(contact_id)
            if contact is None and store.online:
                with contextlib.suppress(errors.ApiError):
                    contact = await store.fetch(contact_id)
            if contact is not None:
                self._contacts[contact_id] = (contact.name or "", contact.email or "")
        name, email = self._contacts.get(contact_id or "", ("", ""))
        return Customer(self.companies.get(invoice.company_id or "", ""), name, email)

    async def load_companies(self, refresh: bool) -> list[Company]:
        """The customers' companies: cached, or the server's when asked or none are cached."""
        store = self._stores.companies
        companies = [] if refresh else await store.listed(refresh=False)
        if not companies:
            try:
                companies = await store.listed(refresh=True)
            except errors.ApiConnectionError:
                companies = await store.listed(refresh=False)
        # In place: the panel shows this very dict as `companies`.
        self.companies.clear()
        self.companies.update({company.id: company.name or company.id for company in companies})
        return companies

    def unnamed(self, invoices: Iterable[Invoice]) -> bool:
        """Whether some of `invoices` are billed to a person not named (nor asked about) yet."""
        known = self._contacts.keys() | self._asked
        return any(inv.contact_id and inv.contact_id not in known for inv in invoices)

    async def learn_contacts(self, invoices: Iterable[Invoice]) -> bool:
        """Name the contacts of `invoices` not named yet; True when any name was learnt."""
        wanted = sorted({inv.contact_id for inv in invoices if inv.contact_id} - self._contacts.keys())
        if not wanted:
            return False
        store = self._stores.contacts
        for contact_id, name, email in await store.cached_rows(wanted, ("id", "name", "email"), tuple):
            self._contacts[contact_id] = (name or "", email or "")
        missing = [cid for cid in wanted if cid not in self._contacts and cid not in self._asked]
        missing = missing[:MAX_CONTACT_FETCHES] if store.online else []
        self._asked.update(missing)
        gate = asyncio.Semaphore(_PARALLEL)

        async def fetch(contact_id: str) -> None:
            async with gate:
                try:
                    contact = await store.fetch(contact_id)
                except errors.ApiError:
                    return  # deleted, or the server is gone: the cell stays empty
                self._contacts[contact_id] = (contact.name or "", contact.email or "")

        await asyncio.gather(*(fetch(contact_id) for contact_id in missing))
        return any(cid in self._contacts for cid in wanted)
