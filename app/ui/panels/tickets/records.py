"""Ticket-panel records as plain JSON dicts, whether they came from the server or the cache.

The client returns pydantic models and the page cache returns dicts; the panel keeps one shape
(the JSON form) so every widget, the cache and the tests read the same fields the same way.
"""

from __future__ import annotations

from typing import Any


def as_record(item: Any) -> dict[str, Any]:
    """The JSON dict of a model (or the dict itself)."""
    if isinstance(item, dict):
        return item
    return item.model_dump(mode="json")


def as_records(items: Any) -> list[dict[str, Any]]:
    return [as_record(item) for item in items]
