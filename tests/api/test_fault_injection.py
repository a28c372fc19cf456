"""Writes under ambiguity: 1,000 creates through a proxy that fails 20 % of exchanges end as exactly
1,000 contacts, and a write that meets its own twin still in flight (409 IDEMPOTENCY_KEY_IN_USE)
waits, retries with the same key and gets the first one's answer."""

from __future__ import annotations

import asyncio
from collections import Counter

import httpx
import pytest

from app.api import AdminClient, ApiKeyAuth, RetryPolicy, models
from app.core.sandbox_process import SandboxProcess
from tests.api.fault_proxy import FAULTS, FaultProxy

CREATES = 1000
CONCURRENCY = 20


@pytest.fixture(scope="module")
def fault_sandbox(tmp_path_factory):
    # The test hooks let a request hold its idempotency claim until a twin arrives.
    process = SandboxProcess.start(tmp_path_factory.mktemp("fault-sandbox"), seed_size=10, rate_limit=1_000_000,
                                   env={"OPSDESK_SANDBOX_TEST_HOOKS": "1"})
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


class HoldingKeyAuth(ApiKeyAuth):
    """The owner key, plus the sandbox test hook that keeps a claimed write open until its twin comes."""

    def auth_flow(self, request: httpx.Request):
        request.headers["x-test-hold"] = "idempotency"
        yield from super().auth_flow(request)


async def test_a_write_meeting_its_twin_in_flight_waits_and_gets_the_same_answer(fault_sandbox):
    key = fault_sandbox.credentials()["live"]["owner_key"]
    records = []
    async with AdminClient(fault_sandbox.url, HoldingKeyAuth(key)) as client:
        client.add_request_listener(records.append)
        body = models.ContactCreate(name="Twin write", tags=["twin-run"])
        first, second = await asyncio.gather(client.contacts.create(body, idempotency_key="twin-1"),
                                             client.contacts.create(body, idempotency_key="twin-1"))
    assert first.id == second.id
    assert [r.status for r in records].count(409) == 1
    in_use = next(r for r in records if r.status == 409)
    assert "IDEMPOTENCY_KEY_IN_USE" in in_use.response_body
    retried = [r for r in records if r.attempt == 2]
    assert len(retried) == 1 and retried[0].status == 201
    assert retried[0].header("Idempotent-Replayed") == "true"
    assert {r.idempotency_key for r in records} == {"twin-1"}
    async with AdminClient(fault_sandbox.url, ApiKeyAuth(key)) as direct:
        assert [c.id for c in (await direct.contacts.list(tag="twin-run")).items] == [first.id]
