"""The one ASGI middleware around every request (pure ASGI: BaseHTTPMiddleware costs too much).

It makes a `RequestContext` current, stamps `X-Request-Id` and the `X-RateLimit-*` headers on the
answer, turns any unhandled exception into a 500 INTERNAL_ERROR envelope (the stack trace goes to
stderr, never to the client), stores the answer of a request that claimed an Idempotency-Key,
and records the request in the request log.
"""

from __future__ import annotations

import logging

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.sandbox import idempotency
from app.sandbox.db import Database
from app.sandbox.errors import internal_error_response
from app.sandbox.request_context import RequestContext, activate, deactivate
from app.sandbox.request_log import RequestLog

log = logging.getLogger("app.sandbox")


class RequestContextMiddleware:
    """Request id, rate-limit headers, crash envelope, idempotent answers, request log."""

    def __init__(self, app: ASGIApp, db: Database, request_log: RequestLog) -> None:
        self.app = app
        self.db = db
        self.request_log = request_log

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
                headers = MutableHeaders(scope=message)
                headers["X-Request-Id"] = ctx.request_id
                if ctx.rate is not None and "x-ratelimit-limit" not in headers:
                    for name, value in ctx.rate.headers().items():
                        headers[name] = value
                response_headers = list(message["headers"])
            elif message["type"] == "http.response.body" and ctx.idempotency is not None:
                body_parts.append(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        except Exception:
            log.exception("unhandled error in %s %s", scope.get("method"), scope.get("path"))
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
                    key.decode("latin-1")[:255] if key else None)
            finally:
                deactivate(token)
