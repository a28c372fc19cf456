"""A long outage for the failure-grouping tests: more failed deliveries than the old 500 bound,
over hours, with three causes, and the server's own answer to compare the console's groups with.

Real failures first, through a real sandbox: an endpoint whose receiver answers 500 and one whose
port is closed, each delivery failing for good on the retry schedule. Then, with the sandbox
stopped, those deliveries are copied in its SQLite (each copy with its own event, its real
attempts moved back in time) to reach `OUTAGE_SIZE` without minutes of retry schedule, a third of
the 500s rewritten to a 502 with another answer (a second cause on one endpoint), and a few made
older than any window the tests ask for. The restarted sandbox serves them like any others.
"""

from __future__ import annotations

import socket
import sqlite3
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from app.core.sandbox_process import SandboxProcess
from tests.sandbox.conftest import bearer
from tests.sandbox.webhook_ops_fixtures import (
    create_contacts,
    make_endpoint,
    settle_failed,
)
from tests.sandbox.webhook_ops_receiver import OpsReceiver

#: Copies per endpoint: 700 failed deliveries in the window, more than the old bound of 500.
ANSWERING_500 = 450
REFUSING = 250
#: Copies older than the windows the tests use (40 days back): never counted.
TOO_OLD = 5
#: The copies are spread over this many hours back from the restart.
SPREAD_HOURS = 6


@dataclass(frozen=True)
class Outage:
    process: SandboxProcess
    database: Path
    answering: str  # endpoint ids
    refusing: str


def dead_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}/gone"


def stage_outage(data_dir: Path, answering_500: int = ANSWERING_500, refusing_count: int = REFUSING, *,
                 rate_limit: int | None = 1_000_000) -> Outage:
    """Start a sandbox, fail real deliveries, stop it, copy them, start it again on the same data
    (with `rate_limit` requests a minute; None: the platform's default, on the real clock)."""
    process = SandboxProcess.start(data_dir, seed_size=5, time_scale=10_000, rate_limit=1_000_000)
    key = process.credentials()["test"]["owner_key"]
    try:
        with OpsReceiver() as receiver, httpx.Client(base_url=process.url + "/", headers=bearer(key),
                                                      timeout=60) as client:
            receiver.answer = lambda _event: 500
            answering = make_endpoint(client, receiver.url)["id"]
            refusing = make_endpoint(client, dead_url())["id"]
            create_contacts(client, "outage", 2)  # each fires contact.created to both endpoints
            settle_failed(client, answering)
            settle_failed(client, refusing)
            # Turned on again, as an admin would after the outage (the copies should not disable them).
            for webhook_id in (answering, refusing):
                client.patch(f"webhooks/{webhook_id}", json={"status": "active"})
    finally:
        process.stop()
    database = data_dir / "sandbox.sqlite3"
    _copy_failures(database, answering, answering_500, rewrite_every=3)
    _copy_failures(database, refusing, refusing_count)
    # The platform's own rate limit needs its own clock (a time scale shortens its window too).
    restarted = SandboxProcess.start(data_dir, time_scale=None if rate_limit is None else 10_000, rate_limit=rate_limit)
    return Outage(restarted, database,
                  answering, refusing)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def _copy_failures(database: Path, webhook_id: str, count: int, *, rewrite_every: int = 0) -> None:
    """`count` copies of the endpoint's real failed deliveries (and `TOO_OLD` more, 40 days old)."""
    conn = sqlite3.connect(database)
    conn.row_factory = sqlite3.Row
    now = datetime.now(UTC)
    with conn:
        originals = conn.execute("SELECT * FROM webhook_deliveries WHERE webhook_id = ? AND status = 'failed'",
                                 (webhook_id,)).fetchall()
        assert originals, "no real failed delivery to copy"
        for n in range(count + TOO_OLD):
            original = originals[n % len(originals)]
            age = timedelta(days=40, minutes=n) if n >= count else timedelta(hours=SPREAD_HOURS) * (n + 1) / (count + 1)
            created = now - age
            event = conn.execute("SELECT * FROM events WHERE id = ?", (original["event_id"],)).fetchone()
            event_id, delivery_id = f"evt_outage{webhook_id[-6:]}{n:05d}", f"whd_outage{webhook_id[-6:]}{n:05d}"
            conn.execute("INSERT INTO events (id, workspace_id, type, data, created_at) VALUES (?, ?, ?, ?, ?)",
                         (event_id, event["workspace_id"], event["type"], event["data"], _stamp(created)))
            conn.execute(
                "INSERT INTO webhook_deliveries (id, workspace_id, webhook_id, event_id, event_type, payload, status,"
                " attempt_count, next_attempt_at, forced, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, 'failed', ?, NULL, 0, ?, ?)",
                (delivery_id, original["workspace_id"], webhook_id, event_id, original["event_type"],
                 original["payload"], original["attempt_count"], _stamp(created), _stamp(created)))
            attempts = conn.execute("SELECT * FROM webhook_attempts WHERE delivery_id = ? ORDER BY id",
                                    (original["id"],)).fetchall()
            rewrite = rewrite_every and n % rewrite_every == 0
            for k, attempt in enumerate(attempts):
                last = k == len(attempts) - 1
                conn.execute(
                    "INSERT INTO webhook_attempts (delivery_id, attempted_at, response_status, response_body,"
                    " duration_ms, error) VALUES (?, ?, ?, ?, ?, ?)",
                    (delivery_id, _stamp(created + timedelta(seconds=7 * k + n % 5)),
                     502 if rewrite and last else attempt["response_status"],
                     "bad gateway\nupstream reset" if rewrite and last else attempt["response_body"],
                     attempt["duration_ms"], attempt["error"]))
    conn.close()


def server_groups(database: Path, since: datetime) -> dict[tuple, dict]:
    """The server's own record of the window: failed deliveries created since `since`, by endpoint
    and their last attempt's raw status, answer and error; each with its ids and first/last seen."""
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    rows = conn.execute(
        "SELECT d.id, d.webhook_id, a.attempted_at, a.response_status, a.response_body, a.error"
        " FROM webhook_deliveries d JOIN webhook_attempts a ON a.id ="
        " (SELECT max(id) FROM webhook_attempts WHERE delivery_id = d.id)"
        " WHERE d.status = 'failed' AND d.created_at >= ?", (_stamp(since),)).fetchall()
    conn.close()
    groups: dict[tuple, dict] = defaultdict(lambda: {"ids": set(), "seen": []})
    for delivery_id, webhook_id, attempted_at, status, body, error in rows:
        group = groups[(webhook_id, status, (body or "").split("\n")[0], error)]
        group["ids"].add(delivery_id)
        group["seen"].append(datetime.fromisoformat(attempted_at))
    return dict(groups)
