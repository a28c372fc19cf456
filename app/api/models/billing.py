"""Billing records: invoices with their line items, and payments against them (money in cents)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import Field

from app.api.models.base import ApiModel


class LineItem(ApiModel):
    """One invoice line; the server computes its total and tax (half-up per line)."""

    kind: str = "service"
    name: str
    quantity: int = 1
    unit_amount_cents: int
    tax_rate_bps: int = 0


class Invoice(ApiModel):
    """An invoice with server-computed totals; money in integer cents."""

    id: str
    invoice_number: str
    status: str
    contact_id: str | None = None
    company_id: str | None = None
    currency: str
    issue_date: date | None = None
    due_date: date | None = None
    line_items: list[LineItem] = Field(default_factory=list)
    subtotal_cents: int = 0
    tax_cents: int = 0
    total_cents: int = 0
    amount_paid_cents: int = 0
    amount_due_cents: int = 0
    notes: str | None = None
    version: int
    created_at: datetime
    updated_at: datetime


class InvoiceCreate(ApiModel):
    """A new draft invoice; the number is generated when absent."""

    currency: str
    invoice_number: str | None = None
    contact_id: str | None = None
    company_id: str | None = None
    issue_date: date | None = None
    due_date: date | None = None
    line_items: list[LineItem] | None = None
    notes: str | None = None


class InvoiceUpdate(ApiModel):
    """Only the fields set are sent; line items change only while the invoice is a draft."""

    invoice_number: str | None = None
    contact_id: str | None = None
    company_id: str | None = None
    currency: str | None = None
    issue_date: date | None = None
    due_date: date | None = None
    line_items: list[LineItem] | None = None
    notes: str | None = None


class Payment(ApiModel):
    """Money recorded against an invoice."""

    id: str
    invoice_id: str
    amount_cents: int
    currency: str | None = None
    method: str
    paid_at: datetime
    created_at: datetime | None = None


class PaymentCreate(ApiModel):
    """A payment to record; more than the amount due is refused."""

    invoice_id: str
    amount_cents: int
    method: str | None = None
    paid_at: datetime | None = None
    currency: str | None = None
