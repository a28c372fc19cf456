"""8bit-ai's access tokens: HS256 JWTs the sandbox signs with a key kept in its `meta` table.

A token wraps one contract user session: its `jti` is the random part of the contract's access
token (`opat_<jti>`), so expiry, revocation and the refresh-token family are the contract's
(routers/auth.py); the signature makes the claims (`sub`, `org`, `role`, `scope`, `exp`) the
client reads trustworthy. Refresh tokens are `8b_rt_<random part of the contract's oprt_…>`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from typing import Any

META_KEY = "eightbit_jwt_key"
ISSUER = "8bit-ai sandbox"
CONTRACT_ACCESS = "opat_"
CONTRACT_REFRESH = "oprt_"
REFRESH = "8b_rt_"
_HEADER = {"alg": "HS256", "typ": "JWT"}


class TokenRejected(Exception):
    """The bearer JWT is not ours, is malformed, or has expired (`reason`: invalid | expired)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def signing_key(db: Any) -> bytes:
    """The database's JWT key (made once, kept in `meta`: tokens outlive a restart)."""
    with db.transaction() as conn:
        conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)", (META_KEY, secrets.token_hex(32)))
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (META_KEY,)).fetchone()
    return bytes.fromhex(row["value"] if hasattr(row, "keys") else row[0])


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(claims: dict[str, Any], key: bytes) -> str:
    """`header.payload.signature`, HS256."""
    head = _b64(json.dumps(_HEADER, separators=(",", ":")).encode())
    body = _b64(json.dumps(claims, separators=(",", ":")).encode())
    mac = hmac.new(key, f"{head}.{body}".encode("ascii"), hashlib.sha256).digest()
    return f"{head}.{body}.{_b64(mac)}"


def verify(token: str, key: bytes, now: float | None = None) -> dict[str, Any]:
    """The claims of a valid, unexpired token of ours; `TokenRejected` otherwise."""
    try:
        head, body, mac = token.split(".")
        header = json.loads(_unb64(head))
        claims = json.loads(_unb64(body))
        given = _unb64(mac)
    except (ValueError, TypeError):
        raise TokenRejected("invalid", "The access token is not a valid JWT.") from None
    expected = hmac.new(key, f"{head}.{body}".encode("ascii"), hashlib.sha256).digest()
    if header != _HEADER or not hmac.compare_digest(given, expected) or not isinstance(claims, dict):
        raise TokenRejected("invalid", "The access token's signature is not valid.")
    if not isinstance(claims.get("exp"), (int, float)) or claims["exp"] <= (time.time() if now is None else now):
        raise TokenRejected("expired", "The access token has expired; use the refresh token endpoint.")
    if not isinstance(claims.get("jti"), str):
        raise TokenRejected("invalid", "The access token names no session.")
    return claims


def access_token(pair: dict[str, Any], scopes: list[str], key: bytes, now: float | None = None) -> str:
    """The JWT for a contract token pair (`/auth/token` or `/auth/refresh` data)."""
    issued = time.time() if now is None else now
    user = pair.get("user") or {}
    claims = {"iss": ISSUER, "sub": user.get("id"), "org": user.get("workspace_id"), "role": user.get("role"),
              "name": user.get("name"), "email": user.get("email"), "scope": " ".join(scopes),
              "iat": int(issued), "exp": round(issued + float(pair.get("expires_in") or 0), 3),
              "jti": str(pair["access_token"]).removeprefix(CONTRACT_ACCESS)}
    return sign(claims, key)


def contract_access(claims: dict[str, Any]) -> str:
    """The contract's access token a verified JWT stands for."""
    return CONTRACT_ACCESS + claims["jti"]


def own_refresh(contract_refresh: str) -> str:
    return REFRESH + contract_refresh.removeprefix(CONTRACT_REFRESH)


def contract_refresh(own: str) -> str | None:
    """`oprt_…` for an `8b_rt_…` refresh token (None when it is not one)."""
    return CONTRACT_REFRESH + own[len(REFRESH):] if own.startswith(REFRESH) and len(own) > len(REFRESH) else None
