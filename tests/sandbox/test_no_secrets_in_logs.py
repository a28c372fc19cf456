"""No secret reaches the sandbox's stderr log or its data files: keys, passwords, access and
refresh tokens and webhook signing secrets exist only in `credentials.json` and in the one answer
that creates them (the database keeps hashes; webhook signing secrets, which the server needs to
sign with, are kept in the database but never logged). Exercises the paths that log or store something:
sign-in and refresh (good and bad), refused credentials, key rotation and revocation, signing
secret rotation, a secret sent where it does not belong, and a clean shutdown."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.sandbox.conftest import bearer, own_sandbox


def test_no_secret_in_the_stderr_log_or_the_database(tmp_path: Path) -> None:
    secrets: set[str] = set()
    with own_sandbox(tmp_path) as (process, owner, credentials):
        live = credentials["live"]
        secrets |= {live["owner_key"], live["readonly_key"], live["user"]["password"],
                    live["agent_user"]["password"], credentials["test"]["owner_key"]}
        pair = httpx.post(process.url + "/auth/token", json=live["user"]).json()["data"]
        again = httpx.post(process.url + "/auth/refresh", json={"refresh_token": pair["refresh_token"]}).json()["data"]
        secrets |= {pair["access_token"], pair["refresh_token"], again["access_token"], again["refresh_token"]}
        # A reused refresh token revokes its family; the revoked token is then refused.
        assert httpx.post(process.url + "/auth/refresh", json={"refresh_token": pair["refresh_token"]}).status_code == 401
        assert httpx.get(process.url + "/me", headers=bearer(again["access_token"])).status_code == 401
        assert httpx.post(process.url + "/auth/token",
                          json={"email": live["user"]["email"], "password": live["user"]["password"] + "x"}).status_code == 401

        key = owner.post("api-keys", json={"name": "Leak check", "scopes": ["crm:read"]}).json()["data"]
        rotated = owner.post(f"api-keys/{key['id']}/rotate", json={}).json()["data"]
        secrets |= {key["secret"], rotated["secret"]}
        assert owner.post(f"api-keys/{rotated['id']}/revoke").status_code == 200
        assert httpx.get(process.url + "/contacts", headers=bearer(rotated["secret"])).status_code == 401
        hook = owner.post("webhooks", json={"name": "Leak check", "url": "http://127.0.0.1:9/h",
                                            "event_types": ["contact.created"]}).json()["data"]
        rehook = owner.post(f"webhooks/{hook['id']}/rotate-secret").json()["data"]
        signing_secrets = {hook["signing_secret"], rehook["signing_secret"]}

        # Secrets where they do not belong: a query string, a malformed Authorization header.
        assert owner.get("contacts", params={"api_key": live["owner_key"], "limit": 1}).status_code == 200
        assert httpx.get(process.url + "/me", headers={"Authorization": live["owner_key"]}).status_code == 401
        assert owner.get("dev/api-requests", params={"limit": 100}).status_code == 200
        data_dir = process.data_dir
    assert all(len(s) >= 16 for s in secrets | signing_secrets)

    stderr = process.stderr_path.read_text(errors="replace")
    assert "sandbox stopped" in stderr  # the log is complete: the process shut down cleanly
    leaked = [s[:10] + "…" for s in secrets | signing_secrets if s in stderr]
    assert not leaked, f"secrets in the stderr log: {leaked}"
    # Signing secrets must stay in the database (the worker signs with them); nothing else may.
    for path in Path(data_dir).rglob("*"):
        if path.is_file() and path.name != "credentials.json":
            content = path.read_bytes()
            leaked = [s[:10] + "…" for s in secrets if s.encode() in content]
            assert not leaked, f"secrets in {path.name}: {leaked}"
