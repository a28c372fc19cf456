"""8bit-ai's 15-minute JWTs: renewed before they expire (an injected clock moves time) and once on a
401 the sandbox gives an expired one (`--time-scale` makes them live 3 s), single flight either way;
a reused refresh token ends the whole sign-in."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from app.api import AdminClient, errors
from app.api.clock import Clock
from app.api.dialects import dialect_for
from app.core.sandbox_process import SandboxProcess
from tests.dialects.conftest import dialect_client, dialect_section, sandbox_root
from tests.waiting import wait_until

TIME_SCALE = 300.0  # 15 minutes become 3 s


class SettableClock(Clock):
    """Real time plus an offset the test moves."""

    def __init__(self) -> None:
        self.offset = 0.0

    def time(self) -> float:
        return time.time() + self.offset


class FrozenClock(Clock):
    """A client clock that never moves: only the platform's 401 can tell it a token expired."""

    def __init__(self) -> None:
        self._now = time.time()

    def time(self) -> float:
        return self._now


def _count(records: list, path: str) -> int:
    return sum(1 for r in records if httpx.URL(r.url).path.endswith(path))


@pytest.fixture(scope="module")
def fast_sandbox(tmp_path_factory):
    process = SandboxProcess.start(tmp_path_factory.mktemp("8bit-fast"), seed_size=5, time_scale=TIME_SCALE)
    yield process
    process.stop()


async def test_renewed_before_expiry_once_for_twenty_calls(sandbox):
    clock = SettableClock()
    async with dialect_client(sandbox, "8bit", clock=clock) as client:
        records: list = []
        client.add_request_listener(records.append)
        first = await client.me.get()
        old = client.auth._access_token
        clock.offset = 15 * 60 - 30  # inside the renewal margin, still valid on the server
        results = await asyncio.gather(*(client.tickets.list(limit=1) for _ in range(20)))
        assert all(page.items for page in results)
        assert _count(records, "/auth/token") == 1 and _count(records, "/auth/refresh") == 1
        assert not any(r.status == 401 for r in records), "renewed before sending, never refused"
        assert client.auth._access_token != old
        again = await client.me.get()
        assert again.id == first.id and again.expires_at > first.expires_at


async def test_a_token_the_platform_expired_is_refreshed_once_on_the_401(fast_sandbox):
    async with dialect_client(fast_sandbox, "8bit", clock=FrozenClock()) as client:
        records: list = []
        client.add_request_listener(records.append)
        await client.me.get()
        stale = client.auth._access_token
        base = sandbox_root(fast_sandbox) + dialect_section(fast_sandbox, "8bit")["base_url"]
        async with httpx.AsyncClient() as raw:
            async def expired() -> bool:
                answer = await raw.get(base + "/organization", headers={"Authorization": f"Bearer {stale}"})
                return answer.status_code == 401 and answer.json()["error"]["details"]["reason"] == "expired"

            await wait_until_async(expired, timeout=30, message="the sandbox never expired the JWT")
        records.clear()
        results = await asyncio.gather(*(client.webhooks.list() for _ in range(10)))
        assert len(results) == 10
        assert _count(records, "/auth/refresh") == 1, "single flight"
        assert sum(1 for r in records if r.status == 401) == 10, "each met the expired token once"
        assert client.auth._access_token != stale


async def test_a_reused_refresh_token_ends_the_sign_in(sandbox):
    base = sandbox_root(sandbox) + dialect_section(sandbox, "8bit")["base_url"]
    section = dialect_section(sandbox, "8bit")
    async with httpx.AsyncClient() as http:
        signed = (await http.post(base + "/auth/token", json={"email": section["email"],
                                                               "password": section["password"]})).json()["data"]
        renewed = await http.post(base + "/auth/refresh", json={"refresh_token": signed["refresh_token"]})
        assert renewed.status_code == 200 and renewed.json()["data"]["refresh_token"].startswith("8b_rt_")
        reused = await http.post(base + "/auth/refresh", json={"refresh_token": signed["refresh_token"]})
        fresh = renewed.json()["data"]["access_token"]
        after = await http.get(base + "/organization", headers={"Authorization": f"Bearer {fresh}"})
    assert reused.status_code == 401 and reused.json()["error"]["details"]["reason"] == "revoked"
    assert after.status_code == 401, "the whole family is revoked"
    dialect = dialect_for("8bit")
    # A profile resuming from the leaked, spent refresh token: the platform ends the session.
    async with AdminClient(base, dialect.auth({"refresh_token": signed["refresh_token"]}), dialect=dialect) as client:
        with pytest.raises(errors.SignInRequired):
            await client.me.get()
        assert client.auth.refresh_token is None


async def wait_until_async(predicate, timeout: float, message: str) -> None:
    """`tests.waiting.wait_until` for an async predicate (it awaits a sync one)."""
    result = {"ok": False}

    async def poll() -> None:
        while not result["ok"]:
            result["ok"] = await predicate()
            if not result["ok"]:
                await asyncio.sleep(0.2)

    task = asyncio.ensure_future(poll())
    try:
        await wait_until(lambda: result["ok"], timeout=timeout, message=message)
    finally:
        task.cancel()
