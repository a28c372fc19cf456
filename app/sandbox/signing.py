"""Standard Webhooks signing (https://www.standardwebhooks.com): `whsec_<base64>` secrets and the
`webhook-id` / `webhook-timestamp` / `webhook-signature` headers, where the signature is
`v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">` keyed by the secret's decoded bytes.

Receivers verify with any Standard Webhooks library; the timestamp gives them replay protection."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

SECRET_PREFIX = "whsec_"
_SECRET_BYTES = 24


def new_signing_secret() -> str:
    """A fresh `whsec_…` secret: 24 random bytes, base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(_SECRET_BYTES)).decode("ascii")


def secret_preview(secret: str) -> str:
    """`whsec_abcd…wxyz`: enough to tell secrets apart in a list, too little to sign with."""
    body = secret.removeprefix(SECRET_PREFIX)
    return f"{SECRET_PREFIX}{body[:4]}…{body[-4:]}"


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` header value for one message."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{message_id}.{timestamp}.".encode("utf-8") + body
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def signed_headers(secret: str, message_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """Every header a Standard Webhooks receiver needs, plus the JSON content type."""
    return {
        "content-type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, message_id, timestamp, body),
    }
