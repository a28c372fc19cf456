"""Money formatting in the user's locale, parsing what people type, and the half-up tax rule."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QLocale

from app.ui.money import format_money, invoice_totals, line_tax_cents, parse_money


@pytest.mark.parametrize(("locale", "cents", "currency", "text"), [
    ("en_US", 123456789, "USD", "$1,234,567.89"),
    ("de_DE", 123456789, "EUR", "1.234.567,89\u00a0€"),
    ("en_US", -50, "EUR", "(€0.50)"),
    ("de_DE", -50, "EUR", "-0,50\u00a0€"),
    ("ja_JP", 1500, "JPY", "¥1,500"),
    ("en_US", 1234, "KWD", "KWD1.234"),
    ("en_US", 7, "USD", "$0.07"),
])
def test_format_money_follows_the_locale_without_floats(qapp, locale, cents, currency, text):
    assert format_money(cents, currency, QLocale(locale)) == text


def test_format_money_refuses_floats(qapp):
    with pytest.raises(TypeError, match="integer"):
        format_money(12.5, "USD", QLocale("en_US"))


@pytest.mark.parametrize(("locale", "typed", "currency", "cents"), [
    ("en_US", "1,234.5", "USD", 123450), ("de_DE", "1.234,56", "EUR", 123456), ("en_US", "$12", "USD", 1200),
    ("en_US", ".07", "USD", 7), ("ja_JP", "1,500", "JPY", 1500), ("de_DE", "12,5", "EUR", 1250),
    ("de_DE", "1.234", "EUR", 123400), ("en_US", "1,234,567", "USD", 123456700), ("en_US", "1 234.50", "USD", 123450),
    ("fr_FR", "1\u202f234,50", "EUR", 123450), ("en_US", "12.", "USD", 1200),
])
def test_parse_money_reads_what_people_type(qapp, locale, typed, currency, cents):
    assert parse_money(typed, currency, QLocale(locale)) == cents


@pytest.mark.parametrize(("typed", "problem"), [
    ("", "Enter an amount"), ("abc", "not an amount"), ("1.234", "at most 2 decimals"), ("-5", "negative"),
])
def test_parse_money_names_the_problem(qapp, typed, problem):
    with pytest.raises(ValueError, match=problem):
        parse_money(typed, "USD", QLocale("en_US"))


def test_tax_is_rounded_half_up_per_line():
    assert line_tax_cents(10, 500) == 1  # 0.5 cent rounds up
    assert line_tax_cents(9, 500) == 0  # 0.45 cent rounds down
    lines = [{"quantity": 1, "unit_amount_cents": 10, "tax_rate_bps": 500}] * 2
    totals = invoice_totals(lines)
    assert (totals.subtotal_cents, totals.tax_cents, totals.total_cents) == (20, 2, 22), "per line, not on the sum"


@pytest.mark.parametrize(("locale", "typed", "currency", "problem"), [
    ("de_DE", "12.5", "EUR", "“12.5”: use , for decimals in this locale"),
    ("de_DE", "12.50 €", "EUR", "“12.50 €”: use , for decimals in this locale"),
    ("en_US", "1,2", "USD", "“1,2”: use . for decimals in this locale"),
    ("en_US", "$12,50", "USD", "“$12,50”: use . for decimals in this locale"),
    ("en_US", "1,23,456", "USD", "“1,23,456”: digit groups must have exactly 3 digits"),
    ("en_US", "1234,567", "USD", "“1234,567”: use . for decimals in this locale"),
    ("en_US", "1,,234", "USD", "“1,,234”: digit groups must have exactly 3 digits"),
    ("en_US", "1.5.0", "USD", "more than one decimal mark"),
    ("en_US", "1.2,5", "USD", "only digits may follow the decimal mark"),
])
def test_parse_money_refuses_a_misplaced_separator_instead_of_multiplying(qapp, locale, typed, currency, problem):
    with pytest.raises(ValueError) as refused:
        parse_money(typed, currency, QLocale(locale))
    assert problem in str(refused.value)


def test_money_under_the_c_locale_reads_as_people_write_it():
    from PySide6.QtCore import QLocale

    from app.ui import money

    previous = QLocale()
    QLocale.setDefault(QLocale.c())
    try:
        assert money.format_money(3318093, "USD") == "$33,180.93"
        assert money.parse_money("33,180.93", "USD") == 3318093
    finally:
        QLocale.setDefault(previous)
