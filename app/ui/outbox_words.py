"""How the outbox dialog words a queued change: which record, what changed, why it waits.

A queued change is stored as the wire has it (`invoices`, `company_id`, `line_items`, the
server's raw refusal); the operator reads "Invoice INV-1001: line items, due date", "Company
Acme Ltd: website", "New draft for Acme Ltd: 2 lines, total $450.00", and a refusal without the
validation library's "Value error, " prefix. Qt-free words only; the dialog lays them out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from app.data.invoice_drafts import draft_totals
from app.data.outbox import OutboxItem
from app.ui.labels import humanize
from app.ui.money import format_money

#: What one record of each resource is called.
_KINDS = {"contacts": "Contact", "companies": "Company", "tickets": "Ticket", "invoices": "Invoice"}
#: The fields that name a record, in the order tried.
_TITLES = ("name", "subject", "invoice_number", "url")
#: Field names whose words are not the identifier's.
_FIELDS = {"invoice_number": "number", "company_id": "customer", "contact_id": "contact",
           "assignee_id": "assignee", "queue_id": "queue", "line_items": "line items", "website": "website",
           "email": "email"}
_LIBRARY_PREFIX = re.compile(r"(?:Value|Assertion) error, ")


def field_words(name: str) -> str:
    """A field as a sentence names it: `due_date` → "due date", `company_id` → "customer"."""
    return _FIELDS.get(name) or humanize(name).lower()


def field_title(name: str) -> str:
    """A field as a form labels it: "Due date", "Customer"."""
    words = field_words(name)
    return words[:1].upper() + words[1:]


def describe(item: OutboxItem) -> str:
    """One line for the change: the record it is about, then what it changes."""
    if item.action == "create" and item.resource == "invoices":
        return f"{item.label or 'New invoice draft'}: {lines_words(item.fields.get('line_items') or [], item.fields)}"
    if item.action != "update":
        return item.label or humanize(item.resource)
    base = item.base or {}
    title = next((str(base[name]) for name in _TITLES if base.get(name)), "") or item.record_id or ""
    kind = _KINDS.get(item.resource, humanize(item.resource))
    return f"{kind} {title}: {', '.join(field_words(name) for name in item.fields)}"


def lines_words(lines: list[Mapping[str, Any]], draft: Mapping[str, Any]) -> str:
    """ "2 lines, total $450.00" (the platform's totals for the lines)."""
    total = format_money(draft_totals(lines)["total_cents"], draft.get("currency") or "USD")
    return f"{len(lines)} line{'s' if len(lines) != 1 else ''}, total {total}"


def lines_detail(lines: list[Mapping[str, Any]]) -> str:
    """The lines as read in the dialog: "Site visit × 3; Travel × 1"."""
    return "; ".join(f"{line.get('name') or 'unnamed'} × {line.get('quantity', 1)}" for line in lines) or "no lines"


def reason_words(message: str) -> str:
    """The server's refusal kept with the change, without library phrasing."""
    return _LIBRARY_PREFIX.sub("", message)
