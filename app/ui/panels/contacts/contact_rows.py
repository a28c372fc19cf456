"""The slim row a contacts table keeps per contact, and the table's columns.

A 250,000-contact cache must scroll without holding 250,000 full records (or pydantic models)
in Python: a full contact dict costs about 1.6 KB, this tuple about 0.45 KB, and the table keeps
it packed in about 0.2 KB (`packed_rows`). SQLite reads the few fields a row needs out of each
cached body and packs them as the table keeps them (`PACKED_FIELDS`), so neither thread parses
whole contacts, or runs Python per row, while the table scrolls.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from operator import itemgetter
from typing import Any

from app.api.models import Contact
from app.ui.record_table_model import Column

#: Positions in a row tuple.
ID, NAME, EMAIL, PHONE, COMPANY_ID, COMPANY_NAME, TAGS, UPDATED_AT = range(8)

#: What the table shows of one contact; the detail pane loads the full record by id. A plain
#: tuple of strings on purpose: CPython stops tracking such tuples in its cyclic garbage
#: collector (a NamedTuple stays tracked and made full collections pause scrolling for 50+ ms).
ContactRow = tuple


#: The contact fields a row is made of, in row order: the cache reads just these (SQLite's
#: json_extract) instead of whole bodies, see `PageCache.query_records(fields=...)`.
CONTACT_FIELDS = ("id", "name", "email", "phone", "company_id", "company_name", "tags", "updated_at")


#: What the cache packs into a row's text for the table (`PackedBatch`): the fields after the id,
#: in row order, the tags (an array) as their items joined by ", ", as `contact_row_of_fields` does.
PACKED_FIELDS = CONTACT_FIELDS[1:]
PACKED_LISTS = ("tags",)

_FIELD_SET = frozenset(CONTACT_FIELDS)


def contact_row(body: Mapping[str, Any]) -> ContactRow:
    """A table row from a contact's JSON body."""
    return contact_row_of_fields(tuple(body.get(name) for name in CONTACT_FIELDS))


def contact_row_of_model(contact: Contact) -> ContactRow:
    """A table row from a `Contact` (fresh from the server): the same row the cache's fields make."""
    return contact_row(contact.model_dump(mode="json", include=_FIELD_SET))


def contact_row_of_fields(values: Sequence[Any]) -> ContactRow:
    """A table row from the values of `CONTACT_FIELDS` (a cached contact's, as the cache reads them)."""
    record_id, name, email, phone, company_id, company_name, tags, updated_at = values
    if isinstance(tags, str):
        tags = _tags_of_text(tags)
    return (
        str(record_id or ""),
        str(name or ""),
        str(email or ""),
        str(phone or ""),
        str(company_id or ""),
        str(company_name or ""),
        ", ".join(str(tag) for tag in tags or ()),
        str(updated_at or ""),
    )


def _tags_of_text(text: str) -> list[Any]:
    """The cache hands an array back as its JSON text; any other string is one tag."""
    if text.startswith("["):
        try:
            tags = json.loads(text)
        except ValueError:
            return [text]
        return tags if isinstance(tags, list) else [text]
    return [text]


def contact_rows(contacts: Iterable[Contact]) -> list[ContactRow]:
    return [contact_row_of_model(contact) for contact in contacts]


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
