"""The contract's scopes and what each member role grants."""

from __future__ import annotations

ALL_SCOPES: tuple[str, ...] = (
    "crm:read", "crm:write",
    "support:read", "support:write",
    "integrations:read", "integrations:write",
    "quota:read",
    "keys:read", "keys:write",
    "logs:read",
)
READ_SCOPES: tuple[str, ...] = tuple(s for s in ALL_SCOPES if s.endswith(":read"))

ROLE_SCOPES: dict[str, tuple[str, ...]] = {
    "owner": ALL_SCOPES,
    "admin": ALL_SCOPES,
    "agent": ("crm:read", "crm:write", "support:read", "support:write", "logs:read", "quota:read"),
    "viewer": READ_SCOPES,
}
