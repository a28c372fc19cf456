"""Invoice arithmetic in integer cents and the statuses money leaves behind."""

from __future__ import annotations

from datetime import date

import pytest

from app.sandbox.billing_rules import (
    amount_due_cents,
    invoice_totals,
    is_overdue,
    line_tax_cents,
    reading_status,
    status_after_payment,
)


@pytest.mark.parametrize(
    ("amount", "bps", "tax"),
    [
        (1000, 1900, 190),     # exact
        (5, 1000, 1),          # 0.5 cent rounds up
        (4, 1000, 0),          # 0.4 cent rounds down
        (15, 1000, 2),         # 1.5 → 2
        (25, 1000, 3),         # 2.5 → 3 (half-up, not banker's)
        (999, 0, 0),
        (123, 10000, 123),     # 100 %
    ],
)
def test_line_tax_rounds_half_up_to_the_cent(amount: int, bps: int, tax: int) -> None:
    assert line_tax_cents(amount, bps) == tax


def test_totals_tax_each_line_on_its_own() -> None:
    lines = [
        {"quantity": 3, "unit_amount_cents": 5, "tax_rate_bps": 1000},   # 15 → tax 1.5 → 2
        {"quantity": 1, "unit_amount_cents": 5, "tax_rate_bps": 1000},   # 5 → tax 0.5 → 1
        {"quantity": 2, "unit_amount_cents": 50_000},                    # no tax rate: 0
    ]
    totals = invoice_totals(lines)
    assert totals.subtotal_cents == 100_020
    # Per-line rounding gives 3; taxing the 20-cent sum once would give 2.
    assert totals.tax_cents == 3
    assert totals.total_cents == 100_023


def test_amount_due_and_status_after_payment() -> None:
    assert amount_due_cents(10_000, 2_500, "partially_paid") == 7_500
    assert amount_due_cents(10_000, 0, "void") == 0
    assert status_after_payment(10_000, 2_500) == "partially_paid"
    assert status_after_payment(10_000, 10_000) == "paid"


def test_overdue_needs_a_past_due_date_and_money_due() -> None:
    today = date(2026, 4, 7)
    assert is_overdue("sent", "2026-04-06", today, 100)
    assert not is_overdue("sent", "2026-04-07", today, 100)       # due today is not late yet
    assert not is_overdue("sent", "2026-04-06", today, 0)
    assert not is_overdue("draft", "2026-04-06", today, 100)
    assert not is_overdue("void", "2026-04-06", today, 100)
    assert is_overdue("partially_paid", "2026-01-01", today, 1)


def test_reading_status_falls_back_when_no_longer_overdue() -> None:
    today = date(2026, 4, 7)
    assert reading_status("sent", "2026-04-01", today, 1000, 0) == "overdue"
    assert reading_status("overdue", "2026-05-01", today, 1000, 0) == "sent"
    assert reading_status("overdue", "2026-05-01", today, 1000, 10) == "partially_paid"
    assert reading_status("paid", "2026-04-01", today, 1000, 1000) == "paid"
