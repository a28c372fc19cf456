"""User login tokens over a scripted platform: sign-in, renewal before and on expiry, single flight,
refresh failure as one SignInRequired, and a cancelled waiter that loses nothing."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from app.api import UserLoginAuth, errors
from tests.api.conftest import contact, envelope, failure
from tests.waiting import wait_until


class TokenPlatform:
    """Issues numbered tokens; answers 401 expired to access tokens it has retired."""

    def __init__(self, expires_in: int = 900, refresh_delay: float = 0.0) -> None:
        self.expires_in = expires_in
        self.refresh_delay = refresh_delay
        self.issued = 0
        self.valid_access: set[str] = set()
        self.valid_refresh: set[str] = set()
        self.refresh_calls = 0
        self.login_calls = 0
        self.refuse_refresh = False

    def _pair(self) -> httpx.Response:
        self.issued += 1
        access, refresh = f"at_{self.issued}", f"rt_{self.issued}"
        self.valid_access = {access}
        self.valid_refresh = {refresh}
        return httpx.Response(200, json={"access_token": access, "token_type": "bearer",
                                         "expires_in": self.expires_in, "refresh_token": refresh,
                                         "user": {"id": "usr_1", "email": "ada@example.com"}})

    def expire_access(self) -> None:
        self.valid_access = set()

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/auth/token":
            self.login_calls += 1
            body = json.loads(request.content)
            if body["password"] != "correct horse":
                return failure(401, "UNAUTHORIZED", "wrong email or password", {"reason": "invalid"})
            return self._pair()
        if request.url.path == "/v1/auth/refresh":
            self.refresh_calls += 1
            await asyncio.sleep(self.refresh_delay)
            token = json.loads(request.content)["refresh_token"]
            if self.refuse_refresh or token not in self.valid_refresh:
                return failure(401, "UNAUTHORIZED", "refresh token revoked", {"reason": "revoked"})
            return self._pair()
        bearer = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if bearer not in self.valid_access:
            return failure(401, "UNAUTHORIZED", "token expired", {"reason": "expired"})
        return envelope(contact())


async def test_signs_in_once_and_forgets_the_password(make_client):
    platform = TokenPlatform()
    rotated: list[str] = []
    auth = UserLoginAuth("ada@example.com", "correct horse", on_refresh_token=rotated.append)
    client = make_client(platform, auth=auth)
    await client.contacts.get("con_1")
    await client.contacts.get("con_1")
    assert platform.login_calls == 1
    assert auth._password is None
    assert rotated == ["rt_1"] and auth.refresh_token == "rt_1"
    assert auth.user["email"] == "ada@example.com"


async def test_renews_shortly_before_expiry_without_a_401(make_client, clock):
    platform = TokenPlatform(expires_in=900)
    client = make_client(platform, auth=UserLoginAuth("ada@example.com", "correct horse"))
    await client.contacts.get("con_1")
    clock.now += 900 - 30  # inside the last minute of the token's life
    await client.contacts.get("con_1")
    assert platform.refresh_calls == 1
    statuses = []
    client.add_request_listener(lambda r: statuses.append(r.status))
    clock.now += 10
    await client.contacts.get("con_1")
    assert statuses == [200], "a renewed token is used without another refresh"


async def test_twenty_concurrent_calls_on_an_expired_token_refresh_once(make_client, clock):
    platform = TokenPlatform(refresh_delay=0.01)
    client = make_client(platform, auth=UserLoginAuth("ada@example.com", "correct horse"))
    await client.contacts.get("con_1")
    clock.now += 901
    results = await asyncio.gather(*(client.contacts.get("con_1") for _ in range(20)))
    assert len(results) == 20
    assert platform.refresh_calls == 1


async def test_twenty_concurrent_401s_cause_one_refresh(make_client):
    platform = TokenPlatform(refresh_delay=0.01)
    client = make_client(platform, auth=UserLoginAuth("ada@example.com", "correct horse"))
    await client.contacts.get("con_1")
    platform.expire_access()  # the server retired it although the client's clock says it is fresh
    results = await asyncio.gather(*(client.contacts.get("con_1") for _ in range(20)))
    assert all(r.id == "con_1" for r in results)
    assert platform.refresh_calls == 1


async def test_a_refused_refresh_is_one_sign_in_required_for_everyone(make_client, clock):
    platform = TokenPlatform(refresh_delay=0.01)
    client = make_client(platform, auth=UserLoginAuth("ada@example.com", "correct horse"))
    await client.contacts.get("con_1")
    platform.refuse_refresh = True
    clock.now += 901
    outcomes = await asyncio.gather(*(client.contacts.get("con_1") for _ in range(20)), return_exceptions=True)
    assert all(isinstance(o, errors.SignInRequired) for o in outcomes)
    assert "sign in again" in str(outcomes[0])
    assert platform.refresh_calls == 1
    with pytest.raises(errors.SignInRequired):
        await client.contacts.get("con_1")
    assert platform.refresh_calls == 1, "after the session ended nothing more is sent"


async def test_a_wrong_password_says_sign_in_failed(make_client):
    platform = TokenPlatform()
    client = make_client(platform, auth=UserLoginAuth("ada@example.com", "wrong"))
    with pytest.raises(errors.SignInRequired, match="Sign-in failed: wrong email or password"):
        await client.contacts.get("con_1")


async def test_cancelling_the_caller_does_not_lose_a_rotated_refresh_token(make_client, clock):
    platform = TokenPlatform(refresh_delay=0.2)  # long enough to cancel the caller mid-refresh
    auth = UserLoginAuth("ada@example.com", "correct horse")
    client = make_client(platform, auth=auth)
    await client.contacts.get("con_1")
    clock.now += 901
    task = asyncio.ensure_future(client.contacts.get("con_1"))
    await wait_until(lambda: platform.refresh_calls > 0, 5.0, "the refresh was never sent")
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert (await client.contacts.get("con_1")).id == "con_1"
    assert auth.refresh_token == "rt_2" and platform.refresh_calls == 1


def test_a_login_needs_a_password_or_a_refresh_token():
    with pytest.raises(ValueError, match="email and a password, or a refresh token"):
        UserLoginAuth("ada@example.com")


@pytest.mark.parametrize("key", ["", "   ", "opk_test_abc def"])
def test_an_unusable_api_key_is_refused_with_a_reason(key):
    from app.api import ApiKeyAuth

    with pytest.raises(ValueError, match="API key"):
        ApiKeyAuth(key)


async def test_a_stored_refresh_token_resumes_the_session_without_the_password(make_client):
    platform = TokenPlatform()
    platform.valid_refresh = {"rt_stored"}
    rotated: list[str] = []
    auth = UserLoginAuth(refresh_token="rt_stored", on_refresh_token=rotated.append)
    client = make_client(platform, auth=auth)
    assert (await client.contacts.get("con_1")).id == "con_1"
    assert platform.login_calls == 0 and platform.refresh_calls == 1
    assert rotated == ["rt_1"], "the rotated token is handed over for the keychain"
    assert "rt_" not in repr(auth) and "at_" not in repr(auth)
