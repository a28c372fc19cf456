"""Recover of 10,000 failed deliveries to a local receiver (server side of issue 18's benchmark):
deliveries per second from `POST /webhooks/{id}/recover` until the job reports done.

Run: `python tests/benchmarks/bench_webhook_recover.py [--deliveries N]`. The failed deliveries
are written into the sandbox's data dir while it is stopped (10,000 real failures through the
retry schedule would take minutes and measure the schedule, not the recover); they are copies of
one real failed delivery, each of its own event. The recover, the sends, the signing and the
bookkeeping are the real process's. The console-stall half of the benchmark is the UI's.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import time
from pathlib import Path
from tempfile import TemporaryDirectory

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.core.sandbox_process import SandboxProcess
from tests.sandbox.conftest import bearer
from tests.sandbox.webhook_ops_fixtures import (
    create_contacts,
    make_endpoint,
    settle_failed,
)
from tests.sandbox.webhook_ops_receiver import OpsReceiver


def _copy_failed(database: Path, webhook_id: str, count: int) -> None:
    """`count` more failed deliveries of `webhook_id`, each with its own event, like the one there."""
    conn = sqlite3.connect(database)
    with conn:
        event = conn.execute("SELECT e.* FROM events e JOIN webhook_deliveries d ON d.event_id = e.id"
                             " WHERE d.webhook_id = ? LIMIT 1", (webhook_id,)).fetchone()
        delivery = conn.execute("SELECT workspace_id, created_at FROM webhook_deliveries WHERE webhook_id = ?"
                                " LIMIT 1", (webhook_id,)).fetchone()
        for n in range(count):
            event_id, delivery_id = f"evt_bench{n:08d}", f"whd_bench{n:08d}"
            payload = f'{{"id":"{event_id}","type":"contact.created","created_at":"{delivery[1]}","data":{event[3]}}}'
            conn.execute("INSERT INTO events (id, workspace_id, type, data, created_at) VALUES (?, ?, ?, ?, ?)",
                         (event_id, delivery[0], "contact.created", event[3], delivery[1]))
            conn.execute(
                "INSERT INTO webhook_deliveries (id, workspace_id, webhook_id, event_id, event_type, payload, status,"
                " attempt_count, next_attempt_at, forced, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, 'contact.created', ?, 'failed', 5, NULL, 0, ?, ?)",
                (delivery_id, delivery[0], webhook_id, event_id, payload, delivery[1], delivery[1]))
    conn.close()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--deliveries", type=int, default=10_000)
    args = parser.parse_args(argv)
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    with TemporaryDirectory() as tmp, OpsReceiver() as receiver:
        data_dir = Path(tmp) / "sandbox"
        process = SandboxProcess.start(data_dir, seed_size=20, time_scale=10_000, rate_limit=1_000_000)
        key = process.credentials()["live"]["owner_key"]
        try:
            with httpx.Client(base_url=process.url + "/", headers=bearer(key), timeout=60) as client:
                receiver.answer = lambda _event: 500
                endpoint = make_endpoint(client, receiver.url)
                create_contacts(client, "bench", 1)
                settle_failed(client, endpoint["id"])
        finally:
            process.stop()
        _copy_failed(data_dir / "sandbox.sqlite3", endpoint["id"], args.deliveries - 1)
        process = SandboxProcess.start(data_dir, time_scale=10_000, rate_limit=1_000_000)
        try:
            with httpx.Client(base_url=process.url + "/", headers=bearer(key), timeout=60) as client:
                receiver.answer = lambda _event: 200
                path = f"webhooks/{endpoint['id']}/recover"
                start = time.perf_counter()
                since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 86_400))
                job = client.post(path, json={"since": since}).json()["data"]
                queued_in = time.perf_counter() - start
                while (status := client.get(f"{path}/{job['job_id']}").json()["data"])["status"] == "running":
                    time.sleep(0.05)
                elapsed = time.perf_counter() - start
        finally:
            process.stop()
        accepted = receiver.accepted_ids()
        print(f"matched {job['matched']}, succeeded {status['succeeded']}, failed {status['failed']};"
              f" receiver accepted {sum(accepted.values())} ({len(accepted)} distinct webhook-ids);"
              f" the job was written in {queued_in * 1000:.0f} ms")
        print(f"webhook_recover_deliveries_per_s: {status['succeeded'] / elapsed:.0f} /s"
              f" ({args.deliveries} in {elapsed:.1f} s) (target: report; none given in issue 18)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
