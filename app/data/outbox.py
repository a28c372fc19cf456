"""The outbox: writes made while the server cannot be reached, kept on disk until it takes them.

An operator on a train edits a contact, changes a ticket's status, adds an internal note. Each
change is queued here at the moment they act, with what replaying it needs and nothing it must
invent later: the record as they saw it (the base of a three-way merge), the fields they changed,
the `If-Match` version, and an Idempotency-Key minted once, so a replay interrupted by a crash
(or a `kill -9`) and replayed again is applied exactly once. One SQLite file per profile
(`paths.outbox_file`), written with full sync: a queued change survives a crash and a restart.

Secrets never reach disk: a change whose text holds a secret-shaped value (an API key pasted in
a note) is refused with a clear error, and the form keeps what was typed.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar

from app.core.secret_masking import mask_secrets
from app.data.observable import Observable

T = TypeVar("T")
Action = Literal["update", "create", "note"]
State = Literal["pending", "needs_attention"]


def new_key() -> str:
    """An Idempotency-Key for one operator action."""
    return f"outbox-{uuid.uuid4()}"


class SecretInChange(ValueError):
    """The change holds a secret-shaped value, which is never written to disk."""


@dataclass(frozen=True)
class OutboxItem:
    """One queued write. `record_id` is None for a create until the server names the record."""

    seq: int
    resource: str
    record_id: str | None
    action: Action
    fields: dict[str, Any]
    base: dict[str, Any] | None
    base_version: int | None
    idempotency_key: str
    label: str
    queued_at: float
    state: State = "pending"
    message: str = ""

    @property
    def waiting(self) -> bool:
        return self.state == "pending"


_COLUMNS = ("seq", "resource", "record_id", "action", "fields", "base", "base_version", "idempotency_key",
            "label", "queued_at", "state", "message")


class OutboxFile:
    """The blocking store behind `Outbox` (one connection, used from one worker thread at a time)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self._conn.execute("PRAGMA journal_mode = WAL")
        self._conn.execute("PRAGMA synchronous = FULL")
        self._conn.execute("PRAGMA secure_delete = ON")
        self._conn.execute(
            "CREATE TABLE IF NOT EXISTS outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, resource TEXT NOT NULL,"
            " record_id TEXT, action TEXT NOT NULL, fields TEXT NOT NULL, base TEXT, base_version INTEGER,"
            " idempotency_key TEXT NOT NULL UNIQUE, label TEXT NOT NULL, queued_at REAL NOT NULL,"
            " state TEXT NOT NULL DEFAULT 'pending', message TEXT NOT NULL DEFAULT '')")

    def add(self, resource: str, record_id: str | None, action: Action, fields: Mapping[str, Any],
            base: Mapping[str, Any] | None, base_version: int | None, label: str,
            idempotency_key: str | None = None) -> OutboxItem:
        encoded = json.dumps(dict(fields), sort_keys=True, ensure_ascii=False)
        if mask_secrets(encoded) != encoded:
            raise SecretInChange("This change holds something that looks like a secret key. Secrets are never "
                                 "kept on disk, so it cannot wait in the outbox: remove it, or save when online.")
        base_text = json.dumps(dict(base), ensure_ascii=False) if base is not None else None
        key = idempotency_key or new_key()
        with self._lock:
            cursor = self._conn.execute(
                "INSERT INTO outbox (resource, record_id, action, fields, base, base_version, idempotency_key,"
                " label, queued_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (resource, record_id, action, encoded, base_text, base_version, key, label, time.time()))
            return self._get(cursor.lastrowid)

    def items(self) -> list[OutboxItem]:
        with self._lock:
            rows = self._conn.execute(f"SELECT {', '.join(_COLUMNS)} FROM outbox ORDER BY seq").fetchall()
        return [_item(row) for row in rows]

    def edit(self, seq: int, fields: Mapping[str, Any]) -> OutboxItem:
        """Replace what a queued change sends (the operator fixed it); it waits to be sent again."""
        encoded = json.dumps(dict(fields), sort_keys=True, ensure_ascii=False)
        if mask_secrets(encoded) != encoded:
            raise SecretInChange("The change holds something that looks like a secret key; it cannot be kept.")
        with self._lock:
            # A changed body is a new request: it gets a new Idempotency-Key.
            self._conn.execute("UPDATE outbox SET fields = ?, idempotency_key = ?, state = 'pending', message = ''"
                               " WHERE seq = ?", (encoded, new_key(), seq))
            return self._get(seq)

    def mark(self, seq: int, state: State, message: str = "") -> None:
        with self._lock:
            self._conn.execute("UPDATE outbox SET state = ?, message = ? WHERE seq = ?", (state, message, seq))

    def remove(self, seq: int, key: str | None = None) -> None:
        """Delete item `seq`; with `key`, only while it still has that Idempotency-Key (an item the
        operator edited meanwhile has a new key and stays)."""
        with self._lock:
            self._conn.execute("DELETE FROM outbox WHERE seq = ? AND (? IS NULL OR idempotency_key = ?)",
                               (seq, key, key))

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def _get(self, seq: int) -> OutboxItem:
        row = self._conn.execute(f"SELECT {', '.join(_COLUMNS)} FROM outbox WHERE seq = ?", (seq,)).fetchone()
        if row is None:
            raise KeyError(seq)
        return _item(row)


def _item(row: tuple) -> OutboxItem:
    values = dict(zip(_COLUMNS, row))
    values["fields"] = json.loads(values["fields"])
    values["base"] = json.loads(values["base"]) if values["base"] is not None else None
    return OutboxItem(**values)


class Outbox:
    """The async face of one profile's outbox: queue, list, edit, drop; `changes` after each."""

    def __init__(self, path: str | Path) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="opsdesk-outbox")
        self._file = OutboxFile(path)
        #: The items as last read (what the status bar badge and the pending marks show).
        self.items: list[OutboxItem] = self._file.items()
        self.changes: Observable[list[OutboxItem]] = Observable()

    @property
    def waiting(self) -> int:
        return len(self.items)

    def pending_ids(self, resource: str) -> set[str]:
        """Records of `resource` with a change waiting (their rows carry a pending mark)."""
        return {item.record_id for item in self.items if item.resource == resource and item.record_id}

    async def queue(self, resource: str, record_id: str | None, action: Action, fields: Mapping[str, Any], *,
                    base: Mapping[str, Any] | None = None, base_version: int | None = None,
                    label: str = "", idempotency_key: str | None = None) -> OutboxItem:
        """Keep one change; `idempotency_key` is the one an attempt that got no answer already used."""
        item = await self._run(self._file.add, resource, record_id, action, fields, base, base_version, label,
                               idempotency_key)
        await self._refresh()
        return item

    async def edit(self, seq: int, fields: Mapping[str, Any]) -> OutboxItem:
        item = await self._run(self._file.edit, seq, fields)
        await self._refresh()
        return item

    async def drop(self, seq: int, *, key: str | None = None) -> None:
        await self._run(self._file.remove, seq, key)
        await self._refresh()

    async def mark(self, seq: int, state: State, message: str = "") -> None:
        await self._run(self._file.mark, seq, state, message)
        await self._refresh()

    async def close(self) -> None:
        await self._run(self._file.close)
        self._executor.shutdown(wait=True)

    async def _refresh(self) -> None:
        self.items = await self._run(self._file.items)
        self.changes.emit(list(self.items))

    async def _run(self, call: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, call, *args)
