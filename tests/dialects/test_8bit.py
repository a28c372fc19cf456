"""8bit-ai (seed 001) against its sandbox mount: the seed's envelope, error table, paging and rate
headers (golden), its manifest, API keys vs JWT logins, and no secret in any record, export or log."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import sqlite3

import httpx
import pytest

from app.api import AdminClient, ApiKeyAuth, errors
from app.api.dialects.eightbit import MANIFEST
from app.api.dialects.eightbit_auth import jwt_claims
from app.api.export import to_curl, to_har
from app.api.retry_policy import RetryPolicy
from app.core.sandbox_process import SandboxProcess
from tests.api.sandbox_clients import unique
from tests.dialects.conftest import dialect_client, dialect_section, sandbox_root

SEED_CODES = {"INVALID_REQUEST": 400, "UNAUTHORIZED": 401, "FORBIDDEN": 403, "NOT_FOUND": 404, "CONFLICT": 409,
              "RATE_LIMITED": 429, "INTERNAL_ERROR": 500}


class _Capture(httpx.AsyncHTTPTransport):
    """The real transport, keeping each request as it left and each whole answer (records mask
    headers and cut bodies)."""

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[httpx.Request] = []
        self.answers: list[httpx.Response] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        response = await super().handle_async_request(request)
        await response.aread()
        self.answers.append(response)
        return response


def _mount(sandbox: SandboxProcess) -> str:
    return sandbox_root(sandbox) + dialect_section(sandbox, "8bit")["base_url"]


def _path(url: str) -> str:
    return httpx.URL(url).path.removeprefix("/dialects/8bit/v1")


def _assert_seed_error(answer: httpx.Response, code: str) -> dict:
    """Seed 001: `error` with a code and message, and a `details` object with additional context."""
    body = answer.json()
    assert answer.status_code == SEED_CODES[code]
    assert body["success"] is False and set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code and body["error"]["message"] and isinstance(body["error"]["details"], dict)
    return body["error"]


# -- golden -------------------------------------------------------------------------------------


async def test_golden_sign_in_then_a_list_with_the_seeds_envelope_and_rate_headers(sandbox):
    wire = _Capture()
    async with dialect_client(sandbox, "8bit", transport=wire) as client:
        page = await client.tickets.list(limit=5)
    token_request, list_request = wire.requests
    token_answer, list_answer = wire.answers
    section = dialect_section(sandbox, "8bit")
    assert (token_request.method, _path(str(token_request.url))) == ("POST", "/auth/token")
    assert json.loads(token_request.content) == {"email": section["email"], "password": section["password"]}
    tokens = token_answer.json()
    assert set(tokens) == {"success", "data"} and tokens["success"] is True
    assert set(tokens["data"]) == {"access_token", "token_type", "expires_in", "refresh_token", "user"}
    assert tokens["data"]["expires_in"] == 15 * 60  # "JWT-based with a 15-minute expiration"
    assert tokens["data"]["refresh_token"].startswith("8b_rt_") and len(tokens["data"]["refresh_token"]) > 38
    access = tokens["data"]["access_token"]
    header = json.loads(base64.urlsafe_b64decode(access.split(".")[0] + "=="))
    assert header == {"alg": "HS256", "typ": "JWT"}
    claims = jwt_claims(access)
    assert claims["org"] == sandbox.credentials()["live"]["workspace_id"] and claims["exp"] - claims["iat"] >= 899

    assert (list_request.method, _path(str(list_request.url))) == ("GET", "/conversations")
    assert dict(list_request.url.params) == {"limit": "5"}
    assert list_request.headers["Authorization"] == f"Bearer {access}"
    listed = list_answer.json()
    assert set(listed) == {"success", "data", "pagination"} and len(listed["data"]) == 5 == len(page.items)
    assert {"id", "subject", "status", "priority", "channel", "customer_id", "created_at"} <= set(listed["data"][0])
    assert listed["pagination"]["has_more"] is True and page.has_next
    for name in ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"):
        assert list_answer.headers[name].isdigit(), name


async def test_golden_cursor_paging_walks_every_conversation_once(sandbox):
    async with dialect_client(sandbox, "8bit") as client:
        seen = [ticket.id async for ticket in await client.tickets.list(limit=100)]
    assert len(seen) == len(set(seen)) >= 30


async def test_golden_the_error_code_table(sandbox, tight_sandbox):
    """Seed 001's table: INVALID_REQUEST, UNAUTHORIZED, FORBIDDEN, NOT_FOUND, CONFLICT, RATE_LIMITED
    (INTERNAL_ERROR is a bug, so it cannot be asked for), each with `details`."""
    base = _mount(sandbox)
    section = dialect_section(sandbox, "8bit")
    key = {"Authorization": f"Bearer {section['api_key']}"}
    read = {"Authorization": f"Bearer {section['readonly']['api_key']}"}
    async with httpx.AsyncClient() as http:
        ticket = (await http.post(base + "/conversations", json={"subject": unique("Error table")}, headers=key)).json()
        closed = await http.patch(base + f"/conversations/{ticket['data']['id']}", json={"status": "closed"},
                                  headers=key)
        assert closed.status_code == 200
        _assert_seed_error(await http.get(base + "/conversations", params={"limit": 500}, headers=key),
                           "INVALID_REQUEST")
        missing = _assert_seed_error(await http.post(base + "/conversations", json={"priority": "high"},
                                                     headers=key), "INVALID_REQUEST")
        assert missing["details"]["fields"][0]["field"] == "subject"  # "missing required fields"
        assert _assert_seed_error(await http.get(base + "/conversations"), "UNAUTHORIZED")["details"]["reason"] == "missing"
        forbidden = _assert_seed_error(await http.post(base + "/webhooks", headers=read, json={
            "name": "x", "url": "http://127.0.0.1:9/h", "events": ["ticket.created"]}), "FORBIDDEN")
        assert forbidden["details"]["required_scope"] == "integrations:write"
        _assert_seed_error(await http.get(base + "/conversations/ticket_nope", headers=key), "NOT_FOUND")
        _assert_seed_error(await http.patch(base + f"/conversations/{ticket['data']['id']}", json={"status": "new"},
                                            headers=key), "CONFLICT")
        tight = _mount(tight_sandbox)
        tight_key = {"Authorization": f"Bearer {dialect_section(tight_sandbox, '8bit')['api_key']}"}
        answers = [await http.get(tight + "/conversations", headers=tight_key) for _ in range(4)]
    limited = answers[-1]
    _assert_seed_error(limited, "RATE_LIMITED")
    assert int(limited.headers["Retry-After"]) >= 1 and limited.headers["X-RateLimit-Remaining"] == "0"


# -- manifest -----------------------------------------------------------------------------------


def test_manifest_lists_what_seed_001_documents():
    # Seed 001: "agents, conversations, messages, webhooks, billing, and organization management".
    # Conversations/messages are tickets/messages, webhooks are webhooks, organization is the
    # workspace and its members; agents have no counterpart, billing is 8bit-ai's own subscription.
    assert MANIFEST.operations == {
        "workspace.get", "me.get", "members.list", "tickets.list", "tickets.get", "tickets.create", "tickets.update",
        "messages.list", "messages.create", "webhooks.list", "webhooks.get", "webhooks.create", "webhooks.update",
        "webhooks.delete"}
    assert MANIFEST.modules == ("support", "integrations")
    # No ETag, Idempotency-Key, updated_since, deletions or /me in the seed; its X-RateLimit-* headers are kept.
    assert set(MANIFEST.missing) == {"etag", "idempotency_key", "updated_since", "deletions", "me"}
    assert set(MANIFEST.to_json()["absent_modules"]) == {"crm", "billing", "quota", "keys", "logs"}
    assert "subscription" in MANIFEST.absent["billing"] and "agents" in MANIFEST.absent["agents"]


# -- behaviour ----------------------------------------------------------------------------------


async def test_conversation_thread_and_webhook_round_trip(sandbox):
    async with dialect_client(sandbox, "8bit") as client:
        ticket = await client.tickets.create({"subject": unique("Bot handoff"), "priority": "high"})
        changed = await client.tickets.update(ticket.id, {"status": "open"}, if_match=ticket.version)
        assert changed.status == "open" and changed.priority == "high"
        with pytest.raises(errors.PreconditionFailed):  # the emulated If-Match (compare update times)
            await client.tickets.update(ticket.id, {"status": "pending"}, if_match=ticket.version)
        sent = await client.tickets.messages.create(ticket.id, {"direction": "outbound", "body": "On it."})
        assert sent.direction == "outbound" and sent.ticket_id == ticket.id
        thread = [message async for message in await client.tickets.messages.list(ticket.id)]
        assert [m.body for m in thread] == ["On it."] and thread[0].id == sent.id


async def test_webhooks_create_get_update_delete(sandbox):
    async with dialect_client(sandbox, "8bit") as client:
        hook = await client.webhooks.create({"name": unique("8bit hook"), "url": "http://127.0.0.1:9/8b",
                                             "event_types": ["ticket.created"]})
        assert hook.signing_secret and hook.event_types == ["ticket.created"]
        paused = await client.webhooks.update(hook.id, {"status": "paused"})
        assert paused.status == "paused" and (await client.webhooks.get(hook.id)).status == "paused"
        await client.webhooks.delete(hook.id)
        with pytest.raises(errors.NotFound):
            await client.webhooks.get(hook.id)


async def test_api_key_identity_and_a_read_only_key_learns_its_limit(sandbox):
    section = dialect_section(sandbox, "8bit")
    async with dialect_client(sandbox, "8bit", readonly=True) as client:
        me = await client.me.get()
        assert me.kind == "api_key" and me.workspace_id == sandbox.credentials()["live"]["workspace_id"]
        assert (await client.webhooks.list()).items is not None
        with pytest.raises(errors.Forbidden) as refused:
            await client.webhooks.create({"name": "x", "url": "http://127.0.0.1:9/h", "event_types": ["ticket.created"]})
        assert refused.value.details["required_scope"] == "integrations:write"
        assert "integrations:write" not in (await client.me.get()).scopes
    async with dialect_client(sandbox, "8bit") as user:
        me = await user.me.get()
        assert me.kind == "user" and "support:write" in me.scopes and me.expires_at is not None
    assert section["api_key"].startswith("8b_sk_")


async def test_jwt_is_signed_with_the_key_in_meta_and_tampering_is_refused(sandbox):
    base = _mount(sandbox)
    section = dialect_section(sandbox, "8bit")
    async with httpx.AsyncClient() as http:
        signed = await http.post(base + "/auth/token", json={"email": section["email"], "password": section["password"]})
        access = signed.json()["data"]["access_token"]
        with sqlite3.connect(sandbox.data_dir / "sandbox.sqlite3") as db:
            (key,) = db.execute("SELECT value FROM meta WHERE key = 'eightbit_jwt_key'").fetchone()
        head, body, mac = access.split(".")
        expected = hmac.new(bytes.fromhex(key), f"{head}.{body}".encode(), hashlib.sha256).digest()
        assert base64.urlsafe_b64encode(expected).rstrip(b"=").decode() == mac
        claims = jwt_claims(access) | {"role": "owner", "scope": "everything"}
        forged_body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
        forged = await http.get(base + "/organization", headers={"Authorization": f"Bearer {head}.{forged_body}.{mac}"})
        genuine = await http.get(base + "/organization", headers={"Authorization": f"Bearer {access}"})
        contract = await http.get(base + "/organization",
                                  headers={"Authorization": f"Bearer {sandbox.credentials()['live']['owner_key']}"})
    assert genuine.status_code == 200 and genuine.json()["data"]["id"] == claims["org"]
    assert _assert_seed_error(forged, "UNAUTHORIZED")["details"]["reason"] == "invalid"
    assert contract.status_code == 401  # an Opsdesk key is no 8bit-ai credential


async def test_unserved_resources_order_and_openapi(sandbox):
    base = _mount(sandbox)
    key = {"Authorization": f"Bearer {dialect_section(sandbox, '8bit')['api_key']}"}
    async with httpx.AsyncClient() as http:
        agents = await http.get(base + "/agents", headers=key)
        ascending = await http.get(base + "/conversations", params={"order": "asc"}, headers=key)
        document = (await http.get(base + "/openapi.json")).json()
    assert _assert_seed_error(agents, "NOT_FOUND")["details"]["reason"] == "not_served"
    assert _assert_seed_error(ascending, "INVALID_REQUEST")["details"]["parameter"] == "order"
    assert {"/auth/token", "/auth/refresh", "/conversations", "/webhooks", "/organization"} <= set(document["paths"])
    assert document["components"]["securitySchemes"]["accessToken"]["bearerFormat"] == "JWT"


@pytest.fixture(scope="module")
def tight_sandbox(tmp_path_factory):
    process = SandboxProcess.start(tmp_path_factory.mktemp("8bit-tight"), seed_size=5, rate_limit=2)
    yield process
    process.stop()


async def test_client_rate_limited_carries_retry_after(tight_sandbox):
    section = dialect_section(tight_sandbox, "8bit")
    async with dialect_client(tight_sandbox, "8bit", readonly=True,
                              retry_policy=RetryPolicy(0, max_rate_limit_waits=0)) as client:
        with pytest.raises(errors.RateLimited) as refused:
            for _ in range(5):
                await client.webhooks.list()
    assert refused.value.retry_after is not None and refused.value.retry_after >= 1
    assert section["readonly"]["api_key"].startswith("8b_sk_")


# -- secrets ------------------------------------------------------------------------------------


async def test_no_8bit_secret_in_records_exports_request_log_or_sandbox_log(sandbox):
    section = dialect_section(sandbox, "8bit")
    secrets = {section["password"], section["api_key"], section["readonly"]["api_key"]}
    records = []
    async with dialect_client(sandbox, "8bit") as client:
        client.add_request_listener(records.append)
        await client.tickets.list(limit=2)
        await client.webhooks.create({"name": unique("Secret scan"), "url": "http://127.0.0.1:9/s",
                                      "event_types": ["ticket.created"]})
        with pytest.raises(errors.NotFound):
            await client.tickets.get("ticket_missing")
        secrets |= {client.auth._access_token, client.auth.refresh_token}
    async with dialect_client(sandbox, "8bit", readonly=True) as client:
        client.add_request_listener(records.append)
        await client.webhooks.list()
    texts = [json.dumps(to_har(records))] + [to_curl(r) for r in records] + [repr(r) for r in records]
    async with AdminClient(sandbox.url, ApiKeyAuth(sandbox.credentials()["live"]["owner_key"])) as owner:
        log = [entry async for entry in await owner.dev_logs.api_requests(limit=100)]
    assert any(entry.path.startswith("/dialects/8bit/") for entry in log)
    texts.append(json.dumps([entry.model_dump(mode="json") for entry in log]))
    texts.append(sandbox.stderr_path.read_text(errors="replace"))
    for secret in secrets:
        assert secret and not any(secret in text for text in texts)
    assert any(_path(r.url) == "/auth/token" for r in records) and len(records) >= 5
