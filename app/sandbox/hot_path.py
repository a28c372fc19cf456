"""The hottest call, a plain `GET /v1/contacts?limit=N&cursor=…`, answered in front of the application.

The console pages through up to 100k contacts with exactly this request. Through FastAPI it passes
six ASGI layers (Starlette's error and telemetry middleware, FastAPI's body limit, the request
context middleware, the dialect gateway, the router) and builds Starlette's request and response
objects, which cost more than SQLite takes to assemble the page. `ContactsListFastPath` wraps the
whole application and answers that one shape itself, doing what that stack does for it, in the
same order and with the same functions: a request context with its request id; authentication and
the rate-limit count (`deps.resolve_caller`), the scope (`deps.check_scopes`), the cursor
(`pagination.page_query`) and the page (`contacts.plain_contacts_page`); `X-Request-Id` and the
`X-RateLimit-*` headers on the answer; the contract's envelope for a refusal (401, 403, 400, 429)
and for a crash (500, the trace to stderr); the request log. Anything else (another parameter, a
repeated one, a `limit` that is not plain digits in 1–100, a cursor not shaped like one, a request
that declares a body) goes to the application unchanged, so its validation errors, body limit and
OpenAPI document stay the route's own.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import parse_qsl

from fastapi import FastAPI
from starlette.types import Message, Receive, Scope, Send

from app.sandbox.deps import check_scopes, resolve_caller
from app.sandbox.envelope import page_bytes
from app.sandbox.errors import ApiProblem, error_response, internal_error_response
from app.sandbox.middleware import stamp_answer_headers
from app.sandbox.pagination import (
    CURSOR_PATTERN,
    DEFAULT_LIMIT,
    MAX_CURSOR_LENGTH,
    MAX_LIMIT,
    page_query,
)
from app.sandbox.request_context import RequestContext, activate, deactivate
from app.sandbox.routers.contacts import plain_contacts_page

log = logging.getLogger("app.sandbox")

_PATH = "/v1/contacts"
_SCOPES = ("crm:read",)
_CURSOR = re.compile(CURSOR_PATTERN)


def _plain_page_query(query_string: bytes) -> tuple[int, str | None] | None:
    """`(limit, cursor)` when the query holds only those, each once and plainly valid; else None."""
    limit = DEFAULT_LIMIT
    cursor: str | None = None
    seen: set[str] = set()
    for name, value in parse_qsl(query_string.decode("latin-1"), keep_blank_values=True):
        if name in seen:
            return None
        seen.add(name)
        if name == "limit":
            if not (value.isascii() and value.isdigit() and value[0] != "0" and len(value) <= 3):
                return None
            limit = int(value)
            if limit > MAX_LIMIT:
                return None
        elif name == "cursor":
            if len(value) > MAX_CURSOR_LENGTH or not _CURSOR.match(value):
                return None
            cursor = value
        else:
            return None
    return limit, cursor


class _Head:
    """The request headers the fast path reads, as Starlette and the middleware would read them."""

    __slots__ = ("authorization", "idempotency_key", "user_agent")

    def __init__(self) -> None:
        self.authorization: bytes | None = None   # the first one, as `Request.headers.get` gives it
        self.user_agent: bytes | None = None      # the last one, as the request log's dict() keeps it
        self.idempotency_key: bytes | None = None  # the last one, likewise


def _bodiless_head(scope: Scope) -> _Head | None:
    """The headers the fast path needs, or None when the request declares a body (the middleware's
    body limit is then the application's business)."""
    head = _Head()
    for name, value in scope["headers"]:
        if name == b"authorization":
            if head.authorization is None:
                head.authorization = value
        elif name == b"user-agent":
            head.user_agent = value
        elif name == b"idempotency-key":
            head.idempotency_key = value
        elif (name == b"content-length" and value != b"0") or name == b"transfer-encoding":
            return None
    return head


class ContactsListFastPath:
    """Answers plain `GET /v1/contacts` pages directly; passes every other request on to `app`."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.state = app.state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or scope["path"] != _PATH:
            await self.app(scope, receive, send)
            return
        plain = _plain_page_query(scope["query_string"])
        head = _bodiless_head(scope) if plain is not None else None
        if plain is None or head is None:
            await self.app(scope, receive, send)
            return
        ctx = RequestContext()
        token = activate(ctx)
        status = 500
        started = False

        async def stamped(message: Message) -> None:
            nonlocal started
            started = True
            if message["type"] == "http.response.start":
                stamp_answer_headers(message, ctx)
            await send(message)

        try:
            try:
                status, body = 200, self._page(ctx, head, *plain)
            except ApiProblem as exc:
                status = exc.status
                await error_response(exc.status, exc.code, exc.message, exc.details, exc.headers)(
                    scope, receive, stamped)
            else:
                await self._answer(send, ctx, body)
                started = True
        except Exception:
            log.exception("unhandled error in GET %s", _PATH)
            status = 500
            if not started:
                await internal_error_response()(scope, receive, stamped)
        finally:
            try:
                self.state.request_log.record(
                    ctx, "GET", _PATH, status,
                    (head.user_agent or b"").decode("latin-1") or None,
                    head.idempotency_key.decode("latin-1") if head.idempotency_key else None)
            finally:
                deactivate(token)

    def _page(self, ctx: RequestContext, head: _Head, limit: int, cursor: str | None) -> bytes:
        """The answer's body; `ApiProblem` for a refusal, as the route's dependencies raise it."""
        authorization = head.authorization.decode("latin-1") if head.authorization is not None else None
        caller = check_scopes(resolve_caller(self.state, authorization), _SCOPES)
        params = page_query(self.state.cursor_codec, limit, cursor)
        joined, next_cursor = plain_contacts_page(self.state.db, caller, params)
        return page_bytes(joined, next_cursor, ctx.request_id)

    @staticmethod
    async def _answer(send: Send, ctx: RequestContext, body: bytes) -> None:
        """200 with the headers the route's `Response` and the middleware would give it."""
        headers = [(b"content-length", str(len(body)).encode()), (b"content-type", b"application/json"),
                   (b"x-request-id", ctx.request_id.encode())]
        if ctx.rate is not None:
            headers += [(name.lower().encode(), value.encode()) for name, value in ctx.rate.headers().items()]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})
