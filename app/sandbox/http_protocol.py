"""The sandbox's HTTP/1.1 connection handler: uvicorn's httptools protocol with its limits set on purpose.

uvicorn with httptools sets no limit on a request head and no deadline on it: a client dribbling
header bytes holds a connection (and its memory) forever, and a 100 KB header is read whole. It
also answers malformed requests itself, in plain text. `sandbox_http_protocol(settings)` returns a
protocol class (uvicorn's `http=` takes one) that adds, per connection:

- header timeout: the whole request head must arrive within `header_timeout` s of the connection
  opening, or on a kept-alive connection of the head's first byte; else 408 REQUEST_TIMEOUT (or,
  when not one byte came, a silent close);
- body timeout: a pause longer than `body_timeout` s inside a request body is 408 too (only while
  the server is reading: a body the application has not asked for yet does not time out);
- head size: a request line over `max_header_bytes` is 414 URI_TOO_LONG, a head over it
  431 HEADERS_TOO_LARGE, found while it arrives (never buffered whole);
- connection limit: beyond `max_connections` open connections, a new one is answered
  503 SERVICE_UNAVAILABLE with `Retry-After: 1`;
- malformed HTTP (a control character in a header, a broken chunk size, a bad request line):
  400 INVALID_REQUEST naming the parser's complaint, instead of uvicorn's "Invalid HTTP request
  received."; an `Upgrade` request is answered as plain HTTP and its connection closed.

A response head is held back until its body follows in the same turn of the event loop, and the
two leave in one write (`_HeadWithBody`): the contacts page is one head and one 36 KB body, and a
write each was a second trip through the loopback TCP stack and a second wake-up of the client.

Each of these answers is the contract's error envelope with its own `X-Request-Id`, sent with
`Connection: close`, and the connection is closed after it; an application call already running
for that request sees a disconnect and its answer is dropped. The idle timeout between kept-alive
requests is uvicorn's own `timeout_keep_alive` (set from `keep_alive_timeout` in `cli.py`).
"""

from __future__ import annotations

import http
import json
import logging
import time
from asyncio import TimerHandle
from collections.abc import Callable
from typing import Any

import httptools
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from app.sandbox.ids import new_id
from app.sandbox.settings import SandboxSettings

log = logging.getLogger("app.sandbox")


def envelope_bytes(status: int, code: str, message: str, details: dict[str, Any] | None = None,
                   headers: dict[str, str] | None = None,
                   default_headers: list[tuple[bytes, bytes]] | None = None) -> bytes:
    """A complete HTTP/1.1 error answer in the contract's envelope, ending the connection.

    `default_headers` are uvicorn's own (`date`), so these answers look like the application's.
    """
    request_id = new_id("req")
    body = json.dumps({"error": {"code": code, "message": message, "details": details or {}},
                       "request_id": request_id}, separators=(",", ":")).encode()
    lines = [f"HTTP/1.1 {status} {http.HTTPStatus(status).phrase}",
             *(f"{name.decode('latin-1')}: {value.decode('latin-1')}" for name, value in default_headers or ()),
             "content-type: application/json",
             f"content-length: {len(body)}",
             f"x-request-id: {request_id}",
             *(f"{name}: {value}" for name, value in (headers or {}).items()),
             "connection: close"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


class _HeadWithBody:
    """A connection's transport as its request cycles see it: a response head waits for the next
    write (the body), a close, or the end of the event loop's turn, whichever comes first."""

    def __init__(self, transport: Any, loop: Any) -> None:
        self._transport = transport
        self._loop = loop
        self._head: bytes | None = None

    def write(self, data: bytes) -> None:
        if self._head is not None:
            data, self._head = self._head + data, None
        elif data.startswith(b"HTTP/1.1 ") and data.endswith(b"\r\n\r\n"):
            self._head = data
            self._loop.call_soon(self.flush)
            return
        self._transport.write(data)

    def flush(self) -> None:
        """Write a head still held (nothing, once the connection is closing)."""
        head, self._head = self._head, None
        if head is not None and not self._transport.is_closing():
            self._transport.write(head)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class _Answered:
    """What `cycle` holds after a request answered in the parser's callback: a finished request
    (uvicorn's callbacks for the rest of the message then ignore it, as for any answered one)."""

    response_complete = True
    response_started = True
    more_body = False
    keep_alive = True
    disconnected = False

    class message_event:  # stands in for the cycle's asyncio.Event, which nobody awaits here
        @staticmethod
        def set() -> None:
            pass


#: `(target, headers) -> (status, headers, body pieces)` or None: a request answered without the
#: application (hot_path.ContactsListFastPath.answer_target).
AnswerInPlace = Callable[[bytes, list[tuple[bytes, bytes]]],
                         "tuple[int, list[tuple[bytes, bytes]], list[bytes]] | None"]


class SandboxHttpProtocol(HttpToolsProtocol):
    """HttpToolsProtocol plus the head/body deadlines, head size and connection limits above, and
    the plain contacts page answered in place."""

    max_header_bytes: int
    header_timeout: float
    body_timeout: float
    max_connections: int
    answer_in_place: AnswerInPlace | None = None

    def connection_made(self, transport: Any) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._writes = _HeadWithBody(transport, self.loop)
        self._head_timer: TimerHandle | None = None
        self._body_timer: TimerHandle | None = None
        self._awaiting_head = True    # the current request's head is not complete yet
        self._message_begun = False   # …and at least one byte of it arrived
        self._head_bytes = 0
        self._body_seen = 0.0
        if len(self.connections) > self.max_connections:
            log.warning("refused a connection: %d open (limit %d)", len(self.connections) - 1, self.max_connections)
            self._refuse(503, "SERVICE_UNAVAILABLE",
                         f"The server has {self.max_connections} connections open; retry shortly.",
                         {"max_connections": self.max_connections}, {"Retry-After": "1"})
            return
        self._head_timer = self.loop.call_later(self.header_timeout, self._on_head_timeout)

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_timers()
        super().connection_lost(exc)

    def _cancel_timers(self) -> None:
        for timer in (self._head_timer, self._body_timer):
            if timer is not None:
                timer.cancel()
        self._head_timer = self._body_timer = None

    # --- answering before the application ----------------------------------------------------

    def _refuse(self, status: int, code: str, message: str, details: dict[str, Any] | None = None,
                headers: dict[str, str] | None = None) -> None:
        """Answer `status` in the envelope (unless an answer is already on the wire) and close."""
        self._cancel_timers()
        if self.transport.is_closing():
            return
        self._writes.flush()
        cycle = self.cycle
        if cycle is not None and not cycle.response_complete:
            if cycle.response_started:
                # Half an answer is out; another one cannot follow it on this connection.
                self.transport.close()
                return
            # The application is still working on this request: it now sees a disconnect, and
            # whatever it answers is dropped (uvicorn drops sends on a disconnected cycle).
            cycle.disconnected = True
            cycle.message_event.set()
        self.transport.write(envelope_bytes(status, code, message, details, headers,
                                            self.server_state.default_headers))
        self.transport.close()

    def send_400_response(self, msg: str) -> None:
        self._refuse(400, "INVALID_REQUEST", msg)

    def data_received(self, data: bytes) -> None:
        if self.transport.is_closing():
            return
        self._unset_keepalive_if_required()
        head_begun_before = self._awaiting_head and self._message_begun
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            # The sandbox speaks no WebSocket: the request is answered as plain HTTP (RFC 9110
            # lets a server ignore Upgrade), and the connection closes after it, since the parser
            # stops at an upgrade.
            if self.cycle is not None:
                self.cycle.keep_alive = False
            return
        except httptools.HttpParserError as exc:
            reason = str(exc) or "unparseable"
            log.warning("malformed HTTP request: %s", reason)
            self._refuse(400, "INVALID_REQUEST", f"The request is not valid HTTP/1.1: {reason}.",
                         {"reason": reason})
            return
        if self._awaiting_head and self._message_begun and not self.transport.is_closing():
            # A chunk wholly inside the head counts whole; in the chunk where the head began, the
            # request line received so far (the rest of that one chunk is bounded by the read size).
            self._head_bytes += len(data) if head_begun_before else len(self.url)
            if self._head_bytes > self.max_header_bytes:
                self._refuse_large_head(in_request_line=not self.headers)

    def _refuse_large_head(self, in_request_line: bool) -> None:
        limit = self.max_header_bytes
        if in_request_line:
            self._refuse(414, "URI_TOO_LONG", f"The request line is longer than {limit} bytes.", {"limit_bytes": limit})
        else:
            self._refuse(431, "HEADERS_TOO_LARGE", f"The request headers are larger than {limit} bytes.",
                         {"limit_bytes": limit})

    # --- parser callbacks ----------------------------------------------------------------------

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._awaiting_head = True
        self._message_begun = True
        self._head_bytes = 0
        if self._head_timer is None:
            self._head_timer = self.loop.call_later(self.header_timeout, self._on_head_timeout)

    def on_headers_complete(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None
        self._awaiting_head = False
        self._message_begun = False
        size = len(self.url) + sum(len(name) + len(value) + 4 for name, value in self.headers)
        if size > self.max_header_bytes:
            self._refuse_large_head(in_request_line=len(self.url) > self.max_header_bytes)
            return
        if self._answered_in_place():
            return
        super().on_headers_complete()
        if self.cycle is not None:
            self.cycle.transport = self._writes
        if any(name in (b"content-length", b"transfer-encoding") and value not in (b"0",)
               for name, value in self.headers):
            self._body_seen = time.monotonic()
            self._body_timer = self.loop.call_later(self.body_timeout, self._on_body_timeout)

    def on_body(self, body: bytes) -> None:
        self._body_seen = time.monotonic()
        super().on_body(body)

    def on_message_complete(self) -> None:
        if self._body_timer is not None:
            self._body_timer.cancel()
            self._body_timer = None
        super().on_message_complete()

    def _answered_in_place(self) -> bool:
        """Answer a GET that `answer_in_place` takes (the contacts page) right here, in one write
        (`writelines`: uvloop sends the pieces with one writev).

        What uvicorn would do for it, minus the request cycle, the task, the ASGI messages and the
        header checks (these headers are the server's own): its status line and default headers,
        `connection: close` and a close when the request does not keep the connection, then its
        end-of-response step (request count, keep-alive timer). Left to uvicorn: another method,
        a pipelined request behind one still running, a client not reading its answers (uvicorn
        waits for the socket to drain), an upgrade.
        """
        answer_in_place = self.answer_in_place
        if (answer_in_place is None or self.parser.get_method() != b"GET" or self.pipeline
                or (self.cycle is not None and not self.cycle.response_complete)
                or self.flow.write_paused or self.parser.should_upgrade()):
            return False
        try:
            answer = answer_in_place(self.url, self.headers)
        except Exception:
            # The answer is complete before anything is written: only its bookkeeping can fail here.
            log.exception("unhandled error answering GET %s", self.url.partition(b"?")[0].decode("latin-1"))
            self.cycle = _Answered
            self.transport.close()
            return True
        if answer is None:
            return False
        status, headers, body = answer
        keep_alive = self.parser.get_http_version() != "1.0" and self.parser.should_keep_alive()
        out = [STATUS_LINE[status]]
        for name, value in self.server_state.default_headers:
            out += (name, b": ", value, b"\r\n")
        for name, value in headers:
            out += (name, b": ", value, b"\r\n")
        if not keep_alive:
            out.append(b"connection: close\r\n")
        out.append(b"\r\n")
        self.cycle = _Answered  # type: ignore[assignment]
        # The head joined, the body's pieces as they are: one vectored write of the whole answer.
        self.transport.writelines([b"".join(out), *body])
        if not keep_alive:
            self.transport.close()
        self.on_response_complete()
        return True

    # --- deadlines -----------------------------------------------------------------------------

    def _on_head_timeout(self) -> None:
        self._head_timer = None
        if self.transport.is_closing() or not self._awaiting_head:
            return
        if not self._message_begun:
            self.transport.close()  # not one byte of a request: nobody to answer
            return
        self._refuse(408, "REQUEST_TIMEOUT",
                     f"The request head did not arrive within {self.header_timeout:g} s.",
                     {"timeout_seconds": self.header_timeout})

    def _on_body_timeout(self) -> None:
        self._body_timer = None
        if self.transport.is_closing() or self.cycle is None or not self.cycle.more_body:
            return
        idle = time.monotonic() - self._body_seen
        if self.flow.read_paused or idle < self.body_timeout:
            # Not reading right now (the application has not asked for more), or data came since.
            wait = self.body_timeout if self.flow.read_paused else self.body_timeout - idle
            self._body_timer = self.loop.call_later(wait, self._on_body_timeout)
            return
        self._refuse(408, "REQUEST_TIMEOUT",
                     f"The request body paused for more than {self.body_timeout:g} s.",
                     {"timeout_seconds": self.body_timeout})


def sandbox_http_protocol(settings: SandboxSettings,
                          answer_in_place: AnswerInPlace | None = None) -> type[SandboxHttpProtocol]:
    """The protocol class for uvicorn's `http=`, carrying `settings`' limits and the requests it
    answers itself (`answer_in_place`)."""
    return type("SandboxHttpProtocol", (SandboxHttpProtocol,), {
        "max_header_bytes": settings.max_header_bytes,
        "header_timeout": settings.header_timeout,
        "body_timeout": settings.body_timeout,
        "max_connections": settings.max_connections,
        "answer_in_place": staticmethod(answer_in_place) if answer_in_place is not None else None,
    })
