"""SQLite access for the sandbox: one database file, WAL, foreign keys on, one connection per thread.

uvicorn runs sync handlers in a thread pool and sqlite3 connections belong to the thread that
opened them, so `Database` keeps one connection per thread (opened lazily, reused for the
thread's life). Readers never block writers in WAL mode; writers queue on `busy_timeout`.

Usage in a handler::

    with db.transaction() as conn:          # BEGIN IMMEDIATE … COMMIT (ROLLBACK on exception)
        conn.execute("INSERT …")
        emit_event(conn, workspace_id, "contact.created", contact)

    row = db.conn().execute("SELECT …").fetchone()   # a plain read, autocommit
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

BUSY_TIMEOUT_MS = 10_000


def _schema_sql(name: str = "schema.sql") -> str:
    return resources.files("app.sandbox").joinpath(name).read_text(encoding="utf-8")


#: Columns added after the first release: (table, column, declaration) for data dirs made before.
_ADDED_COLUMNS = (
    ("contacts", "document", "TEXT"),
    ("workspaces", "legal_name", "TEXT"),
    ("workspaces", "billing_address", "TEXT"),
    ("workspaces", "tax_id", "TEXT"),
    ("workspaces", "billing_email", "TEXT"),
    ("api_keys", "dialect", "TEXT"),
    ("webhooks", "dialect", "TEXT"),
)
#: Columns of the webhook operations (issue 18), added to new and old files alike after the
#: schema: the secret still signing during a rotation's overlap, and the recover job a queued
#: delivery belongs to (its one attempt then neither retries nor counts towards disabling).
_WEBHOOK_OPS_COLUMNS = (
    ("webhooks", "previous_signing_secret", "TEXT"),
    ("webhooks", "previous_secret_expires_at", "TEXT"),
    ("webhook_deliveries", "recover_job_id", "TEXT"),
)


def _add_missing_columns(conn: sqlite3.Connection, columns: tuple[tuple[str, str, str], ...] = _ADDED_COLUMNS,
                         ) -> set[tuple[str, str]]:
    """Add `columns` missing from an existing table; return the `(table, column)`s added."""
    added = set()
    for table, column, declaration in columns:
        existing = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
        if existing and column not in existing:
            conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")
            added.add((table, column))
    return added


class Database:
    """The sandbox's SQLite file: per-thread connections and write transactions."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._local = threading.local()
        added = _add_missing_columns(self.conn())
        stale_documents = self._drop_stale_document_triggers()
        had_ticket_search = self._has_table("tickets_fts")
        # executescript commits by itself; the schema is all CREATE … IF NOT EXISTS.
        self.conn().executescript(_schema_sql())
        _add_missing_columns(self.conn(), _WEBHOOK_OPS_COLUMNS)
        self.conn().executescript(_schema_sql("schema_webhook_ops.sql"))
        if stale_documents:
            # Rendered afresh by schema.sql's update trigger, which now includes company_name.
            self.conn().execute("UPDATE contacts SET name = name")
        elif ("contacts", "document") in added:
            self.conn().execute("UPDATE contacts SET name = name WHERE document IS NULL")
        if not had_ticket_search:
            # The subject index of an older file's tickets (a new file's is empty: nothing to do),
            # and the statistics its new ticket indexes need to be chosen well (bulk_load.py
            # gathers them for a new file).
            self.conn().execute("INSERT INTO tickets_fts (tickets_fts) VALUES ('rebuild')")
            self.conn().execute("ANALYZE tickets")

    def _drop_stale_document_triggers(self) -> bool:
        """Drop contact document triggers from before company_name joined the document (schema.sql
        creates today's); True when there were any, so the documents must be rendered again."""
        stale = [name for name, sql in self.conn().execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN"
            " ('contacts_document_on_insert', 'contacts_document_on_update')") if "company_name" not in sql]
        for name in stale:
            self.conn().execute(f'DROP TRIGGER "{name}"')
        return bool(stale)

    def _has_table(self, name: str) -> bool:
        return self.conn().execute("SELECT 1 FROM sqlite_master WHERE name = ?", (name,)).fetchone() is not None

    def conn(self) -> sqlite3.Connection:
        """This thread's connection (autocommit mode; rows are `sqlite3.Row`)."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=True,
                                   timeout=BUSY_TIMEOUT_MS / 1000)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA cache_size=-32000")
            # Reads through a memory map skip a read() syscall per page: deep list pages over
            # 100k rows touch many table pages.
            conn.execute("PRAGMA mmap_size=268435456")
            self._local.conn = conn
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (`BEGIN IMMEDIATE`): commit on success, roll back on any exception.

        IMMEDIATE takes the write lock up front, so two writers never deadlock upgrading a read
        lock. Nested use on one thread joins the outer transaction.
        """
        conn = self.conn()
        if conn.in_transaction:
            yield conn
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    @contextmanager
    def bulk_transaction(self) -> Iterator[sqlite3.Connection]:
        """One large write transaction (seeding a new data dir) with a rollback journal instead of the WAL.

        A transaction bigger than the page cache spills pages as it goes. Into the WAL, every
        later read of a page not in the cache first searches the WAL's index, whose size grows
        with everything written so far, so a large seed slowed down as it went (and then copied
        the whole WAL into the file at the checkpoint). With a rollback journal spilled pages go
        straight to the file; new pages need no journal at all. Only while no other connection
        is open (first start); WAL mode is back afterwards, whatever happened.
        """
        conn = self.conn()
        conn.execute("PRAGMA journal_mode=DELETE")
        try:
            with self.transaction() as conn:
                yield conn
        finally:
            conn.execute("PRAGMA journal_mode=WAL")

    def close_thread_connection(self) -> None:
        """Close this thread's connection (at shutdown; the next `conn()` reopens one)."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
