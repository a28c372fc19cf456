"""The event log behind webhooks: `GET /events?type`, `GET /events/{event_id}` (scope integrations:read)."""

from __future__ import annotations

import json
import sqlite3
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel

from app.sandbox.deps import Db, Scoped
from app.sandbox.envelope import Envelope, Page, ok, page
from app.sandbox.errors import not_found
from app.sandbox.events import EVENT_TYPES
from app.sandbox.pagination import PageParams, fetch_page

router = APIRouter(prefix="/events", tags=["events"])

EventType = Literal[EVENT_TYPES]  # type: ignore[valid-type]


class Event(BaseModel):
    id: str
    type: EventType
    created_at: str
    data: dict[str, Any]


def event_out(row: sqlite3.Row) -> dict[str, Any]:
    return {"id": row["id"], "type": row["type"], "created_at": row["created_at"], "data": json.loads(row["data"])}


@router.get("", response_model=Page[Event], summary="The event log, newest first")
def list_events(db: Db, caller: Scoped("integrations:read"), params: PageParams,
                type: Annotated[EventType | None, Query()] = None) -> dict:  # noqa: A002 - the contract's name
    where, args = ([], []) if type is None else (["type = ?"], [type])
    rows, next_cursor = fetch_page(db.conn(), "events", caller.workspace_id, params, where=where, params=args,
                                   updated_column="created_at")
    return page([event_out(r) for r in rows], next_cursor)


@router.get("/{event_id}", response_model=Envelope[Event], summary="Get an event")
def get_event(event_id: Annotated[str, Path(max_length=64)], db: Db, caller: Scoped("integrations:read")) -> dict:
    row = db.conn().execute("SELECT * FROM events WHERE id = ? AND workspace_id = ?",
                            (event_id, caller.workspace_id)).fetchone()
    if row is None:
        raise not_found("event", event_id)
    return ok(event_out(row))
