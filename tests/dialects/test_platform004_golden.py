"""Golden: seed 004's own examples, sent by the client and answered by the mount, shape for shape.

For each example the request the client puts on the wire (method, path, query, Idempotency-Key,
body) is the seed's, and the mount's answer has the seed's envelope and every key of the seed's
response example with the same JSON type (ids and times differ; the sandbox adds fields).
"""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.api.sandbox_clients import unique
from tests.dialects.conftest import dialect_client

MOUNT = "/dialects/platform004/v1"


def _type(value: Any) -> str:
    return {dict: "object", list: "array", str: "string", bool: "boolean", int: "integer",
            float: "number", type(None): "null"}[type(value)]


def assert_shape(example: Any, actual: Any, where: str = "") -> None:
    """Every key of `example` is in `actual` with the same JSON type, recursively (first list item)."""
    assert _type(actual) == _type(example), f"{where or 'body'}: {_type(actual)} is not {_type(example)}"
    if isinstance(example, dict):
        for key, value in example.items():
            assert key in actual, f"{where}.{key} missing from {sorted(actual)}"
            assert_shape(value, actual[key], f"{where}.{key}")
    elif isinstance(example, list) and example:
        assert actual, f"{where}: the example has items, the answer none"
        assert_shape(example[0], actual[0], f"{where}[0]")


def assert_carries(example: Any, actual: Any, where: str = "") -> None:
    """`actual` holds every value of `example` (objects may hold more keys)."""
    if isinstance(example, dict):
        for key, value in example.items():
            assert key in actual, f"{where}.{key} not sent"
            assert_carries(value, actual[key], f"{where}.{key}")
    elif isinstance(example, list):
        assert len(actual) == len(example), f"{where}: {len(actual)} items sent, not {len(example)}"
        for index, (wanted, got) in enumerate(zip(example, actual, strict=True)):
            assert_carries(wanted, got, f"{where}[{index}]")
    else:
        assert actual == example, f"{where}: sent {actual!r}, not {example!r}"


def _wire(record) -> tuple[str, str, dict[str, str], Any]:
    url = urlsplit(record.url)
    body = json.loads(record.request_body) if record.request_body else None
    return record.method, url.path.split(MOUNT, 1)[1], dict(parse_qsl(url.query)), body


def _answer(record) -> dict:
    return json.loads(record.response_body)


async def test_seed_examples_crm_and_billing(sandbox):
    async with dialect_client(sandbox, "platform004") as client:
        sent = []
        client.add_request_listener(sent.append)

        await client.workspace.get()
        assert _wire(sent[-1]) == ("GET", "/workspace", {}, None)
        assert_shape({"data": {"id": "wrk_123", "name": "Sandbox Workspace", "enabled_modules": ["crm"]},
                      "request_id": "req_134"}, _answer(sent[-1]))

        company = unique("Acme Corp")
        example = {"name": "Jane Doe", "email": f"{uuid.uuid4().hex[:10]}@acme.com", "company_name": company}
        created = await client.contacts.create(example)
        method, path, _, body = _wire(sent[-1])
        assert (method, path, body) == ("POST", "/contacts", example)
        assert sent[-1].header("Idempotency-Key", response=False)
        assert_shape({"data": {"id": "con_123", "name": "Jane Doe", "email": "jane@acme.com",
                               "company_name": "Acme Corp"}, "request_id": "req_123"}, _answer(sent[-1]))
        assert created.company_name == company and sent[-1].status == 201

        await client.contacts.list(query=example["email"], limit=5)
        assert _wire(sent[-1]) == ("GET", "/contacts", {"query": example["email"], "limit": "5"}, None)
        assert_shape({"data": [{"id": "con_123", "name": "Jane Doe", "email": "jane@acme.com"}],
                      "request_id": "req_124", "next_cursor": None}, {**_answer(sent[-1]), "next_cursor": None})
        assert "next_cursor" in _answer(sent[-1])

        domain = f"{uuid.uuid4().hex[:8]}.example.com"
        example = {"name": unique("Acme Corp"), "domain": domain}
        await client.companies.create(example)
        assert _wire(sent[-1]) == ("POST", "/companies", {}, example)
        assert_shape({"data": {"id": "com_123", "name": "Acme Corp", "domain": "acme.com"}, "request_id": "req_125"},
                     _answer(sent[-1]))

        await client.companies.list(query=example["name"], limit=5)
        assert _wire(sent[-1]) == ("GET", "/companies", {"query": example["name"], "limit": "5"}, None)
        assert_shape({"data": [{"id": "com_123", "name": "Acme Corp", "domain": "acme.com"}],
                      "request_id": "req_126"}, _answer(sent[-1]))

        await client.invoices.list(status="sent", limit=5)
        assert _wire(sent[-1]) == ("GET", "/invoices", {"status": "sent", "limit": "5"}, None)
        assert_shape({"data": [{"id": "inv_123", "status": "sent"}], "request_id": "req_206"}, _answer(sent[-1]))

        number = f"INV-{uuid.uuid4().hex[:8]}"
        example = {"invoice_number": number,
                   "line_items": [{"kind": "service", "name": "Website redesign", "unit_amount_cents": 500000}]}
        # The client's InvoiceCreate names the currency; the seed's example leaves it to the default.
        invoice = await client.invoices.create({**example, "currency": "USD"})
        method, path, query, body = _wire(sent[-1])
        assert (method, path, query, body["currency"]) == ("POST", "/invoices", {}, "USD")
        assert_carries(example, body)  # the client adds the contract's defaults (quantity 1, tax 0)
        assert_shape({"data": {"id": "inv_123", "invoice_number": "INV-1001"}, "request_id": "req_205"},
                     _answer(sent[-1]))
        assert invoice.invoice_number == number

        sent_one = next(i for i in (await client.invoices.list(status="sent", limit=20)).items if i.amount_due_cents)
        example = {"invoice_id": sent_one.id, "amount_cents": min(250000, sent_one.amount_due_cents)}
        await client.payments.create(example)
        assert _wire(sent[-1]) == ("POST", "/payments", {}, example)
        assert_shape({"data": {"id": "pay_123", "amount_cents": 250000}, "request_id": "req_207"}, _answer(sent[-1]))


async def test_seed_examples_support(sandbox):
    async with dialect_client(sandbox, "platform004") as client:
        sent = []
        client.add_request_listener(sent.append)

        key = f"priority-{uuid.uuid4().hex[:6]}"
        queue = await client.queues.create({"key": key, "name": "Priority Support",
                                            "first_response_target_minutes": 120})
        assert _wire(sent[-1]) == ("POST", "/support/queues", {}, {"key": key, "name": "Priority Support",
                                                                    "first_response_target_minutes": 120})
        assert_shape({"data": {"id": "queue_123", "key": "priority"}, "request_id": "req_300"}, _answer(sent[-1]))

        await client.queues.list(limit=5)
        assert_shape({"data": [{"id": "queue_123", "name": "Priority Support"}], "request_id": "req_301",
                      "next_cursor": None}, {**_answer(sent[-1]), "next_cursor": None})

        example = {"subject": "Customer cannot download invoice", "priority": "urgent", "category": "billing"}
        ticket = await client.tickets.create(example)
        assert _wire(sent[-1]) == ("POST", "/support/tickets", {}, example)
        assert_shape({"data": {"id": "ticket_123", "subject": example["subject"], "status": "new"},
                      "request_id": "req_302"}, _answer(sent[-1]))

        await client.tickets.list(priority="urgent", limit=5)
        assert _wire(sent[-1]) == ("GET", "/support/tickets", {"priority": "urgent", "limit": "5"}, None)
        assert_shape({"data": [{"id": "ticket_123", "priority": "urgent"}], "request_id": "req_303"},
                     _answer(sent[-1]))

        await client.tickets.update(ticket.id, {"status": "open", "queue_id": queue.id})
        assert _wire(sent[-1]) == ("PATCH", f"/support/tickets/{ticket.id}", {},
                                   {"status": "open", "queue_id": queue.id})
        assert sent[-1].header("If-Match", response=False) is None
        assert_shape({"data": {"id": "ticket_123", "status": "open"}, "request_id": "req_304"}, _answer(sent[-1]))

        example = {"direction": "inbound", "channel": "email", "body": "I still cannot access the invoice."}
        await client.tickets.messages.create(ticket.id, example)
        assert _wire(sent[-1]) == ("POST", f"/support/tickets/{ticket.id}/messages", {}, example)
        assert_shape({"data": {"id": "msg_123", "ticket_id": "ticket_123"}, "request_id": "req_305"},
                     _answer(sent[-1]))
        await client.tickets.messages.list(ticket.id, limit=5)
        # The seed lists ticket_id in the query as well as the path.
        assert _wire(sent[-1]) == ("GET", f"/support/tickets/{ticket.id}/messages",
                                   {"ticket_id": ticket.id, "limit": "5"}, None)
        assert_shape({"data": [{"id": "msg_123", "body": example["body"]}], "request_id": "req_306"},
                     _answer(sent[-1]))

        example = {"body": "Finance is checking the invoice export.", "pinned": True}
        await client.tickets.comments.create(ticket.id, example)
        assert _wire(sent[-1]) == ("POST", f"/support/tickets/{ticket.id}/comments", {}, example)
        assert_shape({"data": {"id": "comment_123", "pinned": True}, "request_id": "req_307"}, _answer(sent[-1]))
        await client.tickets.comments.list(ticket.id, limit=5)
        assert_shape({"data": [{"id": "comment_123", "body": example["body"]}], "request_id": "req_308"},
                     _answer(sent[-1]))


async def test_seed_examples_webhooks(sandbox):
    async with dialect_client(sandbox, "platform004") as client:
        sent = []
        client.add_request_listener(sent.append)

        example = {"name": unique("CRM Ops Webhook"), "url": "http://127.0.0.1:9/slab5/webhooks",  # refuses at once
                   "event_types": ["contact.created"]}
        hook = await client.webhooks.create(example)
        assert _wire(sent[-1]) == ("POST", "/webhooks", {}, example)
        assert_shape({"data": {"id": "wh_123", "status": "active", "signing_secret_preview": "whsec_abcd...wxyz"},
                      "request_id": "req_145"}, _answer(sent[-1]))

        await client.webhooks.list(limit=5)
        assert _wire(sent[-1]) == ("GET", "/webhooks", {"limit": "5"}, None)
        assert_shape({"data": [{"id": "wh_123", "name": "CRM Ops Webhook"}], "request_id": "req_146"},
                     _answer(sent[-1]))

        await client.webhooks.update(hook.id, {"status": "paused"})
        assert _wire(sent[-1]) == ("PATCH", f"/webhooks/{hook.id}", {}, {"status": "paused"})
        assert_shape({"data": {"id": "wh_123", "status": "paused"}, "request_id": "req_147"}, _answer(sent[-1]))

        await client.webhooks.update(hook.id, {"status": "active"})
        await client.webhooks.test(hook.id)
        assert _wire(sent[-1]) == ("POST", f"/webhooks/{hook.id}/test", {}, None)
        assert_shape({"data": {"id": "whd_123", "event_type": "webhook.test", "status": "pending"},
                      "request_id": "req_148"}, _answer(sent[-1]))

        await client.webhooks.deliveries.list(hook.id, limit=5)
        assert _wire(sent[-1]) == ("GET", f"/webhooks/{hook.id}/deliveries", {"limit": "5"}, None)
        assert_shape({"data": [{"id": "whd_123", "status": "failed", "attempt_count": 3}], "request_id": "req_149"},
                     _answer(sent[-1]))


async def test_the_mount_takes_the_seeds_bodies_as_written(sandbox):
    """Bodies exactly as the seed prints them, sent by a plain HTTP client (no contract defaults)."""
    import httpx

    from tests.dialects.conftest import dialect_section, sandbox_root

    token = dialect_section(sandbox, "platform004")["api_key"]
    examples = [
        ("/invoices", {"invoice_number": f"INV-{uuid.uuid4().hex[:8]}",
                       "line_items": [{"kind": "service", "name": "Website redesign", "unit_amount_cents": 500000}]},
         {"id": "inv_123", "invoice_number": "INV-1001"}),
        ("/support/tickets", {"subject": "Customer cannot download invoice", "priority": "urgent",
                              "category": "billing"},
         {"id": "ticket_123", "subject": "Customer cannot download invoice", "status": "new"}),
    ]
    async with httpx.AsyncClient(base_url=sandbox_root(sandbox) + MOUNT, timeout=10,
                                 headers={"Authorization": f"Bearer {token}"}) as http:
        for path, body, answer in examples:
            response = await http.post(path, json=body, headers={"Idempotency-Key": str(uuid.uuid4())})
            assert response.status_code == 201, response.text
            assert_shape({"data": answer, "request_id": "req_1"}, response.json(), path)
