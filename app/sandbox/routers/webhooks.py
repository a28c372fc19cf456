"""Webhook endpoints, their deliveries and attempts, test events and manual retries, plus
`GET /dev/webhook-deliveries` (every endpoint's deliveries in one list).

The signing secret is shown whole only in the answers to create and rotate-secret; everywhere
else a `signing_secret_preview`. Sending is the worker's job (`webhook_worker.py`): these handlers
queue rows and nudge it. An endpoint remembers the dialect mount it was created through
(`webhooks.dialect`), which decides how its deliveries are signed, retried and deactivated.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from app.sandbox.deletions import record_deletion
from app.sandbox.deps import AppSettings, Db, Scoped
from app.sandbox.envelope import Envelope, Page, ok, page
from app.sandbox.errors import not_found, validation_failed
from app.sandbox.etag import IfMatch, check_if_match, set_etag
from app.sandbox.events import EVENT_TYPES, emit_event
from app.sandbox.ids import new_id
from app.sandbox.pagination import PageParams, fetch_page
from app.sandbox.request_context import current
from app.sandbox.signing import new_signing_secret, secret_preview
from app.sandbox.timeutil import now_rfc3339, to_rfc3339, utcnow
from app.sandbox.validation import NotNull, WebhookUrl, unset

router = APIRouter(tags=["webhooks"])

EventType = Literal[EVENT_TYPES]  # type: ignore[valid-type]
WebhookStatus = Literal["active", "paused", "disabled"]
DeliveryStatus = Literal["pending", "retrying", "succeeded", "failed"]
WebhookIdPath = Annotated[str, Path(max_length=64)]
DeliveryIdPath = Annotated[str, Path(max_length=64)]
#: success_rate looks at this many most recent finished deliveries.
SUCCESS_WINDOW = 100


class Webhook(BaseModel):
    id: str
    name: str
    url: str
    description: str | None
    event_types: list[str]
    status: WebhookStatus
    disabled_reason: str | None
    signing_secret_preview: str
    previous_secret_expires_at: str | None = Field(
        description="During a secret rotation's overlap: until then deliveries also carry the previous "
                    "secret's signature. Null when only the current secret signs.")
    success_rate: float | None = Field(description="Share of the last 100 finished deliveries that succeeded; "
                                                   "null before the first one finishes.")
    last_delivery_at: str | None
    version: int
    created_at: str
    updated_at: str


class WebhookWithSecret(Webhook):
    signing_secret: str = Field(description="`whsec_…`: shown only now; store it in your receiver.")


WebhookName = Annotated[str, Field(min_length=1, max_length=100)]
EventTypes = Annotated[list[EventType], Field(min_length=1, max_length=len(EVENT_TYPES))]


class WebhookCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: WebhookName
    url: WebhookUrl
    description: str | None = Field(default=None, max_length=500)
    event_types: EventTypes
    status: Literal["active", "paused"] = "active"


class WebhookUpdate(BaseModel):
    """Only the fields sent change (`description` may be cleared with null; the others may not).
    Setting `active` again clears `disabled_reason` and the failure count."""

    model_config = ConfigDict(extra="forbid")
    name: WebhookName | NotNull = unset()
    url: WebhookUrl | NotNull = unset()
    description: str | None = Field(default=None, max_length=500)
    event_types: EventTypes | NotNull = unset()
    status: WebhookStatus | NotNull = unset()


class WebhookDeleted(BaseModel):
    id: str
    deleted: bool


class Delivery(BaseModel):
    id: str
    webhook_id: str
    event_id: str
    event_type: str
    status: DeliveryStatus
    attempt_count: int
    next_attempt_at: str | None
    created_at: str
    updated_at: str


class Attempt(BaseModel):
    attempted_at: str
    response_status: int | None
    response_body: str | None = Field(description="The first 4 KiB of the receiver's answer.")
    duration_ms: int
    error: str | None


class DeliveryDetail(Delivery):
    payload: dict[str, Any] = Field(description="The exact JSON body that was sent.")
    attempts: list[Attempt]


def webhook_out(conn: sqlite3.Connection, row: sqlite3.Row) -> dict[str, Any]:
    outcomes = conn.execute(
        "SELECT status FROM webhook_deliveries WHERE webhook_id = ? AND status IN ('succeeded', 'failed')"
        " ORDER BY created_at DESC LIMIT ?", (row["id"], SUCCESS_WINDOW)).fetchall()
    rate = (sum(1 for (s,) in outcomes if s == "succeeded") / len(outcomes)) if outcomes else None
    last = conn.execute(
        "SELECT max(a.attempted_at) FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id"
        " WHERE d.webhook_id = ?", (row["id"],)).fetchone()[0]
    return {
        "id": row["id"], "name": row["name"], "url": row["url"], "description": row["description"],
        "event_types": json.loads(row["event_types"]), "status": row["status"],
        "disabled_reason": row["disabled_reason"], "signing_secret_preview": secret_preview(row["signing_secret"]),
        "previous_secret_expires_at": _overlap_end(row),
        "success_rate": None if rate is None else round(rate, 4), "last_delivery_at": last,
        "version": row["version"], "created_at": row["created_at"], "updated_at": row["updated_at"],
    }


def _overlap_end(row: sqlite3.Row) -> str | None:
    """When the previous secret stops signing, while that is still ahead."""
    expires = row["previous_secret_expires_at"]
    return expires if row["previous_signing_secret"] and expires and expires > now_rfc3339() else None


def delivery_out(row: sqlite3.Row) -> dict[str, Any]:
    return {k: row[k] for k in Delivery.model_fields}


def load_webhook(conn: sqlite3.Connection, workspace_id: str, webhook_id: str) -> sqlite3.Row:
    row = conn.execute("SELECT * FROM webhooks WHERE id = ? AND workspace_id = ?",
                       (webhook_id, workspace_id)).fetchone()
    if row is None:
        raise not_found("webhook", webhook_id)
    return row


def load_delivery(conn: sqlite3.Connection, workspace_id: str, webhook_id: str, delivery_id: str) -> sqlite3.Row:
    row = conn.execute("SELECT * FROM webhook_deliveries WHERE id = ? AND webhook_id = ? AND workspace_id = ?",
                       (delivery_id, webhook_id, workspace_id)).fetchone()
    if row is None:
        raise not_found("webhook delivery", delivery_id)
    return row


def queue_retry(conn: sqlite3.Connection, delivery_id: str, stamp: str) -> None:
    """Put a delivery on the queue for an attempt now, whatever the endpoint's status. One a
    recover job is still waiting to send stays that job's; otherwise it retries on the schedule."""
    conn.execute("UPDATE webhook_deliveries SET status = CASE WHEN status = 'pending' THEN 'pending'"
                 " ELSE 'retrying' END, recover_job_id = CASE WHEN status = 'pending' THEN recover_job_id END,"
                 " next_attempt_at = ?, forced = 1, updated_at = ? WHERE id = ?", (stamp, stamp, delivery_id))


def wake_worker(request: Request) -> None:
    worker = getattr(request.app.state, "webhook_worker", None)
    if worker is not None:
        worker.wake()


def _list_deliveries(conn: sqlite3.Connection, workspace_id: str, params: Any, webhook_id: str | None,
                     status: str | None, event_type: str | None) -> dict:
    where, args = [], []
    for column, value in (("webhook_id", webhook_id), ("status", status), ("event_type", event_type)):
        if value is not None:
            where.append(f"{column} = ?")
            args.append(value)
    rows, cursor = fetch_page(conn, "webhook_deliveries", workspace_id, params, where=where, params=args)
    return page([delivery_out(r) for r in rows], cursor)


@router.get("/webhooks", response_model=Page[Webhook], summary="List webhook endpoints")
def list_webhooks(db: Db, caller: Scoped("integrations:read"), params: PageParams,
                  query: Annotated[str | None, Query(max_length=200, description="Text in the name or URL.")] = None,
                  status: WebhookStatus | None = None,
                  event_type: EventType | None = None) -> dict:
    where, args = [], []
    if query:
        where.append("(instr(lower(name), lower(?)) > 0 OR instr(lower(url), lower(?)) > 0)")
        args += [query, query]
    if status is not None:
        where.append("status = ?")
        args.append(status)
    if event_type is not None:
        where.append("EXISTS (SELECT 1 FROM json_each(event_types) WHERE value = ?)")
        args.append(event_type)
    conn = db.conn()
    rows, cursor = fetch_page(conn, "webhooks", caller.workspace_id, params, where=where, params=args)
    return page([webhook_out(conn, r) for r in rows], cursor)


@router.post("/webhooks", response_model=Envelope[WebhookWithSecret], status_code=201,
             summary="Create a webhook endpoint (the answer is the only time the signing secret is shown)")
def create_webhook(body: WebhookCreate, db: Db, caller: Scoped("integrations:write"), response: Response) -> dict:
    stamp = now_rfc3339()
    webhook_id = new_id("wh")
    secret = new_signing_secret()
    with db.transaction() as conn:
        conn.execute(
            "INSERT INTO webhooks (id, workspace_id, name, url, description, event_types, status, signing_secret,"
            " created_at, updated_at, dialect) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (webhook_id, caller.workspace_id, body.name, body.url, body.description,
             json.dumps(list(dict.fromkeys(body.event_types))), body.status, secret, stamp, stamp,
             current().dialect))
        webhook = webhook_out(conn, load_webhook(conn, caller.workspace_id, webhook_id))
    set_etag(response, webhook["version"])
    return ok({**webhook, "signing_secret": secret})


@router.get("/webhooks/{webhook_id}", response_model=Envelope[Webhook], summary="Get a webhook endpoint")
def get_webhook(webhook_id: WebhookIdPath, db: Db, caller: Scoped("integrations:read"), response: Response) -> dict:
    conn = db.conn()
    row = load_webhook(conn, caller.workspace_id, webhook_id)
    set_etag(response, row["version"])
    return ok(webhook_out(conn, row))


@router.patch("/webhooks/{webhook_id}", response_model=Envelope[Webhook], summary="Update a webhook endpoint")
def update_webhook(webhook_id: WebhookIdPath, body: WebhookUpdate, db: Db, caller: Scoped("integrations:write"),
                   if_match: IfMatch, response: Response) -> dict:
    sent = body.model_dump(include=body.model_fields_set)
    for required in ("name", "url", "event_types", "status"):
        if required in sent and sent[required] is None:
            raise validation_failed([(required, "cannot be null")])
    with db.transaction() as conn:
        row = load_webhook(conn, caller.workspace_id, webhook_id)
        check_if_match(if_match, row["version"])
        changes = dict(sent)
        if "event_types" in changes:
            changes["event_types"] = json.dumps(list(dict.fromkeys(changes["event_types"])))
        if changes.get("status") == "active" and row["status"] != "active":
            changes.update(disabled_reason=None, consecutive_failures=0)
        elif changes.get("status") in ("paused", "disabled") and row["status"] == "active":
            changes["disabled_reason"] = "Disabled by a user." if changes["status"] == "disabled" else None
        if changes:
            assignments = ", ".join(f"{k} = ?" for k in changes)
            conn.execute(f"UPDATE webhooks SET {assignments}, version = version + 1, updated_at = ? WHERE id = ?",
                         (*changes.values(), now_rfc3339(), webhook_id))
        webhook = webhook_out(conn, load_webhook(conn, caller.workspace_id, webhook_id))
    set_etag(response, webhook["version"])
    return ok(webhook)


@router.delete("/webhooks/{webhook_id}", response_model=Envelope[WebhookDeleted],
               summary="Delete a webhook endpoint and its delivery history")
def delete_webhook(webhook_id: WebhookIdPath, db: Db, caller: Scoped("integrations:write"),
                   if_match: IfMatch) -> dict:
    with db.transaction() as conn:
        row = load_webhook(conn, caller.workspace_id, webhook_id)
        check_if_match(if_match, row["version"])
        conn.execute("DELETE FROM webhooks WHERE id = ?", (webhook_id,))
        record_deletion(conn, caller.workspace_id, "webhook", webhook_id)
    return ok({"id": webhook_id, "deleted": True})


class SecretRotation(BaseModel):
    model_config = ConfigDict(extra="forbid")
    overlap_hours: float = Field(default=24, ge=0, le=168,
                                 description="How long the previous secret keeps signing beside the new one.")


@router.post("/webhooks/{webhook_id}/rotate-secret", response_model=Envelope[WebhookWithSecret],
             summary="Replace the signing secret; the old one keeps signing beside it for overlap_hours")
def rotate_webhook_secret(webhook_id: WebhookIdPath, db: Db, caller: Scoped("integrations:write"),
                          settings: AppSettings, response: Response, body: SecretRotation | None = None) -> dict:
    overlap = (body or SecretRotation()).overlap_hours
    secret = new_signing_secret()
    expires = (to_rfc3339(utcnow() + settings.scaled_delta(timedelta(hours=overlap)))
               if overlap > 0 else None)
    with db.transaction() as conn:
        row = load_webhook(conn, caller.workspace_id, webhook_id)
        # The secret being replaced is the one that keeps signing; an older one retires now.
        conn.execute("UPDATE webhooks SET signing_secret = ?, previous_signing_secret = ?,"
                     " previous_secret_expires_at = ?, version = version + 1, updated_at = ? WHERE id = ?",
                     (secret, row["signing_secret"] if expires else None, expires, now_rfc3339(), webhook_id))
        webhook = webhook_out(conn, load_webhook(conn, caller.workspace_id, webhook_id))
    set_etag(response, webhook["version"])
    return ok({**webhook, "signing_secret": secret})


@router.post("/webhooks/{webhook_id}/test", response_model=Envelope[Delivery], status_code=202,
             summary="Queue a webhook.test event to this endpoint (sent even when it is paused or disabled)")
def send_test_event(webhook_id: WebhookIdPath, request: Request, db: Db, caller: Scoped("integrations:write")) -> dict:
    with db.transaction() as conn:
        row = load_webhook(conn, caller.workspace_id, webhook_id)
        event_id = emit_event(conn, caller.workspace_id, "webhook.test",
                              {"webhook_id": webhook_id, "name": row["name"],
                               "message": "A test event from the Opsdesk sandbox."},
                              only_webhook_id=webhook_id)
        delivery = conn.execute("SELECT * FROM webhook_deliveries WHERE event_id = ? AND webhook_id = ?",
                                (event_id, webhook_id)).fetchone()
    wake_worker(request)
    return ok(delivery_out(delivery))


@router.get("/webhooks/{webhook_id}/deliveries", response_model=Page[Delivery],
            summary="List one endpoint's deliveries, newest first")
def list_webhook_deliveries(webhook_id: WebhookIdPath, db: Db, caller: Scoped("integrations:read"),
                            params: PageParams, status: DeliveryStatus | None = None,
                            event_type: EventType | None = None) -> dict:
    conn = db.conn()
    load_webhook(conn, caller.workspace_id, webhook_id)
    return _list_deliveries(conn, caller.workspace_id, params, webhook_id, status, event_type)


@router.get("/webhooks/{webhook_id}/deliveries/{delivery_id}", response_model=Envelope[DeliveryDetail],
            summary="One delivery with the payload sent and every attempt")
def get_webhook_delivery(webhook_id: WebhookIdPath, delivery_id: DeliveryIdPath, db: Db,
                         caller: Scoped("integrations:read")) -> dict:
    conn = db.conn()
    row = load_delivery(conn, caller.workspace_id, webhook_id, delivery_id)
    attempts = conn.execute(
        "SELECT attempted_at, response_status, response_body, duration_ms, error FROM webhook_attempts"
        " WHERE delivery_id = ? ORDER BY id", (delivery_id,)).fetchall()
    return ok({**delivery_out(row), "payload": json.loads(row["payload"]),
               "attempts": [dict(a) for a in attempts]})


@router.post("/webhooks/{webhook_id}/deliveries/{delivery_id}/retry", response_model=Envelope[Delivery],
             status_code=202, summary="Send a delivery again now (whatever its status or the endpoint's)")
def retry_webhook_delivery(webhook_id: WebhookIdPath, delivery_id: DeliveryIdPath, request: Request, db: Db,
                           caller: Scoped("integrations:write")) -> dict:
    stamp = now_rfc3339()
    with db.transaction() as conn:
        load_delivery(conn, caller.workspace_id, webhook_id, delivery_id)
        queue_retry(conn, delivery_id, stamp)
        row = load_delivery(conn, caller.workspace_id, webhook_id, delivery_id)
    wake_worker(request)
    return ok(delivery_out(row))


@router.get("/dev/webhook-deliveries", response_model=Page[Delivery],
            summary="Every endpoint's deliveries, newest first")
def list_all_deliveries(db: Db, caller: Scoped("integrations:read"), params: PageParams,
                        status: DeliveryStatus | None = None, event_type: EventType | None = None,
                        webhook_id: Annotated[str | None, Query(max_length=64)] = None) -> dict:
    return _list_deliveries(db.conn(), caller.workspace_id, params, webhook_id, status, event_type)
