"""Each workspace's credentials in every dialect's own shapes, minted once and listed in
`credentials.json` under `dialects` (`{name: {"base_url": <path below the sandbox root>, …}}`).

Dialect keys are rows of `api_keys` (so the contract's key list, revoke and rotate cover them)
marked with their dialect: they work on their own mount only. Secrets exist only in this
function's result and the 0600 credentials file, as the contract's own keys do.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from app.sandbox.auth import hash_secret
from app.sandbox.dialects.gateway import MOUNT_ROOT
from app.sandbox.dialects.registry import MOUNTS, translator_for
from app.sandbox.ids import base62, new_id
from app.sandbox.timeutil import now_rfc3339


def new_secret(prefix: str, length: int = 40) -> str:
    """`prefix` + `length` base62 characters (40 → 238 bits)."""
    return prefix + base62(length)


def insert_dialect_key(conn: sqlite3.Connection, workspace: dict[str, Any], dialect: str, name: str,
                       secret: str, scopes: list[str]) -> str:
    """Store a key of `dialect` for `workspace` (its hash only); return the key id."""
    key_id = new_id("key")
    head = secret[: max(len(secret) - 36, 8)]
    conn.execute(
        "INSERT INTO api_keys (id, workspace_id, name, prefix, last4, secret_hash, environment, scopes,"
        " created_by, created_at, dialect) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        (key_id, workspace["workspace_id"], name, head, secret[-4:], hash_secret(secret),
         workspace["environment"], json.dumps(scopes), None, now_rfc3339(), dialect))
    return key_id


def _has_credentials(conn: sqlite3.Connection, workspace_id: str, dialect: str) -> bool:
    return conn.execute("SELECT 1 FROM api_keys WHERE workspace_id = ? AND dialect = ? LIMIT 1",
                        (workspace_id, dialect)).fetchone() is not None


def ensure_dialect_credentials(conn: sqlite3.Connection, credentials: dict[str, Any]) -> bool:
    """Mint what each built dialect needs for each workspace of `credentials` (the parsed
    credentials.json, changed in place) unless done before; True when anything was added."""
    changed = False
    for workspace in credentials.values():
        if not isinstance(workspace, dict) or "workspace_id" not in workspace:
            continue
        listed = workspace.setdefault("dialects", {})
        for name in MOUNTS:
            translator = translator_for(name)
            if translator is None or (name in listed and _has_credentials(conn, workspace["workspace_id"], name)):
                continue
            section = translator.mint_credentials(conn, workspace)
            listed[name] = {"base_url": f"{MOUNT_ROOT}{name}{translator.prefix}", **section}
            changed = True
    return changed
