"""Invoices and payments against the real sandbox process: totals, the draft/sent/paid/void life
cycle, overpayment, overdue detection, scopes and tenant isolation."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import httpx

from app.core.sandbox_process import SandboxProcess

LINES = [
    {"kind": "service", "name": "Workshop", "quantity": 3, "unit_amount_cents": 5, "tax_rate_bps": 1000},
    {"kind": "product", "name": "Seat", "quantity": 1, "unit_amount_cents": 5, "tax_rate_bps": 1000},
    {"kind": "fee", "name": "Setup", "unit_amount_cents": 10_000},
]


def _client(sandbox: SandboxProcess, secret: str) -> httpx.Client:
    return httpx.Client(base_url=sandbox.url, headers={"Authorization": f"Bearer {secret}"}, timeout=30)


def _draft(owner: httpx.Client, **fields) -> dict:
    response = owner.post("/invoices", json={"line_items": LINES, **fields})
    assert response.status_code == 201, response.text
    return response.json()["data"]


def _sent(owner: httpx.Client, **fields) -> dict:
    invoice = _draft(owner, **fields)
    response = owner.post(f"/invoices/{invoice['id']}/send")
    assert response.status_code == 200, response.text
    return response.json()["data"]


def _pay(owner: httpx.Client, invoice_id: str, cents: int) -> httpx.Response:
    return owner.post("/payments", json={"invoice_id": invoice_id, "amount_cents": cents, "method": "card"})


_INVOICE_EVENTS = ("invoice.created", "invoice.sent", "invoice.paid", "invoice.overdue", "invoice.voided",
                   "payment.recorded")


def _events_about(owner: httpx.Client, invoice_id: str) -> list[str]:
    found = []
    for event_type in _INVOICE_EVENTS:
        events = owner.get("/events", params={"type": event_type, "limit": 100}).json()["data"]
        found += [e["type"] for e in events if invoice_id in (e["data"].get("id"), e["data"].get("invoice_id"))]
    return found


def test_totals_are_computed_per_line_in_cents(owner: httpx.Client) -> None:
    invoice = _draft(owner)
    # 15 + 5 + 10000; tax 1.5 → 2 and 0.5 → 1 (per line, half-up); fee untaxed.
    assert (invoice["subtotal_cents"], invoice["tax_cents"], invoice["total_cents"]) == (10_020, 3, 10_023)
    assert invoice["amount_due_cents"] == 10_023 and invoice["amount_paid_cents"] == 0
    assert invoice["status"] == "draft" and invoice["invoice_number"].startswith("INV-")
    assert invoice["line_items"][2]["quantity"] == 1
    number = int(invoice["invoice_number"].removeprefix("INV-"))
    assert int(_draft(owner)["invoice_number"].removeprefix("INV-")) == number + 1


def test_invoice_numbers_are_unique(owner: httpx.Client) -> None:
    number = f"X-{uuid.uuid4().hex[:8]}"
    _draft(owner, invoice_number=number)
    again = owner.post("/invoices", json={"invoice_number": number})
    assert again.status_code == 409 and again.json()["error"]["details"]["field"] == "invoice_number"


def test_only_drafts_change_line_items(owner: httpx.Client) -> None:
    invoice = _draft(owner)
    path = f"/invoices/{invoice['id']}"
    changed = owner.patch(path, json={"line_items": [{"kind": "fee", "name": "Flat", "unit_amount_cents": 700}]})
    assert changed.status_code == 200 and changed.json()["data"]["total_cents"] == 700
    sent = owner.post(f"{path}/send").json()["data"]
    assert sent["status"] == "sent" and sent["issue_date"] == date.today().isoformat()
    assert sent["due_date"] == (date.today() + timedelta(days=30)).isoformat()
    locked = owner.patch(path, json={"line_items": LINES})
    assert locked.status_code == 409 and locked.json()["error"]["details"]["field"] == "line_items"
    assert owner.get(path).json()["data"]["total_cents"] == 700
    notes = owner.patch(path, json={"notes": "Ask for the PO number"})
    assert notes.status_code == 200 and notes.json()["data"]["notes"] == "Ask for the PO number"
    assert owner.post(f"{path}/send").status_code == 409


def test_payments_move_the_invoice_to_paid_and_refuse_overpayment(owner: httpx.Client) -> None:
    draft = _draft(owner)
    on_draft = _pay(owner, draft["id"], 100)
    assert on_draft.status_code == 409
    invoice = owner.post(f"/invoices/{draft['id']}/send").json()["data"]
    first = _pay(owner, invoice["id"], 4_000)
    assert first.status_code == 201 and first.json()["data"]["amount_cents"] == 4_000
    after = owner.get(f"/invoices/{invoice['id']}").json()["data"]
    assert (after["status"], after["amount_paid_cents"], after["amount_due_cents"]) == ("partially_paid", 4_000, 6_023)

    too_much = _pay(owner, invoice["id"], 6_024)
    assert too_much.status_code == 422
    assert too_much.json()["error"]["details"]["fields"][0]["field"] == "amount_cents"
    assert owner.get(f"/invoices/{invoice['id']}").json()["data"]["amount_paid_cents"] == 4_000

    assert _pay(owner, invoice["id"], 6_023).status_code == 201
    paid = owner.get(f"/invoices/{invoice['id']}").json()["data"]
    assert (paid["status"], paid["amount_due_cents"]) == ("paid", 0)
    listed = owner.get("/payments", params={"invoice_id": invoice["id"]}).json()["data"]
    assert [p["amount_cents"] for p in listed] == [6_023, 4_000]
    assert _pay(owner, invoice["id"], 1).status_code == 422
    assert owner.post(f"/invoices/{invoice['id']}/void").status_code == 409
    events = _events_about(owner, invoice["id"])
    assert events.count("payment.recorded") == 2 and events.count("invoice.paid") == 1


def test_void_stops_payments(owner: httpx.Client) -> None:
    invoice = _sent(owner)
    voided = owner.post(f"/invoices/{invoice['id']}/void")
    assert voided.status_code == 200
    assert voided.json()["data"]["status"] == "void" and voided.json()["data"]["amount_due_cents"] == 0
    assert _pay(owner, invoice["id"], 100).status_code == 409
    assert owner.post(f"/invoices/{invoice['id']}/void").status_code == 409
    assert "invoice.voided" in _events_about(owner, invoice["id"])


def test_overdue_is_detected_and_announced_once(owner: httpx.Client) -> None:
    past = (date.today() - timedelta(days=3)).isoformat()
    invoice = _sent(owner, issue_date=(date.today() - timedelta(days=33)).isoformat(), due_date=past)
    assert invoice["status"] == "overdue" and invoice["amount_due_cents"] == invoice["total_cents"]
    for _ in range(3):
        assert owner.get(f"/invoices/{invoice['id']}").json()["data"]["status"] == "overdue"
    overdue = owner.get("/invoices", params={"status": "overdue", "limit": 100}).json()["data"]
    assert invoice["id"] in {i["id"] for i in overdue}
    assert invoice["id"] not in {i["id"] for i in owner.get("/invoices", params={"status": "sent", "limit": 100}).json()["data"]}
    # A partial payment leaves it late; the due date moving out makes it current again.
    assert _pay(owner, invoice["id"], 10).status_code == 201
    assert owner.get(f"/invoices/{invoice['id']}").json()["data"]["status"] == "overdue"
    later = (date.today() + timedelta(days=10)).isoformat()
    moved = owner.patch(f"/invoices/{invoice['id']}", json={"due_date": later}).json()["data"]
    assert moved["status"] == "partially_paid"
    assert _events_about(owner, invoice["id"]).count("invoice.overdue") == 1
    due_soon = owner.get("/invoices", params={"due_before": (date.today() + timedelta(days=11)).isoformat(),
                                               "limit": 100}).json()["data"]
    assert all(i["due_date"] < (date.today() + timedelta(days=11)).isoformat() for i in due_soon)
    assert owner.get("/invoices", params={"due_before": "soon"}).status_code == 400


def test_bad_input_names_the_field(owner: httpx.Client) -> None:
    cases = [
        ({"line_items": [{"kind": "service", "name": "x", "quantity": 0, "unit_amount_cents": 1}]},
         "line_items[0].quantity"),
        ({"line_items": [{"kind": "gift", "name": "x", "unit_amount_cents": 1}]}, "line_items[0].kind"),
        ({"line_items": [{"kind": "fee", "name": "x", "unit_amount_cents": 1, "tax_rate_bps": 10_001}]},
         "line_items[0].tax_rate_bps"),
        ({"currency": "usd"}, "currency"),
        ({"due_date": "tomorrow"}, "due_date"),
        ({"issue_date": "2026-05-01", "due_date": "2026-04-01"}, "due_date"),
        ({"contact_id": "con_missing"}, "contact_id"),
        ({"status": "paid"}, "status"),
    ]
    for body, field in cases:
        response = owner.post("/invoices", json=body)
        assert response.status_code == 422, (body, response.text)
        assert field in [f["field"] for f in response.json()["error"]["details"]["fields"]], (body, response.text)
    payment = owner.post("/payments", json={"invoice_id": "inv_nope", "amount_cents": -5})
    assert payment.status_code == 422
    assert {f["field"] for f in payment.json()["error"]["details"]["fields"]} == {"amount_cents"}
    missing = owner.post("/payments", json={"invoice_id": "inv_nope", "amount_cents": 5})
    assert missing.status_code == 422 and missing.json()["error"]["details"]["fields"][0]["field"] == "invoice_id"


def test_scopes_are_enforced(sandbox: SandboxProcess, sandbox_credentials: dict, owner: httpx.Client) -> None:
    invoice = _sent(owner)
    with _client(sandbox, sandbox_credentials["live"]["readonly_key"]) as readonly:
        assert readonly.get("/invoices").status_code == 200
        assert readonly.get("/payments").status_code == 200
        for response in (readonly.post("/invoices", json={}), _pay(readonly, invoice["id"], 1),
                         readonly.post(f"/invoices/{invoice['id']}/void")):
            assert response.status_code == 403
            assert response.json()["error"]["details"]["required_scope"] == "crm:write"
    support_only = owner.post("/api-keys", json={"name": "support only", "scopes": ["support:read"]}).json()["data"]
    with _client(sandbox, support_only["secret"]) as client:
        for path in ("/invoices", "/payments", f"/invoices/{invoice['id']}"):
            assert client.get(path).json()["error"]["details"]["required_scope"] == "crm:read"


def test_another_workspace_sees_nothing(owner: httpx.Client, owner_test: httpx.Client) -> None:
    invoice = _sent(owner)
    assert _pay(owner, invoice["id"], 100).status_code == 201
    path = f"/invoices/{invoice['id']}"
    for response in (owner_test.get(path), owner_test.patch(path, json={"notes": "x"}),
                     owner_test.post(f"{path}/send"), owner_test.post(f"{path}/void")):
        assert response.status_code == 404, response.text
    foreign = _pay(owner_test, invoice["id"], 100)
    assert foreign.status_code == 422
    assert owner_test.get("/payments", params={"invoice_id": invoice["id"]}).json()["data"] == []
    assert owner.get(path).json()["data"]["amount_paid_cents"] == 100


def test_an_absurd_total_is_refused_not_overflowed(owner: httpx.Client) -> None:
    huge = [{"kind": "product", "name": f"Yacht {i}", "quantity": 1_000_000,
             "unit_amount_cents": 100_000_000_000, "tax_rate_bps": 10_000} for i in range(100)]
    response = owner.post("/invoices", json={"line_items": huge})
    assert response.status_code == 422
    assert response.json()["error"]["details"]["fields"][0]["field"] == "line_items"
