"""The transport under the client: holds sends while a `Retry-After` window is open and turns every
exchange on the wire (retries, logins and refreshes included) into a redacted `RequestRecord`.

While the response is on its way to the caller the transport only copies the little a record
shows (`_Exchange`); the record's masked URL, headers and bodies are built when someone first
reads them (`ObservedRecord`). With no listener attached none of this happens at all.

Sitting at the transport is what makes the record honest: it sees exactly what was sent,
including the `Authorization` header the auth flow added, and masks it there.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime

import httpx

from app.api import constants
from app.api.clock import Clock
from app.api.records import Headers, ObservedRecord, RequestRecord
from app.api.redaction import mask_body, mask_headers, mask_url
from app.api.retry_policy import RetryPolicy, parse_retry_after
from app.api.send_gate import SendGate

_log = logging.getLogger(__name__)

RequestListener = Callable[[RequestRecord], None]


class ObservedTransport(httpx.AsyncBaseTransport):
    """Wraps the real transport; `listeners` get a `RequestRecord` per exchange."""

    def __init__(self, inner: httpx.AsyncBaseTransport, *, clock: Clock, gate: SendGate,
                 policy: RetryPolicy) -> None:
        self._inner = inner
        self._clock = clock
        self._gate = gate
        self._policy = policy
        self.listeners: list[RequestListener] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send one request through the gate and, when someone listens, record it."""
        await self._gate.acquire()
        remaining: int | None = None
        try:
            response = await self._send(request)
            remaining = _remaining_budget(response)
            return response
        finally:
            self._gate.release(remaining)

    async def _send(self, request: httpx.Request) -> httpx.Response:
        if not self.listeners:
            response = await self._inner.handle_async_request(request)
            self._hold_if_told(response)
            return response
        exchange = _Exchange(request, self._clock.time())
        try:
            response = await self._inner.handle_async_request(request)
        except httpx.TransportError as exc:
            self._emit(exchange.record(None, b"", 0, type(exc).__name__))
            raise
        except asyncio.CancelledError:
            self._emit(exchange.record(None, b"", 0, "Cancelled"))
            raise
        self._hold_if_told(response)
        try:
            raw = response.content  # an in-memory transport hands over a body already read
        except httpx.ResponseNotRead:
            if response.status_code >= 300:
                # Refusals are read at once, which frees the connection: an auth flow answering
                # 401s with a token refresh must find one free, however many calls met the 401.
                return await self._read_and_record(exchange, response)
            # A success is recorded as the caller reads it (the body is not read twice); the
            # record goes out when the caller has the whole body, or gives up on it.
            response.stream = _RecordedStream(response.stream, self, exchange, response)
            return response
        self._emit(exchange.record(response, raw, len(raw)))
        return response

    async def _read_and_record(self, exchange: _Exchange, response: httpx.Response) -> httpx.Response:
        try:
            try:
                raw = await response.aread()
            finally:
                await response.aclose()
        except httpx.TransportError as exc:
            self._emit(exchange.record(None, b"", 0, type(exc).__name__))
            raise
        except asyncio.CancelledError:
            self._emit(exchange.record(None, b"", 0, "Cancelled"))
            raise
        self._emit(exchange.record(response, raw, len(raw)))
        return response

    async def aclose(self) -> None:
        """Close the wrapped transport."""
        await self._inner.aclose()

    def _hold_if_told(self, response: httpx.Response) -> None:
        """Close the gate the moment a 429 arrives, before any other task can send."""
        if response.status_code != 429:
            return
        retry_after = parse_retry_after(response.headers, self._clock.time())
        if retry_after is not None and self._policy.honours(retry_after):
            self._gate.close_for(retry_after)

    def _emit(self, record: RequestRecord) -> None:
        for listener in list(self.listeners):
            try:
                listener(record)
            except Exception:  # noqa: BLE001
                # A broken viewer must not break the call it is watching.
                _log.exception("request listener %r failed", listener)


class _Exchange:
    """One exchange as the wire saw it: what its record's masked fields are built from, on first read.

    When the exchange ends it keeps only what the record will show: the request's headers (a
    copy) and URL, the response's headers, and of each plain body just the bytes `mask_body`
    keeps (a compressed one whole, as it must be decoded to be shown). It then holds no request,
    response or stream, so a record kept in a history pins neither a connection's buffers nor a
    large body. Headers are kept as tuples of bytes (decoded on first read), which the cyclic
    collector stops tracking: a history of thousands of records adds a few objects per record to
    its passes, not a header object and a list per header set.
    """

    __slots__ = ("_began", "_encoded", "_request", "_request_head", "_request_headers", "_request_size",
                 "_response_head", "_response_headers", "_response_size", "_started", "_url")

    def __init__(self, request: httpx.Request, started: float) -> None:
        self._request: httpx.Request | None = request
        self._started = started
        self._began = time.perf_counter()

    def record(self, response: httpx.Response | None, raw: bytes, size: int,
               error: str | None = None, *, encoded: bool | None = None) -> ObservedRecord:
        """The exchange's record; `response` None when none came (or its body failed), `raw` the
        body or the part of it kept, `size` the body's whole length; `encoded` whether the
        response has a Content-Encoding, when the caller already looked."""
        duration_ms = (time.perf_counter() - self._began) * 1000.0
        request, self._request = self._request, None  # recorded once; the request is let go
        content = request.content
        limit = constants.RECORD_BODY_LIMIT_BYTES
        self._url = request.url
        self._request_headers = _RawHeaders.of(request.headers)  # a copy: an auth flow may change them
        self._request_head = content[:limit]
        self._request_size = len(content)
        self._response_size = size
        if response is None:
            self._response_headers = None
            self._encoded = False
            self._response_head = b""
        else:
            self._response_headers = _RawHeaders.of(response.headers)
            self._encoded = "content-encoding" in response.headers if encoded is None else encoded
            self._response_head = raw if self._encoded else raw[:limit]
        return ObservedRecord(
            started_at=datetime.fromtimestamp(self._started, UTC),
            method=request.method,
            status=response.status_code if response is not None else None,
            duration_ms=duration_ms,
            attempt=int(request.extensions.get(constants.ATTEMPT_EXTENSION, 1)),
            request_size=self._request_size,
            response_size=size,
            parts=self,
            error=error,
        )

    def identity(self) -> tuple[str, str | None, str | None]:
        request_id = (self._response_headers.get(constants.HEADER_REQUEST_ID)
                      if self._response_headers is not None else None)
        idempotency_key = self._request_headers.get(constants.HEADER_IDEMPOTENCY_KEY)
        return mask_url(str(self._url)), request_id, idempotency_key

    def redacted(self) -> tuple[Headers, Headers, str, str]:
        response_headers: Headers = ()
        response_body = ""
        headers = self._response_headers
        if headers is not None:
            response_headers = mask_headers(headers.items())
            if self._response_head:
                body = _decoded(headers, self._response_head) if self._encoded else self._response_head
                response_body = mask_body(body, size=len(body) if self._encoded else self._response_size)
        return (mask_headers(self._request_headers.items()), response_headers,
                mask_body(self._request_head, size=self._request_size), response_body)


class _RecordedStream(httpx.AsyncByteStream):
    """Passes a response body through to its reader, keeping what the record shows of it.

    The exchange's record goes to the transport's listeners once: when the body ends or is
    closed, or when reading it fails (the record then names the failure and has no response). A
    plain body keeps only its first `RECORD_BODY_LIMIT_BYTES`; a compressed one is kept whole.
    """

    def __init__(self, inner: httpx.AsyncByteStream, transport: ObservedTransport, exchange: _Exchange,
                 response: httpx.Response) -> None:
        self._inner = inner
        self._transport: ObservedTransport | None = transport
        self._exchange = exchange
        # Held for its status and headers until the body ends (it refers to this stream: let go then).
        self._response: httpx.Response | None = response
        self._keep_all = "content-encoding" in response.headers
        self._chunks: list[bytes] = []
        self._kept = self._size = 0

    async def __aiter__(self):
        limit = constants.RECORD_BODY_LIMIT_BYTES
        try:
            async for chunk in self._inner:
                self._size += len(chunk)
                if self._kept < limit or self._keep_all:
                    part = chunk if self._keep_all else chunk[:limit - self._kept]
                    self._chunks.append(part)
                    self._kept += len(part)
                yield chunk
        except httpx.TransportError as exc:
            self._finish(type(exc).__name__)
            raise
        except asyncio.CancelledError:
            self._finish("Cancelled")
            raise

    async def aclose(self) -> None:
        try:
            await self._inner.aclose()
        finally:
            self._finish(None)

    def _finish(self, error: str | None) -> None:
        transport, self._transport = self._transport, None
        response, self._response = self._response, None
        if transport is not None:
            kept, self._chunks = b"".join(self._chunks), []
            transport._emit(self._exchange.record(response if error is None else None, kept, self._size, error,
                                                  encoded=self._keep_all))


class _RawHeaders(tuple):
    """A header set as the wire had it: `(encoding, (name, value), …)` in bytes, names as sent."""

    __slots__ = ()

    @classmethod
    def of(cls, headers: httpx.Headers) -> _RawHeaders:
        return cls((headers.encoding, *headers.raw))

    def items(self) -> list[tuple[str, str]]:
        """(name, value) pairs decoded, names lower-cased as httpx's `multi_items()` gives them."""
        encoding = self[0]
        return [(name.lower().decode(encoding), value.decode(encoding)) for name, value in self[1:]]

    def get(self, name: str) -> str | None:
        """The first value of header `name`, or None."""
        wanted = name.lower().encode(self[0])
        return next((value.decode(self[0]) for key, value in self[1:] if key.lower() == wanted), None)

    def httpx(self) -> httpx.Headers:
        return httpx.Headers(list(self[1:]), encoding=self[0])


def _decoded(headers: _RawHeaders, raw: bytes) -> bytes:
    try:
        return httpx.Response(200, headers=headers.httpx(), content=raw).content
    except httpx.DecodingError:
        return raw


def _remaining_budget(response: httpx.Response) -> int | None:
    """The platform's `X-RateLimit-Remaining`, or None when the answer does not report it."""
    value = response.headers.get(constants.HEADER_RATE_REMAINING)
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None
