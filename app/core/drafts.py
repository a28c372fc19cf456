"""Drafts of what the user is typing (ticket replies, comments), kept across crashes.

Saved on every (debounced) keystroke, so a save is one small SQLite upsert in WAL mode without
an fsync per commit: it survives the console crashing, not just quitting. One file per profile
under the user data dir (`paths.drafts_file`). Keys are the caller's, e.g. "ticket:<id>:reply".
Safe to call from any thread (a lock serialises the one connection).

A secret pasted into a draft never lands on disk: token-shaped secrets (the shared patterns of
`app.api.redaction`) are masked in the text that is stored, and deleted drafts are overwritten
(`secure_delete`) and checkpointed out of the write-ahead log. The composer's in-memory text is
left alone: warning before a secret is sent is the ticket panel's business.

A draft can carry a mark, the caller's note about it (e.g. a ticket reply written offline, to
send when online). The mark lives in the draft's row, so it survives a restart with the text and
goes with it: deleting the draft (or saving it empty) takes the mark away; editing keeps it.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from app.api.redaction import mask_tokens


@dataclass(frozen=True)
class Draft:
    """One saved draft and when it was last saved (epoch seconds)."""

    key: str
    text: str
    saved_at: float
    #: The caller's mark on this draft (`DraftStore.mark`), or None.
    mark: str | None = None


class DraftStore:
    """save/load/delete/list drafts of one profile."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        #: Where an unreadable drafts file was moved to, if that happened.
        self.recovered_from: Path | None = None
        self._lock = threading.Lock()
        try:
            self._conn = self._connect()
        except sqlite3.DatabaseError:
            # Keep the unreadable file for recovery by hand; never refuse to start over it.
            self.recovered_from = self.path.with_name(
                f"{self.path.name}.corrupt-{time.strftime('%Y%m%dT%H%M%S')}"
            )
            os.replace(self.path, self.recovered_from)
            for suffix in ("-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
            self._conn = self._connect()

    def save(self, key: str, text: str) -> None:
        """Keep `text` as the draft for `key`, secrets masked; empty text deletes the draft."""
        if not key:
            raise ValueError("A draft needs a key.")
        if not text:
            self.delete(key)
            return
        with self._lock:
            self._conn.execute(
                "INSERT INTO drafts (key, text, saved_at) VALUES (?, ?, ?) "
                "ON CONFLICT (key) DO UPDATE SET text = excluded.text, saved_at = excluded.saved_at",
                (key, mask_tokens(text), time.time()),
            )

    def load(self, key: str) -> str | None:
        """The draft saved for `key`, or None."""
        with self._lock:
            row = self._conn.execute("SELECT text FROM drafts WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def delete(self, key: str) -> None:
        """Forget the draft (after it was sent, or the user discarded it)."""
        with self._lock:
            self._conn.execute("DELETE FROM drafts WHERE key = ?", (key,))
            # The log still holds the page as it was before the delete: fold it in and empty it.
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def mark(self, key: str, mark: str | None) -> bool:
        """Put `mark` on the draft for `key` (None takes it off); False if there is no such draft.

        The mark is stored as given: it is for the caller's bookkeeping (ids, keys), never user text."""
        with self._lock:
            cursor = self._conn.execute("UPDATE drafts SET mark = ? WHERE key = ?", (mark, key))
        return cursor.rowcount > 0

    def list(self, prefix: str = "") -> list[Draft]:
        """All drafts whose key starts with `prefix`, most recently saved first."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT key, text, saved_at, mark FROM drafts WHERE substr(key, 1, ?) = ? "
                "ORDER BY saved_at DESC",
                (len(prefix), prefix),
            ).fetchall()
        return [Draft(*row) for row in rows]

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA secure_delete = ON")
            conn.execute(
                "CREATE TABLE IF NOT EXISTS drafts "
                "(key TEXT PRIMARY KEY, text TEXT NOT NULL, saved_at REAL NOT NULL, mark TEXT)"
            )
            columns = {row[1] for row in conn.execute("PRAGMA table_info(drafts)")}
            if "mark" not in columns:  # a file from before marks: the drafts in it have none
                conn.execute("ALTER TABLE drafts ADD COLUMN mark TEXT")
            conn.execute("SELECT COUNT(*) FROM drafts").fetchone()
        except BaseException:
            conn.close()
            raise
        return conn
