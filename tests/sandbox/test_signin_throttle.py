"""Brute-force protection on sign-in: failed `POST /auth/token` and `/auth/refresh` attempts are
limited per email and per client address, with the contract's 429 envelope."""

from __future__ import annotations

from pathlib import Path

import httpx

from app.sandbox.signin_throttle import ADDRESS_LIMIT, EMAIL_LIMIT
from tests.sandbox.conftest import assert_error, own_sandbox, unique, wait_for


def _token(process, email: str, password: str) -> httpx.Response:
    return httpx.post(process.url + "/auth/token", json={"email": email, "password": password})


def _fail_until_limited(attempt, limit: int) -> httpx.Response:
    """Make failing attempts until one is refused with 429 (returned); the first `limit` must be 401s.

    Buckets refill while the loop runs, so a slow machine may get a few more than `limit` in.
    """
    for count in range(limit * 3):
        response = attempt()
        if response.status_code == 429:
            assert count >= limit, f"refused after {count} failed attempts, the limit is {limit}"
            return response
        assert_error(response, 401, "UNAUTHORIZED")
    raise AssertionError(f"{limit * 3} failed attempts and never refused")


def test_guessing_one_password_is_stopped_then_allowed_again(tmp_path: Path) -> None:
    # A failed attempt comes back every 60 s / EMAIL_LIMIT = 6 s.
    with own_sandbox(tmp_path) as (process, _, credentials):
        user = credentials["live"]["user"]
        # Successful sign-ins cost nothing.
        for _ in range(EMAIL_LIMIT + 2):
            assert _token(process, user["email"], user["password"]).status_code == 200
        _fail_until_limited(lambda: _token(process, user["email"], "wrong"), EMAIL_LIMIT)
        limited = _token(process, user["email"], user["password"])
        details = assert_error(limited, 429, "RATE_LIMITED")
        assert int(limited.headers["Retry-After"]) == details["retry_after"] >= 1
        assert details["scope"] == "email" and details["limit"] == EMAIL_LIMIT
        # The email is locked, even with the right password, in any letter case; others are not.
        assert _token(process, user["email"].upper(), user["password"]).status_code == 429
        agent = credentials["live"]["agent_user"]
        assert _token(process, agent["email"], agent["password"]).status_code == 200
        wait_for(lambda: _token(process, user["email"], user["password"]).status_code == 200, timeout=20,
                 message="the email was never allowed to sign in again")


# Time scale 0.1 (a 10-minute window, one failed attempt back every 20 s): the address stays
# refused for a while after the loop, however slowly the machine ran it.
def test_one_address_trying_many_emails_is_stopped(tmp_path: Path) -> None:
    with own_sandbox(tmp_path, time_scale=0.1) as (process, _, credentials):
        _fail_until_limited(lambda: _token(process, f"{unique()}@example.com", "guess"), ADDRESS_LIMIT)
        user = credentials["live"]["user"]
        details = assert_error(_token(process, user["email"], user["password"]), 429, "RATE_LIMITED")
        assert details["scope"] == "address" and details["limit"] == ADDRESS_LIMIT
        refresh = httpx.post(process.url + "/auth/refresh", json={"refresh_token": "oprt_guess"})
        assert assert_error(refresh, 429, "RATE_LIMITED")["scope"] == "address"


def test_guessing_refresh_tokens_is_stopped(tmp_path: Path) -> None:
    with own_sandbox(tmp_path, time_scale=0.1) as (process, _, credentials):
        user = credentials["live"]["user"]
        pair = _token(process, user["email"], user["password"]).json()["data"]
        _fail_until_limited(lambda: httpx.post(process.url + "/auth/refresh",
                                               json={"refresh_token": f"oprt_{unique()}"}), ADDRESS_LIMIT)
        limited = httpx.post(process.url + "/auth/refresh", json={"refresh_token": pair["refresh_token"]})
        assert assert_error(limited, 429, "RATE_LIMITED")["retry_after"] >= 1
