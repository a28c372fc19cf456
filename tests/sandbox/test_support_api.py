"""Support queues, tickets, messages and comments against the real sandbox process."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx

from app.core.sandbox_process import SandboxProcess
from app.sandbox.timeutil import parse_rfc3339


def _client(sandbox: SandboxProcess, secret: str) -> httpx.Client:
    return httpx.Client(base_url=sandbox.url, headers={"Authorization": f"Bearer {secret}"}, timeout=30)


def _queue(owner: httpx.Client, minutes: int = 90) -> dict:
    key = f"q-{uuid.uuid4().hex[:10]}"
    response = owner.post("/support/queues", json={"key": key, "name": f"Queue {key}",
                                                   "first_response_target_minutes": minutes})
    assert response.status_code == 201, response.text
    return response.json()["data"]


def _ticket(owner: httpx.Client, **fields) -> dict:
    response = owner.post("/support/tickets", json={"subject": "Printer on fire", **fields})
    assert response.status_code == 201, response.text
    return response.json()["data"]


def _field_names(response: httpx.Response) -> list[str]:
    return [f["field"] for f in response.json()["error"]["details"]["fields"]]


def test_queues_are_created_listed_and_keys_are_unique(owner: httpx.Client) -> None:
    queue = _queue(owner, 45)
    assert queue["id"].startswith("queue_") and queue["status"] == "active"
    listed = owner.get("/support/queues", params={"query": queue["key"]}).json()["data"]
    assert [q["id"] for q in listed] == [queue["id"]]
    again = owner.post("/support/queues", json={"key": queue["key"], "name": "Dup",
                                                "first_response_target_minutes": 5})
    assert again.status_code == 409 and again.json()["error"]["details"]["field"] == "key"
    bad = owner.post("/support/queues", json={"key": "Has Spaces", "name": "x",
                                              "first_response_target_minutes": 0})
    assert bad.status_code == 422
    assert set(_field_names(bad)) == {"key", "first_response_target_minutes"}


def test_first_response_sla_runs_from_the_queue_target_and_the_first_outbound_reply(owner: httpx.Client) -> None:
    queue = _queue(owner, 90)
    ticket = _ticket(owner, queue_id=queue["id"], priority="urgent")
    assert ticket["status"] == "new" and ticket["first_responded_at"] is None
    due = parse_rfc3339(ticket["first_response_due_at"]) - parse_rfc3339(ticket["created_at"])
    assert due == timedelta(minutes=90)

    inbound = owner.post(f"/support/tickets/{ticket['id']}/messages",
                         json={"direction": "inbound", "channel": "email", "body": "Still burning."})
    assert inbound.status_code == 201
    assert owner.get(f"/support/tickets/{ticket['id']}").json()["data"]["first_responded_at"] is None

    reply = owner.post(f"/support/tickets/{ticket['id']}/messages",
                       json={"direction": "outbound", "channel": "chat", "body": "Extinguisher on its way."})
    assert reply.status_code == 201
    responded = owner.get(f"/support/tickets/{ticket['id']}").json()["data"]["first_responded_at"]
    assert responded == reply.json()["data"]["created_at"]
    owner.post(f"/support/tickets/{ticket['id']}/messages",
               json={"direction": "outbound", "channel": "chat", "body": "Any news?"})
    assert owner.get(f"/support/tickets/{ticket['id']}").json()["data"]["first_responded_at"] == responded

    thread = owner.get(f"/support/tickets/{ticket['id']}/messages").json()["data"]
    assert [m["direction"] for m in thread] == ["outbound", "outbound", "inbound"]  # newest first


def test_moving_to_another_queue_recomputes_the_due_time_until_answered(owner: httpx.Client) -> None:
    slow, fast = _queue(owner, 600), _queue(owner, 15)
    ticket = _ticket(owner, queue_id=slow["id"])
    moved = owner.patch(f"/support/tickets/{ticket['id']}", json={"queue_id": fast["id"]}).json()["data"]
    assert parse_rfc3339(moved["first_response_due_at"]) - parse_rfc3339(moved["created_at"]) == timedelta(minutes=15)


def test_status_transitions_follow_the_rules(owner: httpx.Client) -> None:
    ticket = _ticket(owner)
    path = f"/support/tickets/{ticket['id']}"
    assert owner.patch(path, json={"status": "open"}).json()["data"]["status"] == "open"
    back = owner.patch(path, json={"status": "new"})
    assert back.status_code == 409
    assert back.json()["error"]["details"]["field"] == "status"
    assert owner.patch(path, json={"status": "resolved"}).status_code == 200
    assert owner.patch(path, json={"status": "closed"}).status_code == 200
    reopened = owner.patch(path, json={"status": "open"})
    assert reopened.status_code == 409
    assert reopened.json()["error"]["details"]["allowed"] == []
    late_reply = owner.post(f"{path}/messages", json={"direction": "outbound", "body": "Hello?"})
    assert late_reply.status_code == 409
    assert owner.get(path).json()["data"]["status"] == "closed"


def test_a_stale_etag_is_refused_and_changes_nothing(owner: httpx.Client) -> None:
    ticket = _ticket(owner)
    path = f"/support/tickets/{ticket['id']}"
    first = owner.get(path)
    etag = first.headers["ETag"]
    assert etag == f'"{first.json()["data"]["version"]}"'
    updated = owner.patch(path, json={"priority": "high"}, headers={"If-Match": etag})
    assert updated.status_code == 200 and updated.headers["ETag"] != etag
    stale = owner.patch(path, json={"priority": "low"}, headers={"If-Match": etag})
    assert stale.status_code == 412
    assert owner.get(path).json()["data"]["priority"] == "high"


def test_ticket_filters_and_pages(owner: httpx.Client) -> None:
    queue = _queue(owner)
    marker = uuid.uuid4().hex[:8]
    made = [_ticket(owner, subject=f"Refund {marker} #{i}", queue_id=queue["id"],
                    priority="low" if i % 2 else "high", category="billing",
                    custom_fields={"region": "eu" if i < 3 else "us"}) for i in range(5)]
    seen: list[str] = []
    cursor = None
    while True:
        params = {"queue_id": queue["id"], "limit": 2, **({"cursor": cursor} if cursor else {})}
        body = owner.get("/support/tickets", params=params).json()
        seen += [t["id"] for t in body["data"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == [t["id"] for t in reversed(made)]
    high = owner.get("/support/tickets", params={"queue_id": queue["id"], "priority": "high"}).json()["data"]
    assert {t["id"] for t in high} == {made[0]["id"], made[2]["id"], made[4]["id"]}
    found = owner.get("/support/tickets", params={"query": marker.upper()}).json()["data"]
    assert len(found) == 5
    eu = owner.get("/support/tickets", params={"queue_id": queue["id"], "custom_field_key": "region",
                                              "custom_field_value": "eu"}).json()["data"]
    assert {t["id"] for t in eu} == {t["id"] for t in made[:3]}
    assert owner.get("/support/tickets", params={"status": "bogus"}).status_code == 400
    assert owner.get("/support/tickets", params={"cursor": "tampered"}).status_code == 400


def test_seeded_tickets_cover_every_status_and_some_are_late(owner: httpx.Client) -> None:
    for status in ("new", "open", "pending", "waiting_on_customer", "resolved", "closed"):
        assert owner.get("/support/tickets", params={"status": status, "limit": 1}).json()["data"], status
    unanswered = owner.get("/support/tickets", params={"status": "new", "limit": 100}).json()["data"]
    now = datetime.now(UTC)
    assert any(t["first_response_due_at"] and parse_rfc3339(t["first_response_due_at"]) < now
               for t in unanswered)


def test_comments_are_internal_and_can_be_pinned(owner: httpx.Client) -> None:
    ticket = _ticket(owner)
    path = f"/support/tickets/{ticket['id']}"
    pinned = owner.post(f"{path}/comments", json={"body": "VIP: call back today", "pinned": True})
    assert pinned.status_code == 201 and pinned.json()["data"]["pinned"] is True
    owner.post(f"{path}/comments", json={"body": "Checked logs"})
    assert len(owner.get(f"{path}/comments").json()["data"]) == 2
    assert [c["body"] for c in owner.get(f"{path}/comments", params={"pinned": "true"}).json()["data"]] == [
        "VIP: call back today"]
    assert owner.get(f"{path}/messages").json()["data"] == []


def test_bad_input_names_the_field(owner: httpx.Client) -> None:
    cases = [
        ({"subject": ""}, "subject"),
        ({"subject": "x" * 301}, "subject"),
        ({"subject": "ok", "priority": "critical"}, "priority"),
        ({"subject": "ok", "colour": "red"}, "colour"),
        ({"subject": "ok", "queue_id": "queue_doesnotexist"}, "queue_id"),
        ({"subject": "ok", "status": "closed"}, "status"),
    ]
    for body, field in cases:
        response = owner.post("/support/tickets", json=body)
        assert response.status_code == 422, (body, response.text)
        assert field in _field_names(response), (body, response.text)
    ticket = _ticket(owner)
    cleared = owner.patch(f"/support/tickets/{ticket['id']}", json={"subject": None})
    assert cleared.status_code == 422 and _field_names(cleared) == ["subject"]
    bad_message = owner.post(f"/support/tickets/{ticket['id']}/messages",
                             json={"direction": "sideways", "body": ""})
    assert bad_message.status_code == 422
    assert set(_field_names(bad_message)) == {"direction", "body"}


def test_scopes_are_enforced(owner: httpx.Client, readonly: httpx.Client, sandbox: SandboxProcess) -> None:
    assert readonly.get("/support/tickets").status_code == 200
    refused = readonly.post("/support/tickets", json={"subject": "nope"})
    assert refused.status_code == 403
    assert refused.json()["error"]["details"]["required_scope"] == "support:write"
    crm_only = owner.post("/api-keys", json={"name": "crm only", "scopes": ["crm:read"]}).json()["data"]
    with _client(sandbox, crm_only["secret"]) as client:
        for path in ("/support/tickets", "/support/queues"):
            response = client.get(path)
            assert response.status_code == 403
            assert response.json()["error"]["details"]["required_scope"] == "support:read"


def test_another_workspace_sees_nothing(owner: httpx.Client, owner_test: httpx.Client) -> None:
    ticket = _ticket(owner)
    path = f"/support/tickets/{ticket['id']}"
    for response in (owner_test.get(path), owner_test.patch(path, json={"priority": "low"}),
                     owner_test.get(f"{path}/messages"), owner_test.get(f"{path}/comments"),
                     owner_test.post(f"{path}/comments", json={"body": "sneaky"})):
        assert response.status_code == 404, response.text
    assert ticket["id"] not in {t["id"] for t in owner_test.get("/support/tickets", params={"limit": 100}).json()["data"]}
    contact = owner.get("/contacts", params={"limit": 1}).json()["data"][0]
    foreign = owner_test.post("/support/tickets", json={"subject": "x", "contact_id": contact["id"]})
    assert foreign.status_code == 422 and _field_names(foreign) == ["contact_id"]
    assert owner.get(path).json()["data"]["priority"] == "normal"


def test_ticket_events_are_logged(owner: httpx.Client) -> None:
    ticket = _ticket(owner)
    owner.patch(f"/support/tickets/{ticket['id']}", json={"status": "open"})
    owner.post(f"/support/tickets/{ticket['id']}/messages", json={"direction": "inbound", "body": "hi"})
    for event_type in ("ticket.created", "ticket.updated", "ticket.message.created"):
        events = owner.get("/events", params={"type": event_type, "limit": 100}).json()["data"]
        assert any(ticket["id"] in (e["data"].get("id"), e["data"].get("ticket_id")) for e in events), event_type


def test_create_is_idempotent(owner: httpx.Client) -> None:
    headers = {"Idempotency-Key": uuid.uuid4().hex}
    first = owner.post("/support/tickets", json={"subject": "Once"}, headers=headers)
    again = owner.post("/support/tickets", json={"subject": "Once"}, headers=headers)
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.json()["data"]["id"] == first.json()["data"]["id"]
