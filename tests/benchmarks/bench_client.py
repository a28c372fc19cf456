"""Paging 100,000 contacts (100 per page) from a real sandbox: the typed client against a bare
`httpx.AsyncClient` loop over the same pages, in the same run.

    python tests/benchmarks/bench_client.py [--seed-size N]

The bare loop only decodes JSON; the client also validates every contact into a pydantic model
(timestamps parsed), runs its request loop and updates the rate-limit state. The two walk the
list in lockstep, page by page, alternating which goes first, so a noisy neighbour on a shared
machine slows both alike instead of deciding the ratio; the whole walk runs three times and the
median ratio counts. One more walk with a `RequestRecord` listener attached (as the console
always has one) is reported for information, and so is the CPU time this process spent per
page in each loop (less sensitive to other processes than wall time on a busy machine).
"""

from __future__ import annotations

import argparse
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
WALKS = 3


CPU = {"bare": 0.0, "client": 0.0}


async def lockstep(url: str, key: str, *, recorder: bool) -> tuple[float, float, int]:
    """Seconds spent by the bare loop and by the client over the same pages, and the page count."""
    bare_seconds = client_seconds = 0.0
    bare_count = client_count = pages = 0
    cursor: str | None = None
    page = None
    records: list = []
    async with httpx.AsyncClient(base_url=url + "/", headers={"Authorization": f"Bearer {key}"}) as http, \
            AdminClient(url, ApiKeyAuth(key)) as client:
        if recorder:
            client.add_request_listener(records.append)

        async def bare_step() -> float:
            nonlocal cursor, bare_count
            began, cpu = time.perf_counter(), time.process_time()
            params = {"limit": PAGE} if cursor is None else {"limit": PAGE, "cursor": cursor}
            response = await http.get("contacts", params=params)
            response.raise_for_status()
            body = response.json()
            bare_count += len(body["data"])
            cursor = body["next_cursor"]
            CPU["bare"] += time.process_time() - cpu
            return time.perf_counter() - began

        async def client_step() -> float:
            nonlocal page, client_count
            began, cpu = time.perf_counter(), time.process_time()
            page = await (client.contacts.list(limit=PAGE) if page is None else page.next_page())
            for _ in page.items:
                client_count += 1
            CPU["client"] += time.process_time() - cpu
            return time.perf_counter() - began

        while True:
            if pages % 2 == 0:
                bare_seconds += await bare_step()
                client_seconds += await client_step()
            else:
                client_seconds += await client_step()
                bare_seconds += await bare_step()
            pages += 1
            if cursor is None or not page.has_next:
                break
    if bare_count != client_count:
        raise SystemExit(f"the walks disagree: bare saw {bare_count} contacts, the client {client_count}")
    return bare_seconds, client_seconds, pages


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed-size", type=int, default=SEED_SIZE)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="opsdesk-bench-client-") as data_dir:
        began = time.perf_counter()
        sandbox = SandboxProcess.start(data_dir, seed_size=args.seed_size, rate_limit=10_000_000, timeout=900)
        print(f"sandbox_seed_and_start_time: {time.perf_counter() - began:.1f} s (target: none, setup)", flush=True)
        try:
            key = sandbox.credentials()["live"]["owner_key"]
            walks = [asyncio.run(lockstep(sandbox.url, key, recorder=False)) for _ in range(WALKS)]
            cpu_per_page = {name: seconds / sum(w[2] for w in walks) for name, seconds in CPU.items()}
            bare_r, typed_r, _ = asyncio.run(lockstep(sandbox.url, key, recorder=True))
        finally:
            sandbox.stop()
    bare, typed, pages = sorted(walks, key=lambda walk: walk[1] / walk[0])[WALKS // 2]
    ratios = ", ".join(f"{t / b:.3f}" for b, t, _ in walks)
    print(f"bare_httpx_page_contacts_time: {bare:.2f} s ({pages} pages of {PAGE}; target: none, baseline)")
    print(f"client_page_contacts_time: {typed:.2f} s ({pages} pages of {PAGE}; target: none)")
    print(f"client_overhead_ratio: {typed / bare:.3f} (target: ≤ 1.15; median of {WALKS} walks: {ratios})")
    print(f"bare_httpx_cpu_per_page: {cpu_per_page['bare'] * 1000:.2f} ms (target: none, baseline)")
    print(f"client_cpu_per_page: {cpu_per_page['client'] * 1000:.2f} ms (target: none, informational)")
    print(f"client_with_recorder_overhead_ratio: {typed_r / bare_r:.3f} "
          f"(target: none, informational: a RequestRecord listener attached)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
