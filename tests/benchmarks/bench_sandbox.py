"""Sandbox benchmark: 100,000 seeded contacts, `GET /contacts?limit=100` against the bare stack.

    python tests/benchmarks/bench_sandbox.py [--contacts N] [--seconds S] [--rounds N]

Starts a real sandbox process on 127.0.0.1 (as the console does) and, beside it, the bare stack
(`bare_asgi.py`: the same uvicorn + httptools + uvloop serving the same page's bytes from a bare
ASGI function), and puts both under the same wrk load (4 connections, same duration, rounds
alternating between the two so a busy neighbour slows both alike): the sandbox's req/s as a
share of the bare stack's, and its p99 (issue 17). wrk is installed by `load_tool.py` when
missing (apt, as root), else a weaker Python load generator stands in and says so. Then it walks
the whole contact list once to collect cursors, and measures sequential latency of pages from the deep half, the
throughput of several keep-alive connections hammering those pages for a few seconds and the
server's CPU time per page (which, unlike throughput, hardly depends on what else the shared
machine is doing), and the latency of `GET /me` while other connections run full-table text
searches (they must not stall the server). Prints `name: value unit (target: …)` lines, and the
load average the run started under.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.core.sandbox_process import SandboxProcess
from tests.benchmarks.load_tool import ensure_wrk, run_load

HERE = Path(__file__).resolve().parent


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


def start_bare(body: bytes, tmp: Path) -> tuple[subprocess.Popen, str]:
    """The bare stack serving `body`, and its URL once it listens."""
    body_file, port_file = tmp / "bare-body.json", tmp / "bare-port"
    body_file.write_bytes(body)
    process = subprocess.Popen([sys.executable, str(HERE / "bare_asgi.py"), str(body_file), str(port_file)])
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if port_file.exists() and port_file.read_text():
            url = f"http://127.0.0.1:{port_file.read_text()}/v1/contacts?limit=100"
            try:
                http.client.HTTPConnection("127.0.0.1", int(port_file.read_text()), timeout=1).connect()
                return process, url
            except OSError:
                pass
        time.sleep(0.05)
    process.kill()
    raise SystemExit("the bare uvicorn server did not start")


def versus_bare(url: str, secret: str, tmp: Path, args: argparse.Namespace) -> list[str]:
    """The sandbox's page under wrk beside the bare stack serving its bytes; the figure lines."""
    page_url = f"{url}/contacts?limit=100"
    headers = {"Authorization": f"Bearer {secret}"}
    status, body = Connection(url, secret).get("contacts", {"limit": 100})
    assert status == 200, body[:300]
    wrk = ensure_wrk()
    bare_process, bare_url = start_bare(body, tmp)
    runs: dict[str, list] = {"bare": [], "sandbox": []}
    load = os.getloadavg()[0]
    try:
        for _ in range(args.rounds):
            for name, target in (("bare", bare_url), ("sandbox", page_url)):
                runs[name].append(run_load(wrk, target, headers, connections=args.connections, seconds=args.seconds))
    finally:
        bare_process.terminate()
        bare_process.wait(10)
    tool = runs["sandbox"][0].tool
    bare = statistics.median(r.rate for r in runs["bare"])
    sandbox = statistics.median(r.rate for r in runs["sandbox"])
    p99 = statistics.median(r.p99_ms for r in runs["sandbox"])
    errors = sum(r.errors for rs in runs.values() for r in rs)
    each = "; ".join(f"{b.rate:,.0f} vs {s.rate:,.0f}" for b, s in zip(runs["bare"], runs["sandbox"], strict=True))
    return [
        (f"bare_uvicorn_body_throughput: {bare:,.0f} req/s ({len(body):,} bytes, {tool}, {args.connections} connections,"
        f" {args.seconds:g} s x {args.rounds}; target: none, baseline)"),
        (f"sandbox_contacts_page_vs_bare: {sandbox / bare:.3f} x the bare stack, {sandbox:,.0f} req/s (target: ≥ 0.2;"
        f" bare vs sandbox per round: {each}; errors {errors}; load {load:.2f} at start)"),
        (f"sandbox_contacts_page_p99_under_load: {p99:.2f} ms (target: ≤ 5 ms; p50"
        f" {statistics.median(r.p50_ms for r in runs['sandbox']):.2f} ms)"),
    ]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--samples", type=int, default=500)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    with tempfile.TemporaryDirectory(prefix="opsdesk-bench-") as tmp:
        started = time.perf_counter()
        # A rate limit far above what the run makes, so the limiter is measured but never refuses.
        process = SandboxProcess.start(Path(tmp), seed_size=args.contacts, rate_limit=10_000_000, timeout=600)
        startup = time.perf_counter() - started
        try:
            secret = process.credentials()["live"]["owner_key"]
            against_bare = versus_bare(process.url, secret, Path(tmp), args)
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
    for line in against_bare:
        print(line)
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
