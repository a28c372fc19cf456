"""Records from the client (pydantic models) as plain JSON dicts, the shape the cache stores."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def as_json(record: Any) -> dict[str, Any]:
    """A pydantic model (unknown fields included) or a mapping as a JSON-ready dict."""
    if isinstance(record, Mapping):
        return dict(record)
    dump = getattr(record, "model_dump", None)
    if dump is None:
        raise TypeError(f"not a record: {type(record).__name__}")
    return dump(mode="json")
