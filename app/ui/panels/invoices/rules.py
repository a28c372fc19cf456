"""The contract's rules for a draft, checked in the editor before anything is sent.

Each bound is the sandbox's (its OpenAPI schema and `billing_rules`); each message says the rule
the way the server's own refusal says it once `words.server_words` has cleaned that up, so the
operator reads the same sentence whether the editor or the server caught the mistake.
Numbers and money are written in the user's locale.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from app.api.models import Invoice
from app.ui.money import format_money, user_locale

MAX_NUMBER_CHARS = 50
MAX_NOTES_CHARS = 5_000
MAX_LINES = 100
MAX_ITEM_CHARS = 200
MAX_QUANTITY = 1_000_000
MAX_UNIT_CENTS = 100_000_000_000
MAX_TOTAL_CENTS = 10**15
MAX_PAYMENT_CENTS = 100_000_000_000_000
_CURRENCY = re.compile(r"^[A-Z]{3}$")
#: The sandbox's words for a draft it will not send.
SEND_RULE = "An invoice needs at least one line and a total above 0 to be sent."


def draft_problems(values: Mapping[str, Any], total_cents: int) -> dict[str, str]:
    """What the server would refuse in the editor's `values` ({field: message}; empty when none).

    The lines' own cells (name, quantity, price, tax) are checked as they are read
    (`InvoiceEditor.line_items`); this checks the draft as a whole.
    """
    problems: dict[str, str] = {}
    number = values.get("invoice_number") or ""
    if len(number) > MAX_NUMBER_CHARS:
        problems["invoice_number"] = f"must have at most {MAX_NUMBER_CHARS} characters"
    currency = values.get("currency") or ""
    if not _CURRENCY.match(currency):
        problems["currency"] = "must be a three-letter ISO 4217 code, e.g. USD"
    issue, due = values.get("issue_date"), values.get("due_date")
    if issue and due and due < issue:
        problems["due_date"] = "must be on or after the issue date"
    if len(values.get("notes") or "") > MAX_NOTES_CHARS:
        problems["notes"] = f"must have at most {_number(MAX_NOTES_CHARS)} characters"
    lines = values.get("line_items") or []
    if len(lines) > MAX_LINES:
        problems["line_items"] = f"may have at most {MAX_LINES} lines"
    elif total_cents > MAX_TOTAL_CENTS and not problems.get("currency"):
        problems["line_items"] = f"the total may be at most {format_money(MAX_TOTAL_CENTS, currency)}"
    return problems


def line_bound_problem(column: str, value: int, currency: str) -> str:
    """Why a line's `quantity` or `unit_amount_cents` is out of the contract's bounds ("" when fine)."""
    if column == "quantity" and not 1 <= value <= MAX_QUANTITY:
        return f"must be a whole number from 1 to {_number(MAX_QUANTITY)}"
    if column == "unit_amount_cents" and value > MAX_UNIT_CENTS:
        return f"must be at most {format_money(MAX_UNIT_CENTS, currency)}"
    return ""


def send_problem(invoice: Invoice) -> str:
    """Why the server would refuse to send `invoice` ("" when it would not)."""
    if not invoice.line_items or invoice.total_cents <= 0:
        return SEND_RULE
    return ""


def _number(value: int) -> str:
    return user_locale().toString(value)
