"""Sandbox benchmark: 100,000 seeded contacts, `GET /contacts?limit=100` deep in the list.

    python tests/benchmarks/bench_sandbox.py [--contacts N] [--seconds S]

Starts a real sandbox process on 127.0.0.1 (as the console does), walks the whole contact list
once to collect cursors, then measures sequential latency of pages from the deep half, the
throughput of several keep-alive connections hammering those pages for a few seconds and the
server's CPU time per page (which, unlike throughput, hardly depends on what else the shared
machine is doing), and the latency of `GET /me` while other connections run full-table text
searches (they must not stall the server). Prints `name: value unit (target: …)` lines, and the
load average the run started under.
"""

from __future__ import annotations

import argparse
import http.client
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.core.sandbox_process import SandboxProcess  # noqa: E402

import json  # noqa: E402


class Connection:
    """One keep-alive HTTP/1.1 connection with the owner key (http.client: little client overhead)."""

    def __init__(self, url: str, secret: str) -> None:
        parts = urlsplit(url)
        self.prefix = parts.path
        self.conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        self.headers = {"Authorization": f"Bearer {secret}"}

    def get(self, path: str, params: dict) -> tuple[int, bytes]:
        self.conn.request("GET", f"{self.prefix}/{path}?{urlencode(params)}", headers=self.headers)
        response = self.conn.getresponse()
        return response.status, response.read()


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time the process has used so far (Linux /proc), or None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--samples", type=int, default=500)
    parser.add_argument("--connections", type=int, default=4)
    args = parser.parse_args(argv)

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    with tempfile.TemporaryDirectory(prefix="opsdesk-bench-") as tmp:
        started = time.perf_counter()
        # A rate limit far above what the run makes, so the limiter is measured but never refuses.
        process = SandboxProcess.start(Path(tmp), seed_size=args.contacts, rate_limit=10_000_000, timeout=600)
        startup = time.perf_counter() - started
        try:
            secret = process.credentials()["live"]["owner_key"]
            client = Connection(process.url, secret)
            cursors: list[str] = []
            cursor = None
            while True:
                status, body = client.get("contacts", {"limit": 100, **({"cursor": cursor} if cursor else {})})
                assert status == 200, body[:300]
                cursor = json.loads(body)["next_cursor"]
                if cursor is None:
                    break
                cursors.append(cursor)
            deep = cursors[len(cursors) // 2:]
            rows = (len(cursors) + 1) * 100

            latencies = []
            for i in range(args.samples):
                t0 = time.perf_counter()
                status, _ = client.get("contacts", {"limit": 100, "cursor": deep[i % len(deep)]})
                latencies.append((time.perf_counter() - t0) * 1000)
                assert status == 200
            latencies.sort()
            p50 = statistics.median(latencies)
            p95 = latencies[int(len(latencies) * 0.95) - 1]

            count = [0] * args.connections
            stop = threading.Event()

            def hammer(slot: int) -> None:
                conn = Connection(process.url, secret)
                i = slot
                while not stop.is_set():
                    status, _ = conn.get("contacts", {"limit": 100, "cursor": deep[i % len(deep)]})
                    assert status == 200
                    count[slot] += 1
                    i += args.connections

            threads = [threading.Thread(target=hammer, args=(n,)) for n in range(args.connections)]
            cpu_before = cpu_seconds(process.pid)
            t0 = time.perf_counter()
            for thread in threads:
                thread.start()
            stop.wait(args.seconds)
            stop.set()
            for thread in threads:
                thread.join()
            rate = sum(count) / (time.perf_counter() - t0)
            cpu_after = cpu_seconds(process.pid)
            cpu_per_page = (None if cpu_before is None or cpu_after is None
                            else (cpu_after - cpu_before) * 1000 / sum(count))

            # Text searches that match nothing scan every contact; /me must still answer promptly.
            searching = threading.Event()
            searches = [0]

            def search() -> None:
                conn = Connection(process.url, secret)
                while not searching.is_set():
                    status, _ = conn.get("contacts", {"limit": 100, "query": "no such contact anywhere"})
                    assert status == 200
                    searches[0] += 1

            searchers = [threading.Thread(target=search) for _ in range(2)]
            for thread in searchers:
                thread.start()
            probe = Connection(process.url, secret)  # `client` idled past the keep-alive timeout
            me_latencies = []
            deadline = time.perf_counter() + args.seconds
            while time.perf_counter() < deadline or searches[0] < 2:
                t1 = time.perf_counter()
                status, _ = probe.get("me", {})
                me_latencies.append((time.perf_counter() - t1) * 1000)
                assert status == 200
            searching.set()
            for thread in searchers:
                thread.join()
            me_latencies.sort()
            me_p95 = me_latencies[int(len(me_latencies) * 0.95) - 1]
        finally:
            process.stop()

    print(f"sandbox_seeded_contacts: {rows} rows (target: ≥ {args.contacts})")
    print(f"sandbox_first_start_with_seed: {startup:.1f} s (target: none, informational)")
    print(f"sandbox_contacts_page_p50: {p50:.2f} ms (target: ≤ 5 ms)")
    print(f"sandbox_contacts_page_p95: {p95:.2f} ms (target: ≤ 15 ms)")
    print(f"sandbox_contacts_page_throughput: {rate:.0f} req/s (target: ≥ 800 req/s; load average {load:.2f} at start)")
    if cpu_per_page is not None:
        print(f"sandbox_contacts_page_server_cpu: {cpu_per_page:.2f} ms/req (target: ≤ 1.25 ms/req, 800 req/s on one free core)")
    print(f"sandbox_me_p95_during_text_searches: {me_p95:.1f} ms (target: ≤ 50 ms; {searches[0]} searches ran meanwhile)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
