"""Paging 100,000 contacts (100 per page) from a real sandbox: the typed client against a bare
`httpx.AsyncClient` loop over the same pages, in the same run; bare, and as the console ships it.

    python tests/benchmarks/bench_client.py [--seed-size N] [--walks N]

The bare loop only decodes JSON; the client also validates every contact into a pydantic model
(timestamps parsed), runs its request loop and updates the rate-limit state. The two walk the
list in lockstep, page by page, alternating which goes first, so a noisy neighbour on a shared
machine slows both alike instead of deciding the ratio; each figure is the median of its walks.
Both run in one process, so what the client's package does for the whole process (it stops
httpcore's per-request search for the missing sniffio, `app.api.async_probe`, ~0.2-0.3 ms a
page) makes the bare loop's pages cheaper too: the ratio shows the client's own overhead only.

The console never runs the client bare: its `Session` always attaches `Session._on_record` as the
request listener (the session's request history, persisted to the profile's page cache, and the
status bar's "last request"). So the walks that count for issue 17 build a real `Session` over a
real page cache, with a status bar following it as the console's does, and page through that
client; the bare walks are kept for the client's own figure. After each console walk the records
still pending are persisted and that time is reported too (the history writes in idle moments,
not while a burst of requests is running), and every record is checked to have reached the cache.
CPU time of this process per page is printed as well (less sensitive to other processes than
wall time on a busy machine).

The console does not run CPython's automatic cyclic collector: once it is up it freezes what
start-up built and runs the due passes from its main loop (`app.ui.runtime_tuning`). The console
walks run both ways: under the automatic collector (the passes land in whichever side crosses a
threshold), and under the console's own regime, where each side runs the passes its own garbage
made due at the end of its step, inside its clock (so no pass is left out of the figures).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app.api import AdminClient, ApiKeyAuth
from app.core.sandbox_process import SandboxProcess

SEED_SIZE = 100_000
PAGE = 100
WALKS = 3


class Walk:
    """One lockstep walk's wall and CPU seconds for each side, and what the console side kept."""

    def __init__(self) -> None:
        self.bare = self.client = self.bare_cpu = self.client_cpu = 0.0
        self.pages = 0
        self.flush_seconds = self.qt_seconds = 0.0
        self.persisted = self.recorded = 0

    @property
    def ratio(self) -> float:
        return self.client / self.bare


@asynccontextmanager
async def console_session(url: str, key: str, data_dir: Path):
    """A real `Session` (the console's request listener attached) over a fresh page cache."""
    from PySide6.QtWidgets import QApplication

    from app.cache import AsyncPageCache
    from app.core.profiles import Profile
    from app.ui import session_status
    from app.ui.session import Session
    from app.ui.shell.status_bar import ShellStatusBar

    QApplication.instance() or QApplication([])
    cache = await AsyncPageCache.open(data_dir / f"cache-{time.monotonic_ns()}.sqlite")
    client = AdminClient(url, ApiKeyAuth(key))
    session = Session(Profile(name="bench", base_url=url), client, cache, None)
    status = ShellStatusBar()
    session_status.follow(status, session)
    try:
        yield session
    finally:
        await session.close()
        status.deleteLater()
        session.deleteLater()
        qt_turn()


async def lockstep(url: str, key: str, data_dir: Path | None,
                   collect: Callable[[], object] | None = None) -> Walk:
    """The bare loop and the client over the same pages; the console's client when `data_dir`;
    `collect` (the console's collector) runs at the end of each step, inside its clock."""
    walk = Walk()
    cursor: str | None = None
    page = None
    bare_count = client_count = 0
    async with httpx.AsyncClient(base_url=url + "/", headers={"Authorization": f"Bearer {key}"}) as http:
        if data_dir is None:
            opened = AdminClient(url, ApiKeyAuth(key))
        else:
            opened = console_session(url, key, data_dir)
        async with opened as handle:
            client = handle if data_dir is None else handle.client

            async def bare_step() -> None:
                nonlocal cursor, bare_count
                began, cpu = time.perf_counter(), time.process_time()
                params = {"limit": PAGE} if cursor is None else {"limit": PAGE, "cursor": cursor}
                response = await http.get("contacts", params=params)
                response.raise_for_status()
                body = response.json()
                bare_count += len(body["data"])
                cursor = body["next_cursor"]
                if collect is not None:
                    collect()
                walk.bare_cpu += time.process_time() - cpu
                walk.bare += time.perf_counter() - began

            async def client_step() -> None:
                nonlocal page, client_count
                began, cpu = time.perf_counter(), time.process_time()
                page = await (client.contacts.list(limit=PAGE) if page is None else page.next_page())
                for _ in page.items:
                    client_count += 1
                if collect is not None:
                    collect()
                walk.client_cpu += time.process_time() - cpu
                walk.client += time.perf_counter() - began

            while True:
                first, second = (bare_step, client_step) if walk.pages % 2 == 0 else (client_step, bare_step)
                await first()
                await second()
                walk.pages += 1
                if data_dir is not None:
                    walk.qt_seconds += qt_turn()
                if cursor is None or not page.has_next:
                    break
            if data_dir is not None:
                walk.recorded = len(handle.history.store)
                began = time.perf_counter()
                await handle.history.flush()
                walk.flush_seconds = time.perf_counter() - began
                walk.persisted = len(await handle.cache.recent_request_records(limit=walk.pages * 2))
    if bare_count != client_count:
        raise SystemExit(f"the walks disagree: bare saw {bare_count} contacts, the client {client_count}")
    if data_dir is not None and walk.persisted != walk.recorded:
        raise SystemExit(f"the history kept {walk.recorded} records but the cache holds {walk.persisted}")
    return walk


@contextmanager
def console_collector():
    """The console's collector regime (`tune_for_interaction`: start-up frozen, automatic passes
    off); yields its `collect_due`, and restores CPython's automatic collector afterwards."""
    from PySide6.QtWidgets import QApplication

    from app.ui.runtime_tuning import tune_for_interaction

    app = QApplication.instance() or QApplication([])
    collector = tune_for_interaction(app)
    try:
        yield collector.collect_due
    finally:
        collector.deleteLater()
        qt_turn()
        gc.unfreeze()
        gc.enable()


def qt_turn() -> float:
    """Give Qt its turn, as the console's event loop does between network events (outside the
    clocks: it repaints the status bar and deletes what was let go); returns its seconds.

    Without it the label updates' posted events pile up unprocessed, and every further post
    costs more, which a running console never sees.
    """
    from PySide6.QtCore import QCoreApplication, QEvent

    began = time.perf_counter()
    QCoreApplication.processEvents()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    return time.perf_counter() - began


def median(walks: list[Walk]) -> Walk:
    return sorted(walks, key=lambda walk: walk.ratio)[len(walks) // 2]


def report(name: str, walks: list[Walk], target: str) -> None:
    chosen = median(walks)
    pages = sum(w.pages for w in walks)
    ratios = ", ".join(f"{w.ratio:.3f}" for w in walks)
    print(f"{name}_ratio: {chosen.ratio:.3f} (target: {target}; median of {len(walks)} walks: {ratios};"
          f" bare {chosen.bare:.2f} s, client {chosen.client:.2f} s, {chosen.pages} pages of {PAGE};"
          f" load {os.getloadavg()[0]:.2f})")
    print(f"{name}_cpu_per_page: bare {sum(w.bare_cpu for w in walks) / pages * 1000:.2f} ms,"
          f" client {sum(w.client_cpu for w in walks) / pages * 1000:.2f} ms (target: none, informational)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed-size", type=int, default=SEED_SIZE)
    parser.add_argument("--walks", type=int, default=WALKS)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="opsdesk-bench-client-") as tmp:
        data_dir = Path(tmp)
        began = time.perf_counter()
        sandbox = SandboxProcess.start(data_dir / "sandbox", seed_size=args.seed_size,
                                       rate_limit=10_000_000, timeout=900)
        print(f"sandbox_seed_and_start_time: {time.perf_counter() - began:.1f} s (target: none, setup)", flush=True)
        bare: list[Walk] = []
        console: list[Walk] = []
        console_gc: list[Walk] = []
        try:
            key = sandbox.credentials()["live"]["owner_key"]
            for _ in range(args.walks):  # interleaved, so every figure sees the same machine
                bare.append(asyncio.run(lockstep(sandbox.url, key, None)))
                console.append(asyncio.run(lockstep(sandbox.url, key, data_dir)))
                with console_collector() as collect:
                    console_gc.append(asyncio.run(lockstep(sandbox.url, key, data_dir, collect)))
        finally:
            sandbox.stop()
    report("client_overhead", bare, "≤ 1.15, the client without a listener")
    report("client_with_console_listener", console, "≤ 1.10, issue 17: Session._on_record attached")
    report("client_with_console_listener_console_collector", console_gc,
           "≤ 1.10, issue 17 under the console's collector regime; each side runs its own due passes")
    chosen = median(console)
    print(f"client_console_history_flush_after_walk: {chosen.flush_seconds * 1000:.0f} ms for the records"
          f" still pending ({chosen.persisted} records persisted in all; target: none, informational)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
