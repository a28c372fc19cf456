"""The transport under the client: holds sends while a `Retry-After` window is open and turns every
exchange on the wire (retries, logins and refreshes included) into a redacted `RequestRecord`.

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
from app.api.records import RequestRecord
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
            raw = await _raw_body(response)
        except httpx.TransportError as exc:
            self._emit(self._record(request, started_at, began, None, b"", error=type(exc).__name__))
            raise
        except asyncio.CancelledError:
            self._emit(self._record(request, started_at, began, None, b"", error="Cancelled"))
            raise
        self._hold_if_told(response)
        replay = httpx.Response(response.status_code, headers=response.headers,
                                stream=httpx.ByteStream(raw), extensions=response.extensions)
        self._emit(self._record(request, started_at, began, replay, raw))
        return replay

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
                response: httpx.Response | None, raw: bytes, error: str | None = None) -> RequestRecord:
        content = request.content
        response_body = ""
        if response is not None and raw:
            decoded = raw if "content-encoding" not in response.headers else _decoded(response, raw)
            response_body = mask_body(decoded)
        return RequestRecord(
            started_at=started_at,
            method=request.method,
            url=mask_url(str(request.url)),
            status=response.status_code if response is not None else None,
            duration_ms=(time.perf_counter() - began) * 1000.0,
            attempt=int(request.extensions.get(constants.ATTEMPT_EXTENSION, 1)),
            request_id=response.headers.get(constants.HEADER_REQUEST_ID) if response is not None else None,
            idempotency_key=request.headers.get(constants.HEADER_IDEMPOTENCY_KEY),
            request_size=len(content),
            response_size=len(raw),
            request_headers=mask_headers(request.headers.multi_items()),
            response_headers=mask_headers(response.headers.multi_items()) if response is not None else (),
            request_body=mask_body(content),
            response_body=response_body,
            error=error,
        )

    def _emit(self, record: RequestRecord) -> None:
        for listener in list(self.listeners):
            try:
                listener(record)
            except Exception:  # noqa: BLE001
                # A broken viewer must not break the call it is watching.
                _log.exception("request listener %r failed", listener)


async def _raw_body(response: httpx.Response) -> bytes:
    """The body as it came off the wire (in-memory transports hand over an already-read one)."""
    try:
        return response.content
    except httpx.ResponseNotRead:
        pass
    try:
        return b"".join([chunk async for chunk in response.aiter_raw()])
    finally:
        await response.aclose()


def _decoded(response: httpx.Response, raw: bytes) -> bytes:
    try:
        return httpx.Response(response.status_code, headers=response.headers, content=raw).content
    except httpx.DecodingError:
        return raw


def _remaining_budget(response: httpx.Response) -> int | None:
    """The platform's `X-RateLimit-Remaining`, or None when the answer does not report it."""
    value = response.headers.get(constants.HEADER_RATE_REMAINING)
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None
