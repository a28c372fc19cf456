"""The event log behind webhooks: `GET /events?type`, `GET /events/{event_id}` with its payload and
the deliveries it caused (scope integrations:read), `POST /events/{event_id}/resend` to one
endpoint and `POST /events/trigger` (test workspaces only; `event_triggers.py`)."""

from __future__ import annotations

import json
import sqlite3
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from app.sandbox.deps import AppSettings, Db, Scoped
from app.sandbox.envelope import Envelope, Page, ok, page
from app.sandbox.errors import ApiProblem, not_found
from app.sandbox.event_triggers import trigger
from app.sandbox.events import EVENT_TYPES
from app.sandbox.ids import new_id
from app.sandbox.pagination import PageParams, fetch_page
from app.sandbox.routers.webhooks import (
    Delivery,
    delivery_out,
    load_webhook,
    wake_worker,
)
from app.sandbox.timeutil import now_rfc3339

router = APIRouter(prefix="/events", tags=["events"])

EventType = Literal[EVENT_TYPES]  # type: ignore[valid-type]
EventIdPath = Annotated[str, Path(max_length=64)]
#: An event's detail lists at most this many of its deliveries, newest first.
DETAIL_DELIVERIES = 100


class Event(BaseModel):
    id: str
    type: EventType
    created_at: str
    data: dict[str, Any]


class EventDetail(Event):
    payload: dict[str, Any] = Field(description="The JSON body the event's deliveries carry.")
    deliveries: list[Delivery] = Field(description=f"The deliveries it caused, newest first (at most "
                                                   f"{DETAIL_DELIVERIES}).")


class EventResend(BaseModel):
    model_config = ConfigDict(extra="forbid")
    webhook_id: str = Field(min_length=1, max_length=64)


class EventTrigger(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: EventType


class TriggeredEvent(BaseModel):
    type: EventType
    event_id: str = Field(description="The event of the type asked for.")
    event_ids: list[str] = Field(description="Every event the change emitted, in order.")
    records: dict[str, str] = Field(description='The fixture records made, e.g. {"invoice": "inv_…"}.')


def event_out(row: sqlite3.Row) -> dict[str, Any]:
    return {"id": row["id"], "type": row["type"], "created_at": row["created_at"], "data": json.loads(row["data"])}


def _payload(row: sqlite3.Row) -> str:
    """The body a delivery of this event carries (as `events.emit_event` renders it)."""
    return json.dumps({"id": row["id"], "type": row["type"], "created_at": row["created_at"],
                       "data": json.loads(row["data"])}, separators=(",", ":"))


def _load(conn: sqlite3.Connection, workspace_id: str, event_id: str) -> sqlite3.Row:
    row = conn.execute("SELECT * FROM events WHERE id = ? AND workspace_id = ?", (event_id, workspace_id)).fetchone()
    if row is None:
        raise not_found("event", event_id)
    return row


@router.get("", response_model=Page[Event], summary="The event log, newest first")
def list_events(db: Db, caller: Scoped("integrations:read"), params: PageParams,
                type: Annotated[EventType | None, Query()] = None) -> dict:
    where, args = ([], []) if type is None else (["type = ?"], [type])
    rows, next_cursor = fetch_page(db.conn(), "events", caller.workspace_id, params, where=where, params=args,
                                   updated_column="created_at")
    return page([event_out(r) for r in rows], next_cursor)


@router.post("/trigger", response_model=Envelope[TriggeredEvent], status_code=201,
             summary="Make the fixture records an event type needs so the real event fires (test workspaces)")
def trigger_event(body: EventTrigger, request: Request, db: Db, caller: Scoped("integrations:write"),
                  settings: AppSettings) -> dict:
    if caller.environment != "test":
        raise ApiProblem(403, "FORBIDDEN", "Events can be triggered in a test workspace only; this one is live.",
                         {"reason": "live_workspace"})
    result = trigger(db, caller, settings, body.type)
    wake_worker(request)
    return ok(result)


@router.get("/{event_id}", response_model=Envelope[EventDetail],
            summary="Get an event with its payload and the deliveries it caused")
def get_event(event_id: EventIdPath, db: Db, caller: Scoped("integrations:read")) -> dict:
    conn = db.conn()
    row = _load(conn, caller.workspace_id, event_id)
    deliveries = conn.execute("SELECT * FROM webhook_deliveries WHERE event_id = ? AND workspace_id = ?"
                              " ORDER BY created_at DESC, id DESC LIMIT ?",
                              (event_id, caller.workspace_id, DETAIL_DELIVERIES)).fetchall()
    return ok({**event_out(row), "payload": json.loads(_payload(row)),
               "deliveries": [delivery_out(d) for d in deliveries]})


@router.post("/{event_id}/resend", response_model=Envelope[Delivery], status_code=202,
             summary="A new delivery of this event to one endpoint (whatever its status or subscriptions)")
def resend_event(event_id: EventIdPath, body: EventResend, request: Request, db: Db,
                 caller: Scoped("integrations:write")) -> dict:
    stamp = now_rfc3339()
    delivery_id = new_id("whd")
    with db.transaction() as conn:
        row = _load(conn, caller.workspace_id, event_id)
        load_webhook(conn, caller.workspace_id, body.webhook_id)
        conn.execute(
            "INSERT INTO webhook_deliveries (id, workspace_id, webhook_id, event_id, event_type, payload, status,"
            " attempt_count, next_attempt_at, forced, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?, 1, ?, ?)",
            (delivery_id, caller.workspace_id, body.webhook_id, event_id, row["type"], _payload(row),
             stamp, stamp, stamp))
        delivery = conn.execute("SELECT * FROM webhook_deliveries WHERE id = ?", (delivery_id,)).fetchone()
    wake_worker(request)
    return ok(delivery_out(delivery))
