"""Idempotency-Key: replay, reuse with another body (422), a duplicate while the first runs (409)."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import httpx

from app.core.sandbox_process import SandboxProcess
from tests.sandbox.conftest import assert_error, own_sandbox, unique, wait_for


def test_same_key_same_body_replays_without_creating_twice(owner: httpx.Client) -> None:
    key = unique("idem-")
    body = {"name": "Grace Hopper", "email": f"{unique()}@example.com"}
    first = owner.post("contacts", json=body, headers={"Idempotency-Key": key})
    assert first.status_code == 201 and "Idempotent-Replayed" not in first.headers
    again = owner.post("contacts", json=dict(reversed(list(body.items()))), headers={"Idempotency-Key": key})
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["data"] == first.json()["data"]
    assert again.json()["request_id"] == again.headers["X-Request-Id"] != first.headers["X-Request-Id"]
    matches = owner.get("contacts", params={"email": body["email"]}).json()["data"]
    assert len(matches) == 1


def test_same_key_with_another_body_is_422(owner: httpx.Client) -> None:
    key = unique("idem-")
    assert owner.post("contacts", json={"name": "One"}, headers={"Idempotency-Key": key}).status_code == 201
    details = assert_error(owner.post("contacts", json={"name": "Two"}, headers={"Idempotency-Key": key}),
                           422, "IDEMPOTENCY_KEY_REUSED")
    assert details["fields"][0]["field"] == "Idempotency-Key"
    assert_error(owner.post("companies", json={"name": "One"}, headers={"Idempotency-Key": key}),
                 422, "IDEMPOTENCY_KEY_REUSED")


def test_keys_are_per_credential(owner: httpx.Client, owner_test: httpx.Client) -> None:
    key = unique("idem-")
    a = owner.post("companies", json={"name": "Shared key A"}, headers={"Idempotency-Key": key})
    b = owner_test.post("companies", json={"name": "Shared key B"}, headers={"Idempotency-Key": key})
    assert a.status_code == b.status_code == 201
    assert "Idempotent-Replayed" not in b.headers


def test_a_failed_validation_is_replayed_too_but_a_key_over_255_chars_is_refused(owner: httpx.Client) -> None:
    details = assert_error(owner.post("contacts", json={"name": "A"}, headers={"Idempotency-Key": "k" * 256}),
                           400, "INVALID_REQUEST")
    assert details["fields"][0]["field"] == "Idempotency-Key"
    key = unique("idem-")
    first = owner.post("contacts", json={"name": ""}, headers={"Idempotency-Key": key})
    again = owner.post("contacts", json={"name": ""}, headers={"Idempotency-Key": key})
    assert first.status_code == again.status_code == 422
    assert again.headers["Idempotent-Replayed"] == "true"


def test_a_duplicate_while_the_first_still_runs_is_409(tmp_path: Path) -> None:
    with own_sandbox(tmp_path, env={"OPSDESK_SANDBOX_TEST_HOOKS": "1"}) as (process, client, _):
        key = unique("idem-")
        body = {"name": "Slow Create", "email": f"{unique()}@example.com"}
        results: dict[str, httpx.Response] = {}

        def first() -> None:
            results["first"] = client.post("contacts", json=body,
                                           headers={"Idempotency-Key": key, "X-Test-Hold": "idempotency"})

        thread = threading.Thread(target=first)
        thread.start()
        database = process.data_dir / "sandbox.sqlite3"

        def claimed() -> bool:
            with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
                return conn.execute("SELECT 1 FROM idempotency_keys WHERE key = ? AND response_status IS NULL",
                                    (key,)).fetchone() is not None

        wait_for(claimed, message="the first request never claimed its key")
        details = assert_error(client.post("contacts", json=body, headers={"Idempotency-Key": key}),
                               409, "IDEMPOTENCY_KEY_IN_USE")
        assert details["field"] == "Idempotency-Key"
        thread.join(30)
        assert results["first"].status_code == 201
        replay = client.post("contacts", json=body, headers={"Idempotency-Key": key})
        assert replay.headers["Idempotent-Replayed"] == "true"
        assert replay.json()["data"]["id"] == results["first"].json()["data"]["id"]


def test_a_secret_bearing_answer_replays_from_memory_and_never_reaches_the_database(tmp_path: Path) -> None:
    with own_sandbox(tmp_path) as (process, client, credentials):
        key = unique("idem-")
        body = {"name": "Replayed key", "scopes": ["crm:read"]}
        first = client.post("api-keys", json=body, headers={"Idempotency-Key": key})
        assert first.status_code == 201
        secret = first.json()["data"]["secret"]
        replay = client.post("api-keys", json=body, headers={"Idempotency-Key": key})
        assert replay.headers["Idempotent-Replayed"] == "true"
        assert replay.json()["data"]["secret"] == secret, "a lost answer's retry still gets the key"
        assert len([k for k in client.get("api-keys", params={"limit": 100}).json()["data"]
                    if k["name"] == "Replayed key"]) == 1

        process.stop()
        stored = b"".join(p.read_bytes() for p in process.data_dir.glob("sandbox.sqlite3*"))
        assert secret.encode() not in stored, "the plaintext key reached the database"

        again = SandboxProcess.start(process.data_dir, seed_size=20)
        try:
            with httpx.Client(base_url=again.url + "/", timeout=30,
                              headers={"Authorization": f"Bearer {credentials['live']['owner_key']}"}) as after:
                gone = assert_error(after.post("api-keys", json=body, headers={"Idempotency-Key": key}),
                                    409, "CONFLICT")
                assert gone["reason"] == "secret_not_retained"
                assert secret not in after.post("api-keys", json=body, headers={"Idempotency-Key": key}).text
        finally:
            again.stop()
