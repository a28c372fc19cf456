"""Keyset pagination over (created_at DESC, id DESC) with opaque, tamper-evident cursors.

    from app.sandbox.pagination import PageParams, fetch_page

    @router.get("", response_model=Page[Contact])
    def list_contacts(db: Db, caller: Scoped("crm:read"), params: PageParams,
                      company_id: Annotated[str | None, Query(max_length=64)] = None) -> dict:
        where, args = [], []
        if company_id is not None:
            where.append("c.company_id = ?"); args.append(company_id)
        rows, next_cursor = fetch_page(db.conn(), "contacts c", caller.workspace_id, params,
                                       where=where, params=args, alias="c")
        return page([contact_out(r) for r in rows], next_cursor)

A cursor is base64url(JSON [created_at, id]) + "." + a truncated HMAC under a per-database key,
so a hand-edited cursor is 400 INVALID_REQUEST (`cursor`), and a page boundary is a position, not
an offset: rows inserted while a client pages never repeat or shift what it has not seen yet.
`updated_since` (RFC 3339) filters on `updated_at >= value` (tables without one pass
`updated_column="created_at"`).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import sqlite3
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Query, Request

from app.sandbox.errors import invalid_request
from app.sandbox.timeutil import to_rfc3339
from app.sandbox.validation import parse_date_time

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_CURSOR_LENGTH = 512
#: What every cursor looks like (base64url payload "." base64url MAC); only the MAC says it is real.
CURSOR_PATTERN = r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{16}$"


class CursorCodec:
    """Signs and checks cursors with a key kept in the database (cursors survive restarts)."""

    def __init__(self, key: bytes) -> None:
        # Keyed once: a copy of a keyed HMAC skips OpenSSL's digest look-up and key set-up per cursor.
        self._keyed = hmac.new(key, digestmod="sha256")

    def _mac(self, payload: bytes) -> str:
        mac = self._keyed.copy()
        mac.update(payload)
        return base64.urlsafe_b64encode(mac.digest()[:12]).decode().rstrip("=")

    def encode(self, created_at: str, row_id: str) -> str:
        return self.encode_payload(json.dumps([created_at, row_id], separators=(",", ":")).encode())

    def encode_payload(self, payload: bytes) -> str:
        """The cursor of a payload already rendered as `encode` renders it (e.g. SQLite's json_array)."""
        return base64.urlsafe_b64encode(payload).decode().rstrip("=") + "." + self._mac(payload)

    def decode(self, cursor: str) -> tuple[str, str]:
        """`(created_at, id)` of the last row already served; 400 naming `cursor` if it was altered."""
        try:
            body, mac = cursor.split(".", 1)
            payload = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
            if not hmac.compare_digest(mac, self._mac(payload)):
                raise ValueError("signature mismatch")
            created_at, row_id = json.loads(payload)
            if not isinstance(created_at, str) or not isinstance(row_id, str):
                raise TypeError("bad payload")
        except (ValueError, binascii.Error, TypeError):
            raise invalid_request("cursor", "not a cursor this server issued (copy next_cursor as is)") from None
        return created_at, row_id


@dataclass(frozen=True)
class PageQuery:
    """The list parameters every list endpoint accepts: limit, cursor (decoded), updated_since."""

    limit: int
    after: tuple[str, str] | None
    updated_since: str | None
    codec: CursorCodec


async def page_params(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size, 1–100.")] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(max_length=MAX_CURSOR_LENGTH, pattern=CURSOR_PATTERN,
                                        description="`next_cursor` of the previous page, exactly as served"
                                                    " (signed by the server: any other value is 400).")] = None,
    updated_since: Annotated[str | None, Query(max_length=64, json_schema_extra={"format": "date-time"},
                                               description="RFC 3339 with an offset; only rows updated at or"
                                                           " after it.")] = None,
) -> PageQuery:
    return page_query(request.app.state.cursor_codec, limit, cursor, updated_since)


def page_query(codec: CursorCodec, limit: int, cursor: str | None, updated_since: str | None = None) -> PageQuery:
    """`page_params` once FastAPI has checked each parameter's shape (the hot path calls it too)."""
    since = None
    if updated_since is not None:
        try:
            since = to_rfc3339(parse_date_time(updated_since))
        except ValueError:
            raise invalid_request("updated_since", "not an RFC 3339 time stamp, e.g. 2026-04-07T12:00:00Z") from None
    return PageQuery(limit=limit, after=codec.decode(cursor) if cursor else None, updated_since=since, codec=codec)


PageParams = Annotated[PageQuery, Depends(page_params)]


def _page_clauses(p: str, scope_column: str, updated_column: str, query: PageQuery, where: list[str] | None,
                  params: list[Any] | None, workspace_id: str) -> tuple[str, list[Any]]:
    """The WHERE clause of one page (tenant, filters, updated_since, the keyset boundary) and its values."""
    clauses = [f"{p}{scope_column} = ?", *(where or [])]
    args: list[Any] = [workspace_id, *(params or [])]
    if query.updated_since is not None:
        clauses.append(f"{p}{updated_column} >= ?")
        args.append(query.updated_since)
    if query.after is not None:
        # `created_at <= ?` lets SQLite seek the (workspace_id, created_at, id) index; the OR
        # excludes the rows at the boundary time stamp already served.
        clauses.append(f"{p}created_at <= ? AND ({p}created_at < ? OR {p}id < ?)")
        args += [query.after[0], query.after[0], query.after[1]]
    return " AND ".join(clauses), args


def fetch_page_text(
    conn: sqlite3.Connection,
    source: str,
    workspace_id: str,
    query: PageQuery,
    *,
    listed: str,
    where: list[str] | None = None,
    params: list[Any] | None = None,
    alias: str = "",
    probe_source: str | None = None,
    updated_column: str = "updated_at",
) -> tuple[bytes, str | None]:
    """One page as UTF-8 JSON assembled by SQLite, and the next cursor (None on the last page).

    `listed` is the SQL expression of one row's JSON; the rows are joined with commas by
    `group_concat` in the list's order, so no row becomes a Python object, and handed over as a
    BLOB, the bytes the answer sends (as TEXT, Python would decode them only to encode them again). The page, the row the
    cursor points at and whether one more row exists are one statement, so one snapshot: a write
    in between cannot make the cursor disagree with the page. `probe_source` (default `source`)
    is what the boundary probes read: the main table alone when the joins only add columns.
    The other parameters are `fetch_page`'s.
    """
    p = f"{alias}." if alias else ""
    condition, args = _page_clauses(p, "workspace_id", updated_column, query, where, params, workspace_id)
    order = f"ORDER BY {p}created_at DESC, {p}id DESC"
    probe = f"FROM {probe_source or source} WHERE {condition} {order}"
    # group_concat keeps the order its sub-select hands over (SQLite's co-routine).
    # The boundary is one probe: the page's last row and the one after it (if any), their keys
    # joined by char(1), which JSON text never holds unescaped.
    sql = (f"SELECT (SELECT CAST(group_concat(listed, ',') AS BLOB) FROM"
           f" (SELECT {listed} AS listed FROM {source} WHERE {condition} {order} LIMIT ?)),"
           f" (SELECT group_concat(boundary, char(1)) FROM"
           f" (SELECT json_array({p}created_at, {p}id) AS boundary {probe} LIMIT 2 OFFSET ?))")
    joined, boundary = conn.execute(sql, [*args, query.limit, *args, query.limit - 1]).fetchone()
    last, more, _ = (boundary or "").partition("\x01")
    next_cursor = query.codec.encode_payload(last.encode()) if more else None
    return joined or b"", next_cursor


def fetch_page(
    conn: sqlite3.Connection,
    source: str,
    workspace_id: str,
    query: PageQuery,
    *,
    where: list[str] | None = None,
    params: list[Any] | None = None,
    alias: str = "",
    columns: str = "*",
    updated_column: str = "updated_at",
    scope_column: str = "workspace_id",
    source_params: list[Any] | None = None,
) -> tuple[list[sqlite3.Row], str | None]:
    """One page of `source` (a table, optionally with joins) for the workspace, newest first.

    `where`/`params` add filters (SQL fragments with `?`); `alias` is the main table's alias
    (`"c"` for `"contacts c LEFT JOIN …"`); `scope_column` is the tenant column (the workspace id
    or, for a child list such as ticket messages, whatever `workspace_id` is filtered on);
    `source_params` are the values of `?`s in `source` itself (a subquery in it).
    Returns the rows and the next cursor (None on the last page).
    """
    p = f"{alias}." if alias else ""
    condition, args = _page_clauses(p, scope_column, updated_column, query, where, params, workspace_id)
    sql = f"SELECT {columns} FROM {source} WHERE {condition} ORDER BY {p}created_at DESC, {p}id DESC LIMIT ?"
    rows = conn.execute(sql, [*(source_params or []), *args, query.limit + 1]).fetchall()
    if len(rows) <= query.limit:
        return rows, None
    rows = rows[: query.limit]
    last = rows[-1]
    return rows, query.codec.encode(last["created_at"], last["id"])
