"""Sandbox at a real workspace's size (issue 16): seeding cost per row from 10k to 1M contacts, and
the ticket list filtered, searched and counted by the server at 200,000 tickets.

    python tests/benchmarks/bench_sandbox_scaling.py [--sizes 10000,100000,1000000] [--tickets 200000]
                                                     [--ticket-contacts 20000] [--samples 60]
                                                     [--skip-seed] [--skip-tickets]

Seeding: for each size, a real sandbox process (`opsdesk sandbox --seed-size N`, as the console
starts it) on an empty data dir; the seed's cost is its first start minus a later start on the same
dir (imports, schema check, bind), as wall time and as the child's CPU time (which, unlike wall
time, hardly depends on what else the shared machine runs). Both workspaces are seeded, each with N
contacts and the default N/10 tickets with their messages and comments; "per 1k contacts" divides
by N/1000. The 1M run takes a few minutes and ~2.3 GB of disk: pass smaller `--sizes` for a quick run.

Tickets: one data dir seeded in this process with `--tickets` per workspace (the `--tickets` flag's
path), then a real sandbox process on it. Over one keep-alive connection: p50/p95 of a 100-ticket
page and of `GET /support/tickets/count` for each filter of the console's list and views, a page
20,000 tickets deep, and the "Breaching SLA" count checked against the listed view and against the
definition applied to every ticket of the database. Prints `name: value unit (target: …)` lines
and the load average the run started under.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.core.sandbox_process import SandboxProcess
from app.sandbox.bootstrap import ensure_initialized
from app.sandbox.db import Database
from app.sandbox.settings import SandboxSettings
from app.sandbox.timeutil import to_rfc3339

PAGE_P50_TARGET_MS = 5.0
COUNT_TARGET_MS = 50.0
SEED_GROWTH_TARGET = 1.5  # cost per row at the largest size, relative to the smallest


def line(name: str, value: float | str, unit: str = "", target: str = "") -> None:
    text = f"{value:.2f}" if isinstance(value, float) else str(value)
    print(f"{name}: {text}{' ' + unit if unit else ''}{f' (target: {target})' if target else ''}", flush=True)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Connection:
    """One keep-alive HTTP/1.1 connection with the owner key (http.client: little client overhead)."""

    def __init__(self, url: str, secret: str) -> None:
        parts = urlsplit(url)
        self.prefix = parts.path
        self.conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        self.headers = {"Authorization": f"Bearer {secret}"}

    def get(self, path: str, params: dict) -> dict:
        self.conn.request("GET", f"{self.prefix}/{path}?{urlencode(params)}", headers=self.headers)
        response = self.conn.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"GET {path} {params}: {response.status} {body[:300]!r}")
        return json.loads(body)

    def timed(self, path: str, params: dict, samples: int) -> tuple[float, float, dict]:
        """(p50 ms, p95 ms, last answer) over `samples` sequential requests."""
        times, body = [], {}
        for _ in range(samples):
            started = time.perf_counter()
            body = self.get(path, params)
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.95))], body


# --- seeding ---------------------------------------------------------------------------------

def seed_run(size: int, root: Path) -> tuple[float, float, float]:
    """(seed wall s, seed CPU s, later start s) for one size, through the real process."""
    data_dir = root / f"seed-{size}"
    started = time.perf_counter()
    first = SandboxProcess.start(data_dir, seed_size=size, rate_limit=10_000_000, timeout=3600)
    first_wall, first_cpu = time.perf_counter() - started, cpu_seconds(first.pid)
    first.stop()
    started = time.perf_counter()
    again = SandboxProcess.start(data_dir, seed_size=size, rate_limit=10_000_000, timeout=600)
    again_wall, again_cpu = time.perf_counter() - started, cpu_seconds(again.pid)
    again.stop()
    shutil.rmtree(data_dir, ignore_errors=True)
    return first_wall - again_wall, first_cpu - again_cpu, again_wall


def bench_seeding(sizes: list[int], root: Path) -> None:
    per_row: list[tuple[int, float, float]] = []
    for size in sizes:
        wall, cpu, restart = seed_run(size, root)
        per_1k_wall, per_1k_cpu = wall / (size / 1000), cpu / (size / 1000)
        per_row.append((size, per_1k_wall, per_1k_cpu))
        line(f"seed {size:,} contacts per workspace (two workspaces, N/10 tickets each)", wall, "s wall")
        line(f"seed time per 1k contacts at {size:,}", per_1k_wall * 1000, "ms wall",
             "flat from 10k to 1M; was 250 / 150 / 299 ms at 10k / 100k / 1M")
        line(f"seed CPU per 1k contacts at {size:,}", per_1k_cpu * 1000, "ms CPU", "flat")
        line(f"later start on the {size:,} data dir", restart, "s to the ready line")
    if len(per_row) > 1:
        (small, small_wall, small_cpu), (big, big_wall, big_cpu) = per_row[0], per_row[-1]
        line(f"seed cost per row, {big:,} vs {small:,}", big_wall / small_wall, "× wall",
             f"≤ {SEED_GROWTH_TARGET}×; was 2.0× from 100k to 1M")
        line(f"seed CPU per row, {big:,} vs {small:,}", big_cpu / small_cpu, "× CPU", f"≤ {SEED_GROWTH_TARGET}×")


# --- tickets ---------------------------------------------------------------------------------

def _scenarios(db_path: Path, workspace_id: str) -> dict[str, dict]:
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    queue = conn.execute("SELECT queue_id, count(*) FROM tickets WHERE workspace_id = ? AND queue_id IS NOT NULL"
                         " GROUP BY queue_id ORDER BY 2 DESC", (workspace_id,)).fetchone()[0]
    agent = conn.execute("SELECT assignee_id, count(*) FROM tickets WHERE workspace_id = ? AND assignee_id IS NOT NULL"
                         " GROUP BY assignee_id ORDER BY 2 DESC", (workspace_id,)).fetchone()[0]
    conn.close()
    soon = to_rfc3339(datetime.now(UTC) + timedelta(hours=1))
    return {
        "all tickets": {},
        "queue": {"queue_id": queue},
        "status": {"status": "pending"},
        "priority": {"priority": "urgent"},
        "assignee": {"assignee_id": agent},
        "unassigned": {"assigned": "false"},
        "my open (assignee, state=open)": {"assignee_id": agent, "state": "open"},
        "unassigned urgent": {"assigned": "false", "priority": "urgent", "state": "open"},
        "breaching SLA": {"breaching_sla": "true"},
        "breaching within the hour": {"first_response_due_before": soon},
        "queue + breaching SLA": {"queue_id": queue, "breaching_sla": "true"},
        "queue + status + priority": {"queue_id": queue, "status": "closed", "priority": "urgent"},
        "search, common text": {"query": "invoice"},
        "search, rarer text": {"query": "Locked out"},
        "search, no match": {"query": "zebra crossing"},
        "search + status": {"query": "export", "status": "closed"},
        "search + state=open (a broad filter)": {"query": "invoice", "state": "open"},
        "search, 2 letters (no trigram)": {"query": "in"},
    }


def _recomputed_breaching(db_path: Path, workspace_id: str, now: datetime) -> int:
    """The view's definition applied to every ticket row, in Python (not the server's SQL)."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    rows = conn.execute("SELECT status, first_responded_at, first_response_due_at FROM tickets WHERE workspace_id = ?",
                        (workspace_id,)).fetchall()
    conn.close()
    stamp = to_rfc3339(now)
    return sum(1 for status, responded, due in rows
               if responded is None and status not in ("resolved", "closed") and due is not None and due < stamp)


def bench_tickets(tickets: int, contacts: int, samples: int, root: Path) -> None:
    data_dir = root / "tickets"
    settings = SandboxSettings(data_dir=data_dir, seed_size=contacts, seed_tickets=tickets)
    data_dir.mkdir(parents=True)
    started, cpu = time.perf_counter(), time.process_time()
    ensure_initialized(Database(settings.database_path), settings)
    line(f"seed {tickets:,} tickets per workspace (two workspaces, {contacts:,} contacts each)",
         time.perf_counter() - started, f"s wall, {time.process_time() - cpu:.1f} s CPU")
    process = SandboxProcess.start(data_dir, rate_limit=10_000_000, timeout=600)
    try:
        credentials = process.credentials()["live"]
        client = Connection(process.url, credentials["owner_key"])
        pages, counts = [], []
        for name, filters in _scenarios(settings.database_path, credentials["workspace_id"]).items():
            client.get("support/tickets", {"limit": 100, **filters})  # warm
            page_p50, page_p95, body = client.timed("support/tickets", {"limit": 100, **filters}, samples)
            count_p50, count_p95, counted = client.timed("support/tickets/count", filters, max(10, samples // 3))
            total = counted["data"]["total"]
            in_target = not name.startswith("search, 2 letters")
            if in_target:
                pages.append((page_p50, name))
                counts.append((count_p50, name))
            line(f"ticket page at {tickets:,}, {name}", page_p50, f"ms p50, {page_p95:.2f} ms p95, "
                 f"{len(body['data'])} rows", f"≤ {PAGE_P50_TARGET_MS:.0f} ms" if in_target else "none: scans")
            line(f"ticket count at {tickets:,}, {name}", count_p50, f"ms p50, {count_p95:.2f} ms p95, {total:,} tickets",
                 f"≤ {COUNT_TARGET_MS:.0f} ms" if in_target else "none: scans")
        grouped_p50, _, grouped = client.timed("support/tickets/count", {"group_by": "queue_id"}, 10)
        line(f"ticket count at {tickets:,} per queue (group_by=queue_id)", grouped_p50,
             f"ms p50, {len(grouped['data']['groups'])} groups", f"≤ {COUNT_TARGET_MS:.0f} ms")
        cursor, depth = None, 0
        while depth < min(20_000, tickets - 100):
            cursor = client.get("support/tickets", {"limit": 100, **({"cursor": cursor} if cursor else {})})["next_cursor"]
            depth += 100
        deep_p50, deep_p95, _ = client.timed("support/tickets", {"limit": 100, "cursor": cursor}, samples)
        line(f"ticket page {depth:,} deep at {tickets:,}", deep_p50, f"ms p50, {deep_p95:.2f} ms p95",
             f"≤ {PAGE_P50_TARGET_MS:.0f} ms")
        worst_page, worst_count = max(pages), max(counts)
        line(f"ticket list page p50 at {tickets:,}, slowest filter ({worst_page[1]})", worst_page[0], "ms",
             f"≤ {PAGE_P50_TARGET_MS:.0f} ms")
        line(f"ticket list page p50 at {tickets:,}, median over filters",
             statistics.median(p for p, _ in pages), "ms", f"≤ {PAGE_P50_TARGET_MS:.0f} ms")
        line(f"ticket count p50 at {tickets:,}, slowest filter ({worst_count[1]})", worst_count[0], "ms",
             f"≤ {COUNT_TARGET_MS:.0f} ms")

        now = datetime.now(UTC)
        server = client.get("support/tickets/count", {"breaching_sla": "true"})["data"]["total"]
        recomputed = _recomputed_breaching(settings.database_path, credentials["workspace_id"], now)
        listed, cursor, walk_started = 0, None, time.perf_counter()
        while True:
            page = client.get("support/tickets", {"limit": 100, "breaching_sla": "true",
                                                   **({"cursor": cursor} if cursor else {})})
            listed += len(page["data"])
            cursor = page["next_cursor"]
            if cursor is None:
                break
        walk = time.perf_counter() - walk_started
        line(f"breaching SLA count at {tickets:,}", f"{server:,}", "tickets",
             f"= the listed view ({listed:,}, paged in {walk:.1f} s) and the definition over every ticket"
             f" ({recomputed:,}): {'yes' if server == listed == recomputed else 'NO'}")
    finally:
        process.stop()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000",
                        help="contacts per workspace to seed, comma-separated (default: the issue's 10k,100k,1M)")
    parser.add_argument("--tickets", type=int, default=200_000, help="tickets per workspace for the list figures")
    parser.add_argument("--ticket-contacts", type=int, default=20_000, help="contacts per workspace beside them")
    parser.add_argument("--samples", type=int, default=60, help="requests per page figure")
    parser.add_argument("--skip-seed", action="store_true")
    parser.add_argument("--skip-tickets", action="store_true")
    args = parser.parse_args(argv)
    line("load average at start", os.getloadavg()[0], "", "")
    with tempfile.TemporaryDirectory(prefix="opsdesk-bench-scaling-") as tmp:
        root = Path(tmp)
        if not args.skip_seed:
            bench_seeding([int(s) for s in args.sizes.split(",") if s], root)
        if not args.skip_tickets:
            bench_tickets(args.tickets, args.ticket_contacts, args.samples, root)
    line("load average at end", os.getloadavg()[0], "", "")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
