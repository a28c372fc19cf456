"""The Failures tab after an outage of N failed deliveries (default 10,000 over six hours, three
causes on two endpoints): seconds until every one is grouped, the requests it took, the UI
thread's CPU, and the event loop's longest stall while the tab shows its progress.

Run: `python tests/benchmarks/bench_webhook_failures_ui.py [--deliveries N] [--shot file.png]`
(offscreen). The outage is staged as the failure-grouping tests stage it
(`tests/data/webhook_failure_outage.py`), on a sandbox without a rate limit unless
`--default-rate-limit`: at the contract's default of 600 requests a minute the reads alone take
about N / 600 minutes past the burst (a read per delivery), the client waiting out each 429.
The stall is measured as `bench_webhook_recover_ui.py` measures it (a 1 ms precise Qt timer),
with the interpreter tuned as the console tunes it (`runtime_tuning`: start-up frozen, cyclic
collection on the UI thread's loop); the longest garbage collections are printed beside it.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import sys
import time
from pathlib import Path
from tempfile import TemporaryDirectory

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tests.data.webhook_failure_outage import stage_outage

TICK_MS = 1


async def watch_failures(url: str, key: str, cache_dir: Path, shot: str | None) -> dict:
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtWidgets import QApplication

    from app.api import AdminClient, ApiKeyAuth
    from app.cache import AsyncPageCache
    from app.ui.panel_context import PanelContext
    from app.ui.panels.webhooks.panel import WebhooksPanel
    from app.ui.runtime_tuning import tune_for_interaction
    from tests.waiting import wait_until

    client = AdminClient(url, ApiKeyAuth(key))
    requests: list = []
    client.add_request_listener(requests.append)
    cache = await AsyncPageCache.open(cache_dir / "cache.sqlite3")
    me = await client.me.get()
    context = PanelContext(client=client, cache=cache, profile=None, scopes=frozenset(me.scopes))
    panel = WebhooksPanel(context)
    panel.resize(1200, 760)
    panel.show()
    try:
        await panel.activate()
        await wait_until(lambda: not context.tasks, 30)
        tune_for_interaction(QApplication.instance())  # as the console does once its first panel shows
        view = panel.failures
        gaps: list[tuple[float, float, str]] = []  # (wall, UI thread CPU, what was showing) between ticks
        last = [time.perf_counter(), time.thread_time()]

        def tick() -> None:
            now, cpu = time.perf_counter(), time.thread_time()
            report = view._store.failures.last
            gaps.append((now - last[0], cpu - last[1], report.state if report else "opening"))
            last[0], last[1] = now, cpu

        pauses: list[tuple[int, float]] = []  # (generation, ms) of each garbage collection
        gc_started = [0.0]

        def collecting(phase: str, info: dict) -> None:
            if phase == "start":
                gc_started[0] = time.perf_counter()
            else:
                pauses.append((info["generation"], (time.perf_counter() - gc_started[0]) * 1000))

        gc.callbacks.append(collecting)
        timer = QTimer()
        timer.setTimerType(Qt.TimerType.PreciseTimer)
        timer.setInterval(TICK_MS)
        timer.timeout.connect(tick)
        before, cpu_before = len(requests), time.thread_time()
        started = time.perf_counter()
        last[0], last[1] = started, cpu_before
        timer.start()
        panel.tabs.setCurrentWidget(view)  # opening the tab reads the failures
        await wait_until(lambda: view.progress.isVisible() and view.progress.value() > 0, 600)
        if shot:
            view.grab().save(shot.replace(".png", "-progress.png"))
        await wait_until(lambda: view._store.failures.last is not None and view._store.failures.last.finished
                         and not context.tasks, 3600, "the failures were never all read")
        elapsed = time.perf_counter() - started
        timer.stop()
        gc.callbacks.remove(collecting)
        print("longest garbage collections (generation: ms):",
              ", ".join(f"{g}: {ms:.0f}" for g, ms in sorted(pauses, key=lambda p: -p[1])[:5]))
        if shot:
            view.grab().save(shot)
        wall, cpu, _state = max(gaps, default=(0.0, 0.0, ""))
        print("longest gaps (ms, UI CPU ms, state):",
              ", ".join(f"{w * 1000:.0f}/{c * 1000:.0f} {s}" for w, c, s in sorted(gaps, reverse=True)[:6]))
        return {"seconds": elapsed, "requests": len(requests) - before, "ui_cpu": time.thread_time() - cpu_before,
                "stall_ms": wall * 1000 - TICK_MS, "stall_cpu_ms": cpu * 1000,
                "summary": view.summary.text(), "report": view._store.failures.last}
    finally:
        await context.tasks.cancel_all()
        panel.close()
        await cache.close()
        await client.aclose()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--deliveries", type=int, default=10_000)
    parser.add_argument("--shot", default=None)
    parser.add_argument("--default-rate-limit", action="store_true",
                        help="serve with the platform's default rate limit (600 a minute) instead of none")
    args = parser.parse_args(argv)
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    import qasync
    from PySide6.QtWidgets import QApplication

    with TemporaryDirectory() as tmp:
        outage = stage_outage(Path(tmp) / "sandbox", args.deliveries * 2 // 3, args.deliveries - args.deliveries * 2 // 3,
                              rate_limit=None if args.default_rate_limit else 1_000_000)
        try:
            app = QApplication.instance() or QApplication([])
            app.setQuitOnLastWindowClosed(False)
            loop = qasync.QEventLoop(app)
            asyncio.set_event_loop(loop)
            with loop:
                found = loop.run_until_complete(watch_failures(
                    outage.process.url, outage.process.credentials()["test"]["owner_key"], Path(tmp), args.shot))
        finally:
            outage.process.stop()
    report = found["report"]
    print(f"summary: {found['summary']}")
    print(f"grouped {report.failed} of {report.total} in {len(report.groups)} groups with {found['requests']} requests;"
          f" UI thread CPU {found['ui_cpu']:.2f} s; load average at end: {os.getloadavg()[0]:.2f}")
    print(f"webhook_failures_grouped_per_s: {report.failed / found['seconds']:.0f} /s"
          f" ({report.failed} in {found['seconds']:.1f} s) (target: report)")
    print(f"webhook_failures_progress_stall: {found['stall_ms']:.1f} ms, of which the UI thread ran"
          f" {found['stall_cpu_ms']:.1f} ms (target: ≤ 16 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
