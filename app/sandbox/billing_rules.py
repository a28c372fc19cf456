"""Invoice money rules in integer cents: line totals, per-line tax rounded half-up, what is due,
the status a payment leaves behind and when an invoice reads overdue.

Pure functions so the arithmetic is unit-tested without a server; the invoice and payment routers
apply them. Never floats: every amount is an integer number of minor units."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterable, Mapping

# Statuses that still expect money, so a payment may be recorded and overdue may apply.
OPEN_STATUSES: frozenset[str] = frozenset({"sent", "partially_paid", "overdue"})
#: Ten trillion in major units: far above any real invoice, far below SQLite's 64-bit integers.
MAX_TOTAL_CENTS = 10**15


@dataclass(frozen=True)
class Totals:
    """An invoice's computed sums, all in cents."""

    subtotal_cents: int
    tax_cents: int
    total_cents: int


def line_tax_cents(amount_cents: int, tax_rate_bps: int) -> int:
    """Tax on one line: `amount × rate / 10 000` rounded half-up to the cent (amounts are ≥ 0)."""
    return (amount_cents * tax_rate_bps * 2 + 10_000) // 20_000


def invoice_totals(line_items: Iterable[Mapping[str, int]]) -> Totals:
    """Sum the lines: each is `quantity × unit_amount_cents`, taxed on its own and rounded per line."""
    subtotal = tax = 0
    for line in line_items:
        amount = line["quantity"] * line["unit_amount_cents"]
        subtotal += amount
        tax += line_tax_cents(amount, line.get("tax_rate_bps", 0))
    return Totals(subtotal_cents=subtotal, tax_cents=tax, total_cents=subtotal + tax)


def amount_due_cents(total_cents: int, amount_paid_cents: int, status: str) -> int:
    """What is still owed: nothing on a void invoice, never below zero."""
    if status == "void":
        return 0
    return max(total_cents - amount_paid_cents, 0)


def status_after_payment(total_cents: int, amount_paid_cents: int) -> str:
    """`paid` once nothing is due, else `partially_paid` (overdue is applied on top by `is_overdue`)."""
    return "paid" if amount_paid_cents >= total_cents else "partially_paid"


def is_overdue(status: str, due_date: str | None, today: date, amount_due: int) -> bool:
    """Past its due date (a `YYYY-MM-DD` day, UTC) with money still due on an invoice that was sent."""
    if status not in OPEN_STATUSES or due_date is None or amount_due <= 0:
        return False
    return date.fromisoformat(due_date) < today


def reading_status(status: str, due_date: str | None, today: date,
                   total_cents: int, amount_paid_cents: int) -> str:
    """The status a client sees: `overdue` when `is_overdue`, else the stored one.

    A stored `overdue` whose due date moved forward reads as sent or partially paid again."""
    due = amount_due_cents(total_cents, amount_paid_cents, status)
    if is_overdue(status, due_date, today, due):
        return "overdue"
    if status == "overdue":
        return "partially_paid" if amount_paid_cents > 0 else "sent"
    return status
