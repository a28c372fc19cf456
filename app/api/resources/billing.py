"""`client.invoices` and `client.payments`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime
from typing import Any

from app.api.models import Invoice, InvoiceCreate, InvoiceUpdate, Payment, PaymentCreate
from app.api.pagination import CursorPage
from app.api.resources.base import Resource, as_body


class Invoices(Resource):
    """Invoices: list, read, create, update (drafts' line items), send, void."""

    async def list(self, status: str | None = None, company_id: str | None = None,
                   contact_id: str | None = None, due_before: date | None = None,
                   updated_since: datetime | None = None, limit: int = 20,
                   cursor: str | None = None) -> CursorPage[Invoice]:
        """One page, newest first, filtered by the arguments (`next_page()` walks on)."""
        return await self._page("/invoices", Invoice, {
            "status": status, "company_id": company_id, "contact_id": contact_id, "due_before": due_before,
            "updated_since": updated_since, "limit": limit, "cursor": cursor})

    async def iterate(self, **filters: Any) -> AsyncIterator[Invoice]:
        """Every invoice matching `filters` (the arguments of `list`), page after page."""
        async for invoice in await self.list(**filters):
            yield invoice

    async def get(self, invoice_id: str) -> Invoice:
        """One record by id (NotFound if it is not in this workspace)."""
        return await self._item("GET", f"/invoices/{invoice_id}", Invoice)

    async def create(self, invoice: InvoiceCreate | dict[str, Any], *,
                     idempotency_key: str | None = None) -> Invoice:
        """Create it; retries reuse one Idempotency-Key, so it happens once."""
        return await self._item("POST", "/invoices", Invoice, body=as_body(invoice, InvoiceCreate),
                                idempotency_key=idempotency_key)

    async def update(self, invoice_id: str, patch: InvoiceUpdate | dict[str, Any], *,
                     if_match: int | None = None, idempotency_key: str | None = None) -> Invoice:
        """Change only the fields given; `if_match` (a version) refuses a stale edit."""
        return await self._item("PATCH", f"/invoices/{invoice_id}", Invoice,
                                body=as_body(patch, InvoiceUpdate), if_match=if_match,
                                idempotency_key=idempotency_key)

    async def send(self, invoice_id: str, *, idempotency_key: str | None = None) -> Invoice:
        """Mark a draft sent (the platform emails it); emits `invoice.sent`."""
        return await self._item("POST", f"/invoices/{invoice_id}/send", Invoice, idempotency_key=idempotency_key)

    async def void(self, invoice_id: str, *, idempotency_key: str | None = None) -> Invoice:
        """Cancel an invoice for good; emits `invoice.voided`."""
        return await self._item("POST", f"/invoices/{invoice_id}/void", Invoice, idempotency_key=idempotency_key)


class Payments(Resource):
    """Payments recorded against invoices."""

    async def list(self, invoice_id: str | None = None, limit: int = 20,
                   cursor: str | None = None) -> CursorPage[Payment]:
        """One page, newest first, filtered by the arguments (`next_page()` walks on)."""
        return await self._page("/payments", Payment, {"invoice_id": invoice_id, "limit": limit, "cursor": cursor})

    async def create(self, payment: PaymentCreate | dict[str, Any], *,
                     idempotency_key: str | None = None) -> Payment:
        """Record a payment; more than the amount due is refused (ValidationFailed)."""
        return await self._item("POST", "/payments", Payment, body=as_body(payment, PaymentCreate),
                                idempotency_key=idempotency_key)
