"""A response head and its body leave in one write (`http_protocol._HeadWithBody`), and a head with
no body after it (a 204) is never lost or late."""

from __future__ import annotations

import asyncio

import httpx

from app.sandbox.http_protocol import _HeadWithBody
from tests.sandbox.recording_transport import RecordingTransport

HEAD = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n"


def test_a_head_and_its_body_are_one_write() -> None:
    async def answer() -> list[bytes]:
        transport = RecordingTransport()
        writes = _HeadWithBody(transport, asyncio.get_running_loop())
        writes.write(HEAD)
        assert transport.writes == []
        writes.write(b"{}")
        await asyncio.sleep(0)
        return transport.writes

    assert asyncio.run(answer()) == [HEAD + b"{}"]


def test_a_head_alone_leaves_at_the_end_of_the_loop_turn_or_at_close() -> None:
    async def answer() -> tuple[list[bytes], list[bytes]]:
        alone, closing = RecordingTransport(), RecordingTransport()
        loop = asyncio.get_running_loop()
        _HeadWithBody(alone, loop).write(HEAD)
        writes = _HeadWithBody(closing, loop)
        writes.write(HEAD)
        writes.close()
        assert closing.writes == [HEAD] and closing.closed
        await asyncio.sleep(0)
        return alone.writes, closing.writes

    assert asyncio.run(answer()) == ([HEAD], [HEAD])


def test_other_writes_are_not_held() -> None:
    async def answer() -> list[bytes]:
        transport = RecordingTransport()
        writes = _HeadWithBody(transport, asyncio.get_running_loop())
        writes.write(b"chunk")
        return transport.writes

    assert asyncio.run(answer()) == [b"chunk"]


def test_bodiless_answers_and_kept_alive_pages_answer_whole(owner: httpx.Client) -> None:
    for _ in range(3):  # one kept-alive connection: each answer's head and body arrive intact
        options = owner.options("contacts")
        assert options.status_code == 204 and options.content == b"" and "GET" in options.headers["allow"]
        page = owner.get("contacts", params={"limit": 2})
        assert page.status_code == 200 and len(page.json()["data"]) == 2
