"""Helpers for the client's tests: a pinned clock, pinned jitter, and scripted platforms."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from app.api import AdminClient, ApiKeyAuth, RetryPolicy
from app.api.clock import Clock

START = 1_800_000_000.0


class PinnedClock(Clock):
    """Time that moves only when the client sleeps; every requested sleep is recorded."""

    def __init__(self, now: float = START) -> None:
        self.now = now
        self.sleeps: list[float] = []

    def time(self) -> float:
        return self.now

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += max(0.0, seconds)
        await asyncio.sleep(0)


def envelope(data: Any, status: int = 200, headers: dict[str, str] | None = None,
             next_cursor: str | None | type = ..., request_id: str = "req_test") -> httpx.Response:
    body: dict[str, Any] = {"data": data, "request_id": request_id}
    if next_cursor is not ...:
        body["next_cursor"] = next_cursor
    return httpx.Response(status, json=body, headers={"X-Request-Id": request_id, **(headers or {})})


def failure(status: int, code: str, message: str = "nope", details: dict | None = None,
            headers: dict[str, str] | None = None) -> httpx.Response:
    body = {"error": {"code": code, "message": message, "details": details or {}}, "request_id": "req_err"}
    return httpx.Response(status, json=body, headers={"X-Request-Id": "req_err", **(headers or {})})


def contact(n: int = 1, **extra: Any) -> dict[str, Any]:
    return {"id": f"con_{n}", "name": f"Person {n}", "email": f"p{n}@example.com", "version": 1,
            "created_at": "2026-04-07T12:00:00Z", "updated_at": "2026-04-07T12:00:00Z", **extra}


class ScriptedPlatform:
    """A MockTransport handler that answers from a script and keeps every request it saw."""

    def __init__(self, *answers: httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]):
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        if callable(answer):
            return answer(request)
        return answer

    def bodies(self) -> list[Any]:
        return [json.loads(r.content) if r.content else None for r in self.requests]


@pytest.fixture
def clock() -> PinnedClock:
    return PinnedClock()


def no_jitter_policy(max_retries: int = 4) -> RetryPolicy:
    """Jitter pinned to its upper end (factor 1.0), so delays are the bare backoff."""
    return RetryPolicy(max_retries, random_source=lambda: 0.0)


@pytest.fixture
async def make_client(clock: PinnedClock):
    """Build an `AdminClient` over a scripted platform with pinned clock and jitter."""
    clients: list[AdminClient] = []

    def build(platform: Callable[[httpx.Request], httpx.Response], *, max_retries: int = 4,
              auth: httpx.Auth | None = None) -> AdminClient:
        client = AdminClient("http://platform.test/v1", auth or ApiKeyAuth("opk_test_" + "a" * 32),
                             transport=httpx.MockTransport(platform), clock=clock,
                             retry_policy=no_jitter_policy(max_retries))
        clients.append(client)
        return client

    yield build
    for client in clients:
        await client.aclose()
