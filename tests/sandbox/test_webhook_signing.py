"""Signatures the sandbox makes verify with the independent `standardwebhooks` package."""

from __future__ import annotations

import time

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from app.sandbox.signing import new_signing_secret, secret_preview, signed_headers


def test_signed_headers_verify_with_standardwebhooks() -> None:
    secret = new_signing_secret()
    body = b'{"id":"evt_1","type":"webhook.test","data":{}}'
    headers = signed_headers(secret, "evt_1", int(time.time()), body)
    assert Webhook(secret).verify(body, headers) == {"id": "evt_1", "type": "webhook.test", "data": {}}


def test_a_changed_body_or_another_secret_fails_verification() -> None:
    secret = new_signing_secret()
    body = b'{"amount_cents":100}'
    headers = signed_headers(secret, "evt_2", int(time.time()), body)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(b'{"amount_cents":900}', headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(new_signing_secret()).verify(body, headers)


def test_secrets_are_fresh_and_the_preview_hides_them() -> None:
    first, second = new_signing_secret(), new_signing_secret()
    assert first != second and first.startswith("whsec_")
    preview = secret_preview(first)
    assert preview.startswith("whsec_") and len(preview) < 16
    assert first.removeprefix("whsec_")[4:-4] not in preview
