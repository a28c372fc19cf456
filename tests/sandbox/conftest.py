"""Fixtures for the sandbox's HTTP tests: clients for the shared real sandbox's credentials, and
own sandbox processes for tests that need special flags."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.core.sandbox_process import SandboxProcess


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def wait_for(predicate: Callable[[], Any], timeout: float = 10.0, message: str = "") -> Any:
    """Poll `predicate` until it returns something truthy (returned) or fail after `timeout` s."""
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(message or f"condition not met within {timeout} s")
        pause.wait(0.02)


def unique(prefix: str = "t") -> str:
    return f"{prefix}{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="session")
def live(sandbox_credentials: dict) -> dict:
    return sandbox_credentials["live"]


@pytest.fixture(scope="session")
def test_env(sandbox_credentials: dict) -> dict:
    return sandbox_credentials["test"]


@pytest.fixture
def client_for(sandbox: SandboxProcess) -> Iterator[Callable[[str | None], httpx.Client]]:
    """`client_for(secret)`: an httpx client on the shared sandbox authenticated with `secret`."""
    clients: list[httpx.Client] = []

    def make(secret: str | None) -> httpx.Client:
        client = httpx.Client(base_url=sandbox.url + "/", headers=bearer(secret) if secret else {}, timeout=30)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def owner(client_for, live) -> httpx.Client:
    """The live workspace's owner key (every scope)."""
    return client_for(live["owner_key"])


@pytest.fixture
def owner_test(client_for, test_env) -> httpx.Client:
    """The test workspace's owner key."""
    return client_for(test_env["owner_key"])


@pytest.fixture
def readonly(client_for, live) -> httpx.Client:
    """The live workspace's read-only key (every :read scope)."""
    return client_for(live["readonly_key"])


def assert_error(response: httpx.Response, status: int, code: str) -> dict:
    """The contract's error envelope with `status` and `code`; returns `error.details`."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"]["code"] == code, body
    assert body["error"]["message"]
    assert body["request_id"] == response.headers["X-Request-Id"]
    assert body["request_id"].startswith("req_")
    return body["error"]["details"]


@contextmanager
def own_sandbox(tmp_path: Path, **flags: Any) -> Iterator[tuple[SandboxProcess, httpx.Client, dict]]:
    """A private sandbox process (small seed) plus a client holding its live owner key."""
    flags.setdefault("seed_size", 20)
    process = SandboxProcess.start(tmp_path / "own-sandbox", **flags)
    try:
        credentials = process.credentials()
        with httpx.Client(base_url=process.url + "/", headers=bearer(credentials["live"]["owner_key"]),
                          timeout=30) as client:
            yield process, client, credentials
    finally:
        process.stop()
