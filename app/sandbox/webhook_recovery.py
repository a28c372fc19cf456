"""Recover jobs: every delivery of one endpoint created in a window, queued again for one attempt.

Durable by construction: starting a job is one transaction that writes the job, one
`webhook_recover_items` row per matched delivery (state `queued`) and puts each delivery back on
the worker's queue (`pending`, `forced`, `recover_job_id`). The worker sends it with its original
`webhook-id` (the event id) and, in the transaction that records the attempt, moves the item to
`succeeded` or `failed` (`finish_recovered`). So after a crash, even kill -9, the next start's
worker finds exactly the unconfirmed re-deliveries still `pending` and sends those; a confirmed
one is never sent again. Only an attempt whose answer was in flight at the crash goes out twice,
with the same `webhook-id` for the receiver to drop.

A job's counts are read from its items, never kept twice. The endpoint's status is left alone:
`forced` lets a paused or disabled endpoint receive, and a recover attempt neither retries nor
counts towards disabling it.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from app.sandbox.ids import new_id
from app.sandbox.timeutil import now_rfc3339

#: Delivery statuses a recover may pick (`retrying`: sent now, once, even to a disabled endpoint;
#: `pending` ones are about to go anyway).
RECOVERABLE_STATUSES = ("failed", "retrying", "succeeded")
#: The most deliveries one job queues; a larger window is refused with a request to narrow it.
MAX_JOB_DELIVERIES = 50_000
#: The widest window one job covers.
MAX_WINDOW_DAYS = 31

_MATCH = ("FROM webhook_deliveries WHERE webhook_id = ? AND created_at >= ? AND created_at < ?"
          " AND status IN ({marks})")


def _match(webhook_id: str, since: str, until: str, statuses: list[str]) -> tuple[str, tuple[Any, ...]]:
    return _MATCH.format(marks=",".join("?" * len(statuses))), (webhook_id, since, until, *statuses)


def count_matching(conn: sqlite3.Connection, webhook_id: str, since: str, until: str, statuses: list[str]) -> int:
    """How many deliveries of `webhook_id` created in `[since, until)` have one of `statuses`."""
    where, args = _match(webhook_id, since, until, statuses)
    return conn.execute(f"SELECT count(*) {where}", args).fetchone()[0]


def running_job(conn: sqlite3.Connection, webhook_id: str) -> str | None:
    """The id of the endpoint's running job, if one runs (one at a time, so no delivery is queued twice)."""
    row = conn.execute("SELECT id FROM webhook_recover_jobs WHERE webhook_id = ? AND status = 'running'",
                       (webhook_id,)).fetchone()
    return None if row is None else row["id"]


def start_job(conn: sqlite3.Connection, workspace_id: str, webhook_id: str, since: str, until: str,
              statuses: list[str]) -> tuple[str, int]:
    """Write the job, its items and the re-queued deliveries (call inside a write transaction);
    return `(job_id, matched)`. A job that matched nothing is done at once."""
    stamp = now_rfc3339()
    job_id = new_id("rcv")
    conn.execute(
        "INSERT INTO webhook_recover_jobs (id, workspace_id, webhook_id, since, until, statuses, status,"
        " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'running', ?, ?)",
        (job_id, workspace_id, webhook_id, since, until, json.dumps(statuses), stamp, stamp))
    where, args = _match(webhook_id, since, until, statuses)
    conn.execute("INSERT INTO webhook_recover_items (job_id, delivery_id, state, previous_status)"
                 f" SELECT ?, id, 'queued', status {where}", (job_id, *args))
    matched = conn.execute("SELECT count(*) FROM webhook_recover_items WHERE job_id = ?", (job_id,)).fetchone()[0]
    conn.execute(
        "UPDATE webhook_deliveries SET status = 'pending', forced = 1, next_attempt_at = ?, recover_job_id = ?,"
        " updated_at = ? WHERE id IN (SELECT delivery_id FROM webhook_recover_items WHERE job_id = ?)",
        (stamp, job_id, stamp, job_id))
    if matched == 0:
        conn.execute("UPDATE webhook_recover_jobs SET status = 'done', finished_at = ? WHERE id = ?", (stamp, job_id))
    return job_id, matched


def finish_recovered(conn: sqlite3.Connection, delivery_id: str, job_id: str, webhook_id: str, attempts: int, *,
                     succeeded: bool, now: str) -> None:
    """The worker's bookkeeping after a recover attempt, inside its attempt transaction: the
    delivery's outcome (no retry scheduled), the item's state, and the job done when none is left."""
    conn.execute(
        "UPDATE webhook_deliveries SET status = ?, attempt_count = ?, forced = 0, next_attempt_at = NULL,"
        " recover_job_id = NULL, updated_at = ? WHERE id = ?",
        ("succeeded" if succeeded else "failed", attempts, now, delivery_id))
    if succeeded:
        conn.execute("UPDATE webhooks SET consecutive_failures = 0 WHERE id = ?", (webhook_id,))
    # A cancelled item whose attempt was already in flight still reports what happened.
    conn.execute("UPDATE webhook_recover_items SET state = ? WHERE job_id = ? AND delivery_id = ?"
                 " AND state IN ('queued', 'cancelled')", ("succeeded" if succeeded else "failed", job_id, delivery_id))
    left = conn.execute("SELECT 1 FROM webhook_recover_items WHERE job_id = ? AND state = 'queued' LIMIT 1",
                        (job_id,)).fetchone()
    if left is None:
        conn.execute("UPDATE webhook_recover_jobs SET status = 'done', finished_at = ?, updated_at = ?"
                     " WHERE id = ? AND status = 'running'", (now, now, job_id))


def cancel_job(conn: sqlite3.Connection, job_id: str) -> None:
    """Stop a running job (inside a write transaction): deliveries still waiting get their old
    status back and leave the queue; an attempt already in flight finishes and is counted."""
    stamp = now_rfc3339()
    conn.execute(
        "UPDATE webhook_deliveries SET status = (SELECT previous_status FROM webhook_recover_items i"
        " WHERE i.job_id = ? AND i.delivery_id = webhook_deliveries.id), forced = 0, next_attempt_at = NULL,"
        " updated_at = ? WHERE recover_job_id = ? AND status = 'pending'", (job_id, stamp, job_id))
    conn.execute("UPDATE webhook_recover_items SET state = 'cancelled' WHERE job_id = ? AND state = 'queued'",
                 (job_id,))
    conn.execute("UPDATE webhook_recover_jobs SET status = 'cancelled', finished_at = ?, updated_at = ?"
                 " WHERE id = ?", (stamp, stamp, job_id))


def job_out(conn: sqlite3.Connection, row: sqlite3.Row) -> dict[str, Any]:
    """A job as the API shows it, with its counts by item state."""
    counts = dict.fromkeys(("queued", "succeeded", "failed", "cancelled"), 0)
    for state, count in conn.execute("SELECT state, count(*) FROM webhook_recover_items WHERE job_id = ?"
                                     " GROUP BY state", (row["id"],)):
        counts[state] = count
    return {"job_id": row["id"], "webhook_id": row["webhook_id"], "status": row["status"],
            "matched": sum(counts.values()), **counts, "since": row["since"], "until": row["until"],
            "statuses": json.loads(row["statuses"]), "created_at": row["created_at"],
            "finished_at": row["finished_at"]}
