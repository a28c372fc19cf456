"""Standard Webhooks signing (https://www.standardwebhooks.com): `whsec_<base64>` secrets and the
`webhook-id` / `webhook-timestamp` / `webhook-signature` headers, where the signature is
`v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">` keyed by the secret's decoded bytes.

Receivers verify with any Standard Webhooks library; the timestamp gives them replay protection.
During a secret rotation's overlap the header lists two signatures, `v1,<new> v1,<old>`, as the
spec allows, so a receiver still holding the old secret keeps verifying.
`DeliveryStyle` is how one dialect's deliveries are signed, retried and deactivated: `STANDARD`
for the contract's endpoints, BiVelio's (seed 002) for endpoints made through its mount."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass

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
    signed = f"{message_id}.{timestamp}.".encode() + body
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


@dataclass(frozen=True)
class DeliveryStyle:
    """How the deliveries of one dialect's webhook endpoints go out: body, signature headers,
    retry schedule and when the endpoint is turned off. Endpoints made through `/v1` (or a mount
    without a style of its own) use `STANDARD`, the contract's."""

    name: str
    #: Delay before attempt 2, 3, … after the previous one failed; attempt 1 is at once.
    retry_delays_seconds: tuple[int, ...]
    #: True: a delivery whose last attempt failed deactivates the endpoint (seed 002's "after 5
    #: failed attempts"); False: the contract's 5 consecutive failed deliveries do.
    deactivate_on_failed_delivery: bool
    #: (stored contract payload JSON, webhook id) → the exact bytes sent.
    render: Callable[[str, str], bytes]
    #: (secret, message id, unix timestamp, body) → the headers sent with it.
    headers: Callable[[str, str, int, bytes], dict[str, str]]

    @property
    def max_attempts(self) -> int:
        return len(self.retry_delays_seconds) + 1


#: The contract's deliveries: Standard Webhooks; 0 s, 30 s, 2 min, 10 min, 1 h (seed 002's schedule).
STANDARD = DeliveryStyle("standard", (30, 120, 600, 3600), False,
                         lambda payload, _webhook_id: payload.encode("utf-8"), signed_headers)


def delivery_style(dialect: str | None) -> DeliveryStyle:
    """The style of endpoints created through mount `dialect` (None: the contract's `/v1`)."""
    if dialect == "bivelio":
        # A dialect's own module, loaded only when one of its endpoints delivers.
        from app.sandbox.dialects.bivelio_webhooks import BIVELIO

        return BIVELIO
    return STANDARD


def delivery_headers(style: DeliveryStyle, secrets_in_order: Sequence[str], message_id: str, timestamp: int,
                     body: bytes) -> dict[str, str]:
    """The headers of one delivery: the style's, signed with the current secret (first); a Standard
    Webhooks endpoint in a rotation's overlap gets one signature per secret, space-separated, new
    first. Other dialects' single-signature headers carry the current secret only."""
    headers = style.headers(secrets_in_order[0], message_id, timestamp, body)
    if style is STANDARD and len(secrets_in_order) > 1:
        headers["webhook-signature"] = " ".join(sign(secret, message_id, timestamp, body)
                                                for secret in secrets_in_order)
    return headers
