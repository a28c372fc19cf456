"""Believable demo data for one sandbox workspace: companies, contacts, support queues, tickets
with message threads and internal comments, invoices with payments, a webhook endpoint with a
short delivery history, and a few extra API keys.

Everything comes from the caller's `random.Random` and `now`, so a seed gives the same data every
time (ids included). It is written in one transaction with `executemany`, rows in key order, with
the tables' secondary indexes and triggers dropped for the load and built once after it
(`bulk_load`), so the cost per row stays flat from ten thousand to a million contacts.
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Sequence
from datetime import datetime, timezone

from app.sandbox.bulk_load import bulk_load
from app.sandbox.seed_rows import SeedIds, SeedRun, SeedSummary
from app.sandbox.timeutil import utcnow


def default_ticket_count(size: int) -> int:
    """Tickets for a seed of `size` contacts when none is asked for: one per ten contacts (at least 24)."""
    return max(24, size // 10)


def seed_workspace(
    conn: sqlite3.Connection,
    workspace_id: str,
    size: int,
    rng: random.Random,
    members: Sequence[str],
    *,
    tickets: int | None = None,
    now: datetime | None = None,
) -> SeedSummary:
    """Fill `workspace_id` with demo data around `size` contacts, in one transaction.

    `tickets` is how many support tickets (default `default_ticket_count(size)`). `members` are
    the member ids tickets are assigned to and written by (viewers among them are skipped when
    others exist). `now` pins the clock (default: the real one): a given rng seed and `now` give
    identical rows, ids included. Joins the caller's transaction (and its `bulk_load`) if one is open.
    """
    if size < 0:
        raise ValueError("size must be >= 0")
    if tickets is not None and tickets < 0:
        raise ValueError("tickets must be >= 0")
    now = (now or utcnow()).astimezone(timezone.utc)
    environment = conn.execute(
        "SELECT environment FROM workspaces WHERE id = ?", (workspace_id,)
    ).fetchone()
    if environment is None:
        raise ValueError(f"no workspace {workspace_id!r}")
    # Tickets are assigned to and answered by people who work them, not by viewers.
    roles = dict(conn.execute("SELECT id, role FROM members WHERE workspace_id = ?", (workspace_id,)).fetchall())
    agents = [m for m in members if roles.get(m) in ("owner", "admin", "agent")] or list(members)
    gen = SeedRun(rng, SeedIds(rng), workspace_id, environment[0], agents, now,
                     {m: roles[m] for m in members if m in roles})
    own_transaction = not conn.in_transaction
    if own_transaction:
        conn.execute("BEGIN")
    try:
        with bulk_load(conn):
            summary = gen.write(conn, size, default_ticket_count(size) if tickets is None else tickets)
        if own_transaction:
            conn.execute("COMMIT")
    except BaseException:
        if own_transaction:
            conn.execute("ROLLBACK")
        raise
    return summary

