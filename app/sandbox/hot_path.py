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
from typing import Any
from urllib.parse import parse_qsl

from fastapi import FastAPI
from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send

from app.sandbox.deps import check_scopes, resolve_caller
from app.sandbox.envelope import page_parts
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

#: `(status, headers, body)`: a whole answer, headers as lower-case name and value bytes, the body
#: as pieces sent back to back (a 100-contact page is not copied once more to join them).
Answer = tuple[int, list[tuple[bytes, bytes]], list[bytes]]

_PATH = "/v1/contacts"
_PATH_BYTES = _PATH.encode()
_SCOPES = ("crm:read",)
_CURSOR = re.compile(CURSOR_PATTERN)


def _query_pairs(query_string: bytes) -> list[tuple[str, str]]:
    """`parse_qsl(…, keep_blank_values=True)` of the query; split here when nothing in it is
    escaped (no `%`, no `+`), which is what parse_qsl then does too."""
    text = query_string.decode("latin-1")
    if "%" in text or "+" in text:
        return parse_qsl(text, keep_blank_values=True)
    pairs = []
    for piece in text.split("&"):
        if piece:
            name, _, value = piece.partition("=")
            pairs.append((name, value))
    return pairs


def _plain_page_query(query_string: bytes) -> tuple[int, str | None] | None:
    """`(limit, cursor)` when the query holds only those, each once and plainly valid; else None."""
    limit = DEFAULT_LIMIT
    cursor: str | None = None
    seen: set[str] = set()
    for name, value in _query_pairs(query_string):
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


def _bodiless_head(headers: list[tuple[bytes, bytes]]) -> _Head | None:
    """The headers the fast path needs, or None when the request declares a body (the middleware's
    body limit is then the application's business)."""
    head = _Head()
    for name, value in headers:
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


class _Served:
    """The parts of the application's state the page uses, read once (Starlette's `State` looks
    each attribute up through `__getattr__` on every access); `deps.resolve_caller` reads `db`
    and `rate_limiter` from it as from the state."""

    __slots__ = ("cursor_codec", "db", "rate_limiter", "request_log")

    def __init__(self, db: Any, rate_limiter: Any, request_log: Any, cursor_codec: Any) -> None:
        self.db = db
        self.rate_limiter = rate_limiter
        self.request_log = request_log
        self.cursor_codec = cursor_codec


class ContactsListFastPath:
    """Answers plain `GET /v1/contacts` pages directly; passes every other request on to `app`.

    `answer_target` is the same answer for the HTTP protocol (`http_protocol.py`), which calls it
    from its parser callback, before uvicorn builds a request cycle and a task for the request.
    """

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.state = _Served(app.state.db, app.state.rate_limiter, app.state.request_log, app.state.cursor_codec)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or scope["path"] != _PATH:
            await self.app(scope, receive, send)
            return
        plain = _plain_page_query(scope["query_string"])
        head = _bodiless_head(scope["headers"]) if plain is not None else None
        if plain is None or head is None:
            await self.app(scope, receive, send)
            return
        status, headers, body = self.answer(head, *plain)
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": b"".join(body)})

    def answer_target(self, target: bytes, headers: list[tuple[bytes, bytes]]) -> Answer | None:
        """The answer to `GET <target>` with `headers` (names lower-cased), or None when it is not
        the plain shape (another path or parameter, a body declared): the application's then."""
        path, _, query = target.partition(b"?")
        if path != _PATH_BYTES:
            return None
        plain = _plain_page_query(query)
        head = _bodiless_head(headers) if plain is not None else None
        if plain is None or head is None:
            return None
        return self.answer(head, *plain)

    def answer(self, head: _Head, limit: int, cursor: str | None) -> Answer:
        """`(status, headers, body)` of the page or of the refusal, the request logged."""
        ctx = RequestContext()
        token = activate(ctx)
        status = 500
        try:
            try:
                body = self._page(ctx, head, limit, cursor)
                status = 200
                return status, self._page_headers(ctx, body), body
            except ApiProblem as exc:
                status = exc.status
                return _stamped(error_response(exc.status, exc.code, exc.message, exc.details, exc.headers), ctx)
            except Exception:
                log.exception("unhandled error in GET %s", _PATH)
                status = 500
                return _stamped(internal_error_response(), ctx)
        finally:
            try:
                self.state.request_log.record(
                    ctx, "GET", _PATH, status,
                    (head.user_agent or b"").decode("latin-1") or None,
                    head.idempotency_key.decode("latin-1") if head.idempotency_key else None)
            finally:
                deactivate(token)

    def _page(self, ctx: RequestContext, head: _Head, limit: int, cursor: str | None) -> list[bytes]:
        """The answer's body; `ApiProblem` for a refusal, as the route's dependencies raise it."""
        authorization = head.authorization.decode("latin-1") if head.authorization is not None else None
        caller = check_scopes(resolve_caller(self.state, authorization), _SCOPES)
        params = page_query(self.state.cursor_codec, limit, cursor)
        joined, next_cursor = plain_contacts_page(self.state.db, caller, params)
        return page_parts(joined, next_cursor, ctx.request_id)

    @staticmethod
    def _page_headers(ctx: RequestContext, body: list[bytes]) -> list[tuple[bytes, bytes]]:
        """The headers the route's `Response` and the middleware would give a 200."""
        headers = [(b"content-length", b"%d" % sum(map(len, body))), (b"content-type", b"application/json"),
                   (b"x-request-id", ctx.request_id.encode())]
        if ctx.rate is not None:
            headers += ctx.rate.header_pairs()
        return headers


def _stamped(response: Response, ctx: RequestContext) -> Answer:
    """An envelope response's status, headers (with `X-Request-Id` and `X-RateLimit-*`, as the
    middleware stamps them) and body."""
    message: Message = {"type": "http.response.start", "status": response.status_code,
                        "headers": list(response.raw_headers)}
    stamp_answer_headers(message, ctx)
    return response.status_code, message["headers"], [bytes(response.body)]
