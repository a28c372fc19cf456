"""Per-credential rate limits: the X-RateLimit-* headers on every answer, 429 with Retry-After."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from tests.sandbox.conftest import assert_error, bearer, own_sandbox, wait_for


def test_headers_count_down_then_429_with_retry_after(tmp_path: Path) -> None:
    with own_sandbox(tmp_path, rate_limit=5) as (process, owner, credentials):
        remaining = []
        for _ in range(5):
            response = owner.get("contacts", params={"limit": 1})
            assert response.status_code == 200
            assert response.headers["X-RateLimit-Limit"] == "5"
            assert response.headers["X-RateLimit-Burst"] == "5"
            assert int(response.headers["X-RateLimit-Reset"]) >= int(time.time())
            remaining.append(int(response.headers["X-RateLimit-Remaining"]))
        assert remaining == [4, 3, 2, 1, 0]

        limited = owner.get("contacts")
        details = assert_error(limited, 429, "RATE_LIMITED")
        retry_after = int(limited.headers["Retry-After"])
        assert 1 <= retry_after <= 60 and details["retry_after"] == retry_after
        assert details["limit"] == 5 and details["burst"] == 5
        assert limited.headers["X-RateLimit-Remaining"] == "0"

        # Another credential has its own budget.
        with httpx.Client(base_url=process.url + "/", headers=bearer(credentials["live"]["readonly_key"])) as other:
            assert other.get("contacts").status_code == 200
        # The workspace says what the limit is.
        assert owner.get("workspace").status_code == 429


def test_the_window_follows_the_time_scale(tmp_path: Path) -> None:
    # 2 calls per minute, time scale 20: a 3-second window, a token back every 1.5 s (not 30 s).
    with own_sandbox(tmp_path, rate_limit=2, time_scale=20) as (_, owner, _credentials):
        assert owner.get("me").status_code == 200
        assert owner.get("me").status_code == 200
        limited = owner.get("me")
        assert limited.status_code == 429
        assert 1 <= int(limited.headers["Retry-After"]) <= 2
        wait_for(lambda: owner.get("me").status_code == 200, timeout=10, message="the bucket never refilled")


def test_the_headers_name_the_burst_so_remaining_never_exceeds_what_they_state(owner: httpx.Client) -> None:
    """The plan refills 600 calls a minute into a bucket of 1000: both are stated, and agree with
    the workspace, so a gauge never shows more calls left than the limit it names."""
    response = owner.get("me")
    limit, burst = int(response.headers["X-RateLimit-Limit"]), int(response.headers["X-RateLimit-Burst"])
    remaining = int(response.headers["X-RateLimit-Remaining"])
    assert (limit, burst) == (600, 1000)
    assert 0 <= remaining <= burst
    workspace = owner.get("workspace").json()["data"]
    assert (workspace["rate_limit_per_minute"], workspace["rate_limit_burst"]) == (limit, burst)
