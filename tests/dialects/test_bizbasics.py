"""bizbasics (seed 003): manifest, two credentials, quota, debugging, webhooks, the seed-only endpoints,
golden examples from the seed, and a secret scan."""

from __future__ import annotations

import dataclasses
import json
import uuid

import httpx
import pytest

from app.api import AdminClient, errors
from app.api.dialects import dialect_for
from app.api.export import to_curl, to_har
from tests.api.sandbox_clients import owner_client, unique
from tests.dialects.conftest import dialect_client, dialect_section, sandbox_root
from tests.dialects.test_platform004_golden import assert_carries, assert_shape

MOUNT = "/dialects/bizbasics"


def _wire_path(record) -> str:
    return httpx.URL(record.url).path.split(MOUNT, 1)[1]


def _raw(sandbox) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=sandbox_root(sandbox) + MOUNT, timeout=10)


def test_manifest_lists_what_seed_003_documents():
    manifest = dialect_for("bizbasics").manifest
    # Seed 003's endpoints with a contract counterpart: /v1/quota/status, /v1/quota/breakdown,
    # /v1/quota/consume, /v1/dev/api-requests, /v1/dev/webhook-deliveries, /v1/webhooks (register);
    # identity is the quota status's org_id. /v1/workspace-records, /v1/catalog and
    # /v1/org/retrieve have none (the mount serves them; the client need not).
    assert manifest.operations == {"me.get", "quota.status", "quota.breakdown", "quota.consume",
                                   "dev.api_requests", "dev.webhook_deliveries", "webhooks.create"}
    assert manifest.modules == ("integrations", "quota", "logs")
    # No versions, no Idempotency-Key header (only consume's body field), no updated_since, no
    # deletions list, no /me, no documented rate-limit headers.
    assert set(manifest.missing) == {"etag", "idempotency_key", "updated_since", "deletions", "me",
                                     "rate_limit_headers"}
    assert manifest.why_absent("support") == "BizBasics has no ticketing API"
    assert manifest.why_absent("crm") == "BizBasics has no contacts or companies API"
    assert manifest.why_absent("billing") == "BizBasics has no invoices API"


async def test_golden_quota_status_is_the_seed_curl_and_answer(sandbox):
    """Seed: `curl …/v1/quota/status -H "Authorization: Bearer bbk_..."` →
    `{"org_id": "...", "quotas": {"seats": {"used", "limit", "remaining", "period", "reset_at"}}}`."""
    async with dialect_client(sandbox, "bizbasics") as client:
        sent = []
        client.add_request_listener(sent.append)
        status = await client.quota.status()
    (record,) = sent
    assert (record.method, _wire_path(record)) == ("GET", "/v1/quota/status")
    assert record.header("Authorization", response=False).startswith("Bearer ")
    assert record.header("X-Internal-Key", response=False) is None
    answer = json.loads(record.response_body)
    assert_shape({"org_id": "...", "quotas": {"seats": {"used": 12, "limit": 25, "remaining": 13,
                                                        "period": "month"}}}, answer)
    assert "data" not in answer  # bare JSON
    assert status.workspace_id == sandbox.credentials()["live"]["workspace_id"]
    assert status.quotas["seats"].limit == 10


async def test_golden_quota_consume_uses_the_internal_key_and_the_seed_body(sandbox):
    """Seed: `POST /v1/quota/consume -H "X-Internal-Key: bbas_..."` with `{org_id, resource: "ai_calls",
    amount: 1, product_id, idempotency_key}` → 200 `{allowed, used, limit, remaining, resource, period, reset_at}`."""
    async with dialect_client(sandbox, "bizbasics") as client:
        sent = []
        client.add_request_listener(sent.append)
        me = await client.me.get()
        key = f"op_{uuid.uuid4().hex[:10]}"
        result = await client.quota.consume("ai_calls", 1, module="your-product", idempotency_key=key)
        again = await client.quota.consume("ai_calls", 1, module="your-product", idempotency_key=key)
    record = sent[1]
    assert (record.method, _wire_path(record)) == ("POST", "/v1/quota/consume")
    assert record.header("X-Internal-Key", response=False) is not None
    assert record.header("Authorization", response=False) is None  # each secret only where it belongs
    assert json.loads(record.request_body) == {"org_id": me.workspace_id, "resource": "ai_calls", "amount": 1,
                                               "product_id": "your-product", "idempotency_key": key}
    assert_shape({"allowed": True, "used": 12, "limit": 25, "remaining": 13, "resource": "ai_calls",
                  "period": "month", "reset_at": "2026-05-01T00:00:00Z"}, json.loads(record.response_body))
    assert result.allowed and again.used == result.used  # the idempotency_key prevented a double count


async def test_over_the_limit_is_200_allowed_false_never_429(sandbox):
    async with dialect_client(sandbox, "bizbasics") as client:
        sent = []
        client.add_request_listener(sent.append)
        await client.me.get()
        refused = await client.quota.consume("ai_calls", 1_000_000)
    assert refused.allowed is False and sent[-1].status == 200


async def test_consume_refuses_another_org_and_a_bbk_key(sandbox):
    section = dialect_section(sandbox, "bizbasics")
    body = {"org_id": sandbox.credentials()["test"]["workspace_id"], "resource": "ai_calls"}
    async with _raw(sandbox) as http:
        other = await http.post("/v1/quota/consume", json=body, headers={"X-Internal-Key": section["internal_key"]})
        bearer = await http.post("/v1/quota/consume", json=body,
                                 headers={"Authorization": f"Bearer {section['api_key']}"})
        swapped = await http.get("/v1/quota/status", headers={"Authorization": f"Bearer {section['internal_key']}"})
    assert other.status_code == 403 and "org" in other.json()["detail"]
    assert bearer.status_code == 401 and "X-Internal-Key" in bearer.json()["detail"]
    assert swapped.status_code == 401 and "bbk_" in swapped.json()["detail"]


async def test_consume_before_the_identity_says_what_is_missing(sandbox):
    async with dialect_client(sandbox, "bizbasics") as client:
        with pytest.raises(errors.ApiError, match="org id"):
            await client.quota.consume("ai_calls")


async def test_breakdown_is_split_by_product(sandbox):
    async with dialect_client(sandbox, "bizbasics") as client:
        await client.me.get()
        await client.quota.consume("ai_calls", 2, module="breakdown-product")
        breakdown = await client.quota.breakdown("ai_calls")
    modules = {entry.module: entry.used for entry in breakdown.by_module}
    assert modules.get("breakdown-product", 0) >= 2 and breakdown.by_key == []


async def test_debugging_lists_take_only_a_limit(sandbox):
    async with dialect_client(sandbox, "bizbasics") as client:
        sent = []
        client.add_request_listener(sent.append)
        await client.quota.status()
        calls = await client.dev_logs.api_requests(limit=5)
        deliveries = await client.dev_logs.webhook_deliveries(limit=5)
        with pytest.raises(errors.NotSupported):
            await client.dev_logs.api_requests(status=500)
    assert calls.items and all(MOUNT in entry.path for entry in calls.items)  # made with this key
    assert calls.next_cursor is None and deliveries.next_cursor is None
    assert dict(httpx.URL(sent[1].url).params) == {"limit": "5"}
    assert isinstance(json.loads(sent[1].response_body), list)  # bare JSON array
    assert len(sent) == 3


async def test_webhook_registration_sends_url_and_event_types_with_the_internal_key(sandbox):
    async with dialect_client(sandbox, "bizbasics") as client:
        sent = []
        client.add_request_listener(sent.append)
        hook = await client.webhooks.create({"name": unique("ignored"), "url": "http://127.0.0.1:9/bb",
                                             "event_types": ["contact.created"]})
    record = sent[-1]
    assert (record.method, _wire_path(record), record.status) == ("POST", "/v1/webhooks", 201)
    assert json.loads(record.request_body) == {"url": "http://127.0.0.1:9/bb", "event_types": ["contact.created"]}
    assert record.header("X-Internal-Key", response=False) and record.header("Authorization", response=False) is None
    assert hook.url == "http://127.0.0.1:9/bb" and hook.name == "opsdesk-console webhook"
    async with owner_client(sandbox) as owner:
        assert (await owner.webhooks.get(hook.id)).event_types == ["contact.created"]


async def test_golden_workspace_record_publish_upserts(sandbox):
    """Seed: `POST /v1/workspace-records` with the deal example → 201 `{"workspace_record_id", "status": "active"}`;
    upserts by (org_id, source_product, record_type, source_ref)."""
    section = dialect_section(sandbox, "bizbasics")
    org = sandbox.credentials()["live"]["workspace_id"]
    ref = f"deal_{uuid.uuid4().hex[:6]}"
    example = {"org_id": org, "source_product": "my-product", "record_type": "deal", "source_ref": ref,
               "title": "Acme Inc — $42k", "subtitle": "Closing 2026-03-15",
               "summary_text": "Renewal negotiation; awaiting legal review.",
               "app_href": "https://my-product.example.com/deals/abc123", "meta": {"stage": "negotiation"}}
    auth = {"Authorization": f"Bearer {section['api_key']}"}
    async with _raw(sandbox) as http:
        first = await http.post("/v1/workspace-records", json=example, headers=auth)
        second = await http.post("/v1/workspace-records", json={**example, "title": "Acme Inc — $45k"}, headers=auth)
        listed = await http.get("/v1/workspace-records", params={"record_type": "deal", "limit": 50}, headers=auth)
        found = await http.get("/v1/org/retrieve", params={"q": "renewal negotiation"}, headers=auth)
        readonly = await http.post("/v1/workspace-records", json=example,
                                   headers={"Authorization": f"Bearer {section['readonly']['api_key']}"})
        missing = await http.post("/v1/workspace-records", json={"org_id": org}, headers=auth)
        catalog = await http.get("/v1/catalog", headers=auth)
    assert first.status_code == 201
    assert_shape({"workspace_record_id": "...", "status": "active"}, first.json())
    assert first.json()["status"] == "active"
    assert second.json()["workspace_record_id"] == first.json()["workspace_record_id"]
    mine = [r for r in listed.json() if r["source_ref"] == ref]
    assert len(mine) == 1 and mine[0]["title"] == "Acme Inc — $45k"
    assert_carries({k: v for k, v in example.items() if k != "title"}, mine[0])
    assert any(r["source_ref"] == ref for r in found.json())
    assert readonly.status_code == 403 and readonly.json()["required_scope"] == "write"
    assert missing.status_code == 422 and {"source_product", "title"} <= {d["loc"][-1] for d in missing.json()["detail"]}
    assert {"product_id": "support", "name": "Support desk", "entitled": True} in catalog.json()


async def test_mount_errors_and_document(sandbox):
    async with _raw(sandbox) as http:
        document = (await http.get("/openapi.json")).json()
        nothing = await http.get("/v1/contacts")
        anonymous = await http.get("/v1/quota/status")
    assert document["paths"]["/v1/quota/consume"]["post"]["security"] == [{"internalKey": []}]
    assert nothing.status_code == 404 and nothing.json() == {"detail": "Not Found"}
    assert anonymous.status_code == 401 and anonymous.json()["reason"] == "missing"
    async with dialect_client(sandbox, "bizbasics", readonly=True) as client:
        me = await client.me.get()
        assert me.workspace_id == sandbox.credentials()["live"]["workspace_id"]
        with pytest.raises(errors.ApiError, match="internal key"):
            await client.webhooks.create({"name": "x", "url": "http://127.0.0.1:9/x",
                                          "event_types": ["contact.created"]})


async def test_no_bizbasics_secret_reaches_records_exports_or_the_request_log(sandbox):
    section = dialect_section(sandbox, "bizbasics")
    secrets = {section["api_key"], section["internal_key"], section["readonly"]["api_key"]}
    records = []
    async with dialect_client(sandbox, "bizbasics") as client:
        client.add_request_listener(records.append)
        await client.me.get()
        await client.dev_logs.api_requests(limit=10)
        await client.quota.consume("ai_calls", 1, module="hygiene")
        hook = await client.webhooks.create({"name": "n", "url": "http://127.0.0.1:9/bb-hygiene",
                                             "event_types": ["contact.created"]})
        secrets.add(hook.signing_secret)
    bad = dialect_for("bizbasics")
    async with AdminClient(sandbox_root(sandbox) + MOUNT, bad.auth({"api_key": section["api_key"] + "x"}),
                           dialect=bad) as wrong:
        wrong.add_request_listener(records.append)
        with pytest.raises(errors.Unauthorized) as refused:
            await wrong.quota.status()
    async with owner_client(sandbox) as owner:
        logged = await owner.dev_logs.api_requests(limit=100)
    assert any(MOUNT in entry.path for entry in logged.items)
    texts = {
        "records": "\n".join(json.dumps(dataclasses.asdict(r), default=str) for r in records),
        "curl": "\n".join(to_curl(r) for r in records),
        "har": json.dumps(to_har(records)),
        "error": f"{refused.value} {refused.value!r} {refused.value.details}",
        "request log": json.dumps([entry.model_dump(mode="json") for entry in logged.items]),
        "sandbox log": sandbox.stderr_path.read_text(errors="replace") if sandbox.stderr_path.is_file() else "",
    }
    for where, text in texts.items():
        leaked = [secret[:12] + "…" for secret in secrets if secret in text]
        assert leaked == [], f"{where} holds {leaked}"
