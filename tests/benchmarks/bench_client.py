"""Paging 100,000 contacts (100 per page) from a real sandbox: the typed client against a bare
`httpx.AsyncClient` loop over the same pages, in the same run; bare, and as the console ships it.

    python tests/benchmarks/bench_client.py [--seed-size N] [--walks N]

The bare loop only decodes JSON; the client also validates every contact into a pydantic model
(timestamps parsed), runs its request loop and updates the rate-limit state.

Each side walks in a process of its own, and the two take turns in blocks of `BLOCK` pages
(alternating which goes first), so a noisy neighbour on a shared machine slows both alike
instead of deciding the ratio; each figure is the median of its walks. Two processes because of
the cyclic collector: in one process, a pass runs in whichever side's step crosses a threshold
(or, under the console's regime below, whichever side asks for the due passes first), so one
side paid for passes the other side's garbage made due: under the automatic collector the
client's step (its transient peak is larger) took ~250 passes a walk, the bare step's 0-1;
under the console's regime the bare step took ~120 passes made due by the client's page. With a
heap and a collector each, every side pays for the passes its own garbage makes due, no more, no
less. Both processes are built alike (the same imports, the same client or console session, the
same Qt application), one walking with the bare loop and one with the client, so neither heap is
the larger for the other's sake; what the client's package does for the whole process (it stops
httpcore's per-request search for the missing sniffio, `app.api.async_probe`) makes the bare
loop's pages cheaper too: the ratio shows the client's own overhead only. Wall time and this
side's CPU time per page are both printed (CPU time is less sensitive to other processes on a
busy machine; it leaves out the sandbox's time, which both sides wait for alike, so its ratio is
the higher).

The console never runs the client bare: its `Session` always attaches `Session._on_record` as the
request listener (the session's request history, persisted to the profile's page cache, and the
status bar's "last request"). So the walks that count for issue 17 build a real `Session` over a
real page cache, with a status bar following it as the console's does, and page through that
client; the bare walks are kept for the client's own figure. Qt gets its turn after every page
of either side, outside the clocks, as the console's event loop gives it between network events.
After each console walk the records still pending are persisted and that time is reported too
(the history writes in idle moments, not while a burst of requests is running), and every record
is checked to have reached the cache. Both sides must have seen the same contacts: the same
count and the same last contact on every page.

The console does not run CPython's automatic cyclic collector: once it is up it freezes what
start-up built and runs the due passes from its main loop (`app.ui.runtime_tuning`). The console
walks run both ways: under the automatic collector, and under the console's own regime, where
each side runs its due passes (`MainThreadCollector.collect_due`) after each of its pages,
inside its clock (so no pass is left out of the figures).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import hashlib
import os
import subprocess
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
#: Pages a side walks before the other takes its turn (~0.1 s).
BLOCK = 50
#: The regimes a walk runs in: no listener; the console's session under the automatic collector;
#: the same under the console's own collector regime.
REGIMES = ("bare", "console", "console_collector")
#: Where a side's process reads the sandbox's key (kept off the command line).
KEY_VARIABLE = "OPSDESK_BENCH_KEY"
#: What starts a line of the side processes' protocol on their stdout (anything else is passed on).
MARK = "@ "


# ---- one side, in its own process -----------------------------------------------------------

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
    cache = await AsyncPageCache.open(data_dir / f"cache-{os.getpid()}-{time.monotonic_ns()}.sqlite")
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


def say(*words: object) -> None:
    print(MARK + " ".join(str(word) for word in words), flush=True)


async def walk_side(side: str, regime: str, url: str, key: str, data_dir: Path,
                    collect: Callable[[], object] | None) -> None:
    """One walk of `side` ("bare" or "client") in `regime`, a block of pages per `pages N` read
    from stdin; says what it walked after each block and, at `end`, what it saw and kept."""
    loop = asyncio.get_running_loop()
    async with httpx.AsyncClient(base_url=url + "/", headers={"Authorization": f"Bearer {key}"}) as http:
        opened = AdminClient(url, ApiKeyAuth(key)) if regime == "bare" else console_session(url, key, data_dir)
        async with opened as handle:
            client = handle if regime == "bare" else handle.client
            between = None if regime == "bare" else qt_turn
            cursor: str | None = None
            page = None

            async def bare_page() -> tuple[int, str | None, bool]:
                nonlocal cursor
                params = {"limit": PAGE} if cursor is None else {"limit": PAGE, "cursor": cursor}
                response = await http.get("contacts", params=params)
                response.raise_for_status()
                body = response.json()
                data = body["data"]
                cursor = body["next_cursor"]
                return len(data), data[-1]["id"] if data else None, cursor is not None

            async def client_page() -> tuple[int, str | None, bool]:
                nonlocal page
                page = await (client.contacts.list(limit=PAGE) if page is None else page.next_page())
                count = 0
                for _ in page.items:
                    count += 1
                return count, page.items[-1].id if page.items else None, page.has_next

            fetch = bare_page if side == "bare" else client_page
            wall = cpu = 0.0
            pages = contacts = 0
            seen = hashlib.sha256()
            more = True
            gc.collect()  # every walk starts from empty generations
            say("ready")
            while (command := (await loop.run_in_executor(None, sys.stdin.readline)).split()) != ["end"]:
                for _ in range(int(command[1]) if more else 0):
                    began, began_cpu = time.perf_counter(), time.process_time()
                    count, last_id, more = await fetch()
                    if collect is not None:
                        collect()
                    cpu += time.process_time() - began_cpu
                    wall += time.perf_counter() - began
                    pages += 1
                    contacts += count
                    seen.update(f"{last_id}\n".encode())
                    if between is not None:
                        between()
                    if not more:
                        break
                say("walked", int(more))
            recorded = persisted = 0
            flush_seconds = 0.0
            if regime != "bare":
                recorded = len(handle.history.store)
                began = time.perf_counter()
                await handle.history.flush()
                flush_seconds = time.perf_counter() - began
                persisted = len(await handle.cache.recent_request_records(limit=max(pages * 2, 1)))
    say("ended", pages, contacts, seen.hexdigest(), wall, cpu, recorded, persisted, flush_seconds)


def serve(side: str, url: str, data_dir: Path) -> int:
    """A side's process: one walk per `walk REGIME` line read from stdin, until `quit`."""
    key = os.environ[KEY_VARIABLE]
    from PySide6.QtWidgets import QApplication

    import app.ui.session  # noqa: F401  (both sides carry the same modules, whatever they walk)

    QApplication.instance() or QApplication([])
    say("up")
    while (command := sys.stdin.readline().split()) and command[0] == "walk":
        regime = command[1]
        if regime == "console_collector":
            with console_collector() as collect:
                asyncio.run(walk_side(side, regime, url, key, data_dir, collect))
        else:
            asyncio.run(walk_side(side, regime, url, key, data_dir, None))
    return 0


# ---- the run: both sides in turn ------------------------------------------------------------

class SideProcess:
    """A side's process, spoken to line by line."""

    def __init__(self, side: str, url: str, key: str, data_dir: Path) -> None:
        self.side = side
        self._process = subprocess.Popen(
            [sys.executable, __file__, "--serve", side, "--url", url, "--data-dir", str(data_dir)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env={**os.environ, KEY_VARIABLE: key})

    def send(self, *words: object) -> None:
        assert self._process.stdin is not None
        self._process.stdin.write(" ".join(str(word) for word in words) + "\n")
        self._process.stdin.flush()

    def answer(self) -> list[str]:
        assert self._process.stdout is not None
        for line in self._process.stdout:
            if line.startswith(MARK):
                return line[len(MARK):].split()
            sys.stderr.write(line)
        raise SystemExit(f"the {self.side} side's process ended (exit status {self._process.wait()})")

    def close(self) -> None:
        if self._process.poll() is None:
            self.send("quit")
            try:
                self._process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._process.kill()


class Walk:
    """One walk of both sides: wall and CPU seconds for each, and what the console side kept."""

    def __init__(self, ended: dict[str, list[str]]) -> None:
        bare, client = ended["bare"], ended["client"]
        self.pages = int(client[0])
        self.bare, self.bare_cpu = float(bare[3]), float(bare[4])
        self.client, self.client_cpu = float(client[3]), float(client[4])
        self.recorded, self.persisted = int(client[5]), int(client[6])
        self.flush_seconds = float(client[7])

    @property
    def ratio(self) -> float:
        return self.client / self.bare

    @property
    def cpu_ratio(self) -> float:
        return self.client_cpu / self.bare_cpu


def walk(sides: dict[str, SideProcess], regime: str, bare_first: bool) -> Walk:
    """Both sides through the whole list in `regime`, a block of pages each in turn."""
    for process in sides.values():
        process.send("walk", regime)
    for process in sides.values():
        process.answer()  # ready
    order = ["bare", "client"] if bare_first else ["client", "bare"]
    more = {"bare": True, "client": True}
    while any(more.values()):
        for side in order:
            sides[side].send("pages", BLOCK)
            more[side] = sides[side].answer() == ["walked", "1"]
        order.reverse()
    ended = {}
    for side, process in sides.items():
        process.send("end")
        ended[side] = process.answer()[1:]
    bare, client = ended["bare"], ended["client"]
    if bare[1:3] != client[1:3]:
        raise SystemExit(f"the walks disagree: bare saw {bare[1]} contacts, the client {client[1]}"
                         " (or not the same last contact on every page)")
    result = Walk(ended)
    if regime != "bare" and result.persisted != result.recorded:
        raise SystemExit(f"the history kept {result.recorded} records but the cache holds {result.persisted}")
    return result


def median(walks: list[Walk]) -> Walk:
    return sorted(walks, key=lambda walk: walk.ratio)[len(walks) // 2]


def report(name: str, walks: list[Walk], target: str) -> None:
    chosen = median(walks)
    pages = sum(w.pages for w in walks)
    ratios = ", ".join(f"{w.ratio:.3f}" for w in walks)
    cpu_ratios = [w.cpu_ratio for w in walks]
    print(f"{name}_ratio: {chosen.ratio:.3f} (target: {target}; median of {len(walks)} walks: {ratios};"
          f" bare {chosen.bare:.2f} s, client {chosen.client:.2f} s, {chosen.pages} pages of {PAGE} each;"
          f" load {os.getloadavg()[0]:.2f})")
    print(f"{name}_cpu_ratio: {sorted(cpu_ratios)[len(walks) // 2]:.3f} (target: none, informational;"
          f" each side's own CPU time; walks: {', '.join(f'{ratio:.3f}' for ratio in cpu_ratios)})")
    print(f"{name}_cpu_per_page: bare {sum(w.bare_cpu for w in walks) / pages * 1000:.3f} ms,"
          f" client {sum(w.client_cpu for w in walks) / pages * 1000:.3f} ms (target: none, informational)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed-size", type=int, default=SEED_SIZE)
    parser.add_argument("--walks", type=int, default=WALKS)
    parser.add_argument("--serve", choices=("bare", "client"), help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        return serve(args.serve, args.url, args.data_dir)
    walks: dict[str, list[Walk]] = {regime: [] for regime in REGIMES}
    with tempfile.TemporaryDirectory(prefix="opsdesk-bench-client-") as tmp:
        data_dir = Path(tmp)
        began = time.perf_counter()
        sandbox = SandboxProcess.start(data_dir / "sandbox", seed_size=args.seed_size,
                                       rate_limit=10_000_000, timeout=900)
        print(f"sandbox_seed_and_start_time: {time.perf_counter() - began:.1f} s (target: none, setup)", flush=True)
        key = sandbox.credentials()["live"]["owner_key"]
        sides = {side: SideProcess(side, sandbox.url, key, data_dir) for side in ("bare", "client")}
        try:
            for process in sides.values():
                process.answer()  # up
            for number in range(args.walks):  # interleaved, so every figure sees the same machine
                for regime in REGIMES:
                    walks[regime].append(walk(sides, regime, bare_first=number % 2 == 0))
        finally:
            for process in sides.values():
                process.close()
            sandbox.stop()
    report("client_overhead", walks["bare"], "≤ 1.15, the client without a listener")
    report("client_with_console_listener", walks["console"], "≤ 1.10, issue 17: Session._on_record attached")
    report("client_with_console_listener_console_collector", walks["console_collector"],
           "≤ 1.10, issue 17 under the console's collector regime")
    chosen = median(walks["console"])
    print(f"client_console_history_flush_after_walk: {chosen.flush_seconds * 1000:.0f} ms for the records"
          f" still pending ({chosen.persisted} records persisted in all; target: none, informational)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
