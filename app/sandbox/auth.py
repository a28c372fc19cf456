"""Credentials: API key and user-token secrets, their hashes, and resolving a Bearer secret to a caller.

Secrets are never stored: only `sha256(secret)` (API keys, access and refresh tokens) or a
salted PBKDF2 hash (passwords). Kinds, told apart by prefix:
- `opk_live_…` / `opk_test_…`: API keys (the prefix tells the environment);
- `opat_…`: user access tokens (15 minutes, divided by the time scale);
- `oprt_…`: refresh tokens (rotating; reusing a spent one revokes its family, see routers/auth.py).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.sandbox.errors import ApiProblem
from app.sandbox.ids import base62
from app.sandbox.request_context import current
from app.sandbox.scopes import ROLE_SCOPES
from app.sandbox.timeutil import parse_rfc3339, to_rfc3339

ACCESS_TOKEN_SECONDS = 15 * 60
REFRESH_TOKEN_SECONDS = 30 * 24 * 3600
#: A key with an expiry closer than this reads `expiring` (rotated keys in their grace period too).
EXPIRING_WINDOW = timedelta(days=7)
_PBKDF2_ROUNDS = 60_000


@dataclass(frozen=True)
class Principal:
    """Who is calling: the credential and the workspace (tenant) every query must filter on."""

    workspace_id: str
    credential_id: str          # key_… for API keys, usr_… for users (rate limits, quota, idempotency)
    kind: str                   # "api_key" | "user"
    name: str
    scopes: frozenset[str]
    environment: str            # live | test
    rate_limit_per_minute: int
    expires_at: str | None = None
    key_id: str | None = None       # set for API keys
    member_id: str | None = None    # set for users

    def has(self, scope: str) -> bool:
        return scope in self.scopes


#: Secret prefixes looked up as API keys: the contract's and the dialect mounts' own key shapes.
API_KEY_PREFIXES = ("opk_", "bv_live_sk_", "bv_test_sk_", "bv_live_pk_", "bv_test_pk_", "bbk_", "bbas_",
                    "b369_full_", "b369_read_", "8b_sk_")


def hash_secret(secret: str) -> str:
    """sha256 hex: how API keys and tokens are stored and looked up."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_api_key_secret(environment: str) -> str:
    """`opk_live_` or `opk_test_` + 40 base62 characters (238 bits)."""
    return f"opk_{environment}_{base62(40)}"


def new_access_token() -> str:
    return f"opat_{base62(43)}"


def new_refresh_token() -> str:
    return f"oprt_{base62(43)}"


def hash_password(password: str) -> str:
    salt = secrets.token_hex(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), bytes.fromhex(salt), _PBKDF2_ROUNDS).hex()
    return f"pbkdf2_sha256${_PBKDF2_ROUNDS}${salt}${digest}"


def verify_password(password: str, stored: str | None) -> bool:
    if not stored:
        return False
    try:
        _, rounds, salt, digest = stored.split("$")
        actual = hashlib.pbkdf2_hmac("sha256", password.encode(), bytes.fromhex(salt), int(rounds)).hex()
    except ValueError:
        return False
    return hmac.compare_digest(actual, digest)


def api_key_status(row: sqlite3.Row | dict, now: datetime) -> str:
    """active | expiring | expired | revoked, from the key row's revoked_at/expires_at/rotated_to."""
    if row["revoked_at"]:
        return "revoked"
    if row["expires_at"]:
        expires = parse_rfc3339(row["expires_at"])
        if expires <= now:
            return "expired"
        if row["rotated_to"] or expires - now <= EXPIRING_WINDOW:
            return "expiring"
    return "active"


def unauthorized(reason: str, message: str) -> ApiProblem:
    return ApiProblem(401, "UNAUTHORIZED", message, {"reason": reason},
                      {"WWW-Authenticate": 'Bearer realm="opsdesk"'})


def resolve_secret(conn: sqlite3.Connection, secret: str, now: datetime) -> Principal:
    """The caller behind a Bearer secret, or 401 with `details.reason` invalid/expired/revoked."""
    digest = hash_secret(secret)
    if secret.startswith(API_KEY_PREFIXES):
        row = conn.execute(
            "SELECT k.*, w.rate_limit_per_minute FROM api_keys k JOIN workspaces w ON w.id = k.workspace_id"
            " WHERE k.secret_hash = ?", (digest,)).fetchone()
        # A dialect's key works on its own mount only, and the contract's keys on /v1 only.
        if row is None or row["dialect"] != current().dialect:
            raise unauthorized("invalid", "The API key is not valid.")
        status = api_key_status(row, now)
        if status == "revoked":
            raise unauthorized("revoked", "The API key has been revoked.")
        if status == "expired":
            raise unauthorized("expired", "The API key has expired.")
        return Principal(
            workspace_id=row["workspace_id"], credential_id=row["id"], kind="api_key", name=row["name"],
            scopes=frozenset(json.loads(row["scopes"])), environment=row["environment"],
            rate_limit_per_minute=row["rate_limit_per_minute"], expires_at=row["expires_at"],
            key_id=row["id"])
    if secret.startswith("opat_"):
        row = conn.execute(
            "SELECT t.expires_at, t.revoked_at, m.id AS member_id, m.name, m.role, m.status,"
            " w.id AS workspace_id, w.environment, w.rate_limit_per_minute FROM access_tokens t"
            " JOIN members m ON m.id = t.member_id JOIN workspaces w ON w.id = t.workspace_id"
            " WHERE t.token_hash = ?", (digest,)).fetchone()
        if row is None:
            raise unauthorized("invalid", "The access token is not valid.")
        if row["revoked_at"] or row["status"] != "active":
            raise unauthorized("revoked", "The access token has been revoked.")
        if parse_rfc3339(row["expires_at"]) <= now:
            raise unauthorized("expired", "The access token has expired; refresh it.")
        return Principal(
            workspace_id=row["workspace_id"], credential_id=row["member_id"], kind="user", name=row["name"],
            scopes=frozenset(ROLE_SCOPES[row["role"]]), environment=row["environment"],
            rate_limit_per_minute=row["rate_limit_per_minute"], expires_at=row["expires_at"],
            member_id=row["member_id"])
    raise unauthorized("invalid", "The bearer credential is not an Opsdesk API key or access token.")


def expiry(now: datetime, seconds: float) -> str:
    """`now + seconds` as a stored stamp (callers pass durations already divided by the time scale)."""
    return to_rfc3339(now + timedelta(seconds=seconds))
