"""No secret (key, signing secret, password, access or refresh token) reaches a RequestRecord,
a curl rendering, a HAR export or an error message, across creates, rotations and a login."""

from __future__ import annotations

import dataclasses
import json
import time

import pytest

from app.api import AdminClient, ApiKeyAuth, UserLoginAuth, errors
from app.api.clock import Clock
from app.api.export import to_curl, to_har
from tests.api.sandbox_clients import unique


class SettableClock(Clock):
    def __init__(self) -> None:
        self.offset = 0.0

    def time(self) -> float:
        return time.time() + self.offset


async def test_no_secret_reaches_records_curl_or_har(sandbox):
    creds = sandbox.credentials()["live"]
    secrets: set[str] = {creds["owner_key"], creds["user"]["password"]}
    records = []
    clock = SettableClock()

    async with AdminClient(sandbox.url, ApiKeyAuth(creds["owner_key"])) as owner:
        owner.add_request_listener(records.append)
        key = await owner.api_keys.create({"name": unique("hygiene"), "scopes": ["crm:read", "crm:write"]})
        rotated = await owner.api_keys.rotate(key.id, grace_period_hours=1)
        hook = await owner.webhooks.create({"name": unique("hygiene"), "url": "http://127.0.0.1:9/h",
                                            "event_types": ["contact.created"]})
        rehook = await owner.webhooks.rotate_secret(hook.id)
        secrets |= {key.secret, rotated.secret, hook.signing_secret, rehook.signing_secret}
        await owner.api_keys.revoke(rotated.id)

        async with AdminClient(sandbox.url, ApiKeyAuth(key.secret)) as keyed:
            keyed.add_request_listener(records.append)
            await keyed.contacts.create({"name": "Made with the new key", "notes": f"pasted {key.secret} here"})

    refresh_tokens: list[str] = []
    login = UserLoginAuth(creds["user"]["email"], creds["user"]["password"], on_refresh_token=refresh_tokens.append)
    async with AdminClient(sandbox.url, login, clock=clock) as user:
        user.add_request_listener(records.append)
        await user.me.get()
        secrets.add(login._access_token)
        clock.offset = 3600.0  # forces a renewal through /auth/refresh
        await user.me.get()
        secrets.add(login._access_token)
        # A user pasting their own tokens into a note: they go to the server, never into a record.
        pasted = f"debug: access {login._access_token} refresh {refresh_tokens[-1]} end"
        noted = await user.contacts.create({"name": unique("pasted tokens"), "notes": pasted})
        assert noted.notes == pasted
    secrets |= set(refresh_tokens)
    assert len(refresh_tokens) == 2

    wrong = UserLoginAuth(creds["user"]["email"], "definitely-wrong-password-123")
    secrets.add("definitely-wrong-password-123")
    async with AdminClient(sandbox.url, wrong) as refused:
        refused.add_request_listener(records.append)
        with pytest.raises(errors.SignInRequired) as failed:
            await refused.me.get()

    secrets = {s for s in secrets if s}
    paths = {r.url.rsplit("/v1", 1)[1] for r in records}
    assert {"/auth/token", "/auth/refresh", "/api-keys", "/webhooks"} <= {p.split("?")[0] for p in paths}
    texts = {
        "records": "\n".join(json.dumps(dataclasses.asdict(r), default=str) for r in records),
        "reprs": "\n".join(repr(r) for r in records),
        "curl": "\n".join(to_curl(r) for r in records),
        "har": json.dumps(to_har(records)),
        "error": f"{failed.value} {failed.value!r} {failed.value.details}",
    }
    for where, text in texts.items():
        leaked = [s[:12] + "…" for s in secrets if s in text]
        assert leaked == [], f"secrets leaked into {where}: {leaked}"
    assert "[REDACTED]" in texts["records"], "the redaction actually ran on these exchanges"
    assert "debug: access [REDACTED] refresh [REDACTED] end" in texts["records"], "the note's own text is kept"
