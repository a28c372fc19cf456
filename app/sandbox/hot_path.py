"""A direct route for the hottest call, `GET /v1/contacts?limit=N&cursor=…`, past FastAPI's dependency solving.

The console pages through up to 100k contacts with exactly this request. FastAPI re-inspects the
route's dependency tree on every call (auth, scopes, page parameters, idempotency guard), which
costs more than SQLite takes to render the page. This pure ASGI layer answers that one shape
itself with the very functions the route's dependencies call, in the same order (authenticate and
count the rate limit, check the scope, check the cursor, run the same query), so answers,
headers, errors and the request log are the same. Anything else (another parameter, a repeated
one, a `limit` that is not plain digits in 1–100, a cursor not shaped like one) goes to FastAPI unchanged,
so its validation errors and the OpenAPI document stay the route's own.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

from fastapi.security import SecurityScopes
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from app.sandbox.deps import authenticate, require_scopes
from app.sandbox.errors import ApiProblem, error_response
from app.sandbox.pagination import CURSOR_PATTERN, MAX_CURSOR_LENGTH, MAX_LIMIT, page_params
from app.sandbox.routers.contacts import contacts_page

_PATH = "/v1/contacts"
_SCOPES = SecurityScopes(scopes=["crm:read"])
_CURSOR = re.compile(CURSOR_PATTERN)


def _plain_page_query(query_string: bytes) -> tuple[int | None, str | None] | None:
    """`(limit, cursor)` when the query holds only those, each once and plainly valid; else None."""
    limit: int | None = None
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


class ContactsListFastPath:
    """Answers plain `GET /v1/contacts` pages directly; passes every other request on."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or scope["path"] != _PATH:
            await self.app(scope, receive, send)
            return
        plain = _plain_page_query(scope["query_string"])
        if plain is None:
            await self.app(scope, receive, send)
            return
        limit, cursor = plain
        request = Request(scope, receive)
        try:
            caller = await require_scopes(_SCOPES, await authenticate(request, None))
            params = await page_params(request, **({"limit": limit} if limit is not None else {}),
                                       cursor=cursor, updated_since=None)
            response = contacts_page(request.app.state.db, caller, params)
        except ApiProblem as exc:
            response = error_response(exc.status, exc.code, exc.message, exc.details, exc.headers)
        await response(scope, receive, send)
