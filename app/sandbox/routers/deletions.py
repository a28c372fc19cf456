"""`GET /deletions?resource&since&limit&cursor`: ids of deleted records, oldest first (contract v1.1).

A client that synced at T asks for the deletions since T and drops those ids from its cache;
`updated_since` cannot show it a record that no longer exists. The scope is the resource's own
`:read` (`deletions.READ_SCOPE`). Every answer carries `X-Deletions-Complete-Since`: deletions
from that moment on are all listed; a client whose last sync is older must reload the resource
in full, since what was deleted before it is no longer known.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel

from app.sandbox import deletions
from app.sandbox.deps import Caller, Db
from app.sandbox.envelope import Page, page
from app.sandbox.errors import ApiProblem, invalid_request
from app.sandbox.pagination import (
    CURSOR_PATTERN,
    DEFAULT_LIMIT,
    MAX_CURSOR_LENGTH,
    MAX_LIMIT,
)
from app.sandbox.timeutil import to_rfc3339
from app.sandbox.validation import parse_date_time

router = APIRouter(tags=["deletions"])

DeletedResource = Literal["contact", "company", "ticket", "invoice", "webhook", "api_key"]
COMPLETE_SINCE_HEADER = "X-Deletions-Complete-Since"


class Deletion(BaseModel):
    id: str
    resource: DeletedResource
    deleted_at: str


_SCOPES_TEXT = ", ".join(f"`{r}` {s}" for r, s in deletions.READ_SCOPE.items())


@router.get(
    "/deletions", response_model=Page[Deletion], summary="Deleted records, oldest first (for incremental sync)",
    description="Ids of the records of one resource deleted at or after `since`, oldest first, kept at least"
                f" {deletions.RETENTION_DAYS} days. Scope: the resource's own read scope ({_SCOPES_TEXT}).",
    responses={200: {"headers": {COMPLETE_SINCE_HEADER: {
        "description": "RFC 3339: every deletion at or after this moment is listed. A client whose last sync"
                       " is older must reload the resource in full.",
        "schema": {"type": "string", "format": "date-time"}}}}},
)
def list_deletions(
    request: Request,
    response: Response,
    db: Db,
    caller: Caller,
    resource: Annotated[DeletedResource, Query(description="Which kind of record.")],
    since: Annotated[str | None, Query(max_length=64, json_schema_extra={"format": "date-time"},
                                       description="RFC 3339 with an offset; only deletions at or after it"
                                                   " (pass the time of your previous sync).")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size, 1–100.")] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(max_length=MAX_CURSOR_LENGTH, pattern=CURSOR_PATTERN,
                                        description="`next_cursor` of the previous page, exactly as served.")] = None,
) -> dict:
    scope = deletions.READ_SCOPE[resource]
    if not caller.has(scope):
        raise ApiProblem(403, "FORBIDDEN", f"This credential lacks the {scope!r} scope.", {"required_scope": scope})
    clauses, args = ["workspace_id = ?", "resource = ?"], [caller.workspace_id, resource]
    if since is not None:
        try:
            since_stamp = to_rfc3339(parse_date_time(since))
        except ValueError:
            raise invalid_request("since", "not an RFC 3339 time stamp, e.g. 2026-04-07T12:00:00Z") from None
        clauses.append("deleted_at >= ?")
        args.append(since_stamp)
    codec = request.app.state.cursor_codec
    if cursor is not None:
        after_at, after_id = codec.decode(cursor)
        clauses.append("deleted_at >= ? AND (deleted_at > ? OR record_id > ?)")
        args += [after_at, after_at, after_id]
    rows = db.conn().execute(
        f"SELECT record_id, resource, deleted_at FROM deletions WHERE {' AND '.join(clauses)}"
        " ORDER BY deleted_at, record_id LIMIT ?", [*args, limit + 1]).fetchall()
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = codec.encode(rows[-1]["deleted_at"], rows[-1]["record_id"])
    response.headers[COMPLETE_SINCE_HEADER] = deletions.complete_since(request.app.state.deletions_tracked_since)
    return page([{"id": r["record_id"], "resource": r["resource"], "deleted_at": r["deleted_at"]} for r in rows],
                next_cursor)
