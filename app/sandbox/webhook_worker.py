"""The webhook delivery worker: sends the deliveries `events.emit_event` queued as real, signed
HTTP POSTs, retries them on the contract's schedule and disables endpoints that keep failing.

The queue is the `webhook_deliveries` table, so nothing lives only in memory: a delivery that was
pending when the process died is sent after the next start. One dispatcher thread picks due rows
(`pending`/`retrying` with `next_attempt_at <= now`) and hands each to a small thread pool, so a
slow receiver (up to the 10 s timeout) never holds up the others and never blocks request handling.

Per attempt: render and sign the body in the endpoint's delivery style (`signing.delivery_style`
of the dialect it was created through: Standard Webhooks for the contract's, `X-BiVelio-Signature`
for BiVelio's), POST with a 10 s timeout, record status, latency, the first 4 KiB of the answer
and any error. A 2xx ends the delivery (`succeeded`, endpoint failure counter reset). Otherwise the
next attempt is scheduled 30 s, 2 min, 10 min, 1 h later (divided by the time scale); after the 5th
failed attempt the delivery is `failed`, and the 5th consecutive failed delivery disables the
endpoint with a reason (a BiVelio endpoint is deactivated by its first failed delivery: seed 002's
"after 5 failed attempts"). Automatic attempts only go to `active` endpoints;
test events and manual retries (`forced`) go out whatever the endpoint's status, so a user can
check a paused or disabled endpoint before turning it back on.

The same thread runs the overdue-invoice sweep now and then, so `invoice.overdue` is emitted even
when nobody reads invoices.

A delivery a recover job queued again (`recover_job_id`, see `webhook_recovery.py`) gets one
attempt: its outcome, the attempt and the job's item are written in one transaction, it never
schedules a retry and never counts towards disabling the endpoint. During a secret rotation's
overlap (`previous_secret_expires_at` in the future) every delivery carries both signatures.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

import httpx

from app.sandbox.db import Database
from app.sandbox.invoice_records import has_newly_overdue, mark_overdue
from app.sandbox.settings import SandboxSettings
from app.sandbox.signing import (
    STANDARD,
    DeliveryStyle,
    delivery_headers,
    delivery_style,
)
from app.sandbox.timeutil import parse_rfc3339, to_rfc3339, utcnow
from app.sandbox.webhook_recovery import finish_recovered

log = logging.getLogger("app.sandbox.webhooks")

DISABLE_AFTER_FAILED_DELIVERIES = 5
ATTEMPT_TIMEOUT_SECONDS = 10.0
RESPONSE_BODY_LIMIT = 4096
USER_AGENT = "Opsdesk-Sandbox-Webhooks/1"
_POLL_SECONDS = 0.2
_OVERDUE_SWEEP_SECONDS = 60.0
_SENDERS = 4
_CRASH_BACKOFF_SECONDS = 5.0


def next_attempt_delay(attempts_made: int, time_scale: float, style: DeliveryStyle = STANDARD) -> float | None:
    """Seconds to wait after the `attempts_made`-th failed attempt; None when none is left."""
    if attempts_made >= style.max_attempts:
        return None
    return style.retry_delays_seconds[attempts_made - 1] / time_scale


class WebhookWorker:
    """The dispatcher thread and its sender pool; `start()` once, `wake()` after queueing, `stop()`."""

    def __init__(self, db: Database, settings: SandboxSettings) -> None:
        self._db = db
        self._settings = settings
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._in_flight: set[str] = set()
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=_SENDERS, thread_name_prefix="webhook-send")
        self._thread = threading.Thread(target=self._run, name="webhook-dispatch", daemon=True)
        self._clients: list[httpx.Client] = []
        self._local = threading.local()

    def start(self) -> None:
        self._thread.start()

    def wake(self) -> None:
        """Look for due deliveries now instead of at the next poll (after a test event or retry)."""
        self._wake.set()

    def stop(self, timeout: float = 12.0) -> None:
        """Stop picking work, let attempts in flight finish (each is bounded by its 10 s timeout)."""
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
        self._pool.shutdown(wait=True, cancel_futures=True)
        for client in self._clients:
            client.close()

    def _run(self) -> None:
        next_sweep = 0.0
        while not self._stop.is_set():
            try:
                if time.monotonic() >= next_sweep:
                    next_sweep = time.monotonic() + max(self._settings.scaled(_OVERDUE_SWEEP_SECONDS), 1.0)
                    today = utcnow().date()
                    if has_newly_overdue(self._db.conn(), today):
                        with self._db.transaction() as conn:
                            mark_overdue(conn, today)
                # With every slot taken, wait for a sender to finish (it wakes us) or the poll.
                pause = self._seconds_until_next_due() if self._dispatch_due() else _POLL_SECONDS
            except Exception:  # the worker must outlive a bad row or a locked database
                log.exception("webhook dispatcher pass failed")
                pause = _POLL_SECONDS
            self._wake.wait(pause)
            self._wake.clear()
        self._db.close_thread_connection()

    def _sendable(self, select: str, tail: str, params: tuple, statuses: tuple[str, ...] = ("pending", "retrying"),
                  ) -> list:
        """Rows the worker may send (queued, for an active endpoint or forced, not in flight)."""
        with self._lock:
            busy = tuple(self._in_flight)
        return self._db.conn().execute(
            f"SELECT {select} FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id"
            f" WHERE d.status IN ({','.join('?' * len(statuses))}) AND (w.status = 'active' OR d.forced = 1)"
            f" AND d.id NOT IN ({','.join('?' * len(busy))}) {tail}",
            (*statuses, *busy, *params)).fetchall()

    def _dispatch_due(self) -> bool:
        """Hand due rows to the senders; False when every sender slot is taken."""
        with self._lock:
            free = _SENDERS * 2 - len(self._in_flight)
        if free <= 0:
            return False
        now = to_rfc3339(utcnow())
        # One status at a time, so each read walks the due index in order and stops after `free`
        # rows (with both in one IN list SQLite sorted every queued row on each pass).
        rows = sorted(tuple(row) for status in ("pending", "retrying") for row in self._sendable(
            "d.next_attempt_at, d.id", "AND d.next_attempt_at <= ? ORDER BY d.next_attempt_at LIMIT ?",
            (now, free), (status,)))[:free]
        for _due, delivery_id in rows:
            with self._lock:
                self._in_flight.add(delivery_id)
            self._pool.submit(self._attempt_guarded, delivery_id)
        return True

    def _seconds_until_next_due(self) -> float:
        """Sleep until the next scheduled attempt, but never longer than the poll interval, so
        rows queued by request threads (which do not wake the worker) go out promptly."""
        (next_at,) = self._sendable("min(d.next_attempt_at)", "", ())[0]
        if next_at is None:
            return _POLL_SECONDS
        wait = (parse_rfc3339(next_at) - utcnow()).total_seconds()
        return min(max(wait, 0.005), _POLL_SECONDS)

    def _attempt_guarded(self, delivery_id: str) -> None:
        try:
            self._attempt(delivery_id)
        except Exception:
            log.exception("webhook attempt for %s failed unexpectedly", delivery_id)
            self._postpone(delivery_id)
        finally:
            with self._lock:
                self._in_flight.discard(delivery_id)
            self._wake.set()

    def _postpone(self, delivery_id: str) -> None:
        """Push a delivery whose attempt crashed a little into the future, so a persistent fault
        (a locked database, say) is retried calmly instead of in a tight loop."""
        later = to_rfc3339(utcnow() + timedelta(seconds=_CRASH_BACKOFF_SECONDS))
        try:
            with self._db.transaction() as conn:
                conn.execute("UPDATE webhook_deliveries SET next_attempt_at = ? WHERE id = ?"
                             " AND status IN ('pending', 'retrying')", (later, delivery_id))
        except Exception:
            log.exception("could not postpone webhook delivery %s", delivery_id)

    def _sender_client(self) -> httpx.Client:
        """This sender thread's HTTP client (connection reuse without sharing one across threads)."""
        client = getattr(self._local, "client", None)
        if client is None:
            client = httpx.Client(timeout=ATTEMPT_TIMEOUT_SECONDS, follow_redirects=False,
                                  headers={"user-agent": USER_AGENT})
            self._local.client = client
            with self._lock:
                self._clients.append(client)
        return client

    def _attempt(self, delivery_id: str) -> None:
        row = self._db.conn().execute(
            "SELECT d.event_id, d.payload, d.status, d.webhook_id, w.url, w.signing_secret, w.dialect,"
            " w.previous_signing_secret, w.previous_secret_expires_at"
            " FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id WHERE d.id = ?",
            (delivery_id,)).fetchone()
        if row is None or row["status"] not in ("pending", "retrying"):
            return
        style = delivery_style(row["dialect"])
        body = style.render(row["payload"], row["webhook_id"])
        if body != row["payload"].encode("utf-8"):
            # The delivery log shows the exact body sent, in the endpoint's own dialect.
            with self._db.transaction() as conn:
                conn.execute("UPDATE webhook_deliveries SET payload = ? WHERE id = ?",
                             (body.decode("utf-8"), delivery_id))
        started_at = utcnow()
        secrets = [row["signing_secret"]]
        if row["previous_signing_secret"] and parse_rfc3339(row["previous_secret_expires_at"]) > started_at:
            secrets.append(row["previous_signing_secret"])
        headers = delivery_headers(style, secrets, row["event_id"], int(started_at.timestamp()), body)
        clock = time.perf_counter()
        status: int | None = None
        text: str | None = None
        error: str | None = None
        client = self._sender_client()
        try:
            response = client.post(row["url"], content=body, headers=headers)
            status = response.status_code
            text = response.content[:RESPONSE_BODY_LIMIT].decode("utf-8", "replace")
            if not 200 <= status < 300:
                error = f"HTTP {status}"
        except httpx.TimeoutException:
            error = f"timed out after {ATTEMPT_TIMEOUT_SECONDS:.0f} s"
        except httpx.HTTPError as exc:
            error = _describe(exc)
        finally:
            client.cookies.clear()  # one receiver's cookies never travel to the next
        duration_ms = round((time.perf_counter() - clock) * 1000)
        self._record(delivery_id, started_at, status, text, duration_ms, error)

    def _record(self, delivery_id: str, started_at: datetime, status: int | None, text: str | None,
                duration_ms: int, error: str | None) -> None:
        """Store the attempt and move the delivery (and its endpoint) on, in one transaction."""
        now = utcnow()
        with self._db.transaction() as conn:
            row = conn.execute(
                "SELECT d.webhook_id, d.attempt_count, d.recover_job_id, w.consecutive_failures,"
                " w.status AS webhook_status, w.dialect"
                " FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id WHERE d.id = ?",
                (delivery_id,)).fetchone()
            if row is None:  # endpoint deleted while the attempt ran
                return
            conn.execute(
                "INSERT INTO webhook_attempts (delivery_id, attempted_at, response_status, response_body,"
                " duration_ms, error) VALUES (?, ?, ?, ?, ?, ?)",
                (delivery_id, to_rfc3339(started_at), status, text, duration_ms, error))
            attempts = row["attempt_count"] + 1
            if row["recover_job_id"] is not None:
                finish_recovered(conn, delivery_id, row["recover_job_id"], row["webhook_id"], attempts,
                                 succeeded=error is None, now=to_rfc3339(now))
                return
            if error is None:
                conn.execute(
                    "UPDATE webhook_deliveries SET status = 'succeeded', attempt_count = ?, forced = 0,"
                    " next_attempt_at = NULL, updated_at = ? WHERE id = ?",
                    (attempts, to_rfc3339(now), delivery_id))
                conn.execute("UPDATE webhooks SET consecutive_failures = 0 WHERE id = ?", (row["webhook_id"],))
                return
            style = delivery_style(row["dialect"])
            delay = next_attempt_delay(attempts, self._settings.time_scale, style)
            if delay is not None:
                conn.execute(
                    "UPDATE webhook_deliveries SET status = 'retrying', attempt_count = ?,"
                    " next_attempt_at = ?, updated_at = ? WHERE id = ?",
                    (attempts, to_rfc3339(now + timedelta(seconds=delay)), to_rfc3339(now), delivery_id))
                return
            conn.execute(
                "UPDATE webhook_deliveries SET status = 'failed', attempt_count = ?, forced = 0,"
                " next_attempt_at = NULL, updated_at = ? WHERE id = ?",
                (attempts, to_rfc3339(now), delivery_id))
            failures = row["consecutive_failures"] + 1
            if style.deactivate_on_failed_delivery and row["webhook_status"] == "active":
                reason = f"Deactivated after {attempts} failed attempts; last error: {error}."
            elif failures >= DISABLE_AFTER_FAILED_DELIVERIES and row["webhook_status"] == "active":
                reason = (f"Disabled after {failures} consecutive failed deliveries;"
                          f" last error: {error}.")
            else:
                reason = None
            if reason is not None:
                conn.execute(
                    "UPDATE webhooks SET consecutive_failures = ?, status = 'disabled', disabled_reason = ?,"
                    " version = version + 1, updated_at = ? WHERE id = ?",
                    (failures, reason, to_rfc3339(now), row["webhook_id"]))
                log.warning("webhook %s disabled: %s", row["webhook_id"], reason)
            else:
                conn.execute("UPDATE webhooks SET consecutive_failures = ? WHERE id = ?",
                             (failures, row["webhook_id"]))


def _describe(exc: httpx.HTTPError) -> str:
    """A short, secret-free description of a transport error (connection refused, DNS, TLS …)."""
    cause = exc.__cause__ or exc.__context__
    detail = str(cause or exc) or type(exc).__name__
    return f"{type(exc).__name__}: {detail}"[:500]


def start_worker(app_state: Any) -> WebhookWorker:
    """Start the process's worker over `app_state.db` and `.settings` (app_factory calls this at
    startup and `stop()`s what it returns at shutdown); routers find it as `app_state.webhook_worker`."""
    worker = WebhookWorker(app_state.db, app_state.settings)
    app_state.webhook_worker = worker
    worker.start()
    return worker
