"""The console while a recover of 10,000 failed deliveries runs (the UI half of issue 18's benchmark):
the event loop's longest stall while the recover dialog shows the job's progress, and the
deliveries per second the job reached.

Run: `python tests/benchmarks/bench_webhook_recover_ui.py [--deliveries N]` (offscreen). The failed
deliveries are staged as `bench_webhook_recover.py` stages them (copies of one real failure
written into the stopped sandbox's database); the receiver that answers 200 during the recover is
a child process of its own, so its work never shares this process's interpreter with the console.
The stall is measured by a 1 ms precise Qt timer: the longest gap between its ticks, less 1 ms,
from the click on Recover until the dialog says Done.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app.core.sandbox_process import SandboxProcess
from tests.benchmarks.bench_webhook_recover import _copy_failed
from tests.sandbox.conftest import bearer
from tests.sandbox.webhook_ops_fixtures import (
    create_contacts,
    make_endpoint,
    settle_failed,
)
from tests.sandbox.webhook_ops_receiver import OpsReceiver

TICK_MS = 1
_RECEIVER = r"""
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    def do_POST(self):
        self.rfile.read(int(self.headers.get("content-length", "0")))
        self.send_response(200)
        self.send_header("content-length", "2")
        self.end_headers()
        self.wfile.write(b"ok")
    def log_message(self, *args):
        pass

server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
"""


def stage(data_dir: Path, deliveries: int) -> tuple[str, str]:
    """A sandbox data dir holding `deliveries` failed deliveries of one endpoint; (endpoint id, key)."""
    process = SandboxProcess.start(data_dir, seed_size=20, time_scale=10_000, rate_limit=1_000_000)
    key = process.credentials()["test"]["owner_key"]
    try:
        with OpsReceiver() as failing, httpx.Client(base_url=process.url + "/", headers=bearer(key),
                                                    timeout=60) as client:
            failing.answer = lambda _event: 500
            endpoint = make_endpoint(client, failing.url)
            create_contacts(client, "bench-ui", 1)
            settle_failed(client, endpoint["id"])
    finally:
        process.stop()
    _copy_failed(data_dir / "sandbox.sqlite3", endpoint["id"], deliveries - 1)
    return endpoint["id"], key


async def watch_recover(url: str, key: str, webhook_id: str, cache_dir: Path) -> tuple[float, float, object]:
    """Open the panel's recover dialog, count, run; (longest stall ms, seconds to done, final job)."""
    from PySide6.QtCore import Qt, QTimer

    from app.api import AdminClient, ApiKeyAuth
    from app.cache import AsyncPageCache
    from app.ui.panel_context import PanelContext
    from app.ui.panels.webhooks.panel import WebhooksPanel
    from app.ui.panels.webhooks.recover_dialog import RecoverDialog
    from tests.waiting import wait_until

    client = AdminClient(url, ApiKeyAuth(key))
    cache = await AsyncPageCache.open(cache_dir / "cache.sqlite3")
    me = await client.me.get()
    context = PanelContext(client=client, cache=cache, profile=None, scopes=frozenset(me.scopes))
    panel = WebhooksPanel(context)
    panel.resize(1200, 760)
    panel.show()
    try:
        await panel.activate()
        recover = RecoverDialog(panel, webhook_id=webhook_id, since=datetime.now(UTC) - timedelta(days=1))
        recover.show()
        matched = await recover.count()
        print(f"dry run: {matched} deliveries would be sent again")
        gaps: list[tuple[float, float]] = []  # (wall, this thread's CPU) between ticks
        last = [time.perf_counter(), time.thread_time()]

        def tick() -> None:
            now, cpu = time.perf_counter(), time.thread_time()
            gaps.append((now - last[0], cpu - last[1]))
            last[0], last[1] = now, cpu

        timer = QTimer()
        timer.setTimerType(Qt.TimerType.PreciseTimer)
        timer.setInterval(TICK_MS)
        timer.timeout.connect(tick)
        started = time.perf_counter()
        last[0], last[1] = started, time.thread_time()
        timer.start()
        recover._on_run()  # the Recover button's slot
        await wait_until(lambda: recover.job is not None and recover.job.finished, 600, "the recover never finished")
        elapsed = time.perf_counter() - started
        timer.stop()
        wall, cpu = max(gaps, default=(0.0, 0.0))
        stall = wall * 1000 - TICK_MS
        busiest = max((c for _, c in gaps), default=0.0) * 1000
        print(f"longest gap {wall * 1000:.1f} ms, of which the UI thread ran {cpu * 1000:.1f} ms;"
              f" the UI thread's longest run between ticks {busiest:.1f} ms")
        print(f"progress shown: {recover.state.text()} (bar {recover.progress.value()}/{recover.progress.maximum()})")
        return stall, elapsed, recover.job
    finally:
        await context.tasks.cancel_all()
        panel.close()
        await cache.close()
        await client.aclose()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--deliveries", type=int, default=10_000)
    args = parser.parse_args(argv)
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    import qasync
    from PySide6.QtWidgets import QApplication

    with TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "sandbox"
        webhook_id, key = stage(data_dir, args.deliveries)
        receiver = subprocess.Popen([sys.executable, "-c", _RECEIVER], stdout=subprocess.PIPE, text=True)
        process = SandboxProcess.start(data_dir, time_scale=10_000, rate_limit=1_000_000)
        try:
            port = int(receiver.stdout.readline())
            with httpx.Client(base_url=process.url + "/", headers=bearer(key), timeout=60) as client:
                client.patch(f"webhooks/{webhook_id}", json={"url": f"http://127.0.0.1:{port}/hooks"})
            app = QApplication.instance() or QApplication([])
            app.setQuitOnLastWindowClosed(False)  # closing the panel must not stop the loop mid-cleanup
            loop = qasync.QEventLoop(app)
            asyncio.set_event_loop(loop)
            with loop:
                stall, elapsed, job = loop.run_until_complete(watch_recover(process.url, key, webhook_id, Path(tmp)))
        finally:
            process.stop()
            receiver.terminate()
            receiver.wait(10)
    print(f"job: {job.status}, matched {job.matched}, succeeded {job.succeeded}, failed {job.failed}")
    print(f"webhooks_recover_ui_deliveries_per_s: {job.succeeded / elapsed:.0f} /s ({job.succeeded} in "
          f"{elapsed:.1f} s) (target: report)")
    print(f"webhooks_recover_progress_stall: {stall:.1f} ms (target: ≤ 16 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
