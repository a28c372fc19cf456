"""How an API key reads in the list: its status in words, its masked form, and the table columns."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from app.ui.record_table_model import Column, field_of
from app.ui.theme import semantic_colour
from app.ui.widgets.timestamps import when

#: Every scope the contract defines, in the order the create dialog lists them.
ALL_SCOPES: tuple[str, ...] = (
    "crm:read", "crm:write", "support:read", "support:write", "integrations:read", "integrations:write",
    "quota:read", "keys:read", "keys:write", "logs:read",
)
#: A key this close to its expiry is shown as "expiring soon".
EXPIRING_SOON = timedelta(days=7)


def key_status(key: Any, now: datetime | None = None) -> str:
    """active | expiring soon | expired | revoked, from the server's status and the expiry time."""
    now = now or datetime.now(UTC)
    if key.status == "revoked":
        return "revoked"
    if key.status == "expired" or (key.expires_at is not None and key.expires_at <= now):
        return "expired"
    if key.status == "expiring" or (key.expires_at is not None and key.expires_at - now <= EXPIRING_SOON):
        return "expiring soon"
    return "active"


def masked(key: Any) -> str:
    """`opk_test_ab…wxyz`: the prefix and last four characters the platform lists."""
    return f"{key.prefix}…{key.last4}"


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
