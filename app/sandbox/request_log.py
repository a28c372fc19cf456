"""The request log (`/dev/api-requests`), `api_calls` quota metering and API keys' `last_used_at`.

Every authenticated request is recorded by the middleware: method, path (no query string), status,
duration, key id, Idempotency-Key, User-Agent. Never a secret, an `Authorization` value or a body:
path, Idempotency-Key and User-Agent are stored with every secret-shaped token masked
(`redaction.py`), so a key pasted into a URL never reaches the table, the WAL or the API.
Writes are buffered and flushed in one transaction by a background thread every
`FLUSH_SECONDS` (a write transaction per request would cap throughput); readers of the log or of
quota usage call `flush()` first, so what they serve includes every request answered before them.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter

from app.sandbox.db import Database
from app.sandbox.redaction import mask_secrets
from app.sandbox.request_context import RequestContext
from app.sandbox.timeutil import now_rfc3339

FLUSH_SECONDS = 0.2
_MAX_USER_AGENT = 256
_MAX_IDEMPOTENCY_KEY = 255
log = logging.getLogger("app.sandbox")

#: First path segment under /v1 → the module a call is metered against (quota breakdown).
MODULES: dict[str, str] = {
    "contacts": "crm", "companies": "crm", "invoices": "billing", "payments": "billing",
    "support": "support", "webhooks": "integrations", "events": "integrations",
    "quota": "quota", "api-keys": "keys", "dev": "logs",
    "workspace": "workspace", "members": "workspace", "me": "workspace", "auth": "auth",
}


def module_of(path: str) -> str:
    """`/v1/contacts/con_1` → `crm`."""
    parts = path.split("/", 3)
    segment = parts[2] if len(parts) > 2 else ""
    return MODULES.get(segment, "other")


#: Rows per INSERT: a statement binds its rows in one go and runs them in one step with the GIL
#: released, where executemany takes the GIL back for every row and, while the event loop's thread
#: holds it, waits for a forced switch each time (10 values a row: far below SQLite's 32766).
_ROWS_PER_INSERT = 100
_REQUEST_COLUMNS = ("id, workspace_id, method, path, status, duration_ms, key_id, idempotency_key, user_agent,"
                    " created_at")


def _insert_requests(count: int) -> str:
    """`INSERT OR IGNORE` of `count` request rows in one statement."""
    return (f"INSERT OR IGNORE INTO api_requests ({_REQUEST_COLUMNS}) VALUES "
            + ",".join(["(?,?,?,?,?,?,?,?,?,?)"] * count))


_CLEAN_TEXTS_KEPT = 256
_clean_texts: set[str] = set()


def _masked(text: str) -> str:
    """`mask_secrets(text)`, remembering texts that hold no secret (a client sends the same path and
    User-Agent again and again); a text with a secret is never remembered."""
    if text in _clean_texts:
        return text
    masked = mask_secrets(text)
    if masked == text:
        if len(_clean_texts) >= _CLEAN_TEXTS_KEPT:
            _clean_texts.clear()
        _clean_texts.add(text)
    return masked


class RequestLog:
    """Buffered writer for `api_requests`, `quota_usage` (api_calls) and `api_keys.last_used_at`."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._lock = threading.Lock()
        self._flush_lock = threading.Lock()
        self._rows: list[tuple] = []
        self._usage: Counter[tuple[str, str, str, str]] = Counter()
        self._last_used: dict[str, str] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def record(self, ctx: RequestContext, method: str, path: str, status: int,
               user_agent: str | None, idempotency_key: str | None) -> None:
        """Queue one answered request (only authenticated ones: the log is per workspace)."""
        caller = ctx.caller
        if caller is None:
            return
        duration_ms = round((time.perf_counter() - ctx.started) * 1000, 3)
        stamp = now_rfc3339()
        # Masked before the cut, so the cut cannot leave half a secret unrecognised.
        user_agent = _masked(user_agent)[:_MAX_USER_AGENT] if user_agent else None
        row = (ctx.request_id, caller.workspace_id, method, _masked(path), status, duration_ms,
               caller.key_id, mask_secrets(idempotency_key)[:_MAX_IDEMPOTENCY_KEY] if idempotency_key else None, user_agent, stamp)
        with self._lock:
            self._rows.append(row)
            self._usage[(caller.workspace_id, caller.credential_id, module_of(path), stamp[:10])] += 1
            if caller.key_id:
                self._last_used[caller.key_id] = stamp

    def flush(self) -> None:
        """Write everything queued so far (one transaction)."""
        with self._flush_lock:
            with self._lock:
                rows, usage, last_used = self._rows, self._usage, self._last_used
                self._rows, self._usage, self._last_used = [], Counter(), {}
            if not rows and not usage and not last_used:
                return
            with self._db.transaction() as conn:
                for start in range(0, len(rows), _ROWS_PER_INSERT):
                    chunk = rows[start:start + _ROWS_PER_INSERT]
                    conn.execute(_insert_requests(len(chunk)), [value for row in chunk for value in row])
                conn.executemany(
                    "INSERT INTO quota_usage (workspace_id, resource, credential_id, module, day, amount)"
                    " VALUES (?, 'api_calls', ?, ?, ?, ?) ON CONFLICT (workspace_id, resource, credential_id,"
                    " module, day) DO UPDATE SET amount = amount + excluded.amount",
                    [(*key, n) for key, n in usage.items()])
                conn.executemany("UPDATE api_keys SET last_used_at = ? WHERE id = ?",
                                 [(stamp, key_id) for key_id, stamp in last_used.items()])

    def start(self) -> None:
        """Flush in the background every FLUSH_SECONDS until `stop()`."""
        self._thread = threading.Thread(target=self._run, name="sandbox-request-log", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the background flusher and write what is left."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
        self.flush()

    def _run(self) -> None:
        while not self._stop.wait(FLUSH_SECONDS):
            try:
                self.flush()
            except Exception:  # a locked database must not kill the flusher; the rows stay lost, logged
                log.exception("request log flush failed")
