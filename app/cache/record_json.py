"""How a cached record's JSON goes in and comes out: dates and odd values as text, bodies or
selected fields read back.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from app.cache.secret_filter import mask_values

#: A top-level field a slice may select, filter or sort by (it goes into SQL as a JSON path).
FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")


def body_columns(fields: Sequence[str] | None) -> str:
    """What to select of a record: its whole body, or the named top-level fields (by SQLite)."""
    if fields is None:
        return "body"
    if not fields:
        raise ValueError("fields must name at least one field")
    for field in fields:
        if not FIELD_NAME.match(field):
            raise ValueError(f"{field!r} is not a field name a cached record can be read by")
    return ", ".join(f"json_extract(body, '$.{field}')" for field in fields)


def keyed_bodies(rows: Iterable[tuple[Any, ...]], fields: Sequence[str] | None) -> Iterator[tuple[Any, Any]]:
    """(key, body text) or (key, field values) from rows selected as key + `body_columns`."""
    for key, *values in rows:
        yield key, values[0] if fields is None else tuple(values)


def parsed_records(selected: list[Any], fields: Sequence[str] | None, convert: Callable[[Any], Any] | None) -> list[Any]:
    """Bodies parsed (or field values as read), each converted as soon as it is parsed."""
    if fields is not None:
        return selected if convert is None else [convert(values) for values in selected]
    if convert is None:
        return [json.loads(body) for body in selected]
    return [convert(json.loads(body)) for body in selected]


def json_default(value: Any) -> Any:
    """Dates as RFC 3339 text (as the API sends them), bytes as text, anything else as its str.

    Text made from an unknown object goes through the secret filter too: its str may show a key.
    """
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if value is None or isinstance(value, (str, int, float, bool, list, dict)):
        return value
    return mask_values(str(value))


def epoch_seconds(value: Any) -> float | None:
    """Epoch seconds from a number, a datetime or RFC 3339 text; None for anything else."""
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value).timestamp()
        except ValueError:
            return None
    return None
