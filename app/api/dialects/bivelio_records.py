"""BiVelio's records (seed 002) as the contract's, and the contract's bodies as BiVelio's `data`.

BiVelio keeps people and companies in one contact list (`type: person|company`; a person's
`company_id` names a company contact), money as decimal major units (`subtotal: 5000.00`), tax
as a percentage (`tax_rate: 21`) and has no record versions. The contract's fields it has no
place for ride in `custom_fields` (a contact's `notes`, a company's `domain`/`website`/`notes`),
which is where a BiVelio user would keep them too.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from app.api.dialects.base import version_from_timestamp

#: ISO 4217 currencies without minor units; every other currency has two decimals here.
ZERO_DECIMAL_CURRENCIES = frozenset({"JPY", "KRW", "CLP", "VND", "ISK", "UGX", "XAF", "XOF"})
#: Contract fields of a company kept in BiVelio's `custom_fields`.
COMPANY_EXTRA_FIELDS = ("domain", "website", "notes")
#: Contract invoice status → BiVelio's (the seed shows "draft" and "pending": issued, money due).
INVOICE_STATUS_OUT = {"draft": "draft", "sent": "pending", "partially_paid": "pending", "overdue": "overdue",
                      "paid": "paid", "void": "void"}
INVOICE_STATUS_IN = {"draft": "draft", "pending": "sent", "overdue": "overdue", "paid": "paid", "void": "void"}


def minor_units(currency: str | None) -> int:
    """Decimal places of `currency` (2 unless it has none)."""
    return 0 if (currency or "").upper() in ZERO_DECIMAL_CURRENCIES else 2


def to_cents(amount: Any, currency: str | None) -> int:
    """BiVelio's decimal amount (a JSON number) as integer minor units, rounded half-up."""
    if amount is None:
        return 0
    scaled = Decimal(str(amount)).scaleb(minor_units(currency))
    return int(scaled.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def from_cents(cents: int, currency: str | None) -> float:
    """Integer minor units as BiVelio's decimal amount."""
    return float(Decimal(cents).scaleb(-minor_units(currency)))


def percent_to_bps(rate: Any) -> int:
    return int((Decimal(str(rate or 0)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def bps_to_percent(bps: int) -> float | int:
    value = Decimal(bps) / 100
    return int(value) if value == value.to_integral_value() else float(value)


def _stamps(record: dict[str, Any]) -> tuple[str | None, str | None]:
    """(created_at, updated_at): BiVelio's create answer has no updated_at, its update answer no created_at."""
    created = record.get("created_at") or record.get("updated_at")
    updated = record.get("updated_at") or created
    return created, updated


def contact_in(record: dict[str, Any]) -> dict[str, Any]:
    """A BiVelio person contact as the contract's Contact."""
    custom = dict(record.get("custom_fields") or {})
    notes = custom.pop("notes", None)
    created, updated = _stamps(record)
    return {
        "id": record["id"], "name": record.get("name") or "", "email": record.get("email"),
        "phone": record.get("phone"), "company_id": record.get("company_id"), "company_name": None,
        "tags": list(record.get("tags") or []), "custom_fields": custom,
        "notes": notes if isinstance(notes, str) else None,
        "version": version_from_timestamp(updated), "created_at": created, "updated_at": updated,
    }


def company_in(record: dict[str, Any]) -> dict[str, Any]:
    """A BiVelio company contact as the contract's Company."""
    custom = record.get("custom_fields") or {}
    created, updated = _stamps(record)
    extra = {name: custom.get(name) if isinstance(custom.get(name), str) else None for name in COMPANY_EXTRA_FIELDS}
    return {"id": record["id"], "name": record.get("name") or "", **extra,
            "version": version_from_timestamp(updated), "created_at": created, "updated_at": updated}


def contact_out(body: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    """A contract contact create/update body as BiVelio's `data` (notes into custom_fields)."""
    data = {key: body[key] for key in ("name", "email", "phone", "company_id", "tags") if key in body}
    if creating:
        data = {"type": "person", **data}
    custom = dict(body.get("custom_fields") or {})
    if "notes" in body:
        custom["notes"] = body["notes"]
    if custom or "custom_fields" in body:
        data["custom_fields"] = custom
    return data


def company_out(body: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    """A contract company create/update body as BiVelio's `data` (domain, website, notes into custom_fields)."""
    data: dict[str, Any] = {"type": "company"} if creating else {}
    if "name" in body:
        data["name"] = body["name"]
    custom = {name: body[name] for name in COMPANY_EXTRA_FIELDS if name in body}
    if custom:
        data["custom_fields"] = custom
    return data


def invoice_in(record: dict[str, Any]) -> dict[str, Any]:
    """A BiVelio invoice as the contract's Invoice (decimal amounts → cents, % → basis points)."""
    currency = record.get("currency") or ""
    client = record.get("client") or {}
    client_id = client.get("id")
    total = to_cents(record.get("total"), currency)
    status = INVOICE_STATUS_IN.get(record.get("status") or "", record.get("status") or "draft")
    paid = total if status == "paid" else 0
    created, updated = _stamps(record)
    is_company = isinstance(client_id, str) and client_id.startswith("com_")
    return {
        "id": record["id"], "invoice_number": record.get("number") or "", "status": status,
        "contact_id": None if is_company else client_id, "company_id": client_id if is_company else None,
        "currency": currency, "issue_date": record.get("issue_date"), "due_date": record.get("due_date"),
        "line_items": [{"kind": "service", "name": item.get("description") or "",
                        "quantity": item.get("quantity") or 1,
                        "unit_amount_cents": to_cents(item.get("unit_price"), currency),
                        "tax_rate_bps": percent_to_bps(item.get("tax_rate"))}
                       for item in record.get("line_items") or []],
        "subtotal_cents": to_cents(record.get("subtotal"), currency),
        "tax_cents": to_cents(record.get("tax"), currency), "total_cents": total,
        "amount_paid_cents": paid, "amount_due_cents": 0 if status in ("paid", "void", "draft") else total - paid,
        "notes": record.get("notes"), "version": version_from_timestamp(updated),
        "created_at": created, "updated_at": updated,
    }


def invoice_out(body: dict[str, Any]) -> dict[str, Any]:
    """A contract invoice create body as BiVelio's `data` (`client_id`, decimal `unit_price`, % `tax_rate`)."""
    currency = body.get("currency")
    data: dict[str, Any] = {}
    client = body.get("contact_id") or body.get("company_id")
    if client:
        data["client_id"] = client
    for key in ("issue_date", "due_date", "currency"):
        if body.get(key) is not None:
            data[key] = str(body[key])
    if body.get("line_items") is not None:
        data["line_items"] = [{"description": item.get("name"), "quantity": item.get("quantity", 1),
                               "unit_price": from_cents(int(item.get("unit_amount_cents") or 0), currency),
                               "tax_rate": bps_to_percent(int(item.get("tax_rate_bps") or 0))}
                              for item in body["line_items"]]
    if body.get("notes") is not None:
        data["notes"] = body["notes"]
    data["auto_send"] = False
    return data


def webhook_in(record: dict[str, Any]) -> dict[str, Any]:
    """A BiVelio webhook as the contract's Webhook (it has no name: its description stands in)."""
    status = record.get("status") or "active"
    out = {
        "id": record.get("webhook_id") or record.get("id"), "name": record.get("description") or record.get("url"),
        "url": record.get("url"), "description": record.get("description"),
        "event_types": list(record.get("events") or []),
        "status": "disabled" if status == "inactive" else status,
        "disabled_reason": None, "signing_secret_preview": None,
        "success_rate": record.get("success_rate"), "last_delivery_at": record.get("last_triggered_at"),
        "created_at": record.get("created_at"),
    }
    if record.get("signing_secret"):
        out["signing_secret"] = record["signing_secret"]
    return out


def webhook_out(body: dict[str, Any]) -> dict[str, Any]:
    """A contract webhook create body as BiVelio's `data` (the name becomes the description)."""
    data: dict[str, Any] = {"url": body.get("url"), "events": list(body.get("event_types") or [])}
    description = body.get("description") or body.get("name")
    if description:
        data["description"] = description
    return data
