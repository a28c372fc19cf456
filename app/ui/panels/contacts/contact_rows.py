"""The slim row a contacts table keeps per contact, and the table's columns.

A 100,000-contact cache must scroll without holding 100,000 full records (or pydantic models)
in Python: a full contact dict costs about 1.6 KB, this tuple about 0.5 KB. Rows are built in the
cache's worker thread, so the UI thread never parses JSON while scrolling.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from app.ui.record_table_model import Column, field_of


class ContactRow(NamedTuple):
    """What the table shows of one contact; the detail pane loads the full record by id."""

    id: str
    name: str
    email: str
    phone: str
    company_id: str
    company_name: str
    tags: str
    updated_at: str


def contact_row(body: Mapping[str, Any]) -> ContactRow:
    """A table row from a contact's JSON body (cached or fresh from the server)."""
    tags = body.get("tags") or []
    return ContactRow(
        id=str(body.get("id") or ""),
        name=str(body.get("name") or ""),
        email=str(body.get("email") or ""),
        phone=str(body.get("phone") or ""),
        company_id=sys.intern(str(body.get("company_id") or "")),
        company_name=sys.intern(str(body.get("company_name") or "")),
        tags=sys.intern(", ".join(str(tag) for tag in tags)),
        updated_at=str(body.get("updated_at") or ""),
    )


def contact_rows(bodies: Iterable[Mapping[str, Any]]) -> list[ContactRow]:
    return [contact_row(body) for body in bodies]


def _short_time(value: str) -> str:
    return value[:16].replace("T", " ") if value else ""


#: (column, the cached field the server-independent sort uses)
CONTACT_COLUMNS: tuple[tuple[Column, str], ...] = (
    (Column("Name", field_of("name"), object_name="name"), "name"),
    (Column("Email", field_of("email"), object_name="email"), "email"),
    (Column("Company", field_of("company_name"), object_name="company"), "company_name"),
    (Column("Tags", field_of("tags"), object_name="tags"), "tags"),
    (Column("Phone", field_of("phone"), object_name="phone"), "phone"),
    (Column("Updated", field_of("updated_at"), text=_short_time, object_name="updated"), "updated_at"),
)
