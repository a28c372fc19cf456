"""How an API key reads in the list: the table columns, with its status (`app.data.api_keys`) coloured."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.data.api_keys import ALL_SCOPES, key_status, masked
from app.ui.record_table_model import Column, field_of
from app.ui.theme import semantic_colour
from app.ui.widgets.timestamps import when


def _status_colour(key: Any):
    status = key_status(key)
    if status in ("revoked", "expired"):
        return semantic_colour("error")
    if status == "expiring soon":
        return semantic_colour("warning")
    return None


def _expiry_colour(key: Any):
    return _status_colour(key) if key_status(key) in ("expiring soon", "expired") else None


def scopes_text(scopes: list[str] | None) -> str:
    """The scopes, or "all scopes" when a key holds every one there is."""
    if scopes and set(scopes) >= set(ALL_SCOPES):
        return "all scopes"
    return " ".join(scopes or [])


def key_columns(own_key_id: Callable[[], str | None], name_of: Callable[[str | None], str]) -> list[Column]:
    """The table's columns; `own_key_id()` names the key this console uses (marked in the list),
    `name_of(id)` turns a creator's id (member or key) into a name."""

    def name(key: Any) -> str:
        return f"{key.name}  (this console)" if key.id == own_key_id() else key.name

    return [
        Column("Name", name, object_name="name"),
        Column("Key", masked, object_name="key"),
        Column("Environment", field_of("environment")),
        Column("Status", key_status, foreground=_status_colour, object_name="status"),
        Column("Created by", field_of("created_by"), text=name_of, tooltip=field_of("created_by")),
        Column("Created", field_of("created_at"), text=when),
        Column("Last used", field_of("last_used_at"), text=lambda v: when(v, never="never")),
        Column("Expires", field_of("expires_at"), text=lambda v: when(v, never="never"),
               foreground=_expiry_colour),
        Column("Scopes", field_of("scopes"), text=scopes_text,
               tooltip=lambda key: "\n".join(key.scopes)),
    ]
