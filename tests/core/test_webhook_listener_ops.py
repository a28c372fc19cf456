"""The local listener during a secret rotation's overlap (either secret accepted, the verdict says
which) and forwarding each verified delivery to the operator's own app (status and latency)."""

from __future__ import annotations

import json
import re
import socket
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from standardwebhooks.webhooks import Webhook

from app.core.signature_check import Failure
from app.core.webhook_forwarder import (
    ForwardTargetError,
    WebhookForwarder,
    check_forward_url,
)
from app.core.webhook_listener import ReceivedDelivery, WebhookListener
from app.sandbox.signing import new_signing_secret, sign
from tests.waiting import wait_until

BODY = json.dumps({"id": "evt_7", "type": "invoice.paid", "data": {}}, separators=(",", ":")).encode()


def headers_signed_with(*secrets: str, message_id: str = "evt_7") -> dict[str, str]:
    """Standard Webhooks headers whose `webhook-signature` lists one `v1,…` per secret, space-separated."""
    stamp = int(time.time())
    return {"content-type": "application/json", "webhook-id": message_id, "webhook-timestamp": str(stamp),
            "webhook-signature": " ".join(sign(secret, message_id, stamp, BODY) for secret in secrets)}


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


async def post(url: str, headers: dict[str, str], body: bytes = BODY) -> httpx.Response:
    async with httpx.AsyncClient() as http:
        return await http.post(url, content=body, headers=headers)


async def test_during_the_overlap_either_secret_verifies_and_the_verdict_names_it() -> None:
    old, new = new_signing_secret(), new_signing_secret()
    clock = Clock()
    received: list[ReceivedDelivery] = []
    listener = WebhookListener(received.append, secret=old, now=clock)
    await listener.start()
    try:
        listener.accept_rotation(new, clock.now + timedelta(hours=24))
        both = headers_signed_with(new, old)
        # The independent package agrees: the two-signature header verifies with either secret.
        for secret in (new, old):
            Webhook(secret).verify(BODY, both)
        await post(listener.url, both)
        await post(listener.url, headers_signed_with(old))  # a sender still on the old secret
        await wait_until(lambda: len(received) == 2, 5)
        assert received[0].verdict.valid and received[0].verdict.matched_secret == "new secret"
        assert "Valid with the new secret" in received[0].verdict.explanation
        assert received[1].verdict.valid and received[1].verdict.matched_secret == "previous secret"

        clock.now += timedelta(hours=25)  # the overlap is over: the old secret is rotated out
        await post(listener.url, headers_signed_with(old))
        await wait_until(lambda: len(received) == 3, 5)
        late = received[2].verdict
        assert not late.valid and late.failures == (Failure.WRONG_SECRET,)
        assert "rotated" in late.explanation
        assert listener.accepted_secrets() == [("current secret", new)]
    finally:
        await listener.stop()


async def test_a_rotation_without_an_overlap_retires_the_old_secret_at_once() -> None:
    old, new = new_signing_secret(), new_signing_secret()
    received: list[ReceivedDelivery] = []
    listener = WebhookListener(received.append, secret=old)
    await listener.start()
    try:
        listener.accept_rotation(new, None)
        await post(listener.url, headers_signed_with(old))
        await wait_until(lambda: len(received) == 1, 5)
        assert received[0].verdict.failures == (Failure.WRONG_SECRET,)
    finally:
        await listener.stop()


async def test_each_verified_delivery_is_forwarded_with_its_headers_and_body() -> None:
    secret = new_signing_secret()
    app_got: list[ReceivedDelivery] = []
    operators_app = WebhookListener(app_got.append, secret=secret, response_status=202)  # the test's own receiver
    await operators_app.start()
    received: list[ReceivedDelivery] = []
    listener = WebhookListener(received.append, secret=secret)
    await listener.start()
    try:
        listener.forwarder = WebhookForwarder(operators_app.url)
        headers = headers_signed_with(secret)
        answer = await post(listener.url, headers)
        assert answer.status_code == 200  # the platform hears the listener at once
        await wait_until(lambda: len(received) == 2, 10, "the forwarded answer was not reported")
        pending, done = received
        assert pending.forward_pending and pending.forward is None
        assert done.sequence == pending.sequence and not done.forward_pending
        assert done.forward.status == 202 and done.forward.ok and done.forward.latency_ms > 0
        [forwarded] = app_got
        assert forwarded.body == BODY
        for name in ("webhook-id", "webhook-timestamp", "webhook-signature", "content-type"):
            assert forwarded.header(name) == headers[name]
        assert forwarded.verdict.valid  # the app can verify the platform's own signature
    finally:
        await listener.stop()
        await operators_app.stop()


async def test_an_app_that_is_not_running_is_reported_beside_the_delivery() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    received: list[ReceivedDelivery] = []
    listener = WebhookListener(received.append)
    await listener.start()
    try:
        listener.forwarder = WebhookForwarder(f"http://127.0.0.1:{port}/hooks")
        await post(listener.url, {"content-type": "application/json"})
        await wait_until(lambda: len(received) == 2, 10)
        result = received[1].forward
        assert result.status is None and not result.ok
        assert result.error.startswith(f"cannot connect to http://127.0.0.1:{port}/hooks")
    finally:
        await listener.stop()


@pytest.mark.parametrize(("text", "words"), [
    ("", "Enter the URL"),
    ("localhost:3000/hooks", "must start with http:// or https://"),
    ("ftp://localhost/hooks", "must start with http:// or https:// (it starts with ftp://)"),
    ("http://localhost:99999/hooks", "port"),
    ("http:///hooks", "no host name"),
    ("http://local host/hooks", "spaces"),
])
def test_a_bad_forward_url_is_a_clear_error(text: str, words: str) -> None:
    with pytest.raises(ForwardTargetError, match=re.escape(words)):
        check_forward_url(text)
    assert check_forward_url("  http://localhost:3000/hooks ") == "http://localhost:3000/hooks"
