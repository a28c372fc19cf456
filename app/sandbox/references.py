"""Checks that ids named in a request body exist in the caller's workspace.

A body that points at a missing id, or at another workspace's id, gets 422 VALIDATION_ERROR
naming the field (the same answer either way, so existence in other tenants never leaks)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from app.sandbox.errors import validation_failed

#: body field → (table, what to call it in the message)
_TABLES: dict[str, tuple[str, str]] = {
    "queue_id": ("queues", "support queue"),
    "assignee_id": ("members", "member"),
    "contact_id": ("contacts", "contact"),
    "company_id": ("companies", "company"),
    "invoice_id": ("invoices", "invoice"),
}


def check_references(conn: sqlite3.Connection, workspace_id: str, values: dict[str, object],
                     fields: Iterable[str] = tuple(_TABLES)) -> None:
    """422 naming every field in `fields` whose non-null id is not a row of this workspace."""
    bad = []
    for field in fields:
        value = values.get(field)
        if value is None:
            continue
        table, noun = _TABLES[field]
        found = conn.execute(f"SELECT 1 FROM {table} WHERE id = ? AND workspace_id = ?",
                             (value, workspace_id)).fetchone()
        if found is None:
            bad.append((field, f"no {noun} {value!r} in this workspace"))
    if bad:
        raise validation_failed(bad)
