"""BiVelio's record shapes (seed 002) made from the contract's records, and its request `data`
turned into the contract's bodies.

People and companies are both BiVelio contacts (`type: person|company`): a contract contact is
a person, a contract company a company contact. Money is BiVelio's decimal major units, tax a
percentage. What the contract keeps and BiVelio has no field for rides in `custom_fields`: a
contact's `notes`, a company's `domain`, `website` and `notes`.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

ZERO_DECIMAL_CURRENCIES = frozenset({"JPY", "KRW", "CLP", "VND", "ISK", "UGX", "XAF", "XOF"})
COMPANY_CUSTOM_FIELDS = ("domain", "website", "notes")
#: Contract invoice status → BiVelio's.
INVOICE_STATUS = {"draft": "draft", "sent": "pending", "partially_paid": "pending", "overdue": "overdue",
                  "paid": "paid", "void": "void"}
#: Webhook events of seed 002's table that the sandbox emits (the contract's events of the same name).
SUPPORTED_EVENTS = ("contact.created", "contact.updated", "invoice.created", "invoice.paid")
#: Events of seed 002's table about things the sandbox does not have (workflows, messages, cases …).
UNEMULATED_EVENTS = ("workflow.completed", "workflow.failed", "message.received", "message.sent",
                     "case.created", "case.updated", "agent.executed", "document.processed")
#: Contract field names in error details → BiVelio's.
FIELD_NAMES = {"contact_id": "client_id", "company_id": "client_id", "event_types": "events",
               "invoice_number": "number", "unit_amount_cents": "unit_price", "tax_rate_bps": "tax_rate"}


class InvalidData(ValueError):
    """BiVelio `data` the sandbox cannot take: `field` (BiVelio's name) and why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _digits(currency: str | None) -> int:
    return 0 if (currency or "").upper() in ZERO_DECIMAL_CURRENCIES else 2


def amount(cents: int, currency: str | None) -> float:
    """Integer minor units as BiVelio's decimal number (5000.0 for 500000 EUR cents)."""
    return float(Decimal(cents).scaleb(-_digits(currency)))


def cents(value: Any, currency: str | None) -> int:
    """BiVelio's decimal amount as minor units (InvalidData when it is not a number)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidData("unit_price", "must be a number")
    return int(Decimal(str(value)).scaleb(_digits(currency)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def percent(bps: int) -> int | float:
    value = Decimal(bps) / 100
    return int(value) if value == value.to_integral_value() else float(value)


def bps(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidData("tax_rate", "must be a percentage")
    return int((Decimal(str(value)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def person(contact: dict[str, Any]) -> dict[str, Any]:
    """A contract contact as BiVelio's person contact."""
    custom = dict(contact.get("custom_fields") or {})
    if contact.get("notes") is not None:
        custom["notes"] = contact["notes"]
    return {"id": contact["id"], "type": "person", "name": contact["name"], "email": contact.get("email"),
            "phone": contact.get("phone"), "company_id": contact.get("company_id"),
            "tags": list(contact.get("tags") or []), "custom_fields": custom,
            "created_at": contact["created_at"], "updated_at": contact["updated_at"]}


def company(record: dict[str, Any]) -> dict[str, Any]:
    """A contract company as BiVelio's company contact."""
    custom = {name: record[name] for name in COMPANY_CUSTOM_FIELDS if record.get(name) is not None}
    return {"id": record["id"], "type": "company", "name": record["name"], "email": None, "phone": None,
            "company_id": None, "tags": [], "custom_fields": custom,
            "created_at": record["created_at"], "updated_at": record["updated_at"]}


def person_body(data: dict[str, Any], current_custom: dict[str, Any] | None = None) -> dict[str, Any]:
    """BiVelio contact `data` as a contract contact create/patch body.

    `custom_fields` merge key by key into `current_custom` (null removes a key), which also honours
    the seed's update example that sends the whole set; `custom_fields.notes` is the contact's notes.
    """
    body = {key: data[key] for key in ("name", "email", "phone", "company_id", "tags") if key in data}
    if "custom_fields" in data:
        sent = data["custom_fields"]
        if not isinstance(sent, dict):
            raise InvalidData("custom_fields", "must be an object")
        merged = {**(current_custom or {}), **sent}
        if "notes" in sent:
            body["notes"] = merged.pop("notes")
        merged = {key: value for key, value in merged.items() if value is not None}
        if merged != (current_custom or {}) or current_custom is None:
            body["custom_fields"] = merged
    return body


def company_body(data: dict[str, Any]) -> dict[str, Any]:
    """BiVelio company `data` as a contract company body; InvalidData naming a field companies lack."""
    unknown = sorted(key for key in ("email", "phone", "company_id") if data.get(key) is not None)
    if data.get("tags"):
        unknown.append("tags")
    custom = data.get("custom_fields") or {}
    if not isinstance(custom, dict):
        raise InvalidData("custom_fields", "must be an object")
    unknown += sorted(f"custom_fields.{key}" for key in custom if key not in COMPANY_CUSTOM_FIELDS)
    if unknown:
        raise InvalidData(unknown[0], "companies in the Opsdesk sandbox keep name and custom_fields domain, "
                          f"website and notes only; remove {', '.join(unknown)}")
    body = {name: custom[name] for name in COMPANY_CUSTOM_FIELDS if name in custom}
    if "name" in data:
        body["name"] = data["name"]
    return body


def line_total(item: dict[str, Any]) -> int:
    """A line's total in cents as the contract computes it (tax half-up per line)."""
    net = item["quantity"] * item["unit_amount_cents"]
    tax = (Decimal(net) * item["tax_rate_bps"] / 10000).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return net + int(tax)


def invoice(record: dict[str, Any], client_name: str | None) -> dict[str, Any]:
    """A contract invoice as BiVelio's (its client is the contact or else the company)."""
    currency = record["currency"]
    client_id = record.get("contact_id") or record.get("company_id")
    return {
        "id": record["id"], "number": record["invoice_number"], "type": "issued",
        "status": INVOICE_STATUS.get(record["status"], record["status"]),
        "client": {"id": client_id, "name": client_name} if client_id else None,
        "subtotal": amount(record["subtotal_cents"], currency), "tax": amount(record["tax_cents"], currency),
        "total": amount(record["total_cents"], currency), "currency": currency,
        "issue_date": record.get("issue_date"), "due_date": record.get("due_date"),
        "line_items": [{"description": item["name"], "quantity": item["quantity"],
                        "unit_price": amount(item["unit_amount_cents"], currency),
                        "tax_rate": percent(item["tax_rate_bps"]),
                        "total": amount(line_total(item), currency)} for item in record.get("line_items") or []],
        "notes": record.get("notes"), "created_at": record["created_at"], "updated_at": record["updated_at"],
    }


def invoice_body(data: dict[str, Any]) -> dict[str, Any]:
    """BiVelio invoice `data` as a contract invoice create body; InvalidData naming a bad field."""
    currency = data.get("currency") or "EUR"
    body: dict[str, Any] = {"currency": currency}
    client = data.get("client_id")
    if client is not None:
        if not isinstance(client, str):
            raise InvalidData("client_id", "must be a contact id")
        body["company_id" if client.startswith("com_") else "contact_id"] = client
    for key in ("issue_date", "due_date", "notes"):
        if data.get(key) is not None:
            body[key] = data[key]
    items = data.get("line_items") or []
    if not isinstance(items, list):
        raise InvalidData("line_items", "must be a list")
    lines = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise InvalidData(f"line_items[{index}]", "must be an object")
        try:
            lines.append({"kind": "service", "name": item.get("description"), "quantity": item.get("quantity", 1),
                          "unit_amount_cents": cents(item.get("unit_price"), currency),
                          "tax_rate_bps": bps(item.get("tax_rate", 0))})
        except InvalidData as error:
            raise InvalidData(f"line_items[{index}].{error.field}", error.message) from None
    body["line_items"] = lines
    return body


def webhook(record: dict[str, Any]) -> dict[str, Any]:
    """A contract webhook endpoint as BiVelio's (`disabled` reads `inactive`: auto-deactivated)."""
    status = {"disabled": "inactive"}.get(record["status"], record["status"])
    out = {"webhook_id": record["id"], "url": record["url"], "events": record["event_types"], "status": status,
           "description": record.get("description"), "last_triggered_at": record.get("last_delivery_at"),
           "success_rate": record.get("success_rate"), "created_at": record["created_at"]}
    if record.get("signing_secret"):
        out["signing_secret"] = record["signing_secret"]
    return out


def webhook_body(data: dict[str, Any]) -> dict[str, Any]:
    """BiVelio webhook `data` as a contract endpoint body; InvalidData naming events it cannot send."""
    events = data.get("events")
    if not isinstance(events, list) or not events or not all(isinstance(e, str) for e in events):
        raise InvalidData("events", "must be a non-empty list of event names")
    unemulated = [event for event in events if event in UNEMULATED_EVENTS]
    unknown = [event for event in events if event not in SUPPORTED_EVENTS and event not in UNEMULATED_EVENTS]
    if unknown:
        raise InvalidData("events", f"unknown event {unknown[0]!r}; BiVelio's events are listed in its API reference")
    if unemulated:
        raise InvalidData("events", f"{', '.join(unemulated)}: the Opsdesk sandbox has no workflows, messages, "
                          f"cases, agents or documents, so it never sends these; subscribe to "
                          f"{', '.join(SUPPORTED_EVENTS)}")
    url = data.get("url")
    description = data.get("description")
    name = (description if isinstance(description, str) and description else str(url or ""))[:100]
    return {"name": name or "BiVelio webhook", "url": url, "description": description, "event_types": events}


def delivery_payload(contract_payload: dict[str, Any], webhook_id: str) -> dict[str, Any]:
    """A delivery's body as seed 002 shows it: `{event, timestamp, webhook_id, data}` with the
    record in BiVelio's shape."""
    event_type, data = contract_payload.get("type", ""), contract_payload.get("data") or {}
    if event_type.startswith("contact.") and "id" in data:
        data = person(data)
    elif event_type.startswith("invoice.") and "invoice_number" in data:
        data = invoice(data, None)
    return {"event": event_type, "timestamp": contract_payload.get("created_at"), "webhook_id": webhook_id,
            "data": data}
