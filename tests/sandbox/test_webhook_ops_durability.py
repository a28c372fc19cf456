"""A recover job survives kill -9: after a restart on the same data it finishes, and no delivery
the receiver answered 200 (and the sandbox recorded) is sent to it again.

The crash is staged, not timed: the receiver accepts the first 60 re-deliveries, then holds every
later request open without answering, so the sandbox has confirmed exactly 60 and has more in
flight (sent, unanswered: not accepted) when it is killed. Those, and the ones not yet sent, are
what the restarted sandbox must send, each once."""

from __future__ import annotations

import httpx

from app.core.sandbox_process import SandboxProcess
from tests.sandbox.conftest import bearer, wait_for
from tests.sandbox.webhook_ops_fixtures import (
    create_contacts,
    deliveries,
    make_endpoint,
    settle_failed,
    wait_job,
)
from tests.sandbox.webhook_ops_receiver import OpsReceiver

FAILED = 200
CONFIRMED_BEFORE_CRASH = 60


def test_recover_job_killed_mid_run_finishes_after_restart_without_a_duplicate(tmp_path) -> None:
    data_dir = tmp_path / "sandbox"
    # 5 failed attempts take about 15 s: longer than making the 200 contacts, so the endpoint
    # cannot disable itself (and stop getting deliveries) half-way.
    process = SandboxProcess.start(data_dir, seed_size=20, time_scale=300)
    key = process.credentials()["live"]["owner_key"]
    with OpsReceiver() as receiver:
        try:
            with httpx.Client(base_url=process.url + "/", headers=bearer(key), timeout=30) as client:
                receiver.answer = lambda _event: 500
                endpoint = make_endpoint(client, receiver.url)
                first = create_contacts(client, "crash", FAILED)[0]
                since = client.get(f"contacts/{first}").json()["data"]["created_at"]
                settle_failed(client, endpoint["id"])
                failed_ids = {d["event_id"] for d in deliveries(client, endpoint["id"])}
                assert len(failed_ids) == FAILED

                receiver.answer = lambda _event: 200
                receiver.accept_limit = CONFIRMED_BEFORE_CRASH
                job = client.post(f"webhooks/{endpoint['id']}/recover", json={"since": since}).json()["data"]
                assert job["matched"] == FAILED
                path = f"webhooks/{endpoint['id']}/recover/{job['job_id']}"
                wait_for(lambda: client.get(path).json()["data"]["succeeded"] == CONFIRMED_BEFORE_CRASH
                         and receiver.held >= 1, 30, "the sandbox did not confirm the first re-deliveries")
        finally:
            assert process.kill() is not None  # SIGKILL: no shutdown, attempts in flight lost
        assert len(receiver.accepted) == CONFIRMED_BEFORE_CRASH
        receiver.release_held()

        restarted = SandboxProcess.start(data_dir, time_scale=300)
        try:
            with httpx.Client(base_url=restarted.url + "/", headers=bearer(key), timeout=30) as client:
                done = wait_job(client, endpoint["id"], job["job_id"])
                assert {k: done[k] for k in ("status", "matched", "queued", "succeeded", "failed")} == \
                    {"status": "done", "matched": FAILED, "queued": 0, "succeeded": FAILED, "failed": 0}
                assert {d["status"] for d in deliveries(client, endpoint["id"])} == {"succeeded"}
        finally:
            restarted.stop()
        accepted = receiver.accepted_ids()
        assert set(accepted) == failed_ids
        assert max(accepted.values()) == 1, [i for i, n in accepted.items() if n > 1]
