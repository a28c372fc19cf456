"""First start on an empty data dir: the two workspaces, their members and keys, demo data, and
`credentials.json` (mode 0600) as docs/DESIGN.md shows. Later starts find the workspaces and
reuse everything.

The demo data itself comes from `seed.seed_workspace(conn, workspace_id, size, rng, members)`;
this module only creates what the credentials file must name (members with logins, the owner and
read-only keys).
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
from pathlib import Path
from typing import Any

from app.sandbox import seed
from app.sandbox.auth import hash_password, hash_secret, new_api_key_secret
from app.sandbox.bulk_load import bulk_load
from app.sandbox.db import Database
from app.sandbox.dialects.credentials import ensure_dialect_credentials
from app.sandbox.ids import base62, new_id
from app.sandbox.scopes import ALL_SCOPES, READ_SCOPES
from app.sandbox.settings import DEFAULT_RATE_LIMIT_PER_MINUTE, SandboxSettings
from app.sandbox.timeutil import now_rfc3339

ENABLED_MODULES = ["crm", "support", "billing", "integrations", "quota", "keys", "logs"]

#: (resource, limit, period) per workspace; -1 means unlimited.
QUOTA_LIMITS: tuple[tuple[str, int, str], ...] = (
    ("api_calls", 1_000_000, "month"),
    ("ai_calls", 5_000, "month"),
    ("storage_bytes", 10 * 1024**3, "none"),
    ("seats", 10, "none"),
)

_WORKSPACES = {
    "live": ("Northwind Outfitters", "growth", 1),
    "test": ("Northwind Outfitters (Test)", "growth", 2),
}
#: Who the demo workspaces are on paper: the issuer block of their invoices (`GET /workspace`).
BILLING_IDENTITY: dict[str, Any] = {
    "legal_name": "Northwind Outfitters, Inc.",
    "billing_address": {
        "line1": "1200 NW Naito Parkway", "line2": "Suite 400", "city": "Portland", "region": "OR",
        "postal_code": "97209", "country": "US",
        "formatted": ["1200 NW Naito Parkway", "Suite 400", "Portland, OR 97209", "United States"],
    },
    "tax_id": "EIN 12-3456789",
    "billing_email": "billing@northwind.example",
}
_MEMBERS = (  # role, name, local part of the email
    ("owner", "Maya Lindqvist", "maya"),
    ("admin", "Jonas Weber", "jonas"),
    ("agent", "Priya Raman", "priya"),
    ("viewer", "Sam Okafor", "sam"),
)


def is_initialized(db: Database) -> bool:
    return db.conn().execute("SELECT 1 FROM workspaces LIMIT 1").fetchone() is not None


def _email(local: str, environment: str) -> str:
    return f"{local}@northwind.example" if environment == "live" else f"{local}+test@northwind.example"


def insert_api_key(conn: sqlite3.Connection, workspace_id: str, environment: str, name: str,
                   scopes: list[str], created_by: str | None, *, expires_at: str | None = None) -> tuple[str, str]:
    """Insert a key; return `(key_id, secret)`. The secret exists only in the return value."""
    secret = new_api_key_secret(environment)
    key_id = new_id("key")
    conn.execute(
        "INSERT INTO api_keys (id, workspace_id, name, prefix, last4, secret_hash, environment, scopes,"
        " created_by, created_at, expires_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        (key_id, workspace_id, name, secret[: len(f"opk_{environment}_") + 4], secret[-4:],
         hash_secret(secret), environment, json.dumps(scopes), created_by, now_rfc3339(), expires_at))
    return key_id, secret


def _create_workspace(conn: sqlite3.Connection, environment: str, settings: SandboxSettings) -> dict[str, Any]:
    name, plan, rng_seed = _WORKSPACES[environment]
    workspace_id = new_id("wrk")
    stamp = now_rfc3339()
    conn.execute(
        "INSERT INTO workspaces (id, name, plan, environment, enabled_modules, rate_limit_per_minute,"
        " created_at) VALUES (?,?,?,?,?,?,?)",
        (workspace_id, name, plan, environment, json.dumps(ENABLED_MODULES),
         DEFAULT_RATE_LIMIT_PER_MINUTE, stamp))
    _set_billing_identity(conn, workspace_id)
    conn.executemany(
        'INSERT INTO quota_limits (workspace_id, resource, "limit", period) VALUES (?,?,?,?)',
        [(workspace_id, *limit) for limit in QUOTA_LIMITS])
    logins: dict[str, dict[str, str]] = {}
    member_ids: dict[str, str] = {}
    for role, member_name, local in _MEMBERS:
        password = base62(16)
        member_id = new_id("usr")
        conn.execute(
            "INSERT INTO members (id, workspace_id, name, email, role, status, password_hash, created_at)"
            " VALUES (?,?,?,?,?,'active',?,?)",
            (member_id, workspace_id, member_name, _email(local, environment), role, hash_password(password), stamp))
        logins[role] = {"email": _email(local, environment), "password": password}
        member_ids[role] = member_id
    _, owner_key = insert_api_key(conn, workspace_id, environment, "Owner key", list(ALL_SCOPES), member_ids["owner"])
    _, readonly_key = insert_api_key(conn, workspace_id, environment, "Read-only key", list(READ_SCOPES),
                                     member_ids["owner"])
    seed.seed_workspace(conn, workspace_id, settings.seed_size, random.Random(rng_seed), list(member_ids.values()),
                        tickets=settings.seed_tickets)
    return {
        "workspace_id": workspace_id, "workspace_name": name, "environment": environment,
        "owner_key": owner_key, "readonly_key": readonly_key,
        "user": logins["owner"], "agent_user": logins["agent"],
    }


def _set_billing_identity(conn: sqlite3.Connection, workspace_id: str | None = None) -> None:
    """Give the demo workspace (or every one still without it) its issuer block."""
    identity = BILLING_IDENTITY
    conn.execute(
        "UPDATE workspaces SET legal_name = ?, billing_address = ?, tax_id = ?, billing_email = ?"
        " WHERE " + ("id = ?" if workspace_id else "legal_name IS NULL AND billing_address IS NULL"),
        (identity["legal_name"], json.dumps(identity["billing_address"]), identity["tax_id"],
         identity["billing_email"], *((workspace_id,) if workspace_id else ())))


def write_credentials(path: Path, credentials: dict[str, Any]) -> None:
    """Write `credentials.json` readable by the user alone (0600 from the first byte)."""
    tmp = path.with_suffix(".json.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(credentials, handle, indent=2)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def ensure_initialized(db: Database, settings: SandboxSettings) -> bool:
    """Create and seed both workspaces and write credentials.json unless done before; True if it did."""
    if is_initialized(db):
        # Data dirs made before workspaces had an address get the demo one.
        with db.transaction() as conn:
            _set_billing_identity(conn)
        _ensure_dialects(db, settings)
        return False
    with db.bulk_transaction() as conn, bulk_load(conn):
        # One bulk load for both workspaces: the indexes are built once, over both.
        credentials = {env: _create_workspace(conn, env, settings) for env in ("live", "test")}
    with db.transaction() as conn:
        ensure_dialect_credentials(conn, credentials)
    write_credentials(settings.credentials_path, credentials)
    return True


def _ensure_dialects(db: Database, settings: SandboxSettings) -> None:
    """Give a data dir made before a dialect existed that dialect's credentials."""
    path = settings.credentials_path
    try:
        credentials = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return  # no readable credentials file: nobody could use new dialect secrets either
    with db.transaction() as conn:
        changed = ensure_dialect_credentials(conn, credentials)
    if changed:
        write_credentials(path, credentials)
