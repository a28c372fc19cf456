"""The transport under the client: holds sends while a `Retry-After` window is open and turns every
exchange on the wire (retries, logins and refreshes included) into a redacted `RequestRecord`.

The record's masked headers and bodies are built when someone first reads them (`ObservedRecord`),
not while the response is on its way to the caller.

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
from app.api.records import Headers, ObservedRecord, RedactedParts, RequestRecord
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
        started_at = datetime.fromtimestamp(self._clock.time(), UTC)
        began = time.perf_counter()
        try:
            response = await self._inner.handle_async_request(request)
        except httpx.TransportError as exc:
            self._emit(self._record(request, started_at, began, None, b"", error=type(exc).__name__))
            raise
        except asyncio.CancelledError:
            self._emit(self._record(request, started_at, began, None, b"", error="Cancelled"))
            raise
        self._hold_if_told(response)
        try:
            raw = response.content  # an in-memory transport hands over a body already read
        except httpx.ResponseNotRead:
            if response.status_code >= 300:
                # Refusals are read at once, which frees the connection: an auth flow answering
                # 401s with a token refresh must find one free, however many calls met the 401.
                return await self._read_and_record(request, started_at, began, response)
            # A success is recorded as the caller reads it (the body is not read twice); the
            # record goes out when the caller has the whole body, or gives up on it.
            def done(kept: bytes, size: int, error: str | None) -> None:
                answered = response if error is None else None
                self._emit(self._record(request, started_at, began, answered, kept, error=error, size=size))

            response.stream = _RecordedStream(response.stream, done,
                                              keep_all="content-encoding" in response.headers)
            return response
        self._emit(self._record(request, started_at, began, response, raw))
        return response

    async def _read_and_record(self, request: httpx.Request, started_at: datetime, began: float,
                               response: httpx.Response) -> httpx.Response:
        try:
            try:
                raw = await response.aread()
            finally:
                await response.aclose()
        except httpx.TransportError as exc:
            self._emit(self._record(request, started_at, began, None, b"", error=type(exc).__name__))
            raise
        except asyncio.CancelledError:
            self._emit(self._record(request, started_at, began, None, b"", error="Cancelled"))
            raise
        self._emit(self._record(request, started_at, began, response, raw))
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

    def _record(self, request: httpx.Request, started_at: datetime, began: float,
                response: httpx.Response | None, raw: bytes, error: str | None = None,
                size: int | None = None) -> ObservedRecord:
        """The record of one exchange: the cheap fields now, the masked headers and bodies on first read.

        `raw` is the body (or, with `size` its whole length, the part of it a record keeps).
        """
        duration_ms = (time.perf_counter() - began) * 1000.0
        content = request.content
        return ObservedRecord(
            started_at=started_at,
            method=request.method,
            url=mask_url(str(request.url)),
            status=response.status_code if response is not None else None,
            duration_ms=duration_ms,
            attempt=int(request.extensions.get(constants.ATTEMPT_EXTENSION, 1)),
            request_id=response.headers.get(constants.HEADER_REQUEST_ID) if response is not None else None,
            idempotency_key=request.headers.get(constants.HEADER_IDEMPOTENCY_KEY),
            request_size=len(content),
            response_size=len(raw) if size is None else size,
            parts=_redacted_parts(request.headers.multi_items(), content,
                                  response.headers if response is not None else None, raw, size),
            error=error,
        )

    def _emit(self, record: RequestRecord) -> None:
        for listener in list(self.listeners):
            try:
                listener(record)
            except Exception:  # noqa: BLE001
                # A broken viewer must not break the call it is watching.
                _log.exception("request listener %r failed", listener)


def _redacted_parts(request_headers: list[tuple[str, str]], content: bytes,
                    response_headers: httpx.Headers | None, raw: bytes, size: int | None) -> RedactedParts:
    """What builds a record's masked headers and bodies when it is first read.

    It keeps only what the record will show: the headers, and of a plain body just the bytes
    `mask_body` keeps (a compressed one whole, as it must be decoded to be shown).
    """
    limit = constants.RECORD_BODY_LIMIT_BYTES
    request_head, request_size = content[:limit], len(content)
    encoded = response_headers is not None and "content-encoding" in response_headers
    response_head = raw if encoded else raw[:limit]
    response_size = len(raw) if size is None else size

    def build() -> tuple[Headers, Headers, str, str]:
        response_body = ""
        if response_headers is not None and raw:
            body = _decoded(response_headers, response_head) if encoded else response_head
            response_body = mask_body(body, size=len(body) if encoded else response_size)
        return (mask_headers(request_headers),
                mask_headers(response_headers.multi_items()) if response_headers is not None else (),
                mask_body(request_head, size=request_size),
                response_body)

    return build


class _RecordedStream(httpx.AsyncByteStream):
    """Passes a response body through to its reader, keeping what the record shows of it.

    `done(kept, size, error)` is called once: when the body ends or is closed (`error` None), or
    when reading it fails (`error` names the failure). A plain body keeps only its first
    `RECORD_BODY_LIMIT_BYTES`; a compressed one is kept whole, to be decoded when shown.
    """

    def __init__(self, inner: httpx.AsyncByteStream, done: Callable[[bytes, int, str | None], None],
                 *, keep_all: bool = False) -> None:
        self._inner = inner
        self._done: Callable[[bytes, int, str | None], None] | None = done
        self._keep_all = keep_all
        self._chunks: list[bytes] = []
        self._kept = self._size = 0

    async def __aiter__(self):
        limit = constants.RECORD_BODY_LIMIT_BYTES
        try:
            async for chunk in self._inner:
                self._size += len(chunk)
                if self._keep_all or self._kept < limit:
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
        done, self._done = self._done, None
        if done is not None:
            done(b"".join(self._chunks), self._size, error)


def _decoded(headers: httpx.Headers, raw: bytes) -> bytes:
    try:
        return httpx.Response(200, headers=headers, content=raw).content
    except httpx.DecodingError:
        return raw


def _remaining_budget(response: httpx.Response) -> int | None:
    """The platform's `X-RateLimit-Remaining`, or None when the answer does not report it."""
    value = response.headers.get(constants.HEADER_RATE_REMAINING)
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None
