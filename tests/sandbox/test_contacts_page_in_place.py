"""The plain contacts page is answered by the HTTP protocol itself, in the parser's callback
(`http_protocol.SandboxHttpProtocol._answered_in_place` calling `hot_path.ContactsListFastPath.answer_target`):
no request cycle, no task, one write; and on the wire it behaves as uvicorn's answer would
(keep-alive, `Connection: close`, HTTP/1.0, pipelined requests in order)."""

from __future__ import annotations

import asyncio
import json
import socket
from urllib.parse import urlsplit

import uvicorn
from uvicorn.server import ServerState

from app.core.sandbox_process import SandboxProcess
from app.sandbox.http_protocol import sandbox_http_protocol
from app.sandbox.settings import SandboxSettings
from tests.sandbox.recording_transport import RecordingTransport

PAGE = b'{"data":[]}'

def _answer_in_place(target: bytes, headers: list[tuple[bytes, bytes]]):
    """Takes `/v1/contacts?limit=1` only, as the hot path takes its plain shape only."""
    if target != b"/v1/contacts?limit=1":
        return None
    assert (b"host", b"x") in headers
    return 200, [(b"content-length", str(len(PAGE)).encode()), (b"content-type", b"application/json")], [PAGE[:5], PAGE[5:]]


async def _application(scope, receive, send) -> None:
    body = b"from the application"
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"%d" % len(body))]})
    await send({"type": "http.response.body", "body": body})


def _connection() -> tuple[object, RecordingTransport, ServerState]:
    config = uvicorn.Config(_application, log_config=None, lifespan="off", ws="none")
    config.load()
    state = ServerState()
    state.default_headers = [(b"date", b"today")]
    protocol_class = sandbox_http_protocol(SandboxSettings(), _answer_in_place)
    protocol = protocol_class(config=config, server_state=state, app_state={}, _loop=asyncio.get_running_loop())
    transport = RecordingTransport()
    protocol.connection_made(transport)
    return protocol, transport, state


def test_a_plain_page_is_answered_in_the_parser_callback_in_one_write() -> None:
    async def scenario() -> None:
        protocol, transport, state = _connection()
        protocol.data_received(b"GET /v1/contacts?limit=1 HTTP/1.1\r\nhost: x\r\n\r\n")
        # Answered before the event loop ran anything: no task was started for it.
        assert not state.tasks
        assert transport.writes == [b"HTTP/1.1 200 OK\r\ndate: today\r\ncontent-length: 11\r\n"
                                    b"content-type: application/json\r\n\r\n" + PAGE]
        assert not transport.closed and state.total_requests == 1
        assert protocol.timeout_keep_alive_task is not None  # kept alive, idle timer armed as uvicorn does

    asyncio.run(scenario())


def test_http_1_0_and_connection_close_end_the_connection_after_the_answer() -> None:
    async def scenario() -> None:
        for request in (b"GET /v1/contacts?limit=1 HTTP/1.0\r\nhost: x\r\n\r\n",
                        b"GET /v1/contacts?limit=1 HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n"):
            protocol, transport, _ = _connection()
            protocol.data_received(request)
            head, _, body = transport.writes[0].partition(b"\r\n\r\n")
            assert head.endswith(b"\r\nconnection: close") and body == PAGE
            assert transport.closed

    asyncio.run(scenario())


def test_other_requests_and_pipelined_ones_go_to_the_application_in_order() -> None:
    async def scenario() -> None:
        protocol, transport, state = _connection()
        # Declined by the answerer, then a POST to the page's path, then a plain page behind them.
        protocol.data_received(b"GET /v1/contacts?limit=2 HTTP/1.1\r\nhost: x\r\n\r\n"
                               b"POST /v1/contacts?limit=1 HTTP/1.1\r\nhost: x\r\ncontent-length: 0\r\n\r\n"
                               b"GET /v1/contacts?limit=1 HTTP/1.1\r\nhost: x\r\n\r\n")
        assert len(state.tasks) == 1 and transport.writes == []  # the first is the application's, running
        for _ in range(20):
            await asyncio.sleep(0)
        # The plain page queued behind a running request is the application's too (the real
        # server's ASGI fast path then answers it): never answered ahead of the requests before it.
        assert b"".join(transport.writes).count(b"from the application") == 3 and PAGE not in b"".join(transport.writes)
        assert state.total_requests == 3
        transport.writes.clear()
        protocol.data_received(b"GET /v1/contacts?limit=1 HTTP/1.1\r\nhost: x\r\n\r\n")
        assert transport.writes[0].endswith(PAGE)  # with nothing in flight, in place again

    asyncio.run(scenario())


def _exchange(url: str, secret: str, raw: str, expect: int) -> list[tuple[str, dict[str, str], bytes]]:
    """Send `raw` (with `{auth}` filled in) on one socket; read `expect` answers."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(raw.replace("{auth}", f"Authorization: Bearer {secret}").encode())
        data = b""
        answers: list[tuple[str, dict[str, str], bytes]] = []
        while len(answers) < expect:
            head_end = data.find(b"\r\n\r\n")
            if head_end >= 0:
                lines = data[:head_end].decode("latin-1").split("\r\n")
                headers = {name.lower(): value for name, value in (line.split(": ", 1) for line in lines[1:])}
                end = head_end + 4 + int(headers["content-length"])
                if len(data) >= end:
                    answers.append((lines[0], headers, data[head_end + 4:end]))
                    data = data[end:]
                    continue
            chunk = sock.recv(65536)
            assert chunk, f"connection closed after {len(answers)} answers"
            data += chunk
        if answers and answers[-1][1].get("connection") == "close":
            assert sock.recv(1) == b""  # and the server closed it
        return answers


def test_pipelined_plain_and_full_route_pages_answer_in_order_on_one_connection(
        sandbox: SandboxProcess, live: dict) -> None:
    get = "GET /v1/contacts?{query} HTTP/1.1\r\nHost: sandbox\r\n{auth}\r\n\r\n"
    raw = "".join(get.replace("{query}", query) for query in
                  ("limit=2", "limit=3&updated_since=1970-01-01T00:00:00Z", "limit=4"))
    answers = _exchange(sandbox.url, live["owner_key"], raw, 3)
    assert [len(json.loads(body)["data"]) for _, _, body in answers] == [2, 3, 4]
    ids = [headers["x-request-id"] for _, headers, _ in answers]
    assert len(set(ids)) == 3 and all(json.loads(body)["request_id"] == i for (_, _, body), i in zip(answers, ids))
    assert all(line == "HTTP/1.1 200 OK" and "date" in headers and "x-ratelimit-remaining" in headers
               for line, headers, _ in answers)


def test_an_http_1_0_plain_page_is_answered_and_the_connection_closed(sandbox: SandboxProcess, live: dict) -> None:
    (line, headers, body), = _exchange(sandbox.url, live["owner_key"],
                                       "GET /v1/contacts?limit=1 HTTP/1.0\r\n{auth}\r\n\r\n", 1)
    assert line == "HTTP/1.1 200 OK" and headers["connection"] == "close"
    assert len(json.loads(body)["data"]) == 1


def test_the_server_freezes_what_start_up_made_before_it_serves(tmp_path, monkeypatch) -> None:
    import gc

    from app.sandbox import cli

    seen: list[int] = []
    monkeypatch.setattr(cli._AnnouncingServer, "run", lambda self, sockets=None: seen.append(gc.get_freeze_count()))
    try:
        assert cli.main(["--data-dir", str(tmp_path / "data"), "--seed-size", "0", "--tickets", "0"]) == 0
    finally:
        gc.unfreeze()
    assert seen and seen[0] > 0
