"""Reading and writing a line item's tax rate (a percent on screen, basis points on the wire)."""

from __future__ import annotations


class LineError(ValueError):
    """A line item cell cannot be read; the message names the line and the column."""


def parse_percent_bps(text: str) -> int:
    """`8.25` (percent, `,` also accepted) → 825 basis points; ValueError names the problem."""
    cleaned = text.strip().rstrip("%").strip().replace(",", ".") or "0"
    whole, _, fraction = cleaned.partition(".")
    if not (whole or "0").isdigit() or (fraction and not fraction.isdigit()) or len(fraction) > 2:
        raise ValueError(f"“{text}” is not a tax rate (a percent with at most 2 decimals, like 8.25).")
    bps = int(whole or "0") * 100 + int(fraction.ljust(2, "0") or "0")
    if bps > 10_000:
        raise ValueError("A tax rate cannot be above 100%.")
    return bps


def format_bps(bps: int) -> str:
    return f"{bps // 100}.{bps % 100:02d}".rstrip("0").rstrip(".")
