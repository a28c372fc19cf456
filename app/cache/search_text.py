"""What local full-text search looks at, and how typed text becomes an FTS5 query.

Each searchable resource contributes a title (weighted higher in ranking) and a detail text.
Ticket messages are searchable too; a hit on a message counts as a hit on its ticket.
"""

from __future__ import annotations

import re
from typing import Any

# resource -> (title fields, detail fields)
SEARCHABLE: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "contacts": (("name",), ("email", "phone", "company_name", "tags")),
    "companies": (("name",), ("domain", "website")),
    "tickets": (("subject",), ()),
    "ticket_messages": ((), ("body",)),
}
# child resource -> (parent resource, field holding the parent's id)
SEARCH_PARENT: dict[str, tuple[str, str]] = {"ticket_messages": ("tickets", "ticket_id")}
TITLE_WEIGHT, DETAIL_WEIGHT = 10.0, 1.0

_WORD = re.compile(r"\w+", re.UNICODE)


def search_columns(resource: str, body: dict[str, Any]) -> tuple[str | None, str | None]:
    """The (title, detail) texts to index for one record, or (None, None) if not searchable."""
    spec = SEARCHABLE.get(resource)
    if spec is None:
        return None, None
    title_fields, detail_fields = spec
    return _join(body, title_fields), _join(body, detail_fields)


def fts_query(text: str) -> str | None:
    """Typed text as an FTS5 query: every word must match as a word prefix.

    "ali smi" finds "Alice Smith", because people search as they type.
    Returns None when the text has no searchable characters.
    """
    words = _WORD.findall(text)
    if not words:
        return None
    return " AND ".join(f'"{word}"*' for word in words)


def searched_resources(resource: str) -> list[str]:
    """The resource itself plus the child resources whose hits count for it."""
    return [resource, *(child for child, (parent, _) in SEARCH_PARENT.items() if parent == resource)]


def _join(body: dict[str, Any], names: tuple[str, ...]) -> str | None:
    parts: list[str] = []
    for name in names:
        value = body.get(name)
        if isinstance(value, (list, tuple)):
            parts.extend(str(v) for v in value if v is not None)
        elif value is not None and value != "":
            parts.append(str(value))
    return " ".join(parts) if parts else None
