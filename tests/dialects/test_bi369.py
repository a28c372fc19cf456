"""Bi369 AI (seed 000) against its sandbox mount: the seed's own examples (golden), its manifest,
payments through `/pay`, read-only keys, errors, and no secret in any record, export or log."""

from __future__ import annotations

import json
import uuid

import httpx
import pytest

from app.api import AdminClient, ApiKeyAuth, errors
from app.api.dialects.bi369 import EVENTS, MANIFEST
from app.api.export import to_curl, to_har
from app.api.retry_policy import RetryPolicy
from app.core.sandbox_process import SandboxProcess
from tests.api.sandbox_clients import unique
from tests.dialects.conftest import dialect_client, dialect_section, sandbox_root


def _mount(sandbox: SandboxProcess) -> str:
    return sandbox_root(sandbox) + dialect_section(sandbox, "bi369")["base_url"]


class _Capture(httpx.AsyncHTTPTransport):
    """The real transport, keeping each request's headers as they left and each whole answer
    (records mask headers and keep only the first 4 KiB of a body)."""

    def __init__(self) -> None:
        super().__init__()
        self.headers: list[httpx.Headers] = []
        self.answers: list[httpx.Response] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.headers.append(request.headers)
        response = await super().handle_async_request(request)
        await response.aread()
        self.answers.append(response)
        return response


def _types(value: object) -> object:
    """The JSON shape of `value`: keys and value types, not values."""
    if isinstance(value, dict):
        return {key: _types(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_types(value[0])] if value else []
    return type(value).__name__


# -- golden: the seed's examples ----------------------------------------------------------------


async def test_golden_list_leads_is_the_seed_curl_and_envelope(sandbox):
    """Seed 000: `curl https://api.bi369.com/v1/crm/leads -H "Authorization: Bearer YOUR_API_KEY"` and
    `{"success": true, "data": {…}, "meta": {"total": 100, "page": 1, "perPage": 20}}`."""
    wire = _Capture()
    async with dialect_client(sandbox, "bi369", transport=wire) as client:
        sent = []
        client.add_request_listener(sent.append)
        page = await client.contacts.list()
    (record,) = sent
    assert record.method == "GET"
    assert httpx.URL(record.url).path == "/dialects/bi369/v1/crm/leads"
    assert dict(httpx.URL(record.url).params) == {"page": "1", "perPage": "20"}
    assert wire.headers[0]["Authorization"] == f"Bearer {dialect_section(sandbox, 'bi369')['api_key']}"
    assert record.header("Authorization", response=False) == "Bearer [REDACTED]"
    body = wire.answers[0].json()
    assert set(body) == {"success", "data", "meta"} and body["success"] is True
    assert _types(body["meta"]) == {"total": "int", "page": "int", "perPage": "int"}
    assert body["meta"]["page"] == 1 and body["meta"]["perPage"] == 20 and body["meta"]["total"] >= 300
    assert len(body["data"]) == 20 == len(page.items) and page.has_next
    lead = body["data"][0]
    assert {"id", "name", "email", "createdAt", "updatedAt"} <= set(lead) and "version" not in lead
    assert page.items[0].id == lead["id"] and page.items[0].name == lead["name"]


async def test_golden_not_found_is_the_seed_error(sandbox):
    """Seed 000: `{"success": false, "error": {"code": "NOT_FOUND", "message": "Lead with ID 123 not found"}}`."""
    async with dialect_client(sandbox, "bi369") as client:
        sent = []
        client.add_request_listener(sent.append)
        with pytest.raises(errors.NotFound) as refused:
            await client.contacts.get("123")
    assert json.loads(sent[0].response_body) == {
        "success": False, "error": {"code": "NOT_FOUND", "message": "Lead with ID 123 not found"}}
    assert sent[0].status == 404 and httpx.URL(sent[0].url).path == "/dialects/bi369/v1/crm/leads/123"
    assert refused.value.message == "Lead with ID 123 not found" and refused.value.code == "NOT_FOUND"


async def test_golden_every_common_endpoint_the_client_sends(sandbox):
    """Seed 000's "Common endpoints": the method and path the client sends for each."""
    async with dialect_client(sandbox, "bi369") as client:
        sent = []
        client.add_request_listener(sent.append)
        lead = await client.contacts.create({"name": unique("Golden lead"), "email": f"{uuid.uuid4().hex[:10]}@example.com",
                                             "notes": "from the seed"})
        await client.contacts.get(lead.id)
        await client.contacts.update(lead.id, {"phone": "+1 555 0100"})
        await client.contacts.delete(lead.id)
        await client.invoices.list(limit=2)
        invoice = await client.invoices.create({"currency": "EUR", "line_items": [
            {"name": "Audit", "quantity": 2, "unit_amount_cents": 5000, "tax_rate_bps": 2000}]})
        await client.payments.create({"invoice_id": invoice.id, "amount_cents": invoice.amount_due_cents})
    wire = [(r.method, httpx.URL(r.url).path.removeprefix("/dialects/bi369/v1")) for r in sent]
    assert wire == [("POST", "/crm/leads"), ("GET", f"/crm/leads/{lead.id}"), ("PATCH", f"/crm/leads/{lead.id}"),
                    ("DELETE", f"/crm/leads/{lead.id}"), ("GET", "/finance/invoices"), ("POST", "/finance/invoices"),
                    ("PATCH", f"/finance/invoices/{invoice.id}/pay")]
    created = json.loads(sent[0].request_body)
    assert created["notes"] == "from the seed" and "email" in created
    made = json.loads(sent[5].request_body)
    assert made["items"] == [{"kind": "service", "name": "Audit", "quantity": 2, "unitPriceCents": 5000,
                              "taxRateBps": 2000}]
    answer = json.loads(sent[5].response_body)
    assert set(answer) == {"success", "data"} and answer["data"]["totalCents"] == 12000
    assert answer["data"]["status"] == "sent"  # Bi369 has no "send": a new invoice is issued
    assert json.loads(sent[6].request_body) == {"amountCents": 12000}
    paid = json.loads(sent[6].response_body)["data"]
    assert paid["status"] == "paid" and paid["amountDueCents"] == 0 and paid["payment"]["amountCents"] == 12000


def test_golden_webhook_events_are_the_seeds():
    """Seed 000: lead.created, lead.updated, lead.converted, invoice.created, invoice.paid,
    invoice.overdue, project.created, task.completed."""
    assert set(EVENTS) == {"lead.created", "lead.updated", "lead.converted", "invoice.created", "invoice.paid",
                           "invoice.overdue", "project.created", "task.completed"}
    assert EVENTS["lead.created"] == "contact.created" and EVENTS["task.completed"] is None


# -- manifest -----------------------------------------------------------------------------------


def test_manifest_lists_what_seed_000_documents():
    # Seed 000 "Common endpoints": CRM leads (list, create, get, update, delete), Finance invoices
    # (list, create) and "Record payment"; no identity call, so me is the sandbox's X-Tenant-Id.
    assert MANIFEST.operations == {"me.get", "contacts.list", "contacts.get", "contacts.create", "contacts.update",
                                   "contacts.delete", "invoices.list", "invoices.create", "payments.create"}
    assert MANIFEST.modules == ("crm", "billing")
    # No ETag, Idempotency-Key, updated_since, deletions or /me in the seed; only Retry-After on 429.
    assert set(MANIFEST.missing) == {"etag", "idempotency_key", "updated_since", "deletions", "me",
                                     "rate_limit_headers"}
    # Webhooks: "Configure webhooks in Settings → Webhooks"; keys: "Revoke keys … from Settings → API Keys";
    # Projects/tasks exist there but not in Opsdesk.
    absent = MANIFEST.to_json()["absent_modules"]
    assert set(absent) == {"support", "integrations", "quota", "keys", "logs"}
    assert "Settings → Webhooks" in absent["integrations"] and "Settings → API Keys" in absent["keys"]
    assert "projects" in MANIFEST.absent["projects"]


async def test_absent_and_unfiltered_calls_send_nothing(sandbox):
    async with dialect_client(sandbox, "bi369") as client:
        sent = []
        client.add_request_listener(sent.append)
        with pytest.raises(errors.NotSupported, match="Settings → Webhooks"):
            await client.webhooks.list()
        with pytest.raises(errors.NotSupported, match="page and perPage"):
            await client.contacts.list(query="garcía")
        with pytest.raises(errors.NotSupported):
            await client.invoices.get("inv_1")
        assert sent == []


# -- behaviour ----------------------------------------------------------------------------------


async def test_payments_partial_then_the_rest_then_nothing_due(sandbox):
    async with dialect_client(sandbox, "bi369") as client:
        invoice = await client.invoices.create({"currency": "USD", "line_items": [
            {"name": "Support plan", "quantity": 1, "unit_amount_cents": 9000}]})
        assert invoice.status == "sent" and invoice.amount_due_cents == 9000
        first = await client.payments.create({"invoice_id": invoice.id, "amount_cents": 4000, "method": "card"})
        assert first.amount_cents == 4000 and first.method == "card" and first.invoice_id == invoice.id
        rest = await client.payments.create({"invoice_id": invoice.id, "amount_cents": 5000})
        assert rest.amount_cents == 5000 and rest.id != first.id
        with pytest.raises(errors.Conflict, match="nothing due"):
            await client.payments.create({"invoice_id": invoice.id, "amount_cents": 1})
        listed = [inv async for inv in await client.invoices.list(limit=100) if inv.id == invoice.id]
        assert listed and listed[0].status == "paid" and listed[0].amount_paid_cents == 9000


async def test_read_only_key_reads_but_cannot_write(sandbox):
    async with dialect_client(sandbox, "bi369", readonly=True) as client:
        me = await client.me.get()
        assert me.scopes == ["crm:read"] and "read-only" in me.name
        assert (await client.contacts.list(limit=1)).items
        with pytest.raises(errors.Forbidden) as refused:
            await client.contacts.create({"name": unique("Nope")})
    assert "read-only" in refused.value.message and refused.value.details["required_scope"] == "crm:write"


async def test_validation_errors_name_the_field(sandbox):
    async with dialect_client(sandbox, "bi369") as client:
        with pytest.raises(errors.ValidationFailed) as refused:
            await client.contacts.create({"name": unique("Bad email"), "email": "not-an-email"})
    assert [field["field"] for field in refused.value.details["fields"]] == ["email"]
    assert refused.value.message.startswith("Validation failed: email: ")


async def test_emulated_if_match_catches_a_colleagues_change(sandbox):
    async with dialect_client(sandbox, "bi369") as mine, dialect_client(sandbox, "bi369") as colleague:
        lead = await mine.contacts.create({"name": unique("Shared lead")})
        await colleague.contacts.update(lead.id, {"notes": "theirs"})
        with pytest.raises(errors.PreconditionFailed):
            await mine.contacts.update(lead.id, {"notes": "mine"}, if_match=lead.version)
        assert (await mine.contacts.get(lead.id)).notes == "theirs"


async def test_mount_answers_unknown_keys_projects_and_its_openapi(sandbox):
    base = _mount(sandbox)
    key = dialect_section(sandbox, "bi369")["api_key"]
    async with httpx.AsyncClient() as http:
        stranger = await http.get(base + "/crm/leads", headers={"Authorization": "Bearer b369_full_" + "x" * 40})
        projects = await http.get(base + "/projects", headers={"Authorization": f"Bearer {key}"})
        contract_key = await http.get(base + "/crm/leads",
                                      headers={"Authorization": f"Bearer {sandbox.credentials()['live']['owner_key']}"})
        document = await http.get(base + "/openapi.json")
        bad_page = await http.get(base + "/crm/leads", params={"perPage": 500}, headers={"Authorization": f"Bearer {key}"})
    assert stranger.status_code == 401 and stranger.json()["error"]["code"] == "UNAUTHORIZED"
    assert contract_key.status_code == 401  # an Opsdesk key is no Bi369 key
    assert projects.status_code == 501 and projects.json()["success"] is False
    assert bad_page.status_code == 400 and bad_page.json()["error"]["code"] == "BAD_REQUEST"
    spec = document.json()
    assert spec["openapi"].startswith("3.1") and {"/crm/leads", "/crm/leads/{id}", "/finance/invoices",
                                                   "/finance/invoices/{id}/pay", "/projects"} <= set(spec["paths"])
    assert set(spec["webhooks"]) == set(EVENTS)


@pytest.fixture(scope="module")
def tight_sandbox(tmp_path_factory):
    process = SandboxProcess.start(tmp_path_factory.mktemp("bi369-tight"), seed_size=5, rate_limit=2)
    yield process
    process.stop()


async def test_rate_limit_is_429_with_retry_after(tight_sandbox):
    async with dialect_client(tight_sandbox, "bi369", retry_policy=RetryPolicy(0, max_rate_limit_waits=0)) as client:
        sent = []
        client.add_request_listener(sent.append)
        with pytest.raises(errors.RateLimited) as refused:
            for _ in range(5):
                await client.contacts.list(limit=1)
    told = sent[-1]
    assert told.status == 429 and int(told.header("Retry-After")) >= 1
    assert json.loads(told.response_body) == {"success": False, "error": {
        "code": "RATE_LIMITED", "message": json.loads(told.response_body)["error"]["message"]}}
    assert refused.value.retry_after is not None and refused.value.retry_after >= 1


# -- secrets ------------------------------------------------------------------------------------


async def test_no_bi369_secret_in_records_exports_request_log_or_sandbox_log(sandbox):
    section = dialect_section(sandbox, "bi369")
    secrets = {section["api_key"], section["readonly"]["api_key"]}
    records = []
    for readonly in (False, True):
        async with dialect_client(sandbox, "bi369", readonly=readonly) as client:
            client.add_request_listener(records.append)
            await client.contacts.list(limit=2)
            with pytest.raises((errors.NotFound, errors.Forbidden)):
                if readonly:
                    await client.contacts.create({"name": unique("Read-only try")})
                else:
                    await client.contacts.get("con_missing")
            if not readonly:
                await client.contacts.create({"name": unique("Secret scan"), "notes": f"pasted {section['api_key']}"})
    texts = [json.dumps(to_har(records))] + [to_curl(r) for r in records] + [repr(r) for r in records]
    async with AdminClient(sandbox.url, ApiKeyAuth(sandbox.credentials()["live"]["owner_key"])) as owner:
        log = [entry async for entry in await owner.dev_logs.api_requests(limit=100)]
    assert any(entry.path.startswith("/dialects/bi369/") for entry in log)
    texts.append(json.dumps([entry.model_dump(mode="json") for entry in log]))
    texts.append(sandbox.stderr_path.read_text(errors="replace"))
    for secret in secrets:
        assert not any(secret in text or secret[10:] in text for text in texts)
    assert len(records) >= 5
