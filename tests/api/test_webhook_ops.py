"""The client's webhook operations against the real sandbox: recover (dry run, job, progress, job
list), bulk retry, event detail, resend, rotate with an overlap, trigger; and the client's own
refusals of input the server would refuse anyway (named before anything is sent)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from app.api import errors, models
from tests.api.sandbox_clients import owner_client, unique
from tests.sandbox.webhook_ops_receiver import OpsReceiver


@pytest.fixture
async def client(sandbox):
    async with owner_client(sandbox) as client:
        yield client


@pytest.fixture
def receiver():
    with OpsReceiver() as receiver:
        yield receiver


async def _until(probe, timeout: float = 20.0):
    """`await probe()` until it returns something truthy (returned)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not (value := await probe()):
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)
    return value


async def _endpoint(client, receiver, types=("contact.created",)) -> models.WebhookWithSecret:
    return await client.webhooks.create(models.WebhookCreate(name=unique("ops"), url=receiver.url,
                                                             event_types=list(types)))


async def test_recover_dry_run_then_a_job_whose_progress_reaches_done(client, receiver):
    hook = await _endpoint(client, receiver)
    since = datetime.now(UTC) - timedelta(seconds=1)
    for n in range(3):
        await client.contacts.create(models.ContactCreate(name=unique(f"rec{n}")))
    await _until(lambda: _succeeded(client, hook.id, 3))

    counted = await client.webhooks.recover(hook.id, since, statuses=["succeeded"], dry_run=True)
    assert isinstance(counted, models.RecoverMatched) and counted.matched == 3
    job = await client.webhooks.recover(hook.id, since, statuses=["succeeded"])
    assert isinstance(job, models.RecoverJob) and job.matched == 3
    status = await _until(lambda: _finished(client, hook.id, job.job_id))
    assert (status.status, status.matched, status.queued, status.succeeded, status.failed) == ("done", 3, 0, 3, 0)
    assert [j.job_id for j in (await client.webhooks.recover_jobs(hook.id)).items] == [job.job_id]
    assert sum(receiver.accepted_ids().values()) == 6  # each of the 3 once more

    with pytest.raises(errors.Conflict):
        await client.webhooks.recover_cancel(hook.id, job.job_id)
    with pytest.raises(ValueError, match="time zone"):
        await client.webhooks.recover(hook.id, datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="later than since"):
        await client.webhooks.recover(hook.id, since, until=since)


async def _succeeded(client, webhook_id: str, count: int) -> bool:
    page = await client.webhooks.deliveries.list(webhook_id, status="succeeded", limit=100)
    return len(page.items) >= count


async def _finished(client, webhook_id: str, job_id: str) -> models.RecoverStatus | None:
    status = await client.webhooks.recover_status(webhook_id, job_id)
    return status if status.finished else None


async def test_retry_many_event_detail_resend_and_trigger(sandbox, client, receiver):
    hook = await _endpoint(client, receiver)
    await client.contacts.create(models.ContactCreate(name=unique("bulk")))
    await _until(lambda: _succeeded(client, hook.id, 1))
    delivery = (await client.webhooks.deliveries.list(hook.id)).items[0]

    result = await client.webhooks.deliveries.retry_many(hook.id, [delivery.id, "whd_missing"])
    assert [(r.delivery_id, r.ok) for r in result.results] == [(delivery.id, True), ("whd_missing", False)]
    assert result.results[1].error.code == "NOT_FOUND"
    with pytest.raises(ValueError, match="at most 100"):
        await client.webhooks.deliveries.retry_many(hook.id, [f"whd_{n}" for n in range(101)])

    event = await client.events.get(delivery.event_id)
    assert isinstance(event, models.EventDetail) and event.payload["id"] == event.id
    assert delivery.id in [d.id for d in event.deliveries]
    other = await _endpoint(client, receiver, ("invoice.paid",))
    resent = await client.events.resend(event.id, other.id)
    assert resent.webhook_id == other.id and resent.event_id == event.id

    with pytest.raises(errors.Forbidden) as refused:
        await client.events.trigger("contact.created")
    assert refused.value.details["reason"] == "live_workspace"
    async with owner_client(sandbox, "test") as test:
        triggered = await test.events.trigger("invoice.paid")
        assert isinstance(triggered, models.TriggeredEvent) and triggered.type == "invoice.paid"
        assert (await test.invoices.get(triggered.records["invoice"])).status == "paid"


async def test_rotate_secret_with_an_overlap_keeps_the_old_one_valid_until_a_moment(client, receiver):
    hook = await _endpoint(client, receiver)
    before = datetime.now(UTC)
    rotated = await client.webhooks.rotate_secret(hook.id, overlap_hours=2)
    assert rotated.signing_secret != hook.signing_secret
    assert timedelta(hours=2) - timedelta(minutes=1) < rotated.previous_secret_expires_at - before < \
        timedelta(hours=2, minutes=1)
    assert (await client.webhooks.get(hook.id)).previous_secret_expires_at == rotated.previous_secret_expires_at
    retired = await client.webhooks.rotate_secret(hook.id, overlap_hours=0)
    assert retired.previous_secret_expires_at is None
    with pytest.raises(ValueError, match="between 0 and 168"):
        await client.webhooks.rotate_secret(hook.id, overlap_hours=200)
