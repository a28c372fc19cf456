"""Against sandboxes with short windows (--time-scale): a 429 storm is waited out politely, and
twenty calls meeting an expired user token cause exactly one refresh."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from app.api import AdminClient, ApiKeyAuth, UserLoginAuth, constants
from app.api.clock import Clock
from app.core.sandbox_process import SandboxProcess

RATE_LIMIT = 10
TIME_SCALE = 300.0  # the 60 s window becomes 0.2 s (Retry-After rounds up to 1 s); tokens live 3 s


@pytest.fixture(scope="module")
def fast_sandbox(tmp_path_factory):
    process = SandboxProcess.start(tmp_path_factory.mktemp("fast-sandbox"), seed_size=20,
                                   time_scale=TIME_SCALE, rate_limit=RATE_LIMIT)
    yield process
    process.stop()


class WireTimes(httpx.AsyncBaseTransport):
    """The client's usual transport, noting on the monotonic clock the client's send gate keeps when
    each request was handed to the wire and when its answer's head (and so its `Retry-After`) came
    back: the moment the client could first know it was told to wait."""

    def __init__(self) -> None:
        self._inner = httpx.AsyncHTTPTransport(limits=httpx.Limits(
            max_connections=constants.MAX_CONNECTIONS, max_keepalive_connections=constants.MAX_KEEPALIVE_CONNECTIONS))
        self.sent: list[float] = []
        self.told: list[tuple[float, float]] = []  # (head arrived, Retry-After seconds) of each 429

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(time.monotonic())
        response = await self._inner.handle_async_request(request)
        if response.status_code == 429:
            self.told.append((time.monotonic(), float(response.headers["Retry-After"])))
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()


@pytest.mark.slow
async def test_a_429_storm_is_waited_out_and_nothing_is_sent_inside_a_window(fast_sandbox):
    records = []
    wire = WireTimes()
    async with AdminClient(fast_sandbox.url, ApiKeyAuth(fast_sandbox.credentials()["live"]["owner_key"]),
                           transport=wire) as client:
        client.add_request_listener(records.append)
        results = await asyncio.gather(*(client.contacts.list(limit=1) for _ in range(50)))
        assert len(results) == 50 and all(page.items for page in results), "every call completed"
        assert client.rate_limit.limit == RATE_LIMIT

    told = [r for r in records if r.status == 429]
    assert len(told) >= 10, "the storm really hit the limit"
    assert all(refusal.header("Retry-After") is not None for refusal in told)
    # A window opens when a 429's head arrives (not when its body has been read, which under load
    # can be many milliseconds later) and lasts its Retry-After; both ends on one clock, no slack.
    assert len(wire.told) == len(told)
    for arrived, seconds in wire.told:
        inside = [sent for sent in wire.sent if arrived < sent < arrived + seconds]
        assert inside == [], f"{len(inside)} requests sent inside a Retry-After window"
    assert sum(1 for r in records if r.status == 200) == 50


class LaggingClock(Clock):
    """The client's wall clock, frozen at a moment: it believes its token is still fresh."""

    def __init__(self) -> None:
        self.frozen = time.time()

    def time(self) -> float:
        return self.frozen


async def _sign_in(sandbox: SandboxProcess, clock: Clock) -> tuple[AdminClient, list]:
    user = sandbox.credentials()["live"]["user"]
    client = AdminClient(sandbox.url, UserLoginAuth(user["email"], user["password"]), clock=clock)
    records: list = []
    client.add_request_listener(records.append)
    await client.me.get()
    return client, records


def _refreshes(records: list) -> int:
    return sum(1 for r in records if r.url.endswith("/auth/refresh"))


async def _wait_until_server_expires(sandbox: SandboxProcess, access_token: str, deadline: float = 30.0) -> None:
    """Poll the server with the old token until it says expired (tokens live 3 s at this scale)."""
    started = time.monotonic()
    async with httpx.AsyncClient(base_url=sandbox.url) as raw:
        while time.monotonic() - started < deadline:
            answer = await raw.get("/me", headers={"Authorization": f"Bearer {access_token}"})
            if answer.status_code == 401:
                assert answer.json()["error"]["details"]["reason"] == "expired"
                return
            await asyncio.sleep(0.25)
    raise AssertionError("the sandbox never expired the access token")


@pytest.mark.slow
async def test_twenty_calls_on_a_token_the_server_expired_refresh_once(fast_sandbox):
    client, records = await _sign_in(fast_sandbox, LaggingClock())
    try:
        await _wait_until_server_expires(fast_sandbox, client.auth._access_token)
        records.clear()
        results = await asyncio.gather(*(client.me.get() for _ in range(20)))
        assert all(me.kind == "user" for me in results)
        assert _refreshes(records) == 1
        assert sum(1 for r in records if r.status == 401) == 20, "each met the expired token once"
    finally:
        await client.aclose()


class SettableClock(Clock):
    def __init__(self) -> None:
        self.offset = 0.0

    def time(self) -> float:
        return time.time() + self.offset


@pytest.mark.slow
async def test_twenty_calls_on_a_token_near_expiry_renew_it_first_once(fast_sandbox):
    clock = SettableClock()
    client, records = await _sign_in(fast_sandbox, clock)
    try:
        clock.offset = 3600.0
        records.clear()
        results = await asyncio.gather(*(client.me.get() for _ in range(20)))
        assert all(me.kind == "user" for me in results)
        assert _refreshes(records) == 1
        assert all(r.status != 401 for r in records), "renewed before the server had to refuse it"
    finally:
        await client.aclose()
