"""Webhook operations against a real sandbox process: recover a window after an outage (dry run,
exactly the failed deliveries of the window, each once more with its webhook-id, a disabled
endpoint left disabled, cancel), bulk retry with a result per id, event detail and resend, and
fixture events refused in a live workspace."""

from __future__ import annotations

from collections import Counter

import httpx
import pytest

from tests.sandbox.conftest import assert_error, bearer, own_sandbox, wait_for
from tests.sandbox.webhook_ops_fixtures import (
    create_contacts,
    deliveries,
    make_endpoint,
    settle_failed,
    wait_job,
)
from tests.sandbox.webhook_ops_receiver import OpsReceiver


@pytest.fixture(scope="module")
def ops(tmp_path_factory):
    """A sandbox whose retry schedule runs 10,000× faster (5 failed attempts in under half a second,
    so the tests here fail at most a dozen deliveries at once)."""
    with own_sandbox(tmp_path_factory.mktemp("ops"), time_scale=10_000) as (process, client, credentials):
        yield process, client, credentials


@pytest.fixture(scope="module")
def outage_sandbox(tmp_path_factory):
    """A sandbox whose 5 failed attempts take about 15 s: longer than making the outage's 370
    contacts, so the endpoint cannot disable itself (and stop getting deliveries) half-way."""
    with own_sandbox(tmp_path_factory.mktemp("outage"), time_scale=300) as (_process, client, _credentials):
        yield client


@pytest.fixture
def client(ops) -> httpx.Client:
    return ops[1]


@pytest.fixture
def receiver():
    with OpsReceiver() as receiver:
        yield receiver


def _outage(client: httpx.Client, receiver: OpsReceiver) -> tuple[dict, str, str, set[str]]:
    """An endpoint with 20 failed deliveries before a window, 300 failed and 30 succeeded inside
    it, and 20 failed after; returns (endpoint, since, until, event ids of the 300)."""
    receiver.answer = lambda event: 200 if event["data"]["name"].startswith("ok-") else 500
    endpoint = make_endpoint(client, receiver.url)
    create_contacts(client, "before", 20)
    inside = create_contacts(client, "outage", 150) + create_contacts(client, "ok", 30) + \
        create_contacts(client, "outage-late", 150)
    after = create_contacts(client, "after", 20)
    since = client.get(f"contacts/{inside[0]}").json()["data"]["created_at"]
    until = client.get(f"contacts/{after[0]}").json()["data"]["created_at"]
    settle_failed(client, endpoint["id"])
    every = deliveries(client, endpoint["id"])
    assert Counter(d["status"] for d in every) == {"failed": 340, "succeeded": 30}
    in_window = {d["event_id"] for d in every if since <= d["created_at"] < until and d["status"] == "failed"}
    assert len(in_window) == 300
    return endpoint, since, until, in_window


def test_recover_queues_exactly_the_windows_failed_deliveries_once_each_with_their_webhook_id(
        outage_sandbox, receiver):
    client = outage_sandbox
    endpoint, since, until, outage_ids = _outage(client, receiver)
    path = f"webhooks/{endpoint['id']}"
    client.patch(path, json={"status": "disabled"})
    before = {d["id"]: d for d in deliveries(client, endpoint["id"])}
    arrived_before = len(receiver.arrived)

    dry = client.post(f"{path}/recover", json={"since": since, "until": until, "dry_run": True})
    assert dry.status_code == 200, dry.text
    assert dry.json()["data"] == {"matched": 300}
    assert {d["id"]: d["status"] for d in deliveries(client, endpoint["id"])} == \
        {k: d["status"] for k, d in before.items()}
    assert client.get(f"{path}/recover").json()["data"] == []

    receiver.answer = lambda _event: 200
    accepted_before = len(receiver.accepted)
    started = client.post(f"{path}/recover", json={"since": since, "until": until, "statuses": ["failed"]})
    assert started.status_code == 202, started.text
    job = started.json()["data"]
    assert job["matched"] == 300 and job["job_id"].startswith("rcv_")
    done = wait_job(client, endpoint["id"], job["job_id"])
    assert {k: done[k] for k in ("status", "matched", "queued", "succeeded", "failed")} == \
        {"status": "done", "matched": 300, "queued": 0, "succeeded": 300, "failed": 0}

    again = Counter(a.webhook_id for a in receiver.accepted[accepted_before:])
    assert set(again) == outage_ids and set(again.values()) == {1}
    assert set(receiver.arrived[arrived_before:]) == outage_ids  # nothing else went out
    # The same webhook-id the failed attempts carried, so a receiver can de-duplicate.
    assert outage_ids <= set(receiver.arrived[:arrived_before])
    after = {d["id"]: d for d in deliveries(client, endpoint["id"])}
    assert Counter(d["status"] for d in after.values()) == {"succeeded": 330, "failed": 40}
    assert all(after[k]["attempt_count"] == before[k]["attempt_count"] + 1
               for k in after if after[k]["event_id"] in outage_ids)
    assert client.get(path).json()["data"]["status"] == "disabled"
    listed = client.get(f"{path}/recover").json()["data"]
    assert [j["job_id"] for j in listed] == [job["job_id"]]

    nothing_left = client.post(f"{path}/recover", json={"since": since, "until": until})
    assert nothing_left.status_code == 202 and nothing_left.json()["data"]["matched"] == 0
    assert client.get(f"{path}/recover/{nothing_left.json()['data']['job_id']}").json()["data"]["status"] == "done"


def test_recover_refuses_bad_windows_a_second_running_job_and_can_be_cancelled(client, receiver):
    receiver.answer = lambda _event: 500
    endpoint = make_endpoint(client, receiver.url)
    first = client.get("contacts/" + create_contacts(client, "cancel", 12)[0]).json()["data"]["created_at"]
    settle_failed(client, endpoint["id"])
    path = f"webhooks/{endpoint['id']}/recover"
    assert_error(client.post(path, json={"since": "2026-01-01T00:00:00Z", "until": "2026-03-01T00:00:00Z"}),
                 422, "VALIDATION_ERROR")
    assert_error(client.post(path, json={"since": first, "until": first}), 422, "VALIDATION_ERROR")
    assert_error(client.post(path, json={"since": "yesterday"}), 422, "VALIDATION_ERROR")
    assert_error(client.post(path, json={"since": first, "statuses": ["pending"]}), 422, "VALIDATION_ERROR")
    assert_error(client.post("webhooks/wh_missing/recover", json={"since": first}), 404, "NOT_FOUND")

    receiver.accept_limit = 0  # every re-delivery hangs: the job cannot finish by itself
    job = client.post(path, json={"since": first}).json()["data"]
    assert job["matched"] == 12
    wait_for(lambda: receiver.held >= 1, 10, "no re-delivery reached the receiver")
    details = assert_error(client.post(path, json={"since": first}), 409, "CONFLICT")
    assert details["job_id"] == job["job_id"]
    cancelled = client.post(f"{path}/{job['job_id']}/cancel")
    assert cancelled.status_code == 200, cancelled.text
    state = cancelled.json()["data"]
    assert state["status"] == "cancelled" and state["queued"] == 0 and state["cancelled"] >= 12 - 8
    receiver.release_held()
    final = wait_for(lambda: (j := client.get(f"{path}/{job['job_id']}").json()["data"])
                     and j["succeeded"] + j["failed"] + j["cancelled"] == 12 and j, 20)
    assert final["status"] == "cancelled" and final["succeeded"] == 0
    assert {d["status"] for d in deliveries(client, endpoint["id"])} == {"failed"}
    assert_error(client.post(f"{path}/{job['job_id']}/cancel"), 409, "CONFLICT")


def test_bulk_retry_gives_a_result_per_id_and_refuses_more_than_100(ops, client, receiver):
    receiver.answer = lambda _event: 500
    endpoint = make_endpoint(client, receiver.url)
    create_contacts(client, "bulk", 3)
    settle_failed(client, endpoint["id"])
    ids = [d["id"] for d in deliveries(client, endpoint["id"])]
    other = make_endpoint(client, receiver.url)
    create_contacts(client, "bulk-other", 1)
    foreign = wait_for(lambda: deliveries(client, other["id"]))[0]["id"]
    receiver.answer = lambda _event: 200
    accepted_before = len(receiver.accepted)

    path = f"webhooks/{endpoint['id']}/deliveries/retry"
    answer = client.post(path, json={"delivery_ids": [ids[0], foreign, ids[1], ids[0], "whd_nope"]})
    assert answer.status_code == 200, answer.text
    results = answer.json()["data"]["results"]
    assert [(r["delivery_id"], r["ok"]) for r in results] == \
        [(ids[0], True), (foreign, False), (ids[1], True), ("whd_nope", False)]
    assert results[1]["error"]["code"] == "NOT_FOUND" and results[0]["delivery"]["status"] == "retrying"
    receiver.wait_accepted(accepted_before + 2)
    assert assert_error(client.post(path, json={"delivery_ids": [f"whd_{n}" for n in range(101)]}),
                        422, "VALIDATION_ERROR")
    assert_error(client.post(path, json={"delivery_ids": []}), 422, "VALIDATION_ERROR")


def test_event_detail_lists_payload_and_deliveries_and_resend_reaches_another_endpoint(client, receiver):
    subscribed = make_endpoint(client, receiver.url)
    paused = make_endpoint(client, receiver.url, ["invoice.paid"])
    client.patch(f"webhooks/{paused['id']}", json={"status": "paused"})
    create_contacts(client, "detail", 1)
    delivery = wait_for(lambda: deliveries(client, subscribed["id"]))[0]
    event = client.get(f"events/{delivery['event_id']}").json()["data"]
    assert event["payload"]["id"] == event["id"] and event["payload"]["data"]["name"] == "detail-0"
    assert delivery["id"] in [d["id"] for d in event["deliveries"]]

    resent = client.post(f"events/{event['id']}/resend", json={"webhook_id": paused["id"]})
    assert resent.status_code == 202, resent.text
    assert resent.json()["data"]["webhook_id"] == paused["id"]
    wait_for(lambda: receiver.accepted_ids()[event["id"]] >= 2, 10, "the resend did not arrive")
    assert [d["webhook_id"] for d in client.get(f"events/{event['id']}").json()["data"]["deliveries"]].count(
        paused["id"]) == 1
    assert_error(client.post(f"events/{event['id']}/resend", json={"webhook_id": "wh_nope"}), 404, "NOT_FOUND")
    assert_error(client.post("events/evt_nope/resend", json={"webhook_id": paused["id"]}), 404, "NOT_FOUND")


def test_trigger_makes_the_fixture_in_a_test_workspace_and_is_refused_in_a_live_one(ops, client, receiver):
    process, live_client, credentials = ops
    details = assert_error(live_client.post("events/trigger", json={"type": "invoice.paid"}), 403, "FORBIDDEN")
    assert details["reason"] == "live_workspace"
    with httpx.Client(base_url=process.url + "/", headers=bearer(credentials["test"]["owner_key"]),
                      timeout=30) as test:
        endpoint = make_endpoint(test, receiver.url, ["invoice.paid", "payment.recorded"])
        answer = test.post("events/trigger", json={"type": "invoice.paid"})
        assert answer.status_code == 201, answer.text
        made = answer.json()["data"]
        assert set(made["records"]) == {"contact", "invoice", "payment"}
        invoice = test.get(f"invoices/{made['records']['invoice']}").json()["data"]
        assert invoice["status"] == "paid" and invoice["amount_due_cents"] == 0
        types = [test.get(f"events/{e}").json()["data"]["type"] for e in made["event_ids"]]
        assert types[-2:] == ["payment.recorded", "invoice.paid"] and "invoice.sent" in types
        wait_for(lambda: receiver.accepted_ids()[made["event_id"]] == 1, 10, "invoice.paid did not arrive")
        assert {d["webhook_id"] for d in test.get(f"events/{made['event_id']}").json()["data"]["deliveries"]} == \
            {endpoint["id"]}
        assert_error(test.post("events/trigger", json={"type": "invoice.nope"}), 422, "VALIDATION_ERROR")
