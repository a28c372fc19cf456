"""Invoice and payment rows as the API shows them, and the overdue sweep.

Shared by the invoice and payment routers (both answer with invoices and emit events carrying
them) and by the webhook worker, which runs the sweep so `invoice.overdue` goes out even when
nobody is reading invoices.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from typing import Any

from app.sandbox.billing_rules import amount_due_cents, reading_status
from app.sandbox.events import emit_event
from app.sandbox.timeutil import now_rfc3339


def invoice_from_row(row: sqlite3.Row, today: date) -> dict[str, Any]:
    """The contract's invoice: stored columns plus `amount_due_cents` and the status it reads as."""
    status = reading_status(row["status"], row["due_date"], today, row["total_cents"],
                            row["amount_paid_cents"])
    return {
        "id": row["id"], "invoice_number": row["invoice_number"], "status": status,
        "contact_id": row["contact_id"], "company_id": row["company_id"], "currency": row["currency"],
        "issue_date": row["issue_date"], "due_date": row["due_date"],
        "line_items": json.loads(row["line_items"]),
        "subtotal_cents": row["subtotal_cents"], "tax_cents": row["tax_cents"],
        "total_cents": row["total_cents"], "amount_paid_cents": row["amount_paid_cents"],
        "amount_due_cents": amount_due_cents(row["total_cents"], row["amount_paid_cents"], status),
        "notes": row["notes"], "version": row["version"],
        "created_at": row["created_at"], "updated_at": row["updated_at"],
    }


def payment_from_row(row: sqlite3.Row) -> dict[str, Any]:
    """The contract's payment."""
    return {key: row[key] for key in
            ("id", "invoice_id", "amount_cents", "currency", "method", "paid_at", "created_at")}


def mark_overdue(conn: sqlite3.Connection, today: date, workspace_id: str | None = None) -> int:
    """Store `overdue` on sent invoices past their due date with money due, emitting
    `invoice.overdue` once per invoice (`overdue_emitted`); return how many turned overdue.

    Call inside a write transaction. Cheap when nothing is due: one indexed-by-workspace scan."""
    sql = ("SELECT * FROM invoices WHERE status IN ('sent', 'partially_paid') AND overdue_emitted = 0"
           " AND due_date < ? AND total_cents > amount_paid_cents")
    params: tuple[Any, ...] = (today.isoformat(),)
    if workspace_id is not None:
        sql += " AND workspace_id = ?"
        params += (workspace_id,)
    rows = conn.execute(sql, params).fetchall()
    stamp = now_rfc3339()
    for row in rows:
        conn.execute("UPDATE invoices SET status = 'overdue', overdue_emitted = 1, version = version + 1,"
                     " updated_at = ? WHERE id = ?", (stamp, row["id"]))
        updated = conn.execute("SELECT * FROM invoices WHERE id = ?", (row["id"],)).fetchone()
        emit_event(conn, row["workspace_id"], "invoice.overdue", invoice_from_row(updated, today))
    return len(rows)


def has_newly_overdue(conn: sqlite3.Connection, today: date, workspace_id: str | None = None) -> bool:
    """True when `mark_overdue` would change something: a read, so callers take the write lock
    only when there is work (list/get per workspace, the worker for all of them)."""
    sql = ("SELECT 1 FROM invoices WHERE status IN ('sent', 'partially_paid') AND overdue_emitted = 0"
           " AND due_date < ? AND total_cents > amount_paid_cents")
    params: tuple[Any, ...] = (today.isoformat(),)
    if workspace_id is not None:
        sql += " AND workspace_id = ?"
        params += (workspace_id,)
    return conn.execute(sql + " LIMIT 1", params).fetchone() is not None
