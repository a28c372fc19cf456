"""The one ASGI middleware around every request (pure ASGI: BaseHTTPMiddleware costs too much).

It makes a `RequestContext` current, enforces the body limit, stamps `X-Request-Id` and the
`X-RateLimit-*` headers on the answer, turns any unhandled exception into a 500 INTERNAL_ERROR
envelope (the stack trace goes to stderr, never to the client), stores the answer of a request
that claimed an Idempotency-Key, and records the request in the request log.

The body limit comes first, before routing, authentication or any read of the body: a declared
`Content-Length` over `max_body_bytes` is answered 413 PAYLOAD_TOO_LARGE at once (the body is never
read); a chunked body is read here, up to the limit, and answered 413 the moment it passes it, so
nothing behind this middleware ever holds more than `max_body_bytes` of one request. Both answers
close the connection, so the rest of the body is never read either.
"""

from __future__ import annotations

import logging

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.sandbox import idempotency
from app.sandbox.db import Database
from app.sandbox.errors import error_response, internal_error_response
from app.sandbox.redaction import mask_secrets
from app.sandbox.request_context import RequestContext, activate, deactivate
from app.sandbox.request_log import RequestLog
from app.sandbox.settings import DEFAULT_MAX_BODY_BYTES

log = logging.getLogger("app.sandbox")


def _declared_body(scope: Scope) -> tuple[int | None, bool]:
    """`(Content-Length or None, chunked?)` from the request head."""
    length: int | None = None
    chunked = False
    for name, value in scope.get("headers") or ():
        if name == b"content-length":
            try:
                length = int(value)
            except ValueError:
                pass
        elif name == b"transfer-encoding":
            chunked = True
    return length, chunked


class _BodyTooLarge(Exception):
    pass


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    """The whole body, or None when the client went away; `_BodyTooLarge` once it passes `limit`."""
    parts: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise _BodyTooLarge
        parts.append(chunk)
        if not message.get("more_body", False):
            return b"".join(parts)


def _replaying(body: bytes, receive: Receive) -> Receive:
    """A `receive` that hands out the body already read, then defers to the connection's."""
    pending = True

    async def replay() -> Message:
        nonlocal pending
        if pending:
            pending = False
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def stamp_answer_headers(message: Message, ctx: RequestContext) -> None:
    """Add `X-Request-Id` and, for a counted call, the `X-RateLimit-*` headers to a response start."""
    headers = MutableHeaders(scope=message)
    headers["X-Request-Id"] = ctx.request_id
    if ctx.rate is not None and "x-ratelimit-limit" not in headers:
        for name, value in ctx.rate.headers().items():
            headers[name] = value


class RequestContextMiddleware:
    """Body limit, request id, rate-limit headers, crash envelope, idempotent answers, request log."""

    def __init__(self, app: ASGIApp, db: Database, request_log: RequestLog,
                 max_body_bytes: int = DEFAULT_MAX_BODY_BYTES) -> None:
        self.app = app
        self.db = db
        self.request_log = request_log
        self.max_body_bytes = max_body_bytes

    def _too_large(self) -> ASGIApp:
        limit = self.max_body_bytes
        return error_response(413, "PAYLOAD_TOO_LARGE",
                              f"The request body is larger than this server accepts ({limit} bytes).",
                              {"limit_bytes": limit}, {"Connection": "close"})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        ctx = RequestContext()
        token = activate(ctx)
        status = 500
        started = False
        response_headers: list[tuple[bytes, bytes]] = []
        body_parts: list[bytes] = []

        async def send_wrapper(message: Message) -> None:
            nonlocal status, started, response_headers
            if message["type"] == "http.response.start":
                started = True
                status = message["status"]
                stamp_answer_headers(message, ctx)
                response_headers = list(message["headers"])
            elif message["type"] == "http.response.body" and ctx.idempotency is not None:
                body_parts.append(message.get("body", b""))
            await send(message)

        try:
            length, chunked = _declared_body(scope)
            if length is not None and length > self.max_body_bytes:
                await self._too_large()(scope, receive, send_wrapper)
            elif chunked:
                try:
                    body = await _read_body(receive, self.max_body_bytes)
                except _BodyTooLarge:
                    await self._too_large()(scope, receive, send_wrapper)
                else:
                    if body is not None:
                        await self.app(scope, _replaying(body, receive), send_wrapper)
            else:
                await self.app(scope, receive, send_wrapper)
        except Exception:
            log.exception("unhandled error in %s %s", scope.get("method"), mask_secrets(scope.get("path") or ""))
            status = 500
            if not started:
                await internal_error_response()(scope, receive, send_wrapper)
        finally:
            try:
                if ctx.idempotency is not None:
                    idempotency.finish(self.db, ctx.idempotency, status, response_headers, b"".join(body_parts))
                headers = dict(scope.get("headers") or [])
                key = headers.get(b"idempotency-key")
                self.request_log.record(
                    ctx, scope["method"], scope["path"], status,
                    headers.get(b"user-agent", b"").decode("latin-1") or None,
                    key.decode("latin-1") if key else None)
            finally:
                deactivate(token)
