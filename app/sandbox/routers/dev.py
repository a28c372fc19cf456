"""`GET /dev/api-requests`: the workspace's recent API calls (scope logs:read).

Each entry: method, path (never the query string), status, duration, key id, Idempotency-Key,
User-Agent. Never a secret, an Authorization value or a body (see request_log.py).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from app.sandbox.deps import Db, Scoped
from app.sandbox.envelope import Page, page
from app.sandbox.pagination import PageParams, fetch_page

router = APIRouter(prefix="/dev", tags=["dev"])


class ApiRequest(BaseModel):
    id: str
    request_id: str
    method: str
    path: str
    status: int
    duration_ms: float
    key_id: str | None
    idempotency_key: str | None
    user_agent: str | None
    created_at: str


@router.get("/api-requests", response_model=Page[ApiRequest], summary="Recent API calls in this workspace")
def list_api_requests(
    request: Request,
    db: Db,
    caller: Scoped("logs:read"),
    params: PageParams,
    status: Annotated[int | None, Query(ge=100, le=599)] = None,
    method: Annotated[Literal["GET", "POST", "PATCH", "PUT", "DELETE", "HEAD", "OPTIONS"] | None, Query()] = None,
    key_id: Annotated[str | None, Query(max_length=64)] = None,
) -> dict:
    request.app.state.request_log.flush()
    where: list[str] = []
    args: list[Any] = []
    for column, value in (("status", status), ("method", method), ("key_id", key_id)):
        if value is not None:
            where.append(f"{column} = ?")
            args.append(value)
    rows, next_cursor = fetch_page(db.conn(), "api_requests", caller.workspace_id, params, where=where,
                                   params=args, updated_column="created_at")
    return page([{**dict(r), "request_id": r["id"]} for r in rows], next_cursor)
