"""platform004 (seed 004): manifest, identity from /workspace, learned scopes, its filters, and the mount.

The golden tests (seed examples, request and answer) are in test_platform004_golden.py.
"""

from __future__ import annotations

import dataclasses
import json
import uuid

import httpx
import pytest

from app.api import errors
from app.api.dialects import dialect_for
from app.api.export import to_curl, to_har
from tests.api.sandbox_clients import owner_client, unique
from tests.dialects.conftest import dialect_client, dialect_section, sandbox_root

MOUNT = "/dialects/platform004/v1"


def test_manifest_lists_what_seed_004_documents():
    manifest = dialect_for("platform004").manifest
    # Seed 004's "OpenAPI operations" mapped onto the contract's: getWorkspace; listContacts,
    # createContact; listCompanies, createCompany; listInvoices, createInvoice, recordPayment;
    # listSupportQueues, createSupportQueue; listSupportTickets, createSupportTicket,
    # updateSupportTicket; list/addSupportTicketMessage(s); list/addSupportTicketComment(s);
    # listWebhookEndpoints, createWebhookEndpoint, updateWebhookEndpoint, sendTestWebhookEvent,
    # listWebhookDeliveries. No GET of one contact/company/invoice/ticket, no contact PATCH or
    # DELETE, no /me (identity is getWorkspace), no quota, API-key, request-log or event operations
    # (its /analytics/events are analytics definitions, not the event log).
    assert manifest.operations == {
        "workspace.get", "me.get",
        "contacts.list", "contacts.create", "companies.list", "companies.create",
        "invoices.list", "invoices.create", "payments.create",
        "queues.list", "queues.create", "tickets.list", "tickets.create", "tickets.update",
        "messages.list", "messages.create", "comments.list", "comments.create",
        "webhooks.list", "webhooks.create", "webhooks.update", "webhooks.test", "deliveries.list",
    }
    assert manifest.modules == ("crm", "support", "billing", "integrations")
    # The seed names no version, ETag, If-Match, updated_since, deletions list, /me or rate-limit
    # headers; it does name "Idempotency-Key | header" on its writes.
    assert set(manifest.missing) == {"etag", "updated_since", "deletions", "me", "rate_limit_headers"}
    assert manifest.has("idempotency_key")
    assert manifest.why_absent("quota") == "Platform 004 has no quota API"
    assert manifest.fields["contacts"] == ("id", "name", "email", "company_id", "company_name")


async def test_identity_comes_from_workspace_with_its_modules(sandbox):
    async with dialect_client(sandbox, "platform004") as client:
        sent = []
        client.add_request_listener(sent.append)
        me = await client.me.get()
        workspace = await client.workspace.get()
    assert [r.url.split(MOUNT, 1)[1] for r in sent] == ["/workspace", "/workspace"]  # never /me
    live = sandbox.credentials()["live"]
    assert me.workspace_id == workspace.id == live["workspace_id"]
    assert workspace.environment == "live"
    assert set(workspace.enabled_modules) == {"crm", "billing", "support", "integrations"}
    assert {"crm:read", "crm:write", "support:write", "integrations:read"} <= set(me.scopes)
    assert json.loads(sent[0].response_body)["data"]["enabled_modules"] == ["crm", "support", "integrations"]


async def test_a_refusal_teaches_the_scope_the_token_lacks(sandbox):
    async with dialect_client(sandbox, "platform004", readonly=True) as client:
        before = await client.me.get()
        assert "crm:write" in before.scopes  # assumed from enabled_modules
        with pytest.raises(errors.Forbidden) as refused:
            await client.contacts.create({"name": unique("Nope")})
        assert refused.value.required_scope == "crm:write"
        assert refused.value.message == "The token does not include the scope required for this operation."
        after = await client.me.get()
        assert "crm:write" not in after.scopes and "crm:read" in after.scopes


async def test_filters_the_seed_lacks_are_refused_before_sending(sandbox):
    async with dialect_client(sandbox, "platform004") as client:
        sent = []
        client.add_request_listener(sent.append)
        with pytest.raises(errors.NotSupported) as refused:
            await client.contacts.list(tag="vip")
        assert "'tag'" in refused.value.message
        with pytest.raises(errors.NotSupported):
            await client.tickets.list(state="open")
        assert sent == []
        # updated_since is dropped: the full refresh the manifest announces.
        from datetime import UTC, datetime
        page = await client.contacts.list(updated_since=datetime(2020, 1, 1, tzinfo=UTC), limit=2)
        assert page.items and "updated_since" not in sent[-1].url


async def test_versions_are_synthesized_from_update_times(sandbox):
    async with dialect_client(sandbox, "platform004") as client:
        sent = []
        client.add_request_listener(sent.append)
        created = await client.tickets.create({"subject": unique("Versionless")})
        assert "version" not in json.loads(sent[-1].response_body)["data"]
        assert sent[-1].header("etag") is None
        assert created.version > 0
        changed = await client.tickets.update(created.id, {"priority": "high"})
        assert changed.priority == "high" and changed.version >= created.version


async def test_ticket_update_with_a_version_saves_though_the_platform_cannot_read_one_back(sandbox):
    """Seed 004 has no GET of one ticket: the emulated If-Match has nothing to compare, so the
    change is written (the manifest's missing etag is what the console tells the operator)."""
    async with dialect_client(sandbox, "platform004") as client:
        created = await client.tickets.create({"subject": unique("Compared")})
        changed = await client.tickets.update(created.id, {"priority": "high"}, if_match=created.version)
        assert changed.priority == "high"


async def test_mount_answers_in_its_own_terms(sandbox):
    section = dialect_section(sandbox, "platform004")
    root = sandbox_root(sandbox) + MOUNT
    auth = {"Authorization": f"Bearer {section['api_key']}"}
    async with httpx.AsyncClient(base_url=root, timeout=10) as http:
        document = (await http.get("/openapi.json")).json()  # no credential
        assert document["openapi"].startswith("3.1")
        assert document["paths"]["/contacts"]["post"]["operationId"] == "createContact"
        missing = await http.get("/contacts/con_1", headers=auth)
        assert missing.status_code == 404 and missing.json()["error"]["code"] == "NOT_FOUND"
        no_token = await http.get("/contacts")
        assert no_token.status_code == 401
        assert no_token.json()["error"]["message"] == "A valid bearer token is required."
        deals = await http.get("/support/tickets", params={"deal_id": "deal_1"}, headers=auth)
        assert deals.status_code == 200 and deals.json()["data"] == []  # no deals here: nothing matches
        unserved = await http.get("/support/queues", params={"custom_field_key": "tier"}, headers=auth)
        assert unserved.status_code == 400 and unserved.json()["error"]["details"]["parameter"] == "custom_field_key"
        contract_key = await http.get("/contacts", headers={"Authorization": f"Bearer {sandbox.credentials()['live']['owner_key']}"})
        assert contract_key.status_code == 401  # the contract's own key is not this mount's


async def test_contact_created_with_company_name_links_that_company(sandbox):
    company = unique("Acme Corp")
    section = dialect_section(sandbox, "platform004")
    root = sandbox_root(sandbox) + MOUNT
    headers = {"Authorization": f"Bearer {section['api_key']}", "Idempotency-Key": str(uuid.uuid4())}
    body = {"name": "Jane Doe", "email": f"{uuid.uuid4().hex[:10]}@acme.com", "company_name": company}
    async with httpx.AsyncClient(base_url=root, timeout=10) as http:
        first = await http.post("/contacts", json=body, headers=headers)
        again = await http.post("/contacts", json=body, headers=headers)
        second = await http.post("/contacts", json={**body, "email": f"{uuid.uuid4().hex[:10]}@acme.com"},
                                 headers={**headers, "Idempotency-Key": str(uuid.uuid4())})
    assert first.status_code == 201, first.text
    made = first.json()["data"]
    assert made["company_name"] == company and "version" not in made
    assert again.headers.get("idempotent-replayed") == "true" and again.json()["data"]["id"] == made["id"]
    assert second.json()["data"]["company_id"] == made["company_id"]  # the same company, not a second one
    async with owner_client(sandbox) as owner:
        companies = await owner.companies.list(query=company, limit=10)
    assert [c.name for c in companies.items] == [company]


async def test_no_platform004_secret_reaches_records_exports_or_the_request_log(sandbox):
    section = dialect_section(sandbox, "platform004")
    secrets = {section["api_key"], section["readonly"]["api_key"]}
    records = []
    async with dialect_client(sandbox, "platform004") as client:
        client.add_request_listener(records.append)
        await client.contacts.list(limit=3)
        hook = await client.webhooks.create({"name": unique("p004 hygiene"), "url": "http://127.0.0.1:9/p004",
                                             "event_types": ["contact.created"]})
        secrets.add(hook.signing_secret)
        await client.contacts.create({"name": unique("pasted"), "notes": f"key {section['api_key']} here"})
    async with dialect_client(sandbox, "platform004", readonly=True) as readonly:
        readonly.add_request_listener(records.append)
        with pytest.raises(errors.Forbidden) as refused:
            await readonly.companies.create({"name": unique("nope")})
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
