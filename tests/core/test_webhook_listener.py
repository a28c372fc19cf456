"""The local webhook receiver over real sockets: it answers, verifies and reports each delivery."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import pytest

from app.core.signature_check import Failure
from app.core.webhook_listener import MAX_BODY_BYTES, ReceivedDelivery, WebhookListener
from app.sandbox.signing import new_signing_secret, signed_headers

BODY = json.dumps({"id": "evt_9", "type": "webhook.test", "data": {}}, separators=(",", ":")).encode()


async def started(secret: str | None = None, status: int = 200) -> tuple[WebhookListener, list[ReceivedDelivery]]:
    received: list[ReceivedDelivery] = []
    listener = WebhookListener(received.append, secret=secret, response_status=status)
    await listener.start()
    return listener, received


async def test_listens_on_loopback_and_verifies_a_signed_delivery() -> None:
    secret = new_signing_secret()
    listener, received = await started(secret)
    try:
        assert listener.url.startswith("http://127.0.0.1:")
        async with httpx.AsyncClient() as http:
            response = await http.post(listener.url, content=BODY,
                                       headers=signed_headers(secret, "evt_9", int(time.time()), BODY))
        assert response.status_code == 200
        [delivery] = received
        assert delivery.method == "POST" and delivery.body == BODY
        assert delivery.header("Webhook-Id") == "evt_9" and delivery.event_type == "webhook.test"
        assert delivery.verdict is not None and delivery.verdict.valid
    finally:
        await listener.stop()
    assert not listener.running


async def test_a_tampered_body_is_flagged_as_altered() -> None:
    secret = new_signing_secret()
    listener, received = await started(secret)
    try:
        headers = signed_headers(secret, "evt_9", int(time.time()), BODY)
        async with httpx.AsyncClient() as http:
            await http.post(listener.url, content=BODY.replace(b"{}", b'{"x":1}'), headers=headers)
        assert received[0].verdict.failures == (Failure.BODY_ALTERED,)
    finally:
        await listener.stop()


async def test_simulated_failure_status_is_answered_and_can_be_fixed_while_running() -> None:
    listener, received = await started(new_signing_secret(), status=500)
    try:
        async with httpx.AsyncClient() as http:
            first = await http.post(listener.url, content=BODY)
            listener.response_status = 200
            second = await http.post(listener.url, content=BODY)
        assert (first.status_code, second.status_code) == (500, 200)
        assert [d.response_status for d in received] == [500, 200]
    finally:
        await listener.stop()


async def test_without_a_secret_deliveries_are_shown_unverified() -> None:
    listener, received = await started(None)
    try:
        async with httpx.AsyncClient() as http:
            await http.post(listener.url, content=BODY)
        assert received[0].verdict is None
    finally:
        await listener.stop()


async def test_chunked_bodies_and_oversized_bodies() -> None:
    listener, received = await started(None)

    async def chunks():
        yield BODY[:10]
        yield BODY[10:]

    try:
        async with httpx.AsyncClient() as http:
            ok = await http.post(listener.url, content=chunks())
            too_big = await http.post(listener.url, content=b"x" * (MAX_BODY_BYTES + 1))
        assert ok.status_code == 200 and received[0].body == BODY
        assert too_big.status_code == 413 and len(received) == 1
    finally:
        await listener.stop()


async def test_garbage_requests_get_400_and_the_listener_keeps_serving() -> None:
    listener, _ = await started(None)
    try:
        port = int(listener.url.split(":")[2].split("/")[0])
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"NONSENSE\r\n\r\n")
        await writer.drain()
        answer = await reader.read()
        writer.close()
        assert answer.startswith(b"HTTP/1.1 400")
        async with httpx.AsyncClient() as http:
            assert (await http.post(listener.url, content=BODY)).status_code == 200
    finally:
        await listener.stop()


async def test_a_taken_port_is_a_clear_error() -> None:
    listener, _ = await started(None)
    port = int(listener.url.split(":")[2].split("/")[0])
    try:
        from app.core.webhook_listener import ListenerError

        with pytest.raises(ListenerError, match="Cannot listen on 127.0.0.1"):
            await WebhookListener(lambda _: None, port=port).start()
    finally:
        await listener.stop()
