"""1,000 creates through a proxy that fails 20 % of exchanges end as exactly 1,000 contacts."""

from __future__ import annotations

import asyncio
from collections import Counter

import httpx
import pytest

from app.api import AdminClient, ApiKeyAuth, RetryPolicy
from app.core.sandbox_process import SandboxProcess
from tests.api.fault_proxy import FAULTS, FaultProxy

CREATES = 1000
CONCURRENCY = 20


@pytest.fixture(scope="module")
def fault_sandbox(tmp_path_factory):
    process = SandboxProcess.start(tmp_path_factory.mktemp("fault-sandbox"), seed_size=10, rate_limit=1_000_000)
    yield process
    process.stop()


@pytest.mark.slow
async def test_a_thousand_creates_through_faults_land_exactly_once(fault_sandbox):
    upstream = httpx.URL(fault_sandbox.url)
    proxy = FaultProxy(upstream.host, upstream.port, fault_rate=0.2, seed=20261123, max_delay=1.5)
    port = await proxy.start()
    key = fault_sandbox.credentials()["live"]["owner_key"]
    records = []
    flaky = AdminClient(
        f"http://127.0.0.1:{port}/v1", ApiKeyAuth(key),
        timeout=httpx.Timeout(connect=2.0, read=1.0, write=2.0, pool=30.0),
        # Shorter waits than production so the run stays quick; the same arithmetic otherwise.
        retry_policy=RetryPolicy(12, initial_delay=0.05, max_delay=0.4),
    )
    flaky.add_request_listener(records.append)
    gate = asyncio.Semaphore(CONCURRENCY)

    async def create(n: int) -> str:
        async with gate:
            return (await flaky.contacts.create({"name": f"Fault test {n:04d}", "tags": ["fault-run"]})).id

    try:
        ids = await asyncio.gather(*(create(n) for n in range(CREATES)))
    finally:
        await flaky.aclose()
        await proxy.stop()

    assert len(set(ids)) == CREATES, "every logical create returned its own contact"
    assert all(proxy.injected[kind] > 0 for kind in FAULTS), proxy.injected
    assert sum(proxy.injected.values()) >= CREATES * 0.15
    assert max(r.attempt for r in records) > 1
    attempts_per_key = Counter(r.idempotency_key for r in records)
    assert len(attempts_per_key) == CREATES and max(attempts_per_key.values()) > 1

    async with AdminClient(fault_sandbox.url, ApiKeyAuth(key)) as direct:
        stored = [c async for c in direct.contacts.iterate(tag="fault-run", limit=100)]
    names = Counter(c.name for c in stored)
    assert len(stored) == CREATES, f"{len(stored)} contacts on the server for {CREATES} creates"
    assert names == Counter(f"Fault test {n:04d}" for n in range(CREATES)), "none missing, none twice"
    assert {c.id for c in stored} == set(ids)
