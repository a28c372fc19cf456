"""How the invoices panel words what it shows: local dates, field names and the server's refusals.

A due date reads as the user's locale writes dates ("1/10/2027", "10.01.2027"), never as ISO; a
field is named as the form names it ("Line 2 quantity", "Due date"), never `line_items[1].quantity`;
and a 422's messages lose pydantic's "Value error, " prefix and its schema jargon ("Input should be
greater than or equal to 1" → "must be at least 1"), so what the server says reads like the checks
the editor makes before sending.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import QDate, QLocale

from app.api import errors
from app.ui.labels import humanize, label
from app.ui.money import user_locale

#: Fields whose form label differs from the identifier's words.
_FIELD_WORDS = {"invoice_number": "Number", "company_id": "Customer", "contact_id": "Contact",
                "issue_date": "Issued", "due_date": "Due", "name": "item", "unit_amount_cents": "unit price",
                "tax_rate_bps": "tax", "amount_cents": "Amount", "line_items": "Line items"}
#: pydantic's phrasings of the contract's bounds, as the editor's own checks word them.
_PHRASES = (
    (re.compile(r"^(?:Value|Assertion) error, "), ""),
    (re.compile(r"^Input should be greater than or equal to (\d+)$"), r"must be at least \1"),
    (re.compile(r"^Input should be less than or equal to (\d+)$"), r"must be at most \1"),
    (re.compile(r"^Input should be greater than (\d+)$"), r"must be more than \1"),
    (re.compile(r"^String should have at most (\d+) characters?$"), r"must have at most \1 characters"),
    (re.compile(r"^String should have at least 1 character$"), "must not be empty"),
    (re.compile(r"^String should have at least (\d+) characters$"), r"must have at least \1 characters"),
    (re.compile(r"^List should have at most (\d+) items.*$"), r"may have at most \1 lines"),
    (re.compile(r"^String should match pattern .*$"), "is not in the expected form"),
    (re.compile(r"^Input should be a valid integer.*$"), "must be a whole number"),
)
#: Identifiers the server's sentences name, as a sentence says them.
_IDENTIFIERS = {"issue_date": "the issue date", "due_date": "the due date", "line_items": "the line items",
                "amount_cents": "the amount", "invoice_number": "the number", "invoice_id": "the invoice",
                "unit_amount_cents": "the unit price", "tax_rate_bps": "the tax rate"}
_IDENTIFIER = re.compile(r"\b([a-z]+(?:_[a-z]+)+)\b")
_PATH = re.compile(r"^line_items\[(\d+)\](?:\.(\w+))?$")


def date_edit_format(locale: QLocale | None = None) -> str:
    """The locale's short date pattern with a four-digit year (`M/d/yyyy`, `dd.MM.yyyy`)."""
    pattern = (locale or user_locale()).dateFormat(QLocale.FormatType.ShortFormat)
    return pattern if "yyyy" in pattern else pattern.replace("yy", "yyyy")


def local_date(day: date | None, *, empty: str = "—") -> str:
    """`day` as the user's locale writes dates (see `date_edit_format`)."""
    if day is None:
        return empty
    locale = user_locale()
    return locale.toString(QDate(day.year, day.month, day.day), date_edit_format(locale))


def field_words(path: Sequence[Any] | str) -> str:
    """A field as the operator reads it: `("line_items", 1, "quantity")` or `line_items[1].quantity`
    → "Line 2 quantity", `due_date` → "Due"."""
    if isinstance(path, str):
        match = _PATH.match(path)
        path = (("line_items", int(match[1])) + ((match[2],) if match[2] else ())) if match else (path,)
    head, *rest = path
    if head == "line_items" and rest and isinstance(rest[0], int):
        line = f"Line {rest[0] + 1}"
        return f"{line} {_FIELD_WORDS.get(rest[1], humanize(rest[1]).lower())}" if len(rest) > 1 else line
    words = _FIELD_WORDS.get(str(head), humanize(str(head)))
    words = words[:1].upper() + words[1:]
    return " ".join([words, *(humanize(str(part)).lower() for part in rest)])


def server_words(message: str) -> str:
    """One of the server's messages without library prefixes or schema jargon; identifiers it
    names read as words ("must be on or after issue_date" → "… the issue date", "A partially_paid
    invoice" → "A partially paid invoice")."""
    text = message.strip()
    for pattern, replacement in _PHRASES:
        text = pattern.sub(replacement, text)
    return _IDENTIFIER.sub(lambda m: _IDENTIFIERS.get(m[1]) or label("status", m[1]).lower(), text)


def refusal_text(fields: Mapping[str, str], fallback: str) -> str:
    """The server's 422 as one sentence per field: "Line 1 quantity: must be at least 1."."""
    if not fields:
        return server_words(fallback)
    return " ".join(f"{field_words(name)}: {server_words(message)}." for name, message in fields.items())


def refusal_message(error: BaseException) -> str | None:
    """The banner's words for a 422 or 409 (None: the shared wording fits)."""
    if isinstance(error, errors.ValidationFailed):
        return f"The server refused it: {refusal_text(error.fields, error.message)}"
    if isinstance(error, errors.Conflict):
        return f"Conflict: {server_words(error.message)}"
    return None


def their_change_words(merged_from: Sequence[str]) -> str:
    """" with their change to line items, notes" for a save merged with a colleague's fields."""
    return f" with their change to {', '.join(field_words(name).lower() for name in merged_from)}" if merged_from else ""
