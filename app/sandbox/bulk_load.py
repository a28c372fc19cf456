"""Loading many rows into the sandbox's largest tables at a flat cost per row: their secondary
indexes and triggers are dropped for the load and built once after it (`bulk_load`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

#: The tables `seed_workspace` fills in bulk (see `bulk_load`).
BULK_TABLES: tuple[str, ...] = ("companies", "contacts", "tickets", "ticket_messages", "ticket_comments",
                                "invoices", "payments")
_bulk_loading: set[int] = set()


@contextmanager
def bulk_load(conn: sqlite3.Connection) -> Iterator[None]:
    """Drop the secondary indexes and triggers of `BULK_TABLES` for a load; build them after it.

    Inserting rows one by one into an index whose keys arrive in random order touches a random
    page of every index per row; once the indexes outgrow the page cache each insert reads and
    rewrites pages (and a long transaction spills them to the WAL again and again), so the cost
    per row grew with the table: seeding 1M contacts took 19.5× the time of 100k. `CREATE INDEX`
    after the load sorts the keys once instead. Contacts inserted meanwhile get their rendered
    `document` when the triggers are back (an update of `name` re-renders it), the ticket
    subject search index is rebuilt in one pass, and the tickets' index statistics are gathered
    for the query planner. Run it inside the
    transaction that loads (a failure rolls the drops back with the rows); nested use joins the
    outer load.
    """
    if not conn.in_transaction:
        raise RuntimeError("bulk_load must run inside a transaction")
    if id(conn) in _bulk_loading:
        yield
        return
    marks = ",".join("?" * len(BULK_TABLES))
    dropped = conn.execute(
        f"SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') AND sql IS NOT NULL"
        f" AND tbl_name IN ({marks})", BULK_TABLES).fetchall()
    for kind, name, _ in dropped:
        conn.execute(f'DROP {kind.upper()} "{name}"')
    _bulk_loading.add(id(conn))
    try:
        yield
    finally:
        _bulk_loading.discard(id(conn))
    for _, _, sql in dropped:
        conn.execute(sql)
    # Through the update trigger, so the document's shape is written in schema.sql alone.
    conn.execute("UPDATE contacts SET name = name WHERE document IS NULL")
    # The ticket subject index missed every ticket loaded without its triggers.
    conn.execute("INSERT INTO tickets_fts (tickets_fts) VALUES ('rebuild')")
    # The ticket list combines filters freely; without statistics SQLite may scan the wrong index
    # (a breaching-SLA count took 100 ms instead of 5 at 200k tickets).
    conn.execute("ANALYZE tickets")
