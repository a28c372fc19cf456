"""The success envelope: `{"data": …, "request_id": "req_…"}`, lists add `next_cursor`.

Declare `response_model=Envelope[Contact]` (or `Page[Contact]`) and return `ok(contact)` (or what
`pagination.fetch_page` gives you via `page(items, next_cursor)`); the request id is filled in
from the request in flight.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from fastapi.responses import Response
from pydantic import BaseModel, Field

from app.sandbox.request_context import current_request_id

T = TypeVar("T")


class Envelope(BaseModel, Generic[T]):
    """One resource (or action result) and the request id."""

    data: T
    request_id: str


class Page(BaseModel, Generic[T]):
    """One page of a list, newest first; `next_cursor` is null on the last page."""

    data: list[T]
    next_cursor: str | None = Field(description="Opaque; pass as `cursor` for the next page.")
    request_id: str


def ok(data: Any) -> dict[str, Any]:
    """Wrap `data` in the success envelope."""
    return {"data": data, "request_id": current_request_id()}


def page(items: list[Any], next_cursor: str | None) -> dict[str, Any]:
    """Wrap one page of `items` in the list envelope."""
    return {"data": items, "next_cursor": next_cursor, "request_id": current_request_id()}


def json_page(documents: list[str], next_cursor: str | None) -> Response:
    """The list envelope around rows already rendered as JSON text (e.g. by SQLite's json_object).

    For hot lists only: the response skips FastAPI's response-model pass, so the SQL must render
    exactly the declared schema.
    """
    return json_page_bytes(",".join(documents).encode(), next_cursor)


def json_page_bytes(joined: bytes, next_cursor: str | None) -> Response:
    """`json_page` of documents already joined with commas as UTF-8."""
    return Response(page_bytes(joined, next_cursor, current_request_id()), media_type="application/json")


def page_bytes(joined: bytes, next_cursor: str | None, request_id: str) -> bytes:
    """The list envelope's bytes around `joined` (documents joined with commas).

    A cursor and a request id are base64url and `.`, `_` only: quoted as they are, no escaping."""
    return b"".join(page_parts(joined, next_cursor, request_id))


def page_parts(joined: bytes, next_cursor: str | None, request_id: str) -> list[bytes]:
    """`page_bytes` as its pieces, for a writer that sends them without joining them first (the
    page's documents are the bulk of it)."""
    cursor = b"null" if next_cursor is None else b'"' + next_cursor.encode() + b'"'
    return [b'{"data":[', joined, b'],"next_cursor":' + cursor + b',"request_id":"' + request_id.encode() + b'"}']
