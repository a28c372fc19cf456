"""Credentials as httpx auth flows: an API key, or a user login that keeps its own tokens fresh.

`UserLoginAuth` signs in with email and password (or resumes from a stored refresh token), renews
the access token shortly before it expires and again if the platform says it expired, and does
each renewal once however many requests are waiting for it (single flight). A renewal the
platform refuses surfaces as one `SignInRequired`. The renewal runs as its own task shielded from
its callers, so cancelling a waiting request never loses a rotated refresh token half way.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncGenerator, Callable, Generator
from typing import Any

import httpx

from app.api import constants, errors, transport_defaults
from app.api.clock import Clock


class ApiKeyAuth(httpx.Auth):
    """`Authorization: Bearer opk_…` on every request."""

    def __init__(self, api_key: str) -> None:
        api_key = (api_key or "").strip()
        if not api_key:
            raise ValueError("the API key is empty")
        if any(ch.isspace() for ch in api_key):
            raise ValueError("the API key contains spaces; paste it again without them")
        self._header = f"Bearer {api_key}"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Add the key as a bearer token."""
        request.headers["Authorization"] = self._header
        yield request

    def __repr__(self) -> str:
        return "ApiKeyAuth(<redacted>)"


class UserLoginAuth(httpx.Auth):
    """A person's login: access token renewed before and on expiry, one renewal at a time.

    Pass `email` and `password` to sign in, or `refresh_token` to resume a stored session.
    `on_refresh_token` is called with every new refresh token (they rotate: keep only the latest).
    The password is forgotten after the first successful sign-in.
    """

    def __init__(
        self,
        email: str | None = None,
        password: str | None = None,
        *,
        refresh_token: str | None = None,
        on_refresh_token: Callable[[str], None] | None = None,
    ) -> None:
        if not refresh_token and not (email and password):
            raise ValueError("a user login needs an email and a password, or a refresh token")
        self.email = email
        self._password = password
        self._refresh_token = refresh_token
        self._access_token: str | None = None
        self._expires_at = 0.0
        self._lifetime = 0.0
        self._on_refresh_token = on_refresh_token
        self._renewal: asyncio.Future[None] | None = None
        self._base_url = ""
        self._transport: httpx.AsyncBaseTransport | None = None
        self._clock = Clock()
        self._timeout = transport_defaults.DEFAULT_TIMEOUT
        self._user_agent = transport_defaults.USER_AGENT
        self.user: dict[str, Any] | None = None

    def __repr__(self) -> str:
        return f"UserLoginAuth(email={self.email!r}, <tokens redacted>)"

    @property
    def refresh_token(self) -> str | None:
        """The latest refresh token, for the keychain; None once the session has ended."""
        return self._refresh_token

    def attach(self, *, base_url: str, transport: httpx.AsyncBaseTransport, clock: Clock,
               timeout: httpx.Timeout, user_agent: str) -> None:
        """Called by `AdminClient`: where and through what to sign in and renew."""
        self._base_url = base_url.rstrip("/")
        self._transport = transport
        self._clock = clock
        self._timeout = timeout
        self._user_agent = user_agent

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Refuse: renewing tokens needs the async client."""
        raise RuntimeError("UserLoginAuth works only with the async client")

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        """Send with a fresh access token; on a 401, renew once (single flight) and resend."""
        token = await self._fresh_access_token()
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        if response.status_code == 401:
            await self._renew(stale=token)
            request.headers["Authorization"] = f"Bearer {self._access_token}"
            yield request

    async def _fresh_access_token(self) -> str:
        token = self._access_token
        if token is None or self._clock.time() >= self._expires_at - self._margin():
            await self._renew(stale=token)
        assert self._access_token is not None
        return self._access_token

    def _margin(self) -> float:
        return min(constants.TOKEN_REFRESH_MARGIN_SECONDS, self._lifetime * constants.TOKEN_REFRESH_MARGIN_FRACTION)

    async def _renew(self, *, stale: str | None) -> None:
        """Get a new access token unless another request already replaced `stale`; single flight."""
        if self._access_token is not None and self._access_token != stale and self._renewal is None:
            return
        if self._renewal is None:
            self._renewal = asyncio.ensure_future(self._obtain_tokens())
            self._renewal.add_done_callback(self._renewal_done)
        await asyncio.shield(self._renewal)

    def _renewal_done(self, future: asyncio.Future[None]) -> None:
        if self._renewal is future:
            self._renewal = None
        if not future.cancelled():
            future.exception()  # marks it retrieved: every waiter already got it

    async def _obtain_tokens(self) -> None:
        if self._refresh_token:
            path, body, signing_in = constants.AUTH_REFRESH_PATH, {"refresh_token": self._refresh_token}, False
        elif self.email and self._password:
            path, body, signing_in = constants.AUTH_TOKEN_PATH, {"email": self.email, "password": self._password}, True
        else:
            raise errors.sign_in_required()
        response = await self._post(path, body)
        if response.is_success:
            self._accept(response)
            self._password = None
            return
        failure = errors.error_from_response(response)
        if response.status_code in (400, 401, 403, 404, 422):
            self._access_token = None
            self._refresh_token = None
            if signing_in:
                self._password = None
                raise errors.SignInRequired(
                    f"Sign-in failed: {failure.message}", status=failure.status, code=failure.code,
                    details=failure.details, request_id=failure.request_id,
                )
            raise errors.sign_in_required(failure)
        raise failure

    async def _post(self, path: str, body: dict[str, Any]) -> httpx.Response:
        if self._transport is None:
            raise RuntimeError("UserLoginAuth must be used through AdminClient")
        request = httpx.Request(
            "POST", self._base_url + path, content=json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "Accept": "application/json",
                     "User-Agent": self._user_agent},
            extensions={"timeout": self._timeout.as_dict()},
        )
        try:
            response = await self._transport.handle_async_request(request)
            try:
                await response.aread()
            finally:
                await response.aclose()
        except httpx.TransportError as exc:
            raise errors.connection_error(exc, "POST", str(request.url)) from exc
        return response

    def _accept(self, response: httpx.Response) -> None:
        payload = response.json()
        tokens = payload.get("data", payload) if isinstance(payload, dict) else {}
        access, refresh = tokens.get("access_token"), tokens.get("refresh_token")
        if not access:
            raise errors.ApiError("the platform's token response had no access_token")
        self._lifetime = float(tokens.get("expires_in") or 0)
        self._expires_at = self._clock.time() + self._lifetime
        self._access_token = access
        self.user = tokens.get("user")
        if refresh and refresh != self._refresh_token:
            self._refresh_token = refresh
            if self._on_refresh_token is not None:
                self._on_refresh_token(refresh)
