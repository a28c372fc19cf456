"""The event log and the webhook fan-out: every state change that the contract names becomes an
event row, and one delivery row per active webhook subscribed to its type, in the caller's
transaction, so an event is never recorded without its deliveries (or the other way round).
The delivery worker (`webhook_worker.py`) sends what this queues."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from app.sandbox.ids import new_id
from app.sandbox.timeutil import now_rfc3339

EVENT_TYPES: tuple[str, ...] = (
    "contact.created", "contact.updated", "contact.deleted",
    "company.created", "company.updated",
    "ticket.created", "ticket.updated", "ticket.message.created",
    "invoice.created", "invoice.sent", "invoice.paid", "invoice.overdue", "invoice.voided",
    "payment.recorded",
    "api_key.created", "api_key.rotated", "api_key.revoked",
    "webhook.test",
)


def emit_event(
    conn: sqlite3.Connection,
    workspace_id: str,
    event_type: str,
    data: dict[str, Any],
    *,
    only_webhook_id: str | None = None,
) -> str:
    """Record `event_type` with the full resource `data` and queue its deliveries; return the event id.

    `only_webhook_id` limits the fan-out to one endpoint whatever its status or subscriptions (the
    test event of `POST /webhooks/{id}/test`); that delivery is `forced`, so the worker sends it even
    to a paused or disabled endpoint. Call inside the write's transaction.
    """
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {event_type!r}")
    event_id = new_id("evt")
    created_at = now_rfc3339()
    conn.execute(
        "INSERT INTO events (id, workspace_id, type, data, created_at) VALUES (?, ?, ?, ?, ?)",
        (event_id, workspace_id, event_type, json.dumps(data), created_at),
    )
    payload = json.dumps(
        {"id": event_id, "type": event_type, "created_at": created_at, "data": data},
        separators=(",", ":"),
    )
    if only_webhook_id is not None:
        rows = conn.execute(
            "SELECT id, event_types FROM webhooks WHERE workspace_id = ? AND id = ?",
            (workspace_id, only_webhook_id),
        ).fetchall()
    else:
        rows = conn.execute(
            "SELECT id, event_types FROM webhooks WHERE workspace_id = ? AND status = 'active'",
            (workspace_id,),
        ).fetchall()
    for webhook_id, event_types in rows:
        if only_webhook_id is None and event_type not in json.loads(event_types):
            continue
        conn.execute(
            "INSERT INTO webhook_deliveries (id, workspace_id, webhook_id, event_id, event_type, payload,"
            " status, attempt_count, next_attempt_at, forced, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?, ?)",
            (new_id("whd"), workspace_id, webhook_id, event_id, event_type, payload,
             created_at, 1 if only_webhook_id is not None else 0, created_at, created_at),
        )
    return event_id
