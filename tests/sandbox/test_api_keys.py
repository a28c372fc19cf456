"""API keys: create (secret once, scope subset), rotate with a grace period, revoke (401 next call)."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.sandbox.conftest import assert_error, bearer, own_sandbox, wait_for


def test_create_shows_the_secret_once_and_the_key_works(owner: httpx.Client, sandbox) -> None:
    response = owner.post("api-keys", json={"name": "CI reader", "scopes": ["crm:read"], "expires_in_days": 30})
    assert response.status_code == 201, response.text
    key = response.json()["data"]
    assert key["secret"].startswith("opk_live_") and len(key["secret"]) >= len("opk_live_") + 32
    assert key["last4"] == key["secret"][-4:] and key["secret"].startswith(key["prefix"])
    assert key["status"] == "active" and key["scopes"] == ["crm:read"]
    listed = {k["id"]: k for k in owner.get("api-keys", params={"limit": 100}).json()["data"]}
    assert "secret" not in listed[key["id"]]
    assert "secret" not in owner.get(f"api-keys/{key['id']}").json()["data"]
    client = httpx.Client(base_url=sandbox.url + "/", headers=bearer(key["secret"]))
    with client:
        assert client.get("contacts").status_code == 200
        details = assert_error(client.post("contacts", json={"name": "x"}), 403, "FORBIDDEN")
        assert details["required_scope"] == "crm:write"
    assert owner.get(f"api-keys/{key['id']}").json()["data"]["last_used_at"]


def test_a_key_cannot_mint_scopes_it_lacks(owner: httpx.Client, client_for) -> None:
    manager = owner.post("api-keys", json={"name": "Key manager", "scopes": ["keys:read", "keys:write"]}).json()["data"]
    limited = client_for(manager["secret"])
    details = assert_error(limited.post("api-keys", json={"name": "Escalate", "scopes": ["crm:write"]}),
                           403, "FORBIDDEN")
    assert details["required_scope"] == "crm:write"
    assert limited.post("api-keys", json={"name": "Same", "scopes": ["keys:read"]}).status_code == 201
    details = assert_error(owner.post("api-keys", json={"name": "Bad", "scopes": ["crm:admin"]}), 422,
                           "VALIDATION_ERROR")
    assert details["fields"][0]["field"].startswith("scopes")


def test_revoked_key_is_401_revoked_at_once(owner: httpx.Client, client_for) -> None:
    key = owner.post("api-keys", json={"name": "Short-lived", "scopes": ["crm:read"]}).json()["data"]
    client = client_for(key["secret"])
    assert client.get("contacts").status_code == 200
    revoked = owner.post(f"api-keys/{key['id']}/revoke")
    assert revoked.status_code == 200 and revoked.json()["data"]["status"] == "revoked"
    assert assert_error(client.get("contacts"), 401, "UNAUTHORIZED")["reason"] == "revoked"
    assert_error(owner.post(f"api-keys/{key['id']}/rotate", json={}), 409, "CONFLICT")


def test_rotation_keeps_the_old_key_for_the_grace_period_then_expires_it(tmp_path: Path) -> None:
    # time scale 3600: the 1-hour grace period lasts one real second.
    with own_sandbox(tmp_path, time_scale=3600) as (process, owner, _):
        key = owner.post("api-keys", json={"name": "Deploy", "scopes": ["crm:read"]}).json()["data"]
        rotated = owner.post(f"api-keys/{key['id']}/rotate", json={"grace_period_hours": 1})
        assert rotated.status_code == 201, rotated.text
        new = rotated.json()["data"]
        assert new["id"] != key["id"] and new["name"] == "Deploy" and new["scopes"] == ["crm:read"]
        assert new["secret"] != key["secret"]
        assert new["previous_key"]["id"] == key["id"] and new["previous_key"]["status"] == "expiring"
        with httpx.Client(base_url=process.url + "/", headers=bearer(new["secret"])) as fresh, \
             httpx.Client(base_url=process.url + "/", headers=bearer(key["secret"])) as old:
            assert fresh.get("contacts").status_code == 200
            first_old = old.get("contacts")
            wait_for(lambda: old.get("contacts").status_code == 401, timeout=15,
                     message="the old key outlived its grace period")
            assert assert_error(old.get("contacts"), 401, "UNAUTHORIZED")["reason"] == "expired"
            assert fresh.get("contacts").status_code == 200
        assert first_old.status_code == 200
        assert owner.get(f"api-keys/{key['id']}").json()["data"]["status"] == "expired"


def test_rotation_with_zero_grace_ends_the_old_key_now(owner: httpx.Client, client_for) -> None:
    key = owner.post("api-keys", json={"name": "Zero", "scopes": ["crm:read"]}).json()["data"]
    new = owner.post(f"api-keys/{key['id']}/rotate", json={"grace_period_hours": 0}).json()["data"]
    assert assert_error(client_for(key["secret"]).get("contacts"), 401, "UNAUTHORIZED")["reason"] == "expired"
    assert client_for(new["secret"]).get("contacts").status_code == 200
    details = assert_error(owner.post(f"api-keys/{new['id']}/rotate", json={"grace_period_hours": 169}),
                           422, "VALIDATION_ERROR")
    assert details["fields"][0]["field"] == "grace_period_hours"


def test_key_events_never_carry_the_secret(owner: httpx.Client) -> None:
    key = owner.post("api-keys", json={"name": "Evented", "scopes": ["crm:read"]}).json()["data"]
    rotated = owner.post(f"api-keys/{key['id']}/rotate", json={}).json()["data"]
    events = owner.get("events", params={"limit": 100}).json()["data"]
    text = str(events)
    assert key["secret"] not in text and rotated["secret"] not in text
    kinds = {e["type"] for e in events if e["data"].get("id") in (key["id"], rotated["id"])}
    assert {"api_key.created", "api_key.rotated"} <= kinds
