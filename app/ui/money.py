"""Money for people: integer minor units shown in the user's locale, and invoice totals computed
exactly as the platform computes them.

The platform keeps money as integers (`*_cents`) plus an ISO 4217 currency; so does this module.
Floats never touch an amount: the locale's currency pattern is learned from the number 1 and the
digits are written from the integer, so 0.1 + 0.2 problems cannot reach an invoice.
Totals follow the contract: per line `quantity × unit_amount_cents`, tax per line
`amount × tax_rate_bps / 10 000` rounded half-up to the cent, summed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QLocale

#: ISO 4217 currencies whose minor unit is not the cent (default exponent is 2).
_EXPONENTS: dict[str, int] = {
    "JPY": 0, "KRW": 0, "VND": 0, "CLP": 0, "ISK": 0, "XAF": 0, "XOF": 0, "UGX": 0, "PYG": 0,
    "BHD": 3, "KWD": 3, "OMR": 3, "JOD": 3, "TND": 3, "IQD": 3, "LYD": 3,
}
_SYMBOLS: dict[str, str] = {
    "USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹", "KRW": "₩", "CHF": "CHF",
    "CAD": "CA$", "AUD": "A$", "NZD": "NZ$", "BRL": "R$", "MXN": "MX$", "CNY": "CN¥",
}


def minor_exponent(currency: str) -> int:
    """How many decimal digits the currency's minor unit has (2 for most, 0 for JPY, 3 for KWD)."""
    return _EXPONENTS.get(currency.upper(), 2)


def currency_symbol(currency: str) -> str:
    """The symbol people read for an ISO code (`$` for USD); the code itself when there is none."""
    return _SYMBOLS.get(currency.upper(), currency.upper())


def user_locale() -> QLocale:
    """The user's locale for numbers and money; English (US) conventions where none is set.

    Under the C/POSIX locale (a bare container, `LANG=C.UTF-8`) Qt's "C" locale writes money as
    `33180.93$`, which no reader expects; a machine with no locale chosen gets `$33,180.93`.
    """
    locale = QLocale()
    if locale.language() == QLocale.Language.C:
        return QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)
    return locale


def format_money(amount_minor: int, currency: str, locale: QLocale | None = None) -> str:
    """`amount_minor` (e.g. cents) in `currency`, written the way the user's locale writes money.

    `format_money(123456, "USD", QLocale("en_US"))` → `$1,234.56`; in de_DE → `1.234,56 $`.
    """
    if not isinstance(amount_minor, int) or isinstance(amount_minor, bool):
        raise TypeError(f"money must be an integer number of minor units, got {amount_minor!r}")
    locale = locale or user_locale()
    exponent = minor_exponent(currency)
    negative = amount_minor < 0
    major, minor = divmod(abs(amount_minor), 10**exponent)
    number = locale.toString(major)
    if exponent:
        number += locale.decimalPoint() + locale.toString(minor).rjust(exponent, locale.toString(0))
    one = locale.toString(1)
    template = locale.toCurrencyString(-1 if negative else 1, currency_symbol(currency))
    return template.replace(one, number, 1)


def parse_money(text: str, currency: str, locale: QLocale | None = None) -> int:
    """What a person typed (`1,234.5`, `1234,50` in de_DE, `12`) → minor units; ValueError names the problem.

    Group separators (the locale's, or a space) count only where they group the whole part in
    threes, so a decimal written with the other locale's mark (`12.5` in de_DE) is refused with a
    hint instead of being read as 125 euros.
    """
    locale = locale or user_locale()
    exponent = minor_exponent(currency)
    typed = text.strip()
    cleaned = typed.replace(currency_symbol(currency), "").replace(currency.upper(), "").strip()
    if not cleaned:
        raise ValueError("Enter an amount.")
    if cleaned.startswith("-"):
        raise ValueError("The amount cannot be negative.")
    point = locale.decimalPoint()
    group = locale.groupSeparator()
    if group == point:
        group = ""
    whole, *fractions = cleaned.split(point)
    if len(fractions) > 1:
        raise ValueError(f"“{typed}” has more than one decimal mark ({point}).")
    fraction = fractions[0] if fractions else ""
    if fraction and not fraction.isdigit():
        raise ValueError(f"“{typed}” is not an amount: only digits may follow the decimal mark ({point}).")
    groups = re.split(_group_marks(group), whole) if whole else ["0"]
    if not all(part.isdigit() for part in groups):
        if len(groups) > 1 and all(part.isdigit() or not part for part in groups):
            raise ValueError(f"“{typed}”: digit groups must have exactly 3 digits.")
        raise ValueError(f"“{typed}” is not an amount.")
    if len(groups) > 1 and (len(groups[0]) > 3 or any(len(part) != 3 for part in groups[1:])):
        if not fractions and len(groups) == 2 and group and whole.count(group) == 1:
            raise ValueError(f"“{typed}”: use {point} for decimals in this locale.")
        raise ValueError(f"“{typed}”: digit groups must have exactly 3 digits.")
    if len(fraction) > exponent:
        places = "no decimals" if exponent == 0 else f"at most {exponent} decimals"
        raise ValueError(f"{currency.upper()} amounts have {places}.")
    return int("".join(groups)) * 10**exponent + int(fraction.ljust(exponent, "0") or "0")


def _group_marks(group: str) -> str:
    """A pattern for one group separator: the locale's own, or any space people type instead."""
    spaces = r"\s\u00a0\u202f"
    return f"[{re.escape(group)}{spaces}]" if group else f"[{spaces}]"


@dataclass(frozen=True)
class InvoiceTotals:
    """An invoice's sums in minor units, as the platform computes them."""

    subtotal_cents: int
    tax_cents: int
    total_cents: int


def line_amount_cents(line: Mapping[str, Any] | Any) -> int:
    """One line before tax: `quantity × unit_amount_cents`."""
    return int(_get(line, "quantity")) * int(_get(line, "unit_amount_cents"))


def line_tax_cents(amount_cents: int, tax_rate_bps: int) -> int:
    """Tax on one line, `amount × rate / 10 000` rounded half-up to the cent, in integers only."""
    return (amount_cents * tax_rate_bps * 2 + 10_000) // 20_000


def invoice_totals(line_items: Iterable[Mapping[str, Any] | Any]) -> InvoiceTotals:
    """Subtotal, tax and total of the lines (dicts or LineItem models), each line taxed on its own."""
    subtotal = tax = 0
    for line in line_items:
        amount = line_amount_cents(line)
        subtotal += amount
        tax += line_tax_cents(amount, int(_get(line, "tax_rate_bps") or 0))
    return InvoiceTotals(subtotal_cents=subtotal, tax_cents=tax, total_cents=subtotal + tax)


def _get(record: Mapping[str, Any] | Any, name: str) -> Any:
    if isinstance(record, Mapping):
        return record.get(name)
    return getattr(record, name, None)
