"""Webhooks with deliveries, quota, API keys, request logs and events against the real sandbox."""

from __future__ import annotations

import pytest

from app.api import AdminClient, ApiKeyAuth, errors, models
from tests.api.sandbox_clients import owner_client, unique


@pytest.fixture
async def client(sandbox):
    async with owner_client(sandbox) as client:
        yield client


async def test_webhook_endpoint_lifecycle(client):
    created = await client.webhooks.create(models.WebhookCreate(
        name=unique("Listener"), url="http://127.0.0.1:9/hook", event_types=["contact.created"]))
    assert created.signing_secret.startswith("whsec_")
    assert created.signing_secret not in (created.signing_secret_preview or "")
    assert created.signing_secret not in repr(created)
    fetched = await client.webhooks.get(created.id)
    assert fetched.event_types == ["contact.created"] and not hasattr(fetched, "signing_secret")
    assert created.id in [w.id for w in (await client.webhooks.list()).items]
    paused = await client.webhooks.update(created.id, {"status": "paused", "description": "on hold"})
    assert paused.status == "paused" and paused.description == "on hold"

    delivery = await client.webhooks.test(created.id)
    assert delivery.event_type == "webhook.test" and delivery.webhook_id == created.id
    listed = await client.webhooks.deliveries.list(created.id, event_type="webhook.test")
    assert delivery.id in [d.id for d in listed.items]
    detail = await client.webhooks.deliveries.get(created.id, delivery.id)
    assert detail.payload["type"] == "webhook.test"
    again = await client.webhooks.deliveries.retry(created.id, delivery.id)
    assert again.id == delivery.id
    everywhere = await client.dev_logs.webhook_deliveries(webhook_id=created.id)
    assert delivery.id in [d.id for d in everywhere.items]

    rotated = await client.webhooks.rotate_secret(created.id)
    assert rotated.signing_secret.startswith("whsec_") and rotated.signing_secret != created.signing_secret

    await client.webhooks.delete(created.id)
    with pytest.raises(errors.NotFound):
        await client.webhooks.get(created.id)


async def test_quota_status_breakdown_history_and_consume(client):
    status = await client.quota.status()
    assert {"api_calls", "ai_calls", "storage_bytes", "seats"} <= set(status.quotas)
    assert status.quotas["api_calls"].used >= 1
    breakdown = await client.quota.breakdown()
    assert breakdown.resource == "api_calls" and breakdown.by_key
    history = await client.quota.history("api_calls", days=7)
    assert len(history.days) == 7 and history.days[-1].used >= 1

    key = unique("op")
    before = (await client.quota.status()).quotas["ai_calls"].used
    first = await client.quota.consume("ai_calls", 2, idempotency_key=key)
    repeat = await client.quota.consume("ai_calls", 2, idempotency_key=key)
    assert first.allowed and repeat.used == first.used == before + 2, "one key never counts twice"


async def test_api_key_create_rotate_revoke(client, sandbox):
    created = await client.api_keys.create(models.ApiKeyCreate(name=unique("CI key"), scopes=["crm:read"]))
    assert created.secret.startswith("opk_live_") and created.secret.endswith(created.last4)
    assert (await client.api_keys.get(created.id)).status == "active"
    assert created.id in [k.id for k in (await client.api_keys.list()).items]

    async with AdminClient(sandbox.url, ApiKeyAuth(created.secret)) as ci:
        me = await ci.me.get()
        assert me.id == created.id and me.scopes == ["crm:read"]
        with pytest.raises(errors.Forbidden):
            await ci.api_keys.list()

        rotated = await client.api_keys.rotate(created.id, grace_period_hours=0)
        assert rotated.id != created.id and rotated.secret != created.secret
        assert rotated.previous_key is not None and rotated.previous_key.id == created.id
        ci.set_auth(ApiKeyAuth(rotated.secret))
        assert (await ci.me.get()).id == rotated.id, "set_auth swaps the credential in place"

        revoked = await client.api_keys.revoke(rotated.id)
        assert revoked.status == "revoked"
        with pytest.raises(errors.Unauthorized) as refused:
            await ci.me.get()
        assert refused.value.reason == "revoked"

    with pytest.raises(ValueError, match="grace_period_hours"):
        await client.api_keys.rotate(created.id, grace_period_hours=500)


async def test_request_log_and_event_log(client):
    records = []
    client.add_request_listener(records.append)
    contact = await client.contacts.create({"name": unique("Logged")}, idempotency_key=unique("logkey"))
    write = records[-1]
    log = await client.dev_logs.api_requests(method="POST", limit=100)
    entry = next(e for e in log.items if e.request_id == write.request_id)
    assert entry.path == "/v1/contacts" and entry.status == 201
    assert entry.idempotency_key == write.idempotency_key

    events = await client.events.list(type="contact.created", limit=50)
    event = next(e for e in events.items if e.data.get("id") == contact.id)
    assert (await client.events.get(event.id)).type == "contact.created"
