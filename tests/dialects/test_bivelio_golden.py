"""BiVelio golden tests: seed 002's own examples, as the client sends them and the mount answers.

For each example the request on the wire (method, path, X-API-Key, the `{"action", "data"}` body
and its keys) and the answer (`success`, `data`, `pagination`, the record's keys and value types)
match the seed's; ids and times differ. Where the sandbox leaves out a key of the seed's answer the
test names it (`NOT_SERVED`) instead of hiding it.
"""

from __future__ import annotations

import json
import uuid
from datetime import date

import httpx
import pytest

from app.api import errors
from app.api.dialects import dialect_for
from app.api.dialects.base import Call
from app.api.dialects.operations import operation_of
from tests.dialects.conftest import dialect_client, dialect_section, sandbox_root

# Seed 002's example records (the keys and a value of each type, as the seed prints them).
SEED_CONTACT = {"id": "ct_abc123", "type": "company", "name": "Company ABC S.L.", "email": "contact@companyabc.com",
                "phone": "+34 612 345 678", "tags": ["client", "active", "pro"],
                "custom_fields": {"sector": "technology", "tax_id": "B12345678"},
                "created_at": "2026-01-10T08:00:00Z", "updated_at": "2026-04-05T11:30:00Z"}
SEED_CREATE_CONTACT = {"type": "person", "name": "Maria Garcia", "email": "maria@example.com",
                       "phone": "+34 600 111 222", "company_id": "ct_abc123", "tags": ["lead", "inbound"],
                       "custom_fields": {"source": "website", "interest": "plan_enterprise"}}
SEED_PAGINATION = {"page": 1, "per_page": 25, "total": 1, "total_pages": 1}
SEED_INVOICE = {"id": "inv_c6d7e8f9", "number": "INV-2026-042", "type": "issued", "status": "pending",
                "client": {"id": "ct_abc123", "name": "Company ABC S.L."}, "subtotal": 5000.00, "tax": 1050.00,
                "total": 6050.00, "currency": "EUR", "issue_date": "2026-04-01", "due_date": "2026-04-30",
                "line_items": [{"description": "BiVelio Pro License - April 2026", "quantity": 10,
                                "unit_price": 500.00, "tax_rate": 21, "total": 6050.00}]}
SEED_CREATE_INVOICE = {"client_id": "ct_abc123", "issue_date": "2026-04-07", "due_date": "2026-05-07",
                       "currency": "EUR", "line_items": [
                           {"description": "Technical consulting - 20 hours", "quantity": 20, "unit_price": 150.00,
                            "tax_rate": 21},
                           {"description": "Monthly software license", "quantity": 1, "unit_price": 500.00,
                            "tax_rate": 21}],
                       "notes": "Payment due in 30 days. Bank transfer.", "auto_send": False}
SEED_WEBHOOK = {"webhook_id": "wh_o8p9q0r1", "url": "https://your-server.com/api/bivelio-webhook",
                "events": ["workflow.completed", "message.received", "invoice.paid"], "status": "active",
                "last_triggered_at": "2026-04-07T12:55:00Z", "success_rate": 0.98,
                "created_at": "2026-04-07T13:00:00Z"}
#: Keys of the seed's answers the sandbox does not serve, and why.
NOT_SERVED = {"pdf_url": "the sandbox renders no invoice PDFs"}


def _same_shape(seed: dict, answer: dict, where: str) -> None:
    """Every key of the seed's record is in the answer with the same JSON type (null allowed where
    the sandbox has no value; numbers are numbers)."""
    for key, value in seed.items():
        if key in NOT_SERVED:
            continue
        assert key in answer, f"{where}: {key} missing"
        got = answer[key]
        if got is None:
            continue
        if isinstance(value, float | int) and not isinstance(value, bool):
            assert isinstance(got, float | int) and not isinstance(got, bool), f"{where}.{key}: {got!r}"
        elif isinstance(value, dict):
            assert isinstance(got, dict), f"{where}.{key}"
            if key != "custom_fields":
                _same_shape(value, got, f"{where}.{key}")
        elif isinstance(value, list):
            assert isinstance(got, list), f"{where}.{key}"
            if value and isinstance(value[0], dict) and got:
                _same_shape(value[0], got[0], f"{where}.{key}[0]")
        else:
            assert isinstance(got, type(value)), f"{where}.{key}: {got!r}"


class Wire(httpx.AsyncBaseTransport):
    """The client's transport, keeping each request and the platform's whole raw answer."""

    def __init__(self) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self.exchanges: list[tuple[httpx.Request, bytes]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self._inner.handle_async_request(request)
        content = await response.aread()
        self.exchanges.append((request, content))
        return httpx.Response(response.status_code, headers=response.headers, content=content, request=request)

    async def aclose(self) -> None:
        await self._inner.aclose()

    def last(self) -> tuple[str, str, dict, dict, dict]:
        request, content = self.exchanges[-1]
        return (request.method, request.url.path.split("/dialects/bivelio/v1", 1)[1],
                {name.lower(): value for name, value in request.headers.items()},
                json.loads(request.content), json.loads(content))


async def test_contacts_create_update_and_list_as_the_seed_shows_them(sandbox):
    wire = Wire()
    async with dialect_client(sandbox, "bivelio", transport=wire) as client:
        company = (await client.companies.list(limit=25)).items[0]
        method, path, headers, body, answer = wire.last()
        assert (method, path, body["action"]) == ("POST", "/contacts", "list")
        assert body["data"] == {"type": "company", "page": 1, "per_page": 25}
        assert "x-api-key" in headers and "authorization" not in headers
        assert answer["success"] is True and set(answer["data"]) == {"contacts", "pagination"}
        assert set(answer["data"]["pagination"]) == set(SEED_PAGINATION)
        _same_shape(SEED_CONTACT, answer["data"]["contacts"][0], "company contact")
        assert answer["data"]["contacts"][0]["type"] == "company"

        email = f"maria.{uuid.uuid4().hex[:8]}@example.com"
        maria = await client.contacts.create({"name": "Maria Garcia", "email": email, "phone": "+34 600 111 222",
                                              "company_id": company.id, "tags": ["lead", "inbound"],
                                              "custom_fields": {"source": "website", "interest": "plan_enterprise"}})
        method, path, _, body, answer = wire.last()
        assert (method, path) == ("POST", "/contacts/create")
        assert body == {"action": "create", "data": {**SEED_CREATE_CONTACT, "email": email, "company_id": company.id}}
        _same_shape({**SEED_CREATE_CONTACT, "id": "ct_def456", "created_at": "2026-04-07T12:10:00Z"},
                    answer["data"], "created contact")
        assert maria.company_id == company.id and maria.tags == ["lead", "inbound"]

        changed = await client.contacts.update(maria.id, {
            "tags": ["client", "active"],
            "custom_fields": {"source": "website", "interest": "plan_enterprise", "converted": True}})
        method, path, _, body, answer = wire.last()
        assert (method, path, body["action"]) == ("POST", "/contacts/update", "update")
        assert body["data"] == {"id": maria.id, "tags": ["client", "active"],
                                "custom_fields": {"source": "website", "interest": "plan_enterprise",
                                                  "converted": True}}
        assert answer["data"]["custom_fields"]["converted"] is True
        assert changed.custom_fields == {"source": "website", "interest": "plan_enterprise", "converted": True}

        found = await client.contacts.list(query="Maria Garcia", tag="client", limit=25)
        _, _, _, body, answer = wire.last()
        assert body["data"] == {"type": "person", "search": "Maria Garcia", "tags": ["client"], "page": 1,
                                "per_page": 25}
        assert maria.id in [c.id for c in found.items]
        assert answer["data"]["pagination"]["total"] == len(answer["data"]["contacts"]) >= 1


async def test_invoices_list_and_create_as_the_seed_shows_them(sandbox):
    wire = Wire()
    async with dialect_client(sandbox, "bivelio", transport=wire) as client:
        await client.invoices.list(status="sent", limit=20)
        _, path, _, body, answer = wire.last()
        assert (path, body) == ("/invoices/list", {"action": "list", "data": {
            "type": "issued", "status": "pending", "page": 1, "per_page": 20}})
        assert set(answer["data"]) == {"invoices", "pagination"}
        assert all(invoice["status"] == "pending" for invoice in answer["data"]["invoices"])
        _same_shape(SEED_INVOICE, answer["data"]["invoices"][0], "listed invoice")

        contact = (await client.contacts.list(limit=1)).items[0]
        created = await client.invoices.create({
            "contact_id": contact.id, "issue_date": date(2026, 4, 7), "due_date": date(2026, 5, 7), "currency": "EUR",
            "line_items": [{"name": "Technical consulting - 20 hours", "quantity": 20, "unit_amount_cents": 15000,
                            "tax_rate_bps": 2100},
                           {"name": "Monthly software license", "quantity": 1, "unit_amount_cents": 50000,
                            "tax_rate_bps": 2100}],
            "notes": "Payment due in 30 days. Bank transfer."})
        _, path, _, body, answer = wire.last()
        assert (path, body) == ("/invoices/create", {"action": "create",
                                                     "data": {**SEED_CREATE_INVOICE, "client_id": contact.id}})
        # The seed's answer: subtotal 3500.00, tax 735.00, total 4235.00, a draft, the client named.
        data = answer["data"]
        assert (data["subtotal"], data["tax"], data["total"], data["status"]) == (3500.0, 735.0, 4235.0, "draft")
        assert data["client"] == {"id": contact.id, "name": contact.name}
        _same_shape({"id": "inv_g0h1i2j3", "number": "INV-2026-043", "status": "draft", "client": {}, "subtotal": 1.0,
                     "tax": 1.0, "total": 1.0, "currency": "EUR", "issue_date": "", "due_date": "", "pdf_url": "",
                     "created_at": ""}, data, "created invoice")
        assert (created.subtotal_cents, created.tax_cents, created.total_cents) == (350000, 73500, 423500)
        assert created.line_items[0].unit_amount_cents == 15000 and created.line_items[0].tax_rate_bps == 2100


async def test_webhooks_create_and_list_as_the_seed_shows_them(sandbox):
    wire = Wire()
    async with dialect_client(sandbox, "bivelio", transport=wire) as client:
        url = f"https://your-server.com/api/bivelio-webhook/{uuid.uuid4().hex[:6]}"
        hook = await client.webhooks.create({"name": "Main integration webhook", "url": url,
                                             "event_types": ["contact.created", "invoice.paid"]})
        _, path, _, body, answer = wire.last()
        assert (path, body) == ("/webhooks/create", {"action": "create", "data": {
            "url": url, "events": ["contact.created", "invoice.paid"], "description": "Main integration webhook"}})
        assert set(answer["data"]) >= {"webhook_id", "url", "events", "status", "signing_secret", "created_at"}
        assert answer["data"]["status"] == "active" and hook.signing_secret.startswith("whsec_")
        assert hook.name == "Main integration webhook"

        listed = [h async for h in await client.webhooks.list()]
        _, path, _, body, answer = wire.last()
        assert (path, body) == ("/webhooks/list", {"action": "list", "data": {}})
        assert set(answer["data"]) == {"webhooks"}
        mine = next(h for h in answer["data"]["webhooks"] if h["webhook_id"] == hook.id)
        _same_shape(SEED_WEBHOOK, mine, "listed webhook")
        assert "signing_secret" not in mine and hook.id in [h.id for h in listed]
        assert (await client.webhooks.get(hook.id)).url == url


async def test_the_seeds_own_webhook_example_is_refused_for_events_the_sandbox_never_sends(sandbox):
    key = dialect_section(sandbox, "bivelio")["api_key"]
    example = {"action": "create", "data": {"url": "https://your-server.com/api/bivelio-webhook",
                                            "events": ["workflow.completed", "message.received", "invoice.paid"],
                                            "secret": "whsec_your_verification_secret",
                                            "description": "Main integration webhook"}}
    async with httpx.AsyncClient(base_url=sandbox_root(sandbox) + "/dialects/bivelio/v1") as http:
        answer = await http.post("/webhooks/create", json=example, headers={"X-API-Key": key})
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert answer.json()["success"] is False and error["code"] == "VALIDATION_ERROR"
    assert error["details"]["field"] == "events" and "workflow.completed" in error["message"]


async def test_errors_in_the_seeds_codes_and_as_the_clients_typed_errors(sandbox):
    root = sandbox_root(sandbox) + "/dialects/bivelio/v1"
    async with httpx.AsyncClient(base_url=root) as http:
        bad = await http.post("/contacts", json={"action": "list", "data": {}},
                              headers={"X-API-Key": "bv_live_sk_" + "x" * 40})
        assert bad.status_code == 401 and bad.json()["error"]["code"] == "AUTH_INVALID_TOKEN"
        unknown = await http.post("/workflows", json={"action": "list"},
                                  headers={"X-API-Key": dialect_section(sandbox, "bivelio")["api_key"]})
        assert unknown.status_code == 404 and "workflows" in unknown.json()["error"]["message"]
        wrong_action = await http.post("/contacts", json={"action": "delete", "data": {}},
                                       headers={"X-API-Key": dialect_section(sandbox, "bivelio")["api_key"]})
        assert wrong_action.status_code == 400 and wrong_action.json()["error"]["details"]["field"] == "action"
    async with dialect_client(sandbox, "bivelio", readonly=True) as client:
        with pytest.raises(errors.Forbidden) as refused:
            await client.contacts.create({"name": "Nope"})
        assert refused.value.details["required_scope"] == "crm:write"
        with pytest.raises(errors.Forbidden):
            await client.webhooks.list()  # seed 002: listing webhooks needs the admin scope
        me = await client.me.get()
        assert me.scopes == ["crm:read"]
    wire = Wire()
    async with dialect_client(sandbox, "bivelio", transport=wire) as client:
        with pytest.raises(errors.ValidationFailed) as invalid:
            await client.contacts.create({"name": ""})
        _, _, _, _, answer = wire.last()
        assert answer["error"]["code"] == "VALIDATION_ERROR" and answer["error"]["details"]["field"] == "name"
        assert invalid.value.details["fields"][0]["field"] == "name"
        with pytest.raises(errors.NotFound):
            await client.contacts.get("con_doesnotexist")


def test_the_seeds_rate_limit_answer_is_rate_limited_with_its_wait():
    # Seed 002's 429 body, as printed: code RATE_LIMIT_EXCEEDED and retry_after 23.
    seed = {"success": False, "error": {"code": "RATE_LIMIT_EXCEEDED",
                                        "message": "You have exceeded the limit of 100 requests per minute.",
                                        "retry_after": 23}}
    dialect = dialect_for("bivelio")
    call = Call("GET", "/contacts", operation_of("GET", "/contacts"), {})
    response = httpx.Response(429, json=seed, headers={"X-RateLimit-Limit": "100", "X-RateLimit-Remaining": "0"},
                              request=httpx.Request("POST", "https://api.bivelio.com/v1/contacts"))
    decoded = dialect.decode(call, response)
    error = errors.error_from_response(decoded, retry_after=float(decoded.headers["Retry-After"]))
    assert isinstance(error, errors.RateLimited) and error.retry_after == 23
    assert error.code == "RATE_LIMITED" and "100 requests per minute" in error.message


def test_a_key_of_another_shape_is_refused_before_anything_is_sent():
    with pytest.raises(ValueError, match="bv_live_sk_"):
        dialect_for("bivelio").auth({"api_key": "opk_live_" + "a" * 32})


async def test_the_mount_serves_its_own_openapi_document(sandbox):
    async with httpx.AsyncClient(base_url=sandbox_root(sandbox) + "/dialects/bivelio/v1") as http:
        document = (await http.get("/openapi.json")).json()
    assert document["openapi"] == "3.1.0"
    assert {"/contacts", "/contacts/create", "/contacts/update", "/invoices/list", "/invoices/create",
            "/webhooks/create", "/webhooks/list"} <= set(document["paths"])
    assert document["components"]["securitySchemes"]["ApiKey"]["name"] == "X-API-Key"
