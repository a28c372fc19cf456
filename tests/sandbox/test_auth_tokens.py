"""User sign-in: access tokens, rotating refresh tokens, reuse detection revoking the whole family."""

from __future__ import annotations

import httpx

from tests.sandbox.conftest import assert_error, bearer


def _sign_in(sandbox, login: dict) -> dict:
    response = httpx.post(sandbox.url + "/auth/token", json=login)
    assert response.status_code == 200, response.text
    return response.json()["data"]


def test_sign_in_gives_a_15_minute_token_that_works(sandbox, live) -> None:
    pair = _sign_in(sandbox, live["user"])
    assert pair["token_type"] == "bearer" and pair["expires_in"] == 900
    assert pair["user"]["email"] == live["user"]["email"] and pair["user"]["role"] == "owner"
    me = httpx.get(sandbox.url + "/me", headers=bearer(pair["access_token"])).json()["data"]
    assert me["kind"] == "user" and me["workspace_id"] == live["workspace_id"]
    assert "keys:write" in me["scopes"] and me["expires_at"]


def test_wrong_password_is_401(sandbox, live) -> None:
    response = httpx.post(sandbox.url + "/auth/token", json={"email": live["user"]["email"], "password": "nope"})
    assert assert_error(response, 401, "UNAUTHORIZED")["reason"] == "invalid"


def test_refresh_rotates_and_reuse_revokes_the_family(sandbox, live) -> None:
    first = _sign_in(sandbox, live["user"])
    second = httpx.post(sandbox.url + "/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 200, second.text
    second = second.json()["data"]
    assert second["refresh_token"] != first["refresh_token"]
    assert httpx.get(sandbox.url + "/me", headers=bearer(second["access_token"])).status_code == 200

    reuse = httpx.post(sandbox.url + "/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert assert_error(reuse, 401, "UNAUTHORIZED")["reason"] == "revoked"
    for token in (first["access_token"], second["access_token"]):
        response = httpx.get(sandbox.url + "/me", headers=bearer(token))
        assert assert_error(response, 401, "UNAUTHORIZED")["reason"] == "revoked"
    later = httpx.post(sandbox.url + "/auth/refresh", json={"refresh_token": second["refresh_token"]})
    assert assert_error(later, 401, "UNAUTHORIZED")["reason"] == "revoked"

    other = _sign_in(sandbox, live["user"])
    assert httpx.get(sandbox.url + "/me", headers=bearer(other["access_token"])).status_code == 200


def test_agent_role_gets_agent_scopes_only(sandbox, live) -> None:
    pair = _sign_in(sandbox, live["agent_user"])
    headers = bearer(pair["access_token"])
    me = httpx.get(sandbox.url + "/me", headers=headers).json()["data"]
    assert set(me["scopes"]) == {"crm:read", "crm:write", "support:read", "support:write", "logs:read", "quota:read"}
    assert httpx.get(sandbox.url + "/contacts", headers=headers).status_code == 200
    details = assert_error(httpx.get(sandbox.url + "/api-keys", headers=headers), 403, "FORBIDDEN")
    assert details["required_scope"] == "keys:read"


def test_unknown_refresh_token_is_401_invalid(sandbox) -> None:
    response = httpx.post(sandbox.url + "/auth/refresh", json={"refresh_token": "oprt_doesnotexist"})
    assert assert_error(response, 401, "UNAUTHORIZED")["reason"] == "invalid"


def test_access_tokens_expire(tmp_path) -> None:
    from tests.sandbox.conftest import own_sandbox, wait_for

    with own_sandbox(tmp_path, time_scale=900) as (process, _, credentials):
        pair = _sign_in(process, credentials["live"]["user"])
        assert pair["expires_in"] == 1

        def expired() -> bool:
            return httpx.get(process.url + "/me", headers=bearer(pair["access_token"])).status_code == 401

        wait_for(expired, timeout=10, message="a 1-second access token kept working")
        response = httpx.get(process.url + "/me", headers=bearer(pair["access_token"]))
        assert assert_error(response, 401, "UNAUTHORIZED")["reason"] == "expired"
