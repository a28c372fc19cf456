"""Paging 100,000 contacts (100 per page) from a real sandbox: the typed client against a bare
`httpx.AsyncClient` loop over the same pages, in the same run.

    python tests/benchmarks/bench_client.py

The bare loop only decodes JSON; the client also validates every contact into a pydantic model,
runs its request loop and updates the rate-limit state. Each variant runs twice, alternating,
and the faster run counts, so a warm-up or a noisy neighbour does not decide the ratio.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.api import AdminClient, ApiKeyAuth
from app.core.sandbox_process import SandboxProcess

SEED_SIZE = 100_000
PAGE = 100
ROUNDS = 2


async def bare_httpx(url: str, key: str) -> tuple[float, int]:
    async with httpx.AsyncClient(base_url=url + "/", headers={"Authorization": f"Bearer {key}"}) as http:
        began = time.perf_counter()
        count, cursor = 0, None
        while True:
            params = {"limit": PAGE} if cursor is None else {"limit": PAGE, "cursor": cursor}
            response = await http.get("contacts", params=params)
            response.raise_for_status()
            body = response.json()
            count += len(body["data"])
            cursor = body["next_cursor"]
            if not cursor:
                return time.perf_counter() - began, count


async def typed_client(url: str, key: str, *, recorder: bool = False) -> tuple[float, int]:
    async with AdminClient(url, ApiKeyAuth(key)) as client:
        records: list = []
        if recorder:
            client.add_request_listener(records.append)
        began = time.perf_counter()
        count = 0
        async for _ in client.contacts.iterate(limit=PAGE):
            count += 1
        return time.perf_counter() - began, count


async def measure(url: str, key: str) -> dict[str, float]:
    best: dict[str, float] = {}
    for _ in range(ROUNDS):
        for name, run in (("bare", lambda: bare_httpx(url, key)), ("client", lambda: typed_client(url, key)),
                          ("recorded", lambda: typed_client(url, key, recorder=True))):
            seconds, count = await run()
            if count < SEED_SIZE:
                raise SystemExit(f"{name} paged {count} contacts, expected at least {SEED_SIZE}")
            best[name] = min(best.get(name, float("inf")), seconds)
    return best


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="opsdesk-bench-client-") as data_dir:
        began = time.perf_counter()
        sandbox = SandboxProcess.start(data_dir, seed_size=SEED_SIZE, rate_limit=10_000_000, timeout=900)
        print(f"sandbox_seed_and_start_time: {time.perf_counter() - began:.1f} s (target: none, setup)", flush=True)
        try:
            key = sandbox.credentials()["live"]["owner_key"]
            best = asyncio.run(measure(sandbox.url, key))
        finally:
            sandbox.stop()
    pages = SEED_SIZE // PAGE
    print(f"bare_httpx_page_100k_time: {best['bare']:.2f} s ({pages} pages; target: none, baseline)")
    print(f"client_page_100k_time: {best['client']:.2f} s ({pages} pages; target: none)")
    print(f"client_overhead_ratio: {best['client'] / best['bare']:.3f} (target: ≤ 1.15)")
    print(f"client_with_recorder_overhead_ratio: {best['recorded'] / best['bare']:.3f} "
          f"(target: none, informational: a RequestRecord listener attached)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
