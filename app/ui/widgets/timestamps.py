"""Timestamps as the tables show them: the user's local time, to the minute."""

from __future__ import annotations

from datetime import datetime


def when(value: datetime | None, *, never: str = "") -> str:
    """A timestamp in the user's local time, minutes precision; `never` for None."""
    if value is None:
        return never
    return value.astimezone().strftime("%Y-%m-%d %H:%M")
