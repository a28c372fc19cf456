"""Webhook operations in the data layer against a real, time-scaled sandbox: failures grouped as
the server's deliveries say, retry selected with a result per delivery, recover with a dry run,
progress and cancel, and an event resent to another endpoint."""

from __future__ import annotations

import asyncio
import socket
from datetime import UTC, datetime, timedelta

import pytest

from app.api import AdminClient, ApiKeyAuth
from app.api.models import Delivery
from app.cache import AsyncPageCache
from app.core.sandbox_process import SandboxProcess
from app.core.webhook_listener import WebhookListener
from app.data.stores import Stores
from tests.waiting import wait_until


@pytest.fixture(scope="module")
def fast_sandbox(tmp_path_factory) -> SandboxProcess:
    """Retry delays 1000 times shorter: a delivery reaches `failed` in about 4 s."""
    process = SandboxProcess.start(tmp_path_factory.mktemp("ops-sandbox"), seed_size=5, time_scale=1000)
    yield process
    process.stop()


@pytest.fixture
async def ops(fast_sandbox, tmp_path):
    client = AdminClient(fast_sandbox.url, ApiKeyAuth(fast_sandbox.credentials()["test"]["owner_key"]))
    cache = await AsyncPageCache.open(tmp_path / "cache.sqlite3")
    stores = Stores(client, cache)
    yield stores, client
    stores.close()
    await cache.close()
    await client.aclose()


def dead_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}/gone"


async def all_deliveries(client, webhook_id: str) -> list[Delivery]:
    return [d async for d in (await client.webhooks.deliveries.list(webhook_id, limit=100)).iter_items()]


async def failed_for_good(client, webhook_id: str, count: int) -> list[Delivery]:
    async def settled() -> bool:
        found = await all_deliveries(client, webhook_id)
        return len(found) >= count and all(d.status == "failed" for d in found)

    deadline = datetime.now(UTC) + timedelta(seconds=60)
    while not await settled():
        assert datetime.now(UTC) < deadline, "the deliveries never all failed"
        if (await client.webhooks.get(webhook_id)).status == "disabled":  # parks the rest: let them fail
            await client.webhooks.update(webhook_id, {"status": "active"})
        await asyncio.sleep(0.2)
    return await all_deliveries(client, webhook_id)


async def outage(client, url: str, name: str, events: int) -> str:
    webhook = await client.webhooks.create({"name": name, "url": url, "event_types": ["webhook.test"]})
    for _ in range(events):
        await client.webhooks.test(webhook.id)
    return webhook.id


async def test_failures_are_grouped_by_endpoint_and_cause_as_the_server_delivered_them(ops) -> None:
    stores, client = ops
    broken = WebhookListener(lambda _d: None, response_status=503)
    await broken.start()
    try:
        answering_503 = await outage(client, broken.url, "Answers 503", 3)
        refusing = await outage(client, dead_url(), "Refuses connections", 2)
        server_503 = await failed_for_good(client, answering_503, 3)
        server_refused = await failed_for_good(client, refusing, 2)
        await stores.webhooks.reload()

        report = await stores.webhooks.failures.load()
        mine = {g.webhook_id: g for g in report.groups if g.webhook_id in (answering_503, refusing)}
        assert set(mine) == {answering_503, refusing}  # one cause each
        assert mine[answering_503].signature.text == "HTTP 503 · listener answered 503"
        assert set(mine[answering_503].delivery_ids) == {d.id for d in server_503}
        assert mine[refusing].signature.text.startswith("ConnectError · ")
        assert "refused" in mine[refusing].signature.text.lower()
        assert set(mine[refusing].delivery_ids) == {d.id for d in server_refused}
        # First and last seen are the server's last attempts.
        details = [await client.webhooks.deliveries.get(answering_503, d.id) for d in server_503]
        lasts = [d.attempts[-1].attempted_at for d in details]
        assert (mine[answering_503].first_seen, mine[answering_503].last_seen) == (min(lasts), max(lasts))
        # One endpoint alone gives the same group.
        alone = await stores.webhooks.failures.load(answering_503)
        assert [g.delivery_ids for g in alone.groups] == [mine[answering_503].delivery_ids]
    finally:
        await broken.stop()


async def test_retry_selected_gives_a_result_per_delivery(ops) -> None:
    stores, client = ops
    receiver = WebhookListener(lambda _d: None, response_status=500)
    await receiver.start()
    try:
        webhook_id = await outage(client, receiver.url, "Retry me", 2)
        failed = await failed_for_good(client, webhook_id, 2)
        receiver.response_status = 200  # fixed
        stranger = failed[0].model_copy(update={"id": "whd_not_this_endpoints"})
        outcomes = await stores.webhooks.retry_selected([*failed, stranger])
        assert [o.delivery_id for o in outcomes] == [d.id for d in failed] + ["whd_not_this_endpoints"]
        assert [o.ok for o in outcomes] == [True, True, False]
        assert outcomes[2].reason and "whd_not_this_endpoints" in outcomes[2].reason
        assert {o.status for o in outcomes[:2]} <= {"retrying", "pending"}

        async def all_succeeded() -> bool:
            return all(d.status == "succeeded" for d in await all_deliveries(client, webhook_id))

        deadline = datetime.now(UTC) + timedelta(seconds=20)
        while not await all_succeeded():
            assert datetime.now(UTC) < deadline, "the retried deliveries never succeeded"
            await asyncio.sleep(0.1)
    finally:
        await receiver.stop()


async def test_recover_counts_first_then_runs_with_progress_until_done(ops) -> None:
    stores, client = ops
    receiver = WebhookListener(lambda _d: None, response_status=500)
    await receiver.start()
    try:
        began = datetime.now(UTC) - timedelta(seconds=1)
        webhook_id = await outage(client, receiver.url, "Recover me", 4)
        await failed_for_good(client, webhook_id, 4)
        jobs = stores.webhooks.recovery
        assert await jobs.count(webhook_id, began) == 4
        assert all(d.status == "failed" for d in await all_deliveries(client, webhook_id))  # dry run sent nothing

        receiver.response_status = 200
        seen = []
        jobs.changed.subscribe(seen.append)
        job = await jobs.start(webhook_id, began)
        assert (job.matched, job.queued, job.status) == (4, 4, "running")
        final = await jobs.watch(job.job_id, interval=0.05)
        assert final.status == "done" and (final.succeeded, final.failed, final.queued) == (4, 0, 0)
        assert seen[0].queued == 4 and seen[-1] == final
        assert jobs.jobs(webhook_id)[0].job_id == job.job_id  # the result stays in the job list
        assert all(d.status == "succeeded" for d in await all_deliveries(client, webhook_id))
    finally:
        await receiver.stop()


async def test_stop_watching_leaves_the_job_running_and_cancel_stops_it(ops) -> None:
    stores, client = ops
    receiver = WebhookListener(lambda _d: None, response_status=500)
    await receiver.start()
    try:
        began = datetime.now(UTC) - timedelta(seconds=1)
        webhook_id = await outage(client, receiver.url, "Cancel me", 3)
        await failed_for_good(client, webhook_id, 3)
        await client.webhooks.update(webhook_id, {"url": dead_url()})  # each new attempt takes its time
        jobs = stores.webhooks.recovery
        job = await jobs.start(webhook_id, began)
        watching = asyncio.ensure_future(jobs.watch(job.job_id, interval=0.05))
        await wait_until(lambda: jobs.watching(job.job_id), 5)
        jobs.stop_watching(job.job_id)
        await asyncio.wait_for(watching, 5)
        assert not jobs.watching(job.job_id)
        if jobs.can_cancel:
            stopped = await jobs.cancel(job.job_id)
            assert stopped.status in ("cancelled", "done")
            assert jobs.job(job.job_id).status == stopped.status
    finally:
        await receiver.stop()


async def test_an_event_shows_its_deliveries_and_is_resent_to_another_endpoint(ops) -> None:
    stores, client = ops
    received = []
    receiver = WebhookListener(received.append)
    await receiver.start()
    try:
        first = await client.webhooks.create({"name": "First", "url": receiver.url, "event_types": ["webhook.test"]})
        other = await client.webhooks.create({"name": "Other", "url": receiver.url, "event_types": ["invoice.paid"]})
        delivery = await client.webhooks.test(first.id)
        events = stores.webhooks.events
        detail = await events.detail(delivery.event_id)
        assert detail.type == "webhook.test" and [d.webhook_id for d in detail.deliveries] == [first.id]
        assert detail.payload["id"] == delivery.event_id
        page = await events.page(type="webhook.test")
        assert delivery.event_id in [e.id for e in page.items]

        resent = await events.resend(delivery.event_id, other.id)
        assert resent.webhook_id == other.id and resent.event_id == delivery.event_id
        await wait_until(lambda: len(received) >= 2, 15, "the resent event never arrived")
        assert {r.header("webhook-id") for r in received} == {delivery.event_id}  # the event's own id
        again = await events.detail(delivery.event_id)
        assert {d.webhook_id for d in again.deliveries} == {first.id, other.id}
    finally:
        await receiver.stop()


async def test_rotate_with_an_overlap_says_until_when_the_old_secret_signs(ops) -> None:
    stores, _client = ops
    made = await stores.webhooks.create_endpoint({"name": "Rotating", "url": "https://r.example.com/h",
                                                  "event_types": ["webhook.test"]})
    with pytest.raises(ValueError, match="0 to 168"):
        await stores.webhooks.rotate_secret(made.record, overlap_hours=200)
    rotated = await stores.webhooks.rotate_secret(made.record, overlap_hours=24)
    expires = rotated.record.previous_secret_expires_at
    assert expires is not None and rotated.secret != made.secret
    assert stores.webhooks.listed_one(made.record.id).previous_secret_expires_at == expires
