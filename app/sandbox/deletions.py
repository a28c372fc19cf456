"""The deletion log behind `GET /deletions`: every record the sandbox deletes leaves its id here,
in the deleting transaction, so a client syncing with `updated_since` can also drop what is gone.

    with db.transaction() as conn:
        conn.execute("DELETE FROM contacts WHERE id = ?", (contact_id,))
        record_deletion(conn, workspace_id, "contact", contact_id)

Entries are kept `RETENTION_DAYS` (the contract promises at least 30); older ones of the same
workspace and resource are pruned by the next deletion. The log is complete from
`complete_since()`: the later of the retention horizon and the moment this database began
keeping it (a data dir made before the log existed did not record its earlier deletions).
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

from app.sandbox.db import Database
from app.sandbox.timeutil import to_rfc3339, utcnow

#: Resources whose deletions are listed (the contract's set; only some can be deleted today).
RESOURCES: tuple[str, ...] = ("contact", "company", "ticket", "invoice", "webhook", "api_key")
#: The scope that may read each resource, and so its deletions.
READ_SCOPE: dict[str, str] = {
    "contact": "crm:read", "company": "crm:read", "invoice": "crm:read",
    "ticket": "support:read", "webhook": "integrations:read", "api_key": "keys:read",
}
RETENTION_DAYS = 90
_TRACKED_SINCE_KEY = "deletions_tracked_since"


def record_deletion(conn: sqlite3.Connection, workspace_id: str, resource: str, record_id: str,
                    *, now: datetime | None = None) -> str:
    """Log that `record_id` was deleted (call inside the deleting transaction); returns `deleted_at`."""
    if resource not in READ_SCOPE:
        raise ValueError(f"unknown resource {resource!r}")
    now = now or utcnow()
    deleted_at = to_rfc3339(now)
    conn.execute("INSERT OR IGNORE INTO deletions (workspace_id, resource, record_id, deleted_at)"
                 " VALUES (?, ?, ?, ?)", (workspace_id, resource, record_id, deleted_at))
    conn.execute("DELETE FROM deletions WHERE workspace_id = ? AND resource = ? AND deleted_at < ?",
                 (workspace_id, resource, to_rfc3339(now - timedelta(days=RETENTION_DAYS))))
    return deleted_at


def start_tracking(db: Database) -> str:
    """Note when this database began logging deletions (once; later calls read it back)."""
    with db.transaction() as conn:
        conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)", (_TRACKED_SINCE_KEY, to_rfc3339(utcnow())))
        return conn.execute("SELECT value FROM meta WHERE key = ?", (_TRACKED_SINCE_KEY,)).fetchone()[0]


def complete_since(tracked_since: str, now: datetime | None = None) -> str:
    """The earliest moment from which every deletion is still listed."""
    horizon = to_rfc3339((now or utcnow()) - timedelta(days=RETENTION_DAYS))
    return max(horizon, tracked_since)
