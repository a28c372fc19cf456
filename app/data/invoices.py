"""Invoices with their payments; the footer's totals are derived here."""

from __future__ import annotations

from app.api.models import Invoice, InvoiceUpdate
from app.data.record_store import RecordStore


class InvoiceStore(RecordStore[Invoice]):
    """Invoices, cached and on the server."""

    resource = "invoices"
    endpoint = "invoices"
    model = Invoice
    editable = frozenset(InvoiceUpdate.model_fields)
