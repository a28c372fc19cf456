"""Hostile and broken clients against the real sandbox process (issue 13): oversized bodies are 413
before authentication and cost no memory, slow or oversized request heads are cut off, protocol
errors answer in the envelope, secrets in a URL never reach the request log or the database file,
and every `Allow` header names every method."""

from __future__ import annotations

import json
import select
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.core import sandbox_process
from tests.sandbox.conftest import assert_error, own_sandbox, unique
from tests.waiting import wait_until_sync

MIB = 1024 * 1024


def _address(url: str) -> tuple[str, int]:
    host_port = url.split("//", 1)[1].split("/", 1)[0]
    host, port = host_port.rsplit(":", 1)
    return host, int(port)


def _exchange(url: str, head: bytes, body_parts: Iterator[bytes] | None = None,
              timeout: float = 10.0, pace: float | None = None) -> tuple[int, dict[str, str], bytes, float, bool]:
    """Send raw bytes on a fresh connection and read until the server closes it.

    With `pace`, a slow client: before each part it waits up to `pace` seconds for the server's
    answer, and stops sending as soon as one starts to arrive.
    Returns (status, headers, body, seconds until the answer was complete, closed by the server).
    """
    sock = socket.create_connection(_address(url), timeout=timeout)
    started = time.monotonic()
    try:
        sock.sendall(head)
        for part in body_parts or ():
            if pace is not None and select.select([sock], [], [], pace)[0]:
                break
            try:
                sock.sendall(part)
            except OSError:  # the server answered and closed while we were still sending
                break
        received = b""
        closed = False
        while True:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:  # closed with our unread bytes in its buffer: still closed
                closed = True
                break
            if not chunk:
                closed = True
                break
            received += chunk
    finally:
        sock.close()
    elapsed = time.monotonic() - started
    head_text, _, body = received.partition(b"\r\n\r\n")
    lines = head_text.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1]) if lines and lines[0].startswith("HTTP/") else 0
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return status, headers, body, elapsed, closed


def _answer_kept_alive(sock: socket.socket, head: bytes) -> int:
    """Send one request on an open connection and read its whole answer; the connection stays open."""
    sock.sendall(head)
    received = b""
    while b"\r\n\r\n" not in received:
        chunk = sock.recv(65536)
        assert chunk, "the server closed the connection instead of answering"
        received += chunk
    head_text, _, body = received.partition(b"\r\n\r\n")
    lines = head_text.decode("latin-1").split("\r\n")
    length = next(int(v) for k, _, v in (line.partition(":") for line in lines[1:])
                  if k.strip().lower() == "content-length")
    while len(body) < length:
        chunk = sock.recv(65536)
        assert chunk, "the server closed the connection mid-answer"
        body += chunk
    return int(lines[0].split()[1])


def _assert_envelope(status: int, headers: dict[str, str], body: bytes, expected_status: int, code: str) -> dict:
    assert status == expected_status, (status, body[:300])
    document = json.loads(body)
    assert document["error"]["code"] == code and document["error"]["message"]
    assert document["request_id"] == headers["x-request-id"] and document["request_id"].startswith("req_")
    assert headers["content-type"] == "application/json"
    return document["error"]["details"]


def _rss_mib(pid: int, field: str = "VmRSS") -> float:
    """Resident memory now (VmRSS) or at the process's peak so far (VmHWM), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no {field}")


# --- body limit -----------------------------------------------------------------------------

def test_an_oversized_content_length_is_413_before_authentication_without_reading_the_body(sandbox) -> None:
    head = (b"POST /v1/contacts HTTP/1.1\r\nHost: sandbox\r\nContent-Type: application/json\r\n"
            b"Content-Length: 104857600\r\n\r\n")  # 100 MiB announced, no credential, no body sent
    status, headers, body, elapsed, closed = _exchange(sandbox.url, head)
    details = _assert_envelope(status, headers, body, 413, "PAYLOAD_TOO_LARGE")
    assert details["limit_bytes"] == MIB
    assert closed and elapsed < 2, "answered at once, without waiting for the body"


def test_an_oversized_chunked_body_is_cut_off_with_413_before_authentication(sandbox) -> None:
    head = (b"POST /v1/contacts HTTP/1.1\r\nHost: sandbox\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n")
    chunk = b"10000\r\n" + b" " * 0x10000 + b"\r\n"
    sent = 0

    def parts() -> Iterator[bytes]:
        nonlocal sent
        for _ in range(1600):  # 100 MiB, if nobody stops us
            sent += 0x10000
            yield chunk

    status, headers, body, _, closed = _exchange(sandbox.url, head, parts())
    _assert_envelope(status, headers, body, 413, "PAYLOAD_TOO_LARGE")
    assert closed and sent < 20 * MIB, f"the server let {sent} bytes through before answering"


def test_the_limit_is_exact_a_body_at_the_limit_is_read_and_validated(owner: httpx.Client) -> None:
    prefix, suffix = b'{"name": "A", "notes": "', b'"}'
    at_limit = prefix + b"n" * (MIB - len(prefix) - len(suffix)) + suffix
    assert len(at_limit) == MIB
    headers = {"Content-Type": "application/json"}
    assert_error(owner.post("contacts", content=at_limit, headers=headers), 422, "VALIDATION_ERROR")
    over = at_limit[:-2] + b'n"}'
    assert_error(owner.post("contacts", content=over, headers=headers), 413, "PAYLOAD_TOO_LARGE")

    def chunked(body: bytes) -> Iterator[bytes]:  # httpx sends a generator chunked
        for start in range(0, len(body), 200_000):
            yield body[start:start + 200_000]

    assert_error(owner.post("contacts", content=chunked(at_limit), headers=headers), 422, "VALIDATION_ERROR")
    assert_error(owner.post("contacts", content=chunked(over), headers=headers), 413, "PAYLOAD_TOO_LARGE")
    # A small chunked body reaches the route as usual.
    created = owner.post("contacts", content=chunked(json.dumps({"name": unique("Chunked ")}).encode()),
                         headers=headers)
    assert created.status_code == 201, created.text


def test_server_memory_stays_flat_under_a_stream_of_oversized_bodies(tmp_path: Path) -> None:
    with own_sandbox(tmp_path) as (process, owner, _):
        assert owner.get("me").status_code == 200
        before, peak_before = _rss_mib(process.pid), _rss_mib(process.pid, "VmHWM")
        body = b"{" + b" " * (100 * MIB) + b"}"
        headers = {"Content-Type": "application/json", "Idempotency-Key": unique("big-")}

        def streamed() -> Iterator[bytes]:
            for _ in range(100):
                yield b" " * MIB

        answers = []
        for i in range(20):
            # Half without a credential (the case), half with the owner key, which used to
            # get further; half with a Content-Length, half chunked.
            client_headers = headers if i % 2 else {**headers, "Authorization": ""}
            content = body if i % 4 < 2 else streamed()
            response = owner.post("contacts", content=content, headers=client_headers)
            answers.append(response.status_code)
        after, peak_after = _rss_mib(process.pid), _rss_mib(process.pid, "VmHWM")
        assert answers == [413] * 20
        assert owner.get("me").status_code == 200
    # The peak, not only what is left afterwards: a server that reads a 100 MiB body and then frees
    # it ends where it started, but needed the memory on the way.
    assert peak_after - peak_before < 20, f"peak RSS grew {peak_after - peak_before:.1f} MiB"
    assert after - before < 20, f"RSS grew {after - before:.1f} MiB ({before:.0f} → {after:.0f})"


# --- request heads: deadlines, sizes, protocol errors ------------------------------------------

def test_a_slow_header_connection_is_closed_within_5_s_while_other_requests_keep_answering(sandbox, owner) -> None:
    results: list[tuple[int, float, bool]] = []

    all_cut_off = threading.Event()

    def dribble() -> None:
        # A byte every 0.25 s for up to 10 s, unless the server answers first.
        status, _, _, elapsed, closed = _exchange(
            sandbox.url, b"GET /v1/me HTTP/1.1\r\nHost: sandbox\r\nX-Slow: ", iter([b"x"] * 40), timeout=15,
            pace=0.25)
        results.append((status, elapsed, closed))
        if len(results) == 40:
            all_cut_off.set()

    dribblers = [threading.Thread(target=dribble) for _ in range(40)]
    for thread in dribblers:
        thread.start()
    latencies = []
    deadline = time.monotonic() + 15
    # Normal requests every 50 ms for as long as the dribblers hold their connections.
    while not all_cut_off.is_set() and time.monotonic() < deadline:
        started = time.monotonic()
        assert owner.get("me").status_code == 200
        latencies.append(time.monotonic() - started)
        all_cut_off.wait(0.05)
    for thread in dribblers:
        thread.join(20)
    assert len(results) == 40
    assert len(latencies) >= 20, "normal requests were made while the slow connections were held"
    assert all(closed and elapsed < 5 for _, elapsed, closed in results), sorted(r[1] for r in results)[-3:]
    assert {status for status, _, _ in results} == {408}
    assert max(latencies) < 1.0, f"normal requests stalled: {max(latencies):.2f} s"


def test_a_silent_connection_is_closed_within_5_s(sandbox) -> None:
    status, _, body, elapsed, closed = _exchange(sandbox.url, b"")
    assert closed and elapsed < 5 and status == 0 and body == b""


@pytest.mark.parametrize("name,raw,status,code", [
    ("control character in a header value",
     b"GET /v1/me HTTP/1.1\r\nHost: sandbox\r\nX-Odd: a\x01b\r\n\r\n", 400, "INVALID_REQUEST"),
    ("request line over 16 KiB",
     b"GET /v1/contacts?query=" + b"a" * 20_000 + b" HTTP/1.1\r\nHost: sandbox\r\n\r\n", 414, "URI_TOO_LONG"),
    ("headers over 16 KiB",
     b"GET /v1/me HTTP/1.1\r\nHost: sandbox\r\n" + b"X-Pad: " + b"p" * 20_000 + b"\r\n\r\n", 431, "HEADERS_TOO_LARGE"),
    ("many small headers over 16 KiB",
     b"GET /v1/me HTTP/1.1\r\nHost: sandbox\r\n" + b"".join(b"X-%d: v\r\n" % i for i in range(3000)) + b"\r\n",
     431, "HEADERS_TOO_LARGE"),
    ("broken chunked encoding",
     (b"POST /v1/contacts HTTP/1.1\r\nHost: sandbox\r\nContent-Type: application/json\r\n"
      b"Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n"), 400, "INVALID_REQUEST"),
    ("garbage request line", b"\x16\x03\x01\x02\x00 hello\r\n\r\n", 400, "INVALID_REQUEST"),
    ("websocket upgrade (answered as plain HTTP)",
     (b"GET /v1/me HTTP/1.1\r\nHost: sandbox\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
      b"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"), 401, "UNAUTHORIZED"),
])
def test_protocol_errors_answer_in_the_envelope_and_close(sandbox, name, raw, status, code) -> None:
    answer_status, headers, body, _, closed = _exchange(sandbox.url, raw)
    _assert_envelope(answer_status, headers, body, status, code)
    assert headers["connection"] == "close" and closed, name


def test_head_size_is_checked_while_it_arrives_not_after_buffering_it(sandbox) -> None:
    def parts() -> Iterator[bytes]:
        for _ in range(200):  # up to 6 MiB of one header value, if the server kept reading
            yield b"v" * 32_768

    status, headers, body, _, _ = _exchange(sandbox.url, b"GET /v1/me HTTP/1.1\r\nHost: sandbox\r\nX-Big: ", parts())
    _assert_envelope(status, headers, body, 431, "HEADERS_TOO_LARGE")


@pytest.fixture
def strict_sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A private sandbox with tight limits, passed as flags through the console's own launcher."""
    command = sandbox_process.sandbox_command()
    monkeypatch.setattr(sandbox_process, "sandbox_command", lambda: [
        *command, "--max-connections", "6", "--body-timeout", "1", "--keep-alive-timeout", "1",
        "--header-timeout", "1.5", "--max-body-bytes", "2048"])
    with own_sandbox(tmp_path) as started:
        yield started


def test_the_limits_are_flags_connection_limit_body_and_keep_alive_timeouts(strict_sandbox) -> None:
    process, owner, _ = strict_sandbox
    # --max-body-bytes
    assert_error(owner.post("contacts", json={"name": "A", "notes": "n" * 3000}), 413, "PAYLOAD_TOO_LARGE")
    assert owner.post("contacts", json={"name": unique("Small ")}).status_code == 201

    # --body-timeout: a body that stops half-way is 408 after about a second.
    status, headers, body, elapsed, closed = _exchange(
        process.url, b"POST /v1/contacts HTTP/1.1\r\nHost: s\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 100\r\n\r\n{\"name\":")
    _assert_envelope(status, headers, body, 408, "REQUEST_TIMEOUT")
    assert closed and 0.8 < elapsed < 4

    # --keep-alive-timeout: an idle kept-alive connection is closed by the server.
    with socket.create_connection(_address(process.url), timeout=10) as sock:
        sock.sendall(b"GET /v1/openapi.json HTTP/1.1\r\nHost: s\r\n\r\n")
        started = time.monotonic()
        while sock.recv(65536):
            pass
        assert 0.8 < time.monotonic() - started < 4

    # --max-connections: the 7th open connection is 503 in the envelope, then room again. Each held
    # connection has had an answer, so the server has surely counted it (and keeps it for 1 s).
    held = [socket.create_connection(_address(process.url), timeout=10) for _ in range(6)]
    try:
        for sock in held:
            assert _answer_kept_alive(sock, b"GET /v1/openapi.json HTTP/1.1\r\nHost: s\r\n\r\n") == 200
        status, headers, body, _, closed = _exchange(process.url, b"GET /v1/me HTTP/1.1\r\nHost: s\r\n\r\n")
        details = _assert_envelope(status, headers, body, 503, "SERVICE_UNAVAILABLE")
        assert details["max_connections"] == 6 and headers["retry-after"] == "1" and closed
    finally:
        for sock in held:
            sock.close()
    wait_until_sync(lambda: owner.get("me").status_code == 200, timeout=5,
                    message="the closed connections still counted against the limit")


# --- secrets in the request log ---------------------------------------------------------------

def test_a_secret_in_a_path_header_or_key_never_reaches_the_request_log_or_the_database(tmp_path: Path) -> None:
    with own_sandbox(tmp_path) as (process, owner, credentials):
        secret = credentials["live"]["readonly_key"]
        token = httpx.post(process.url + "/auth/token", json=credentials["live"]["user"]).json()["data"]["access_token"]
        assert_error(owner.get(f"contacts/{secret}"), 404, "NOT_FOUND")
        assert_error(owner.get("contacts/" + secret.replace("_", "%5F")), 404, "NOT_FOUND")
        assert_error(owner.get("contacts/" + secret.replace("_", "%255F")), 404, "NOT_FOUND")
        assert_error(owner.get(f"support/tickets/{token}"), 404, "NOT_FOUND")
        assert owner.get("me", headers={"User-Agent": f"leaky-script/1.0 (key {secret}; Bearer {token})"}).status_code == 200
        created = owner.post("contacts", json={"name": unique("Leak ")}, headers={"Idempotency-Key": secret})
        assert created.status_code == 201
        replay = owner.post("contacts", json=json.loads(created.request.content), headers={"Idempotency-Key": secret})
        assert replay.headers.get("Idempotent-Replayed") == "true", "a masked key still replays"
        other = owner.post("contacts", json={"name": unique("Leak ")}, headers={"Idempotency-Key": secret + "x"})
        assert other.status_code == 201 and other.json()["data"]["id"] != created.json()["data"]["id"]
        assert_error(owner.post(f"api-keys/{secret}/rotate", json={}, headers={"Idempotency-Key": unique("rot-")}),
                     404, "NOT_FOUND")

        log = owner.get("dev/api-requests", params={"limit": 100})
        assert log.status_code == 200
        entries = log.json()["data"]
        assert secret not in log.text and token not in log.text
        assert secret.removeprefix("opk_live_") not in log.text
        paths = {e["path"] for e in entries}
        assert "/v1/contacts/opk_live_[redacted]" in paths and "/v1/support/tickets/opat_[redacted]" in paths
        assert any(e["idempotency_key"] == "opk_live_[redacted]" for e in entries)
        assert any((e["user_agent"] or "").startswith("leaky-script/1.0 (key opk_live_[redacted]") for e in entries)
        data_dir = process.data_dir
        files = [p for p in Path(data_dir).iterdir() if p.name.startswith("sandbox.sqlite3")]
        assert any(p.name.endswith("-wal") for p in files)
        for path in files:  # while running: the main file, the WAL and the shared-memory index
            content = path.read_bytes()
            for needle in (secret, secret.removeprefix("opk_live_"), token):
                assert needle.encode() not in content, f"a secret is in {path.name}"
    for path in Path(data_dir).iterdir():  # after a clean stop (WAL checkpointed into the file)
        if path.name.startswith("sandbox.sqlite3"):
            assert secret.encode() not in path.read_bytes() and token.encode() not in path.read_bytes()


# --- Allow and OPTIONS --------------------------------------------------------------------------

def _concrete(template: str) -> str:
    return "/".join("x_1" if part.startswith("{") else part for part in template.split("/"))


def test_every_path_answers_options_and_405_with_every_allowed_method(sandbox, owner) -> None:
    document = httpx.get(sandbox.url + "/openapi.json").json()
    declared_paths = document["paths"]
    checked = 0
    for template in declared_paths:
        path = _concrete(template)
        # What the router can serve on this concrete path (a literal segment also matches a
        # `{param}` of a sibling template, e.g. /deliveries/retry and /deliveries/{id}).
        # The most specific path is the resource: /support/tickets/count, not an id of
        # /support/tickets/{id}; /deliveries/retry, not an id of /deliveries/{id}.
        expected = {"OPTIONS"}
        matching = [(other, other_ops) for other, other_ops in declared_paths.items()
                    if len(other.split("/")) == len(path.split("/")) and all(
                        a == b or a.startswith("{") for a, b in zip(other.split("/"), path.split("/")))]
        fewest = min(other.count("{") for other, _ in matching)
        for other, other_ops in matching:
            if other.count("{") == fewest:
                expected |= {m.upper() for m in other_ops}
        url = sandbox.origin + path
        options = httpx.options(url)
        assert options.status_code == 204, (template, options.text)
        assert set(options.headers["Allow"].split(", ")) == expected, (template, options.headers["Allow"])
        unused = next(m for m in ("PUT", "DELETE", "PATCH", "POST", "GET") if m not in expected)
        refused = owner.request(unused, url)
        details = assert_error(refused, 405, "METHOD_NOT_ALLOWED")
        assert set(refused.headers["Allow"].split(", ")) == expected, (template, refused.headers["Allow"])
        assert set(details["allowed"]) == expected
        checked += 1
    assert checked == len(declared_paths) >= 30
    contacts = httpx.options(sandbox.url + "/contacts")
    assert contacts.headers["Allow"] == "GET, POST, OPTIONS"
    assert_error(httpx.options(sandbox.url + "/no-such-thing"), 404, "NOT_FOUND")
