"""The webhook worker inside real sandbox processes started with a time scale: the retry
schedule, failed deliveries, auto-disable, manual retry, and delivery after kill -9 and restart."""

from __future__ import annotations

import itertools
import threading
from pathlib import Path

import httpx
import pytest
from standardwebhooks.webhooks import Webhook as StandardWebhook

from app.core.sandbox_process import SandboxProcess
from app.sandbox.webhook_worker import next_attempt_delay
from tests.sandbox.webhook_receiver import WebhookReceiver
from tests.waiting import wait_until_sync

RETRY_DELAYS = (30, 120, 600, 3600)   # seconds after attempts 1–4, unscaled (the contract's schedule)


@pytest.mark.parametrize(("attempts_made", "scale", "delay"), [
    (1, 1, 30.0), (2, 1, 120.0), (3, 1, 600.0), (4, 1, 3600.0), (5, 1, None), (1, 60, 0.5), (4, 3600, 1.0),
])
def test_retry_delays_follow_the_contract(attempts_made: int, scale: float, delay: float | None) -> None:
    assert next_attempt_delay(attempts_made, scale) == delay


def _owner(sandbox: SandboxProcess) -> httpx.Client:
    key = sandbox.credentials()["live"]["owner_key"]
    return httpx.Client(base_url=sandbox.url, headers={"Authorization": f"Bearer {key}"}, timeout=30)


@pytest.fixture(scope="module")
def fast_sandbox(tmp_path_factory: pytest.TempPathFactory) -> SandboxProcess:
    """Time scale 3600: the whole five-attempt schedule (about 71 minutes) takes about 1.2 s."""
    process = SandboxProcess.start(tmp_path_factory.mktemp("fast-sandbox"), seed_size=20, time_scale=3600)
    yield process
    process.stop()


@pytest.fixture()
def receiver() -> WebhookReceiver:
    with WebhookReceiver() as running:
        yield running


def _endpoint(owner: httpx.Client, url: str, event_types: list[str]) -> dict:
    response = owner.post("/webhooks", json={"name": "Delivery test", "url": url, "event_types": event_types})
    assert response.status_code == 201, response.text
    return response.json()["data"]


def _wait_delivery(owner: httpx.Client, webhook_id: str, delivery_id: str, status: str, timeout: float = 20) -> dict:
    path = f"/webhooks/{webhook_id}/deliveries/{delivery_id}"
    wait_until_sync(lambda: owner.get(path).json()["data"]["status"] == status, timeout,
                    f"delivery {delivery_id} did not become {status}: {owner.get(path).json()['data']}")
    return owner.get(path).json()["data"]


def test_attempts_follow_the_retry_schedule_divided_by_the_time_scale(tmp_path: Path, receiver: WebhookReceiver) -> None:
    scale = 400  # delays of 0.075, 0.3, 1.5 and 9 s
    sandbox = SandboxProcess.start(tmp_path, seed_size=20, time_scale=scale)
    try:
        with _owner(sandbox) as owner:
            receiver.script = [500, 500, 502, 503]
            webhook = _endpoint(owner, receiver.url, ["ticket.created"])
            delivery = owner.post(f"/webhooks/{webhook['id']}/test").json()["data"]
            arrivals = receiver.wait_for(5, timeout=30)
            gaps = [b.at - a.at for a, b in itertools.pairwise(arrivals)]
            for gap, delay in zip(gaps, RETRY_DELAYS):
                scheduled = delay / scale
                assert scheduled - 0.02 <= gap <= scheduled + 0.5, (gaps, scheduled)
            secret = webhook["signing_secret"]
            assert len({StandardWebhook(secret).verify(r.body, r.headers)["id"] for r in arrivals}) == 1
            detail = _wait_delivery(owner, webhook["id"], delivery["id"], "succeeded")
            assert detail["attempt_count"] == 5
            assert [a["response_status"] for a in detail["attempts"]] == [500, 500, 502, 503, 200]
            assert [a["error"] for a in detail["attempts"]] == ["HTTP 500", "HTTP 500", "HTTP 502", "HTTP 503", None]
            assert owner.get(f"/webhooks/{webhook['id']}").json()["data"]["status"] == "active"
    finally:
        assert sandbox.stop() == 0


def test_five_failed_deliveries_in_a_row_disable_the_endpoint(fast_sandbox: SandboxProcess,
                                                              receiver: WebhookReceiver) -> None:
    with _owner(fast_sandbox) as owner:
        webhook = _endpoint(owner, receiver.url, ["ticket.created"])
        deliveries = f"/webhooks/{webhook['id']}/deliveries"

        def fail_tickets(count: int, already_failed: int) -> None:
            for n in range(count):
                owner.post("/support/tickets", json={"subject": f"Failing #{n}"})
            wait_until_sync(lambda: len(owner.get(deliveries, params={"status": "failed", "limit": 100})
                                        .json()["data"]) == already_failed + count, 30)

        receiver.status = 503
        fail_tickets(4, 0)
        assert owner.get(f"/webhooks/{webhook['id']}").json()["data"]["status"] == "active"
        # A success resets the count: four more failures still leave the endpoint active.
        receiver.status = 200
        owner.post("/support/tickets", json={"subject": "Works"})
        wait_until_sync(lambda: owner.get(deliveries, params={"status": "succeeded"}).json()["data"], 20)
        receiver.status = 503
        fail_tickets(4, 4)
        assert owner.get(f"/webhooks/{webhook['id']}").json()["data"]["status"] == "active"
        fail_tickets(1, 8)
        disabled = owner.get(f"/webhooks/{webhook['id']}").json()["data"]
        assert disabled["status"] == "disabled"
        assert "5 consecutive failed deliveries" in disabled["disabled_reason"]
        assert "HTTP 503" in disabled["disabled_reason"]
        failed = owner.get(deliveries, params={"status": "failed", "limit": 100}).json()["data"]
        assert all(d["attempt_count"] == 5 for d in failed)
        before = len(owner.get(deliveries, params={"limit": 100}).json()["data"])
        owner.post("/support/tickets", json={"subject": "Nobody listens"})
        owner.post(f"/webhooks/{webhook['id']}/test")  # a test event still goes out (forced)
        wait_until_sync(lambda: len(owner.get(deliveries, params={"limit": 100}).json()["data"]) == before + 1, 10)
        assert [d["event_type"] for d in owner.get(deliveries, params={"limit": 1}).json()["data"]] == ["webhook.test"]
        # Turning it back on clears the reason.
        revived = owner.patch(f"/webhooks/{webhook['id']}", json={"status": "active"}).json()["data"]
        assert revived["status"] == "active" and revived["disabled_reason"] is None


def test_manual_retry_sends_again_after_the_receiver_is_fixed(fast_sandbox: SandboxProcess,
                                                              receiver: WebhookReceiver) -> None:
    with _owner(fast_sandbox) as owner:
        receiver.status = 500
        webhook = _endpoint(owner, receiver.url, ["invoice.sent"])
        delivery = owner.post(f"/webhooks/{webhook['id']}/test").json()["data"]
        failed = _wait_delivery(owner, webhook["id"], delivery["id"], "failed")
        assert failed["attempt_count"] == 5 and len(receiver.received) == 5
        receiver.status = 200
        retried = owner.post(f"/webhooks/{webhook['id']}/deliveries/{delivery['id']}/retry")
        assert retried.status_code == 202 and retried.json()["data"]["status"] == "retrying"
        done = _wait_delivery(owner, webhook["id"], delivery["id"], "succeeded")
        assert done["attempt_count"] == 6 and done["attempts"][-1]["response_status"] == 200
        last = receiver.received[-1]
        assert StandardWebhook(webhook["signing_secret"]).verify(last.body, last.headers)["id"] == delivery["event_id"]
        assert len(receiver.received) == 6


def test_a_delivery_in_flight_at_kill_9_is_sent_after_restart(tmp_path: Path, receiver: WebhookReceiver) -> None:
    hold = threading.Event()
    receiver.hold = hold  # the first POST hangs until released, so the server dies mid-attempt
    sandbox = SandboxProcess.start(tmp_path, seed_size=20)
    with _owner(sandbox) as owner:
        webhook = _endpoint(owner, receiver.url, ["ticket.created"])
        ticket = owner.post("/support/tickets", json={"subject": "Survive a crash"}).json()["data"]
        receiver.wait_for(1)
    sandbox.kill()
    receiver.hold = None
    hold.set()
    restarted = SandboxProcess.start(tmp_path)
    try:
        arrivals = receiver.wait_for(2, timeout=20)
        payload = StandardWebhook(webhook["signing_secret"]).verify(arrivals[1].body, arrivals[1].headers)
        assert payload["data"]["id"] == ticket["id"]
        assert arrivals[1].headers["webhook-id"] == arrivals[0].headers["webhook-id"]
        with _owner(restarted) as owner:
            [delivery] = owner.get(f"/webhooks/{webhook['id']}/deliveries").json()["data"]
            done = _wait_delivery(owner, webhook["id"], delivery["id"], "succeeded")
            assert done["attempt_count"] == 1 and len(done["attempts"]) == 1
    finally:
        assert restarted.stop() == 0


def test_a_long_answer_is_kept_to_its_first_4_kib(fast_sandbox: SandboxProcess, receiver: WebhookReceiver) -> None:
    receiver.reply = ("é" + "x" * 9_999).encode()
    with _owner(fast_sandbox) as owner:
        webhook = _endpoint(owner, receiver.url, ["invoice.sent"])
        delivery = owner.post(f"/webhooks/{webhook['id']}/test").json()["data"]
        [attempt] = _wait_delivery(owner, webhook["id"], delivery["id"], "succeeded")["attempts"]
        assert len(attempt["response_body"].encode()) <= 4096
        assert attempt["response_body"].startswith("éxxx") and len(attempt["response_body"]) >= 4094


def test_a_receiver_that_never_answers_times_out_after_10_seconds(fast_sandbox: SandboxProcess,
                                                                  receiver: WebhookReceiver) -> None:
    receiver.hold = threading.Event()  # released only when the receiver shuts down
    with _owner(fast_sandbox) as owner:
        webhook = _endpoint(owner, receiver.url, ["invoice.sent"])
        delivery = owner.post(f"/webhooks/{webhook['id']}/test").json()["data"]
        path = f"/webhooks/{webhook['id']}/deliveries/{delivery['id']}"
        wait_until_sync(lambda: owner.get(path).json()["data"]["attempts"], 20, "no attempt was recorded")
        first = owner.get(path).json()["data"]["attempts"][0]
        assert first["error"] == "timed out after 10 s" and first["response_status"] is None
        assert 9_500 <= first["duration_ms"] <= 12_000
        owner.delete(f"/webhooks/{webhook['id']}")
