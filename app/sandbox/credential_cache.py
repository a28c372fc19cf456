"""Remembers which caller a Bearer secret resolved to, for as long as the database has not changed.

Resolving a secret is a join plus JSON parsing on every request. The cache maps the secret's
sha256 (never the secret) to the resolved `Principal`, per thread (sqlite3 connections are per
thread), and is dropped whole as soon as anything may have changed a credential: SQLite's
`PRAGMA data_version` moves when another connection commits, and the connection's own
`total_changes` moves when it writes. A revoke, rotation, logout or role change is therefore seen
by the very next request, with no list of invalidation points to keep in step. Expiry is
time-based, so a cached caller whose `expires_at` has passed is resolved afresh (and refused).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from datetime import datetime

from app.sandbox.auth import Principal, hash_secret
from app.sandbox.request_context import current
from app.sandbox.timeutil import parse_rfc3339

_MAX_ENTRIES = 1024


class _ThreadCache(threading.local):
    conn: sqlite3.Connection | None = None
    version: tuple[int, int] | None = None
    entries: dict[str, tuple[Principal, datetime | None]]

    def __init__(self) -> None:
        self.entries = {}


_local = _ThreadCache()


def _version(conn: sqlite3.Connection) -> tuple[int, int]:
    return conn.execute("PRAGMA data_version").fetchone()[0], conn.total_changes


def cached_resolve(conn: sqlite3.Connection, secret: str, now: datetime,
                   resolve: Callable[[sqlite3.Connection, str, datetime], Principal]) -> Principal:
    """`resolve(conn, secret, now)`, answered from the cache while the database is unchanged."""
    version = _version(conn)
    if _local.conn is not conn or _local.version != version:
        _local.conn, _local.version, _local.entries = conn, version, {}
    # Per mount: a dialect's key resolves on its own mount only (`auth.resolve_secret`).
    digest = hash_secret(secret) + "@" + (current().dialect or "")
    hit = _local.entries.get(digest)
    if hit is not None and (hit[1] is None or hit[1] > now):
        return hit[0]
    principal = resolve(conn, secret, now)
    if len(_local.entries) >= _MAX_ENTRIES:
        _local.entries.clear()
    _local.entries[digest] = (principal, parse_rfc3339(principal.expires_at) if principal.expires_at else None)
    return principal
