"""Bi369's records (seed 000) and the contract's, field by field, both ways.

Bi369 writes camelCase (its envelope's `perPage`): a lead is `{id, name, email, phone, companyId,
company, tags, customFields, notes, createdAt, updatedAt}`, an invoice `{id, number, status,
leadId, companyId, currency, issueDate, dueDate, items[{kind, name, quantity, unitPriceCents,
taxRateBps}], subtotalCents, taxCents, totalCents, amountPaidCents, amountDueCents, notes,
createdAt, updatedAt}`. Money stays integer minor units, as the contract's. Bi369 keeps no record
versions, so the contract's `version` is made from `updatedAt` (`version_from_timestamp`).
"""

from __future__ import annotations

from typing import Any

from app.api.dialects.base import version_from_timestamp

#: contract contact field → Bi369 lead field (what may be written; `company` is read-only).
LEAD_FIELDS: dict[str, str] = {
    "name": "name", "email": "email", "phone": "phone", "company_id": "companyId", "tags": "tags",
    "custom_fields": "customFields", "notes": "notes",
}
#: contract invoice field → Bi369 invoice field (what may be written on create).
INVOICE_FIELDS: dict[str, str] = {
    "invoice_number": "number", "contact_id": "leadId", "company_id": "companyId", "currency": "currency",
    "issue_date": "issueDate", "due_date": "dueDate", "notes": "notes",
}
LINE_FIELDS: dict[str, str] = {
    "kind": "kind", "name": "name", "quantity": "quantity", "unit_amount_cents": "unitPriceCents",
    "tax_rate_bps": "taxRateBps",
}
PAYMENT_FIELDS: dict[str, str] = {"amount_cents": "amountCents", "method": "method", "paid_at": "paidAt"}
#: Every Bi369 field name → the contract's, for field names in validation messages.
CONTRACT_NAME: dict[str, str] = {own: ours for table in (LEAD_FIELDS, INVOICE_FIELDS, LINE_FIELDS, PAYMENT_FIELDS)
                                 for ours, own in table.items()} | {"items": "line_items"}


def renamed(body: Any, table: dict[str, str]) -> Any:
    """`body`'s keys through `table`; a key the table lacks passes unchanged (the platform refuses it)."""
    if not isinstance(body, dict):
        return body
    return {table.get(key, key): value for key, value in body.items()}


def lead_body(contact: Any) -> Any:
    """A contract contact create/patch as Bi369's lead body."""
    return renamed(contact, LEAD_FIELDS)


def invoice_body(invoice: Any) -> Any:
    """A contract invoice create as Bi369's invoice body. Bi369 has no "send": its create issues the
    invoice at once (the answer's `status` says so), which is the only way it can ever be paid."""
    body = renamed(invoice, INVOICE_FIELDS)
    if isinstance(body, dict):
        lines = invoice.get("line_items")
        if isinstance(lines, list):
            body.pop("line_items", None)
            body["items"] = [renamed(line, LINE_FIELDS) for line in lines]
    return body


def contact_of(lead: dict[str, Any]) -> dict[str, Any]:
    """The contract's Contact from a Bi369 lead."""
    return {
        "id": lead.get("id"), "name": lead.get("name"), "email": lead.get("email"), "phone": lead.get("phone"),
        "company_id": lead.get("companyId"), "company_name": lead.get("company"),
        "tags": lead.get("tags") or [], "custom_fields": lead.get("customFields") or {},
        "notes": lead.get("notes"), "version": version_from_timestamp(lead.get("updatedAt")),
        "created_at": lead.get("createdAt"), "updated_at": lead.get("updatedAt"),
    }


def invoice_of(own: dict[str, Any]) -> dict[str, Any]:
    """The contract's Invoice from a Bi369 invoice."""
    lines = [{"kind": line.get("kind", "service"), "name": line.get("name"), "quantity": line.get("quantity", 1),
              "unit_amount_cents": line.get("unitPriceCents", 0), "tax_rate_bps": line.get("taxRateBps", 0)}
             for line in own.get("items") or [] if isinstance(line, dict)]
    return {
        "id": own.get("id"), "invoice_number": own.get("number"), "status": own.get("status"),
        "contact_id": own.get("leadId"), "company_id": own.get("companyId"), "currency": own.get("currency"),
        "issue_date": own.get("issueDate"), "due_date": own.get("dueDate"), "line_items": lines,
        "subtotal_cents": own.get("subtotalCents", 0), "tax_cents": own.get("taxCents", 0),
        "total_cents": own.get("totalCents", 0), "amount_paid_cents": own.get("amountPaidCents", 0),
        "amount_due_cents": own.get("amountDueCents", 0), "notes": own.get("notes"),
        "version": version_from_timestamp(own.get("updatedAt")),
        "created_at": own.get("createdAt"), "updated_at": own.get("updatedAt"),
    }


def payment_of(own: dict[str, Any]) -> dict[str, Any]:
    """The contract's Payment from `/pay`'s answer: the invoice with the `payment` just recorded."""
    payment = own.get("payment") if isinstance(own.get("payment"), dict) else {}
    return {"id": payment.get("id"), "invoice_id": own.get("id"), "amount_cents": payment.get("amountCents"),
            "currency": own.get("currency"), "method": payment.get("method"), "paid_at": payment.get("paidAt"),
            "created_at": payment.get("createdAt")}
