"""Money for people: integer minor units shown in the user's locale, and invoice totals computed
exactly as the platform computes them.

The platform keeps money as integers (`*_cents`) plus an ISO 4217 currency; so does this module.
Floats never touch an amount: the locale's currency pattern is learned from the number 1 and the
digits are written from the integer, so 0.1 + 0.2 problems cannot reach an invoice.
Totals follow the contract: per line `quantity × unit_amount_cents`, tax per line
`amount × tax_rate_bps / 10 000` rounded half-up to the cent, summed.
"""

from __future__ import annotations

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


def format_money(amount_minor: int, currency: str, locale: QLocale | None = None) -> str:
    """`amount_minor` (e.g. cents) in `currency`, written the way the user's locale writes money.

    `format_money(123456, "USD", QLocale("en_US"))` → `$1,234.56`; in de_DE → `1.234,56 $`.
    """
    if not isinstance(amount_minor, int) or isinstance(amount_minor, bool):
        raise TypeError(f"money must be an integer number of minor units, got {amount_minor!r}")
    locale = locale or QLocale()
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
    """What a person typed (`1,234.5`, `1234,50` in de_DE, `12`) → minor units; ValueError names the problem."""
    locale = locale or QLocale()
    exponent = minor_exponent(currency)
    cleaned = text.strip().replace(currency_symbol(currency), "").replace(currency.upper(), "").strip()
    for space in (" ", "\u00a0", "\u202f"):
        cleaned = cleaned.replace(space, "")
    if not cleaned:
        raise ValueError("Enter an amount.")
    point = locale.decimalPoint()
    group = locale.groupSeparator()
    if group and group != point:
        cleaned = cleaned.replace(group, "")
    if point != "." and point in cleaned:
        cleaned = cleaned.replace(point, ".")
    if cleaned.startswith("-"):
        raise ValueError("The amount cannot be negative.")
    whole, _, fraction = cleaned.partition(".")
    if not whole:
        whole = "0"
    if not whole.isdigit() or (fraction and not fraction.isdigit()):
        raise ValueError(f"“{text.strip()}” is not an amount.")
    if len(fraction) > exponent:
        places = "no decimals" if exponent == 0 else f"at most {exponent} decimals"
        raise ValueError(f"{currency.upper()} amounts have {places}.")
    return int(whole) * 10**exponent + int(fraction.ljust(exponent, "0") or "0")


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
