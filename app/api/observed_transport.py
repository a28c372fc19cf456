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
from itertools import chain

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


#: A header set as the wire had it: `(encoding, name, value, name, value, …)`, names and values
#: in bytes, names as sent. One flat, plain tuple: a record then adds one object to the
#: collector's count per header set, not one per header (a tuple subclass would stay tracked;
#: a plain tuple of strings and bytes leaves the collector's lists at its first pass).
RawHeaders = tuple


class _Exchange:
    """One exchange on the wire, from its send to the record made of it (`record`).

    The record keeps only what it will show, as one plain tuple (`_WireRecord`): the URL to
    mask (a string), the request's headers (a copy) and the response's (`RawHeaders`), and of
    each plain body just the bytes `mask_body` keeps (a compressed one whole, as it must be
    decoded to be shown). It holds no request, response, stream or URL object, so a record kept
    in a history pins neither a connection's buffers nor a large body; and as every item of that
    tuple is a string, bytes, a number or a tuple of those, the collector stops tracking all of
    it within its first few passes, leaving the record itself as the only object a history of
    thousands of records adds to every later pass (and to what makes a full pass due).
    """

    __slots__ = ("_began", "_request", "_started")

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
        if response is None:
            response_headers = None
            encoded = False
            response_head = b""
        else:
            response_headers = _raw_headers(response.headers)
            if encoded is None:
                encoded = "content-encoding" in response.headers
            response_head = raw if encoded else raw[:limit]
        parts = (str(request.url), _raw_headers(request.headers),  # a copy: an auth flow may change them
                 content[:limit], len(content), response_headers, response_head, encoded, size)
        return _WireRecord(
            started_at=datetime.fromtimestamp(self._started, UTC),
            method=request.method,
            status=response.status_code if response is not None else None,
            duration_ms=duration_ms,
            attempt=int(request.extensions.get(constants.ATTEMPT_EXTENSION, 1)),
            request_size=len(content),
            response_size=size,
            parts=parts,
            error=error,
        )


#: `_WireRecord`'s parts: URL, request headers, request body head, request size, response
#: headers (None without a response), response body head, whether it is encoded, response size.
_Parts = tuple[str, RawHeaders, bytes, int, RawHeaders | None, bytes, bool, int]


class _WireRecord(ObservedRecord):
    """An `ObservedRecord` built from the plain tuple an `_Exchange` keeps (see there)."""

    __slots__ = ()

    @staticmethod
    def _identity(parts: _Parts) -> tuple[str, str | None, str | None]:
        url, request_headers, _, _, response_headers, _, _, _ = parts
        request_id = _header(response_headers, constants.HEADER_REQUEST_ID) if response_headers else None
        return mask_url(url), request_id, _header(request_headers, constants.HEADER_IDEMPOTENCY_KEY)

    @staticmethod
    def _redacted(parts: _Parts) -> tuple[Headers, Headers, str, str]:
        _, request_headers, request_head, request_size, headers, response_head, encoded, response_size = parts
        response_headers: Headers = ()
        response_body = ""
        if headers is not None:
            response_headers = mask_headers(_header_items(headers))
            if response_head:
                body = _decoded(headers, response_head) if encoded else response_head
                response_body = mask_body(body, size=len(body) if encoded else response_size)
        return (mask_headers(_header_items(request_headers)), response_headers,
                mask_body(request_head, size=request_size), response_body)


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


def _raw_headers(headers: httpx.Headers) -> RawHeaders:
    return (headers.encoding, *chain.from_iterable(headers.raw))


def _pairs(headers: RawHeaders) -> zip:
    """The (name, value) byte pairs of a `RawHeaders`."""
    return zip(headers[1::2], headers[2::2], strict=True)


def _header_items(headers: RawHeaders) -> list[tuple[str, str]]:
    """(name, value) pairs decoded, names lower-cased as httpx's `multi_items()` gives them."""
    encoding = headers[0]
    return [(name.lower().decode(encoding), value.decode(encoding)) for name, value in _pairs(headers)]


def _header(headers: RawHeaders, name: str) -> str | None:
    """The first value of header `name`, or None."""
    wanted = name.lower().encode(headers[0])
    return next((value.decode(headers[0]) for key, value in _pairs(headers) if key.lower() == wanted), None)


def _decoded(headers: RawHeaders, raw: bytes) -> bytes:
    try:
        return httpx.Response(200, headers=httpx.Headers(list(_pairs(headers)), encoding=headers[0]),
                              content=raw).content
    except httpx.DecodingError:
        return raw


def _remaining_budget(response: httpx.Response) -> int | None:
    """The platform's `X-RateLimit-Remaining`, or None when the answer does not report it."""
    value = response.headers.get(constants.HEADER_RATE_REMAINING)
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None
