"""Quota amounts and times in words: bytes in KiB/MiB/GiB, counts with separators, countdowns,
and the warning level of a usage (80 % and 95 %)."""

from __future__ import annotations

from datetime import datetime

WARN_AT = 0.80
CRITICAL_AT = 0.95
_BYTE_UNITS = ("B", "KiB", "MiB", "GiB", "TiB")

#: Resource → what the panel calls it.
RESOURCE_TITLES = {"api_calls": "API calls", "ai_calls": "AI calls", "storage_bytes": "Storage", "seats": "Seats"}


def format_amount(resource: str, value: float) -> str:
    """`1.5 GiB` for storage, `12,345` for counts."""
    if resource == "storage_bytes":
        amount = float(value)
        for unit in _BYTE_UNITS:
            if abs(amount) < 1024 or unit == _BYTE_UNITS[-1]:
                return f"{amount:,.0f} {unit}" if unit == "B" else f"{amount:,.1f} {unit}"
            amount /= 1024
    return f"{value:,.0f}"


def usage_level(used: int, limit: int) -> str:
    """`ok`, `warning` (≥ 80 %), `critical` (≥ 95 %) or `unlimited`."""
    if limit < 0:
        return "unlimited"
    if limit == 0:
        return "critical" if used > 0 else "ok"
    share = used / limit
    if share >= CRITICAL_AT:
        return "critical"
    if share >= WARN_AT:
        return "warning"
    return "ok"


def countdown(until: datetime, now: datetime) -> str:
    """`3 d 4 h`, `2 h 5 min`, `45 s`: the time left until `until`."""
    seconds = max(0, int((until - now).total_seconds()))
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, seconds = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes} min {seconds} s"
    return f"{seconds} s"
