"""How an API key reads in the list: the table columns, with its status (`app.data.api_keys`) coloured.

Keys are told apart by what the platform lists of their secret (`opk_test_ab…wxyz`) and when
they were made, not by name: a rotation leaves two keys with the same name. Statuses read as
words, times as "3 d ago" with the exact local time on hover.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.data.api_keys import ALL_SCOPES, key_status, masked
from app.ui.labels import label
from app.ui.record_table_model import Column, field_of
from app.ui.theme import semantic_colour
from app.ui.time_text import exact, relative


def _status_colour(key: Any):
    status = key_status(key)
    if status in ("revoked", "expired"):
        return semantic_colour("error")
    if status == "expiring soon":
        return semantic_colour("warning")
    return None


def _expiry_colour(key: Any):
    return _status_colour(key) if key_status(key) in ("expiring soon", "expired") else None


def status_text(key: Any) -> str:
    """"Active", "Expiring soon", "Expired", "Revoked"."""
    return label("status", key_status(key))


def scopes_text(scopes: list[str] | None) -> str:
    """The scopes, or "all scopes" when a key holds every one there is."""
    if scopes and set(scopes) >= set(ALL_SCOPES):
        return "all scopes"
    return " ".join(scopes or [])


#: Column numbers (tests and the column layout name them).
NAME, KEY, STATUS, CREATED, LAST_USED, EXPIRES, CREATED_BY, ENVIRONMENT, SCOPES = range(9)
#: First-run widths: name, key, status and when it was made fit at 1024×700 (about 850 px of
#: table), with the last use and expiry beside them; at 1200×760 who made it too.
KEY_WIDTHS = {NAME: 175, KEY: 145, STATUS: 105, CREATED: 80, LAST_USED: 80, EXPIRES: 100, CREATED_BY: 120,
              ENVIRONMENT: 90, SCOPES: 120}


def key_columns(own_key_id: Callable[[], str | None], name_of: Callable[[str | None], str]) -> list[Column]:
    """The table's columns; `own_key_id()` names the key this console uses (marked in the list),
    `name_of(id)` turns a creator's id (member or key) into a name."""

    def name(key: Any) -> str:
        return f"{key.name}  (this console)" if key.id == own_key_id() else key.name

    return [
        Column("Name", name, object_name="name"),
        Column("Key", masked, object_name="key", tooltip=lambda key: f"{masked(key)} · made {exact(key.created_at)}"),
        Column("Status", status_text, foreground=_status_colour, object_name="status", sort_key=key_status),
        Column("Created", field_of("created_at"), text=lambda v: relative(v), tooltip=lambda k: exact(k.created_at)),
        Column("Last used", field_of("last_used_at"), text=lambda v: relative(v, empty="never"),
               tooltip=lambda k: exact(k.last_used_at, empty="Never used")),
        Column("Expires", field_of("expires_at"), text=lambda v: relative(v, empty="never"),
               foreground=_expiry_colour, tooltip=lambda k: exact(k.expires_at, empty="Does not expire")),
        Column("Created by", field_of("created_by"), text=name_of, tooltip=field_of("created_by")),
        Column("Environment", field_of("environment"), text=lambda v: label("environment", v)),
        Column("Scopes", field_of("scopes"), text=scopes_text,
               tooltip=lambda key: "\n".join(key.scopes)),
    ]
