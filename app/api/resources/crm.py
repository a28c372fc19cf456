"""`client.contacts` and `client.companies`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from app.api.models import (
    Company,
    CompanyCreate,
    CompanyUpdate,
    Contact,
    ContactCreate,
    ContactUpdate,
)
from app.api.pagination import CursorPage
from app.api.resources.base import Resource, as_body


class Contacts(Resource):
    """People: list/search, read, create, update (with If-Match), delete."""

    async def list(self, query: str | None = None, company_id: str | None = None, tag: str | None = None,
                   updated_since: datetime | None = None, limit: int = 20,
                   cursor: str | None = None) -> CursorPage[Contact]:
        """One page, newest first, filtered by the arguments (`next_page()` walks on)."""
        return await self._page("/contacts", Contact, {
            "query": query, "company_id": company_id, "tag": tag, "updated_since": updated_since,
            "limit": limit, "cursor": cursor})

    async def iterate(self, **filters: Any) -> AsyncIterator[Contact]:
        """Every contact matching `filters` (the arguments of `list`), page after page."""
        async for contact in await self.list(**filters):
            yield contact

    async def get(self, contact_id: str) -> Contact:
        """One record by id (NotFound if it is not in this workspace)."""
        return await self._item("GET", f"/contacts/{contact_id}", Contact)

    async def create(self, contact: ContactCreate | dict[str, Any], *,
                     idempotency_key: str | None = None) -> Contact:
        """Create it; retries reuse one Idempotency-Key, so it happens once."""
        return await self._item("POST", "/contacts", Contact, body=as_body(contact, ContactCreate),
                                idempotency_key=idempotency_key)

    async def update(self, contact_id: str, patch: ContactUpdate | dict[str, Any], *,
                     if_match: int | None = None, idempotency_key: str | None = None) -> Contact:
        """Change only the fields in `patch`; `if_match=contact.version` refuses a stale edit (412)."""
        return await self._item("PATCH", f"/contacts/{contact_id}", Contact,
                                body=as_body(patch, ContactUpdate), if_match=if_match,
                                idempotency_key=idempotency_key)

    async def delete(self, contact_id: str, *, if_match: int | None = None) -> None:
        """Delete it; `if_match` (a version) refuses a stale delete."""
        await self._none("DELETE", f"/contacts/{contact_id}", if_match=if_match)


class Companies(Resource):
    """Organisations: list/search, read, create, update (with If-Match)."""

    async def list(self, query: str | None = None, updated_since: datetime | None = None, limit: int = 20,
                   cursor: str | None = None) -> CursorPage[Company]:
        """One page, newest first, filtered by the arguments (`next_page()` walks on)."""
        return await self._page("/companies", Company, {
            "query": query, "updated_since": updated_since, "limit": limit, "cursor": cursor})

    async def iterate(self, **filters: Any) -> AsyncIterator[Company]:
        """Every company matching `filters` (the arguments of `list`), page after page."""
        async for company in await self.list(**filters):
            yield company

    async def get(self, company_id: str) -> Company:
        """One record by id (NotFound if it is not in this workspace)."""
        return await self._item("GET", f"/companies/{company_id}", Company)

    async def create(self, company: CompanyCreate | dict[str, Any], *,
                     idempotency_key: str | None = None) -> Company:
        """Create it; retries reuse one Idempotency-Key, so it happens once."""
        return await self._item("POST", "/companies", Company, body=as_body(company, CompanyCreate),
                                idempotency_key=idempotency_key)

    async def update(self, company_id: str, patch: CompanyUpdate | dict[str, Any], *,
                     if_match: int | None = None, idempotency_key: str | None = None) -> Company:
        """Change only the fields given; `if_match` (a version) refuses a stale edit."""
        return await self._item("PATCH", f"/companies/{company_id}", Company,
                                body=as_body(patch, CompanyUpdate), if_match=if_match,
                                idempotency_key=idempotency_key)
