"""A BiVelio-mount webhook to a failing receiver is retried on seed 002's schedule (at once, then
30 s, 2 min, 10 min, 1 h; here on a sandbox running 1000× faster) and the endpoint is deactivated
after those 5 failed attempts; a contract endpoint on the same failing receiver stays active."""

from __future__ import annotations

import itertools
import json
import uuid

import httpx
import pytest

from app.core.sandbox_process import SandboxProcess
from app.core.webhook_listener import ReceivedDelivery, WebhookListener
from tests.dialects.conftest import dialect_client, dialect_section, sandbox_root
from tests.waiting import wait_until

TIME_SCALE = 1000.0
SEED_SCHEDULE_SECONDS = (30, 120, 600, 3600)


@pytest.fixture(scope="module")
def fast_sandbox(tmp_path_factory):
    process = SandboxProcess.start(tmp_path_factory.mktemp("bivelio-retries"), seed_size=20, time_scale=TIME_SCALE)
    yield process
    process.stop()


@pytest.mark.timeout(120)
async def test_failing_receiver_is_retried_on_the_seed_schedule_then_deactivated(fast_sandbox):
    received: list[ReceivedDelivery] = []
    listener = WebhookListener(received.append, response_status=500, platform="bivelio")
    url = await listener.start()
    owner = fast_sandbox.credentials()["live"]["owner_key"]
    contract = httpx.AsyncClient(base_url=fast_sandbox.url, headers={"Authorization": f"Bearer {owner}"})
    try:
        async with dialect_client(fast_sandbox, "bivelio") as client:
            hook = await client.webhooks.create({"name": "Failing receiver", "url": url + "/bivelio",
                                                 "event_types": ["contact.created"]})
            plain = (await contract.post("/webhooks", json={"name": "Contract receiver", "url": url + "/contract",
                                                            "event_types": ["contact.created"]})).json()["data"]
            await client.contacts.create({"name": "Retry Person", "email": f"{uuid.uuid4().hex[:10]}@example.com"})

        def attempts(path: str) -> list[ReceivedDelivery]:
            return [d for d in received if d.path.endswith(path) and d.event_type == "contact.created"]

        await wait_until(lambda: len(attempts("/bivelio")) >= 5 and len(attempts("/contract")) >= 5, 60,
                         "five attempts did not arrive")
        bivelio = attempts("/bivelio")
        assert all(d.header("X-BiVelio-Signature") and d.verdict is None for d in bivelio)
        gaps = [(b.received_at - a.received_at).total_seconds() for a, b in itertools.pairwise(bivelio)]
        for gap, scheduled in zip(gaps, SEED_SCHEDULE_SECONDS):
            assert gap >= scheduled / TIME_SCALE * 0.9, (gaps, "an attempt came before its scheduled delay")
        assert gaps[3] > gaps[2] > gaps[1], gaps  # 1 h > 10 min > 2 min, scaled

        async with dialect_client(fast_sandbox, "bivelio") as client:
            deactivated = await client.webhooks.get(hook.id)
        assert deactivated.status == "disabled"
        raw = await httpx.AsyncClient(base_url=sandbox_root(fast_sandbox) + "/dialects/bivelio/v1").post(
            "/webhooks/list", json={"action": "list", "data": {}},
            headers={"X-API-Key": dialect_section(fast_sandbox, "bivelio")["api_key"]})
        [listed] = [h for h in raw.json()["data"]["webhooks"] if h["webhook_id"] == hook.id]
        assert listed["status"] == "inactive"

        detail = (await contract.get(f"/webhooks/{hook.id}")).json()["data"]
        assert detail["status"] == "disabled" and "5 failed attempts" in detail["disabled_reason"]
        [delivery] = (await contract.get(f"/webhooks/{hook.id}/deliveries")).json()["data"]
        assert (delivery["status"], delivery["attempt_count"]) == ("failed", 5)
        sent = (await contract.get(f"/webhooks/{hook.id}/deliveries/{delivery['id']}")).json()["data"]
        assert set(sent["payload"]) == {"event", "timestamp", "webhook_id", "data"}  # seed 002's body, as sent
        assert json.loads(bivelio[0].body) == sent["payload"]

        # The contract's endpoint: same five attempts, one failed delivery, still active (5 deliveries needed).
        assert all(d.header("webhook-signature") for d in attempts("/contract"))
        kept = (await contract.get(f"/webhooks/{plain['id']}")).json()["data"]
        assert kept["status"] == "active"
    finally:
        await contract.aclose()
        await listener.stop()
