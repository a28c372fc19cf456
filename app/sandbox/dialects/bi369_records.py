"""Bi369's records (seed 000) made of the contract's, and Bi369 bodies turned into contract bodies.

Bi369 writes camelCase (its envelope's `perPage`). A lead is the contract's contact: `{id, name,
email, phone, companyId, company (the company's name, read-only), tags, customFields, notes,
createdAt, updatedAt}`. An invoice: `{id, number, status, leadId, companyId, currency, issueDate,
dueDate, items[{kind, name, quantity, unitPriceCents, taxRateBps}], subtotalCents, taxCents,
totalCents, amountPaidCents, amountDueCents, notes, createdAt, updatedAt}`. No `version`: Bi369 has
none. Money stays integer minor units.
"""

from __future__ import annotations

from typing import Any

#: Bi369 lead field → contract contact field (what a client may write).
LEAD_IN: dict[str, str] = {
    "name": "name", "email": "email", "phone": "phone", "companyId": "company_id", "tags": "tags",
    "customFields": "custom_fields", "notes": "notes",
}
INVOICE_IN: dict[str, str] = {
    "number": "invoice_number", "leadId": "contact_id", "companyId": "company_id", "currency": "currency",
    "issueDate": "issue_date", "dueDate": "due_date", "notes": "notes", "items": "line_items",
}
LINE_IN: dict[str, str] = {
    "kind": "kind", "name": "name", "quantity": "quantity", "unitPriceCents": "unit_amount_cents",
    "taxRateBps": "tax_rate_bps",
}
PAY_IN: dict[str, str] = {"amountCents": "amount_cents", "method": "method", "paidAt": "paid_at"}
#: Contract field names → Bi369's, for the fields a validation message names.
OWN_NAME: dict[str, str] = {ours: own for table in (LEAD_IN, INVOICE_IN, LINE_IN, PAY_IN)
                            for own, ours in table.items()}


def contract_body(body: dict[str, Any], table: dict[str, str]) -> dict[str, Any]:
    """A Bi369 body in the contract's names; unknown keys pass, so the contract names them in its 422."""
    out = {table.get(key, key): value for key, value in body.items()}
    if table is INVOICE_IN and isinstance(out.get("line_items"), list):
        out["line_items"] = [{LINE_IN.get(k, k): v for k, v in line.items()} if isinstance(line, dict) else line
                             for line in out["line_items"]]
    return out


def lead(contact: dict[str, Any]) -> dict[str, Any]:
    """A contract contact as a Bi369 lead."""
    return {
        "id": contact["id"], "name": contact.get("name"), "email": contact.get("email"),
        "phone": contact.get("phone"), "companyId": contact.get("company_id"),
        "company": contact.get("company_name"), "tags": contact.get("tags") or [],
        "customFields": contact.get("custom_fields") or {}, "notes": contact.get("notes"),
        "createdAt": contact.get("created_at"), "updatedAt": contact.get("updated_at"),
    }


def invoice(record: dict[str, Any]) -> dict[str, Any]:
    """A contract invoice as a Bi369 invoice."""
    items = [{"kind": line.get("kind"), "name": line.get("name"), "quantity": line.get("quantity"),
              "unitPriceCents": line.get("unit_amount_cents"), "taxRateBps": line.get("tax_rate_bps")}
             for line in record.get("line_items") or []]
    return {
        "id": record["id"], "number": record.get("invoice_number"), "status": record.get("status"),
        "leadId": record.get("contact_id"), "companyId": record.get("company_id"),
        "currency": record.get("currency"), "issueDate": record.get("issue_date"),
        "dueDate": record.get("due_date"), "items": items, "subtotalCents": record.get("subtotal_cents"),
        "taxCents": record.get("tax_cents"), "totalCents": record.get("total_cents"),
        "amountPaidCents": record.get("amount_paid_cents"), "amountDueCents": record.get("amount_due_cents"),
        "notes": record.get("notes"), "createdAt": record.get("created_at"), "updatedAt": record.get("updated_at"),
    }


def payment(record: dict[str, Any]) -> dict[str, Any]:
    """A contract payment as the `payment` of `/pay`'s answer."""
    return {"id": record["id"], "amountCents": record.get("amount_cents"), "method": record.get("method"),
            "paidAt": record.get("paid_at"), "createdAt": record.get("created_at")}
