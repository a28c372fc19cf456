"""One verifier per signature scheme, each explaining a failure as a person can act on it; the
local listener verifies a real BiVelio-mount delivery (sandbox → listener) and names a tampered one."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid

import httpx
import pytest

from app.core.signature_check import Failure
from app.core.webhook_listener import ReceivedDelivery, WebhookListener
from app.core.webhook_verifiers import (
    BIVELIO,
    STANDARD_WEBHOOKS,
    bivelio_signature,
    verifier_for,
)
from app.sandbox.dialects.bivelio_webhooks import signature as sandbox_signature
from app.sandbox.signing import new_signing_secret, signed_headers
from tests.dialects.conftest import dialect_client
from tests.waiting import wait_until

BODY = json.dumps({"event": "contact.created", "timestamp": "2026-04-07T13:05:00Z", "webhook_id": "wh_1",
                   "data": {"id": "con_1", "amount": 1200}}, separators=(",", ":")).encode()


def bivelio_headers(secret: str, body: bytes = BODY) -> dict[str, str]:
    return {"X-BiVelio-Signature": sandbox_signature(secret, body)}


def test_each_platform_gets_its_scheme() -> None:
    assert verifier_for("bivelio") is BIVELIO
    for platform in ("opsdesk", "platform004", "bi369", "8bit", "bizbasics", None):
        assert verifier_for(platform) is STANDARD_WEBHOOKS
    assert [field.name for field in BIVELIO.header_fields] == ["X-BiVelio-Signature"]


def test_bivelio_signature_is_the_seeds_hex_hmac_of_the_body() -> None:
    # Seed 002: crypto.createHmac('sha256', secret).update(body).digest('hex').
    secret = "whsec_s2t3u4v5w6x7y8z9"
    expected = hmac.new(secret.encode(), BODY, hashlib.sha256).hexdigest()
    assert bivelio_signature(secret, BODY) == expected == sandbox_signature(secret, BODY)


def test_bivelio_valid_and_it_says_there_is_no_replay_window() -> None:
    secret = new_signing_secret()
    verdict = BIVELIO.verify(BODY, bivelio_headers(secret), secret)
    assert verdict.valid and verdict.failure is None
    assert "no timestamp" in verdict.explanation and verdict.timestamp_age_seconds is None
    assert verdict.expected_signature == sandbox_signature(secret, BODY)
    # Header names are case-insensitive, as HTTP has them.
    assert BIVELIO.verify(BODY, {"x-bivelio-signature": sandbox_signature(secret, BODY)}, secret).valid


def test_bivelio_missing_header_points_at_a_wrong_platform_when_standard_headers_came() -> None:
    secret = new_signing_secret()
    verdict = BIVELIO.verify(BODY, {}, secret)
    assert verdict.failures == (Failure.MALFORMED_HEADER,) and "X-BiVelio-Signature" in verdict.explanation
    standard = BIVELIO.verify(BODY, signed_headers(secret, "evt_1", int(time.time()), BODY), secret)
    assert "platform" in standard.explanation


def test_bivelio_malformed_signature_and_secret() -> None:
    secret = new_signing_secret()
    assert BIVELIO.verify(BODY, {"X-BiVelio-Signature": "v1,abc"}, secret).failures == (Failure.MALFORMED_HEADER,)
    pasted_key = BIVELIO.verify(BODY, bivelio_headers(secret), "bv_live_sk_" + "a" * 32)
    assert pasted_key.failures == (Failure.MALFORMED_SECRET,) and "API key" in pasted_key.explanation
    assert BIVELIO.verify(BODY, bivelio_headers(secret), " ").failures == (Failure.MALFORMED_SECRET,)


def test_bivelio_wrong_secret_versus_altered_body() -> None:
    secret = new_signing_secret()
    headers = bivelio_headers(secret)
    wrong = BIVELIO.verify(BODY, headers, new_signing_secret(), reference_body=BODY)
    assert wrong.failures == (Failure.WRONG_SECRET,) and "Wrong secret" in wrong.explanation
    changed = BODY.replace(b"1200", b"9900")
    altered = BIVELIO.verify(changed, headers, secret, reference_body=BODY)
    assert altered.failures == (Failure.BODY_ALTERED,) and "data.amount" in altered.explanation
    rotated = BIVELIO.verify(BODY, headers, new_signing_secret(), earlier_secrets=[secret])
    assert rotated.failures == (Failure.WRONG_SECRET,) and "previous" in rotated.explanation
    unknown = BIVELIO.verify(changed, headers, new_signing_secret())
    assert unknown.failures == (Failure.SIGNATURE_MISMATCH,)


def test_bivelio_reserialized_body_is_recognised() -> None:
    secret = new_signing_secret()
    pretty = json.dumps(json.loads(BODY), indent=2).encode()
    verdict = BIVELIO.verify(pretty, bivelio_headers(secret), secret)
    assert verdict.failures == (Failure.BODY_ALTERED,) and "re-serialized" in verdict.explanation


def test_standard_verifier_keeps_the_contract_checks() -> None:
    secret = new_signing_secret()
    body = b'{"id":"evt_1"}'
    assert STANDARD_WEBHOOKS.verify(body, signed_headers(secret, "evt_1", int(time.time()), body), secret).valid
    stale = STANDARD_WEBHOOKS.verify(body, signed_headers(secret, "evt_1", int(time.time()) - 3600, body), secret)
    assert stale.failures == (Failure.STALE_TIMESTAMP,)


@pytest.mark.timeout(60)
async def test_listener_verifies_a_real_bivelio_delivery_and_explains_a_tampered_one(sandbox) -> None:
    received: list[ReceivedDelivery] = []
    listener = WebhookListener(received.append, platform="bivelio")
    url = await listener.start()
    try:
        async with dialect_client(sandbox, "bivelio") as client:
            hook = await client.webhooks.create({"name": "Listen locally", "url": url,
                                                 "event_types": ["contact.created"]})
            listener.secret = hook.signing_secret
            await client.contacts.create({"name": "Listener Person",
                                          "email": f"{uuid.uuid4().hex[:12]}@example.com"})
        await wait_until(lambda: any(d.event_type == "contact.created" for d in received), 20,
                         "no BiVelio delivery reached the listener")
        delivery = next(d for d in received if d.event_type == "contact.created")
        assert delivery.header("X-BiVelio-Signature") and delivery.header("webhook-signature") is None
        assert json.loads(delivery.body)["webhook_id"] == hook.id
        assert delivery.verdict is not None and delivery.verdict.valid, delivery.verdict.explanation

        tampered = delivery.body.replace(b"Listener Person", b"Someone Else")
        async with httpx.AsyncClient() as http:
            await http.post(url, content=tampered,
                            headers={"X-BiVelio-Signature": delivery.header("X-BiVelio-Signature"),
                                     "content-type": "application/json"})
        await wait_until(lambda: any(d.body == tampered for d in received), 5)
        verdict = next(d for d in received if d.body == tampered).verdict
        assert verdict.failures == (Failure.BODY_ALTERED,)
        assert "changed after BiVelio signed it" in verdict.explanation
    finally:
        await listener.stop()
