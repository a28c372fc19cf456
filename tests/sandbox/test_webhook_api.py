"""Webhook endpoints against the real sandbox process and a real receiver on 127.0.0.1:
the secret shown once, signatures that `standardwebhooks` accepts, deliveries and their attempts,
filters, scopes and tenant isolation."""

from __future__ import annotations

import json

import httpx
import pytest
from standardwebhooks.webhooks import Webhook as StandardWebhook
from standardwebhooks.webhooks import WebhookVerificationError

from app.core.sandbox_process import SandboxProcess
from tests.sandbox.webhook_receiver import WebhookReceiver
from tests.waiting import wait_until_sync


def _client(sandbox: SandboxProcess, secret: str) -> httpx.Client:
    return httpx.Client(base_url=sandbox.url, headers={"Authorization": f"Bearer {secret}"}, timeout=30)


@pytest.fixture()
def receiver() -> WebhookReceiver:
    with WebhookReceiver() as running:
        yield running


@pytest.fixture()
def endpoint(owner: httpx.Client, receiver: WebhookReceiver) -> dict:
    """An active endpoint on the receiver, subscribed to ticket.created; deleted afterwards so the
    shared sandbox does not keep delivering to a closed port."""
    created = owner.post("/webhooks", json={"name": "Test receiver", "url": receiver.url,
                                            "event_types": ["ticket.created"]})
    assert created.status_code == 201, created.text
    yield created.json()["data"]
    owner.delete(f"/webhooks/{created.json()['data']['id']}")


def _delivery_settled(owner: httpx.Client, webhook_id: str, delivery_id: str) -> dict:
    path = f"/webhooks/{webhook_id}/deliveries/{delivery_id}"
    wait_until_sync(lambda: owner.get(path).json()["data"]["status"] in ("succeeded", "failed"), 15,
                    f"delivery {delivery_id} never settled")
    return owner.get(path).json()["data"]


def test_the_signing_secret_is_shown_only_on_create_and_rotate(owner: httpx.Client, endpoint: dict) -> None:
    secret = endpoint["signing_secret"]
    assert secret.startswith("whsec_")
    assert endpoint["signing_secret_preview"].startswith("whsec_") and secret not in endpoint["signing_secret_preview"]
    path = f"/webhooks/{endpoint['id']}"
    for response in (owner.get(path), owner.get("/webhooks", params={"limit": 100}),
                     owner.patch(path, json={"description": "renamed"})):
        assert response.status_code == 200
        assert "signing_secret\"" not in response.text and secret.removeprefix("whsec_") not in response.text
    rotated = owner.post(f"{path}/rotate-secret").json()["data"]
    assert rotated["signing_secret"].startswith("whsec_") and rotated["signing_secret"] != secret
    assert owner.get(path).json()["data"]["signing_secret_preview"] == rotated["signing_secret_preview"]


def test_a_test_event_arrives_signed_and_its_attempt_is_recorded(
        owner: httpx.Client, endpoint: dict, receiver: WebhookReceiver) -> None:
    queued = owner.post(f"/webhooks/{endpoint['id']}/test")
    assert queued.status_code == 202
    delivery = queued.json()["data"]
    assert delivery["event_type"] == "webhook.test" and delivery["status"] == "pending"
    request = receiver.wait_for(1)[0]
    payload = StandardWebhook(endpoint["signing_secret"]).verify(request.body, request.headers)
    assert payload["type"] == "webhook.test" and payload["data"]["webhook_id"] == endpoint["id"]
    assert request.headers["webhook-id"] == payload["id"] == delivery["event_id"]
    with pytest.raises(WebhookVerificationError):
        StandardWebhook(endpoint["signing_secret"]).verify(request.body.replace(b"test", b"tost"), request.headers)

    detail = _delivery_settled(owner, endpoint["id"], delivery["id"])
    assert detail["status"] == "succeeded" and detail["attempt_count"] == 1
    assert detail["payload"] == payload
    [attempt] = detail["attempts"]
    assert attempt["response_status"] == 200 and attempt["error"] is None
    assert attempt["response_body"] == receiver.reply.decode() and attempt["duration_ms"] >= 0
    webhook = owner.get(f"/webhooks/{endpoint['id']}").json()["data"]
    assert webhook["success_rate"] == 1.0 and webhook["last_delivery_at"] == attempt["attempted_at"]


def test_subscribed_events_are_delivered_and_a_rotated_secret_signs_them(
        owner: httpx.Client, endpoint: dict, receiver: WebhookReceiver) -> None:
    # No overlap: the old secret stops signing at once (the default overlap is tested in test_webhook_ops_rotation).
    new_secret = owner.post(f"/webhooks/{endpoint['id']}/rotate-secret",
                            json={"overlap_hours": 0}).json()["data"]["signing_secret"]
    owner.post("/companies", json={"name": "Not subscribed Ltd"})
    ticket = owner.post("/support/tickets", json={"subject": "Webhook me"}).json()["data"]
    request = receiver.wait_for(1)[0]
    payload = StandardWebhook(new_secret).verify(request.body, request.headers)
    assert payload["type"] == "ticket.created" and payload["data"]["id"] == ticket["id"]
    assert payload["data"]["subject"] == "Webhook me"
    with pytest.raises(WebhookVerificationError):
        StandardWebhook(endpoint["signing_secret"]).verify(request.body, request.headers)
    deliveries = owner.get(f"/webhooks/{endpoint['id']}/deliveries").json()["data"]
    assert [d["event_type"] for d in deliveries] == ["ticket.created"]


def test_deliveries_filter_by_status_and_type_per_endpoint_and_across_endpoints(
        owner: httpx.Client, endpoint: dict, receiver: WebhookReceiver) -> None:
    test_delivery = owner.post(f"/webhooks/{endpoint['id']}/test").json()["data"]
    owner.post("/support/tickets", json={"subject": "Filter me"})
    receiver.wait_for(2)
    _delivery_settled(owner, endpoint["id"], test_delivery["id"])
    path = f"/webhooks/{endpoint['id']}/deliveries"
    tests_only = owner.get(path, params={"event_type": "webhook.test"}).json()["data"]
    assert [d["id"] for d in tests_only] == [test_delivery["id"]]
    assert owner.get(path, params={"status": "failed"}).json()["data"] == []
    across = owner.get("/dev/webhook-deliveries", params={"webhook_id": endpoint["id"], "limit": 100}).json()["data"]
    assert {d["event_type"] for d in across} == {"webhook.test", "ticket.created"}
    assert owner.get("/dev/webhook-deliveries", params={"status": "lost"}).status_code == 400
    assert owner.get(path, params={"event_type": "nope"}).status_code == 400


def test_update_honours_if_match_and_delete_removes_the_endpoint(owner: httpx.Client, receiver: WebhookReceiver) -> None:
    created = owner.post("/webhooks", json={"name": "Short-lived", "url": receiver.url,
                                            "event_types": ["invoice.paid"], "status": "paused"}).json()["data"]
    path = f"/webhooks/{created['id']}"
    etag = owner.get(path).headers["ETag"]
    updated = owner.patch(path, json={"status": "active", "event_types": ["invoice.paid", "invoice.sent"]},
                          headers={"If-Match": etag})
    assert updated.status_code == 200
    assert updated.json()["data"]["status"] == "active"
    assert updated.json()["data"]["event_types"] == ["invoice.paid", "invoice.sent"]
    assert owner.patch(path, json={"name": "stale"}, headers={"If-Match": etag}).status_code == 412
    assert owner.delete(path, headers={"If-Match": etag}).status_code == 412
    assert owner.delete(path).json()["data"] == {"id": created["id"], "deleted": True}
    assert owner.get(path).status_code == 404


def test_seeded_endpoint_is_paused_with_a_delivery_history(owner: httpx.Client) -> None:
    seeded = [w for w in owner.get("/webhooks", params={"limit": 100}).json()["data"] if w["name"] == "CRM Ops Webhook"]
    assert seeded and seeded[0]["status"] == "paused"
    assert 0 < seeded[0]["success_rate"] < 1 and seeded[0]["last_delivery_at"]
    failed = owner.get(f"/webhooks/{seeded[0]['id']}/deliveries", params={"status": "failed"}).json()["data"]
    detail = owner.get(f"/webhooks/{seeded[0]['id']}/deliveries/{failed[0]['id']}").json()["data"]
    assert len(detail["attempts"]) == 5 and all(a["error"] for a in detail["attempts"])


def test_bad_input_names_the_field(owner: httpx.Client) -> None:
    cases = [
        ({"name": "x", "url": "ftp://example.com", "event_types": ["ticket.created"]}, "url"),
        ({"name": "x", "url": "not a url", "event_types": ["ticket.created"]}, "url"),
        ({"name": "x", "url": "https://example.com", "event_types": ["ticket.exploded"]}, "event_types[0]"),
        ({"name": "x", "url": "https://example.com", "event_types": []}, "event_types"),
        ({"name": "", "url": "https://example.com", "event_types": ["ticket.created"]}, "name"),
        ({"name": "x", "url": "https://example.com/" + "a" * 2_000, "event_types": ["ticket.created"]}, "url"),
        ({"name": "x", "url": "https://example.com", "event_types": ["ticket.created"], "status": "disabled"},
         "status"),
    ]
    for body, field in cases:
        response = owner.post("/webhooks", json=body)
        assert response.status_code == 422, (body, response.text)
        assert field in [f["field"] for f in response.json()["error"]["details"]["fields"]], (body, response.text)
    malformed = owner.post("/webhooks", content=b"{not json", headers={"content-type": "application/json"})
    assert malformed.status_code == 400


def test_scopes_are_enforced(sandbox: SandboxProcess, sandbox_credentials: dict, owner: httpx.Client,
                             endpoint: dict) -> None:
    with _client(sandbox, sandbox_credentials["live"]["readonly_key"]) as readonly:
        assert readonly.get("/webhooks").status_code == 200
        assert readonly.get("/dev/webhook-deliveries").status_code == 200
        for response in (readonly.post("/webhooks", json={"name": "x", "url": "https://e.example",
                                                          "event_types": ["ticket.created"]}),
                         readonly.post(f"/webhooks/{endpoint['id']}/test"),
                         readonly.post(f"/webhooks/{endpoint['id']}/rotate-secret"),
                         readonly.delete(f"/webhooks/{endpoint['id']}")):
            assert response.status_code == 403
            assert response.json()["error"]["details"]["required_scope"] == "integrations:write"
    agent = httpx.post(f"{sandbox.url}/auth/token", json=sandbox_credentials["live"]["agent_user"]).json()["data"]
    with _client(sandbox, agent["access_token"]) as agent_client:
        refused = agent_client.get("/webhooks")
        assert refused.status_code == 403
        assert refused.json()["error"]["details"]["required_scope"] == "integrations:read"


def test_another_workspace_sees_nothing(sandbox: SandboxProcess, sandbox_credentials: dict, owner: httpx.Client,
                                        endpoint: dict, receiver: WebhookReceiver) -> None:
    delivery = owner.post(f"/webhooks/{endpoint['id']}/test").json()["data"]
    receiver.wait_for(1)
    base = f"/webhooks/{endpoint['id']}"
    with _client(sandbox, sandbox_credentials["test"]["owner_key"]) as other:
        for response in (other.get(base), other.patch(base, json={"name": "mine"}), other.delete(base),
                         other.post(f"{base}/test"), other.post(f"{base}/rotate-secret"),
                         other.get(f"{base}/deliveries"), other.get(f"{base}/deliveries/{delivery['id']}"),
                         other.post(f"{base}/deliveries/{delivery['id']}/retry")):
            assert response.status_code == 404, response.text
        listed = other.get("/dev/webhook-deliveries", params={"limit": 100}).json()["data"]
        assert delivery["id"] not in {d["id"] for d in listed}
    assert owner.get(base).json()["data"]["name"] == "Test receiver"
    assert len(receiver.received) == 1
    assert json.loads(receiver.received[0].body)["type"] == "webhook.test"
