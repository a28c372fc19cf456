"""The slim row a contacts table keeps per contact, and the table's columns.

A 100,000-contact cache must scroll without holding 100,000 full records (or pydantic models)
in Python: a full contact dict costs about 1.6 KB, this tuple about 0.5 KB. Rows are built in the
cache's worker thread, so the UI thread never parses JSON while scrolling.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from operator import itemgetter
from typing import Any

from app.ui.record_table_model import Column

#: Positions in a row tuple.
ID, NAME, EMAIL, PHONE, COMPANY_ID, COMPANY_NAME, TAGS, UPDATED_AT = range(8)

#: What the table shows of one contact; the detail pane loads the full record by id. A plain
#: tuple of strings on purpose: CPython stops tracking such tuples in its cyclic garbage
#: collector, so 100k rows add nothing to every full collection (a NamedTuple stays tracked
#: and made full collections pause scrolling for 50+ ms).
ContactRow = tuple


def contact_row(body: Mapping[str, Any]) -> ContactRow:
    """A table row from a contact's JSON body (cached or fresh from the server)."""
    tags = body.get("tags") or []
    return (
        str(body.get("id") or ""),
        str(body.get("name") or ""),
        str(body.get("email") or ""),
        str(body.get("phone") or ""),
        sys.intern(str(body.get("company_id") or "")),
        sys.intern(str(body.get("company_name") or "")),
        sys.intern(", ".join(str(tag) for tag in tags)),
        str(body.get("updated_at") or ""),
    )


def contact_rows(bodies: Iterable[Mapping[str, Any]]) -> list[ContactRow]:
    return [contact_row(body) for body in bodies]


def _short_time(value: str) -> str:
    return value[:16].replace("T", " ") if value else ""


#: (column, the cached field the server-independent sort uses)
CONTACT_COLUMNS: tuple[tuple[Column, str], ...] = (
    (Column("Name", itemgetter(NAME), object_name="name"), "name"),
    (Column("Email", itemgetter(EMAIL), object_name="email"), "email"),
    (Column("Company", itemgetter(COMPANY_NAME), object_name="company", repeats=True), "company_name"),
    (Column("Tags", itemgetter(TAGS), object_name="tags", repeats=True), "tags"),
    (Column("Phone", itemgetter(PHONE), object_name="phone"), "phone"),
    (Column("Updated", itemgetter(UPDATED_AT), text=_short_time, object_name="updated"), "updated_at"),
)
