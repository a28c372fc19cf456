"""The ticket list at a real support team's size (issue 16): 200,000 tickets, paged, filtered and
counted by the server, the page cache as the first paint.

    python tests/benchmarks/bench_tickets_scale.py [--tickets 200000] [--contacts 20000] [--runs 5]

A real sandbox process seeded with `opsdesk sandbox --tickets N` (N per workspace), and the real
`TicketList` widget (offscreen, qasync loop, the page cache in its worker thread) over the ticket
store, as the console builds them:
- first paint from the server: a fresh cache, the list's first page and its count
  (`TicketList.reload`) until the rows are in the model, median of `--runs`;
- first paint from the cache: a new session offline on the cache the first one filled (the newest
  5,000 tickets, read by `load_cached`) until the rows are in the model, median of `--runs`;
- the "Breaching SLA" view: the count the list shows against the server's own count and against
  walking every page of the view (`tickets_breaching_sla_matches_server: yes|no`).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import qasync
from PySide6.QtWidgets import QApplication

from app.api import AdminClient, ApiKeyAuth
from app.cache import AsyncPageCache
from app.core.sandbox_process import SandboxProcess
from app.data.stores import Stores
from app.data.ticket_query import TicketQuery
from app.ui.panels.tickets.ticket_list import TicketList

SERVER_PAINT_TARGET_MS = 100.0
CACHE_PAINT_TARGET_MS = 100.0
CACHED_PAGES = 50  # 5,000 tickets: what `load_cached` reads for the first paint


def line(name: str, value: float | str, unit: str = "", target: str = "") -> None:
    text = f"{value:.1f}" if isinstance(value, float) else str(value)
    print(f"{name}: {text}{' ' + unit if unit else ''}{f' (target: {target})' if target else ''}", flush=True)


async def server_paint(url: str, key: str, cache_path: Path) -> tuple[float, Stores, TicketList, AdminClient]:
    client = AdminClient(url, ApiKeyAuth(key))
    cache = await AsyncPageCache.open(cache_path)
    stores = Stores(client, cache)
    tickets = TicketList(stores.tickets)
    tickets.resize(900, 600)
    tickets.show()
    started = time.perf_counter()
    await tickets.reload()
    QApplication.processEvents()
    elapsed = (time.perf_counter() - started) * 1000
    assert tickets.model.rowCount() == 100 and tickets.paging.from_server
    return elapsed, stores, tickets, client


async def cache_paint(cache_path: Path) -> float:
    cache = await AsyncPageCache.open(cache_path)
    stores = Stores(None, cache)  # offline: no client at all
    tickets = TicketList(stores.tickets)
    tickets.resize(900, 600)
    tickets.show()
    started = time.perf_counter()
    await stores.tickets.load_cached()
    QApplication.processEvents()
    elapsed = (time.perf_counter() - started) * 1000
    assert tickets.model.rowCount() >= 100 and "offline" in tickets.summary.text(), tickets.summary.text()
    tickets.deleteLater()
    stores.close()
    await cache.close()
    return elapsed


async def bench(url: str, key: str, root: Path, runs: int, size: str) -> None:
    server_ms, cache_ms = [], []
    for run in range(runs):
        path = root / f"cache-{run}.sqlite"
        elapsed, stores, tickets, client = await server_paint(url, key, path)
        server_ms.append(elapsed)
        if run == 0:
            await breaching_check(stores, tickets, client)
        cursor = None
        for _ in range(CACHED_PAGES):  # scrolling fills the cache the offline session reads
            _rows, cursor = await stores.tickets.list_page(TicketQuery(), cursor)
            if cursor is None:
                break
        tickets.deleteLater()
        stores.close()
        await stores.cache.close()
        await client.aclose()
        cache_ms.append(await cache_paint(path))
    line(f"tickets_first_paint_from_server_{size}", statistics.median(server_ms), "ms",
         f"<= {SERVER_PAINT_TARGET_MS:.0f} ms; runs {', '.join(f'{v:.0f}' for v in server_ms)}")
    line("tickets_first_paint_from_cache", statistics.median(cache_ms), "ms",
         f"<= {CACHE_PAINT_TARGET_MS:.0f} ms; {CACHED_PAGES * 100:,} cached tickets; runs "
         f"{', '.join(f'{v:.0f}' for v in cache_ms)}")


async def breaching_check(stores: Stores, tickets: TicketList, client: AdminClient) -> None:
    started = time.perf_counter()
    tickets.choose_view("breaching_sla")
    await tickets.paging.settled()
    line("tickets_breaching_sla_view_answered", (time.perf_counter() - started) * 1000, "ms", "none")
    shown = tickets.paging.count.total
    server = (await client.tickets.count(breaching_sla=True)).total
    walked = sum([1 async for _ in client.tickets.iterate(breaching_sla=True, limit=100)])
    line("tickets_breaching_sla_count", f"{shown:,} shown, {server:,} server count, {walked:,} listed", "",
         "all three equal")
    line("tickets_breaching_sla_matches_server", "yes" if shown == server == walked else "no", "", "yes")
    tickets.choose_view("all")
    await tickets.paging.settled()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=200_000)
    parser.add_argument("--contacts", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    print(f"bench_load_average_1min: {os.getloadavg()[0]:.2f} (target: none, context for the figures)")
    with tempfile.TemporaryDirectory(prefix="opsdesk-tickets-") as tmp:
        root = Path(tmp)
        started = time.perf_counter()
        process = SandboxProcess.start(root / "sandbox", seed_size=args.contacts, tickets=args.tickets,
                                       rate_limit=10_000_000, timeout=3600)
        line(f"tickets_seed_{args.tickets // 1000}k_per_workspace", time.perf_counter() - started, "s",
             "none (two workspaces, with the sandbox's start)")
        try:
            key = process.credentials()["live"]["owner_key"]
            app = QApplication.instance() or QApplication([])
            app.setQuitOnLastWindowClosed(False)  # each run closes its list window
            loop = qasync.QEventLoop(app)
            asyncio.set_event_loop(loop)
            with loop:
                loop.run_until_complete(bench(process.url, key, root, args.runs, f"{args.tickets // 1000}k"))
        finally:
            process.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
