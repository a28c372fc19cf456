"""BiVelio's outbound webhooks (seed 002): the body `{event, timestamp, webhook_id, data}`, the
`X-BiVelio-Signature` header (hex HMAC-SHA256 of the body, keyed by the signing secret as text,
as the seed's `crypto.createHmac('sha256', secret)` does), retries at 30 s, 2 min, 10 min and 1 h,
and the endpoint deactivated after 5 failed attempts."""

from __future__ import annotations

import hashlib
import hmac
import json

from app.sandbox.dialects.bivelio_shapes import delivery_payload
from app.sandbox.signing import DeliveryStyle

SIGNATURE_HEADER = "X-BiVelio-Signature"


def signature(secret: str, body: bytes) -> str:
    """The `X-BiVelio-Signature` value: hex HMAC-SHA256 of the raw body."""
    return hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def render(payload: str, webhook_id: str) -> bytes:
    """The body sent for a contract payload (a payload already in BiVelio's shape is sent as is)."""
    parsed = json.loads(payload)
    if "event" not in parsed:
        parsed = delivery_payload(parsed, webhook_id)
    return json.dumps(parsed, separators=(",", ":")).encode("utf-8")


def headers(secret: str, _message_id: str, _timestamp: int, body: bytes) -> dict[str, str]:
    return {"content-type": "application/json", SIGNATURE_HEADER: signature(secret, body)}


BIVELIO = DeliveryStyle("bivelio", (30, 120, 600, 3600), True, render, headers)
