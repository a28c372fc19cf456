"""The one request loop every resource call goes through.

It mints the `Idempotency-Key` of a write once, before the first attempt, and reuses it on every
retry (a caller's key wins); adds `If-Match` from a version; retries connection failures, 408,
409 IDEMPOTENCY_KEY_IN_USE, 429 and 5xx with capped, jittered backoff, waiting out `Retry-After`
up to a cap; never retries other 4xx; feeds the rate-limit state; and raises typed errors from
the one factory in `errors`.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

import httpx

from app.api import constants, errors
from app.api.clock import Clock
from app.api.rate_limit import RateLimitState
from app.api.retry_policy import RetryPolicy, parse_retry_after

QueryValue = str | int | float | bool | datetime | date | None


def new_idempotency_key() -> str:
    """A fresh key for one logical write."""
    return str(uuid.uuid4())


class RequestLoop:
    """Sends one logical API call, as many attempts as the policy allows; returns the 2xx response."""

    def __init__(self, http: httpx.AsyncClient, *, policy: RetryPolicy, clock: Clock,
                 rate_limit: RateLimitState) -> None:
        self._http = http
        self._policy = policy
        self._clock = clock
        self._rate_limit = rate_limit

    async def send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, QueryValue] | None = None,
        body: Any = None,
        idempotency_key: str | None = None,
        if_match: int | str | None = None,
    ) -> httpx.Response:
        """Send `method path` until it succeeds or may not be retried; return the 2xx response."""
        method = method.upper()
        headers: dict[str, str] = {}
        content: bytes | None = None
        if body is not None:
            content = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
            headers["Content-Type"] = "application/json"
        if method in constants.IDEMPOTENT_WRITE_METHODS:
            key = idempotency_key or new_idempotency_key()
            if len(key) > 255:
                raise ValueError("an Idempotency-Key is at most 255 characters")
            headers[constants.HEADER_IDEMPOTENCY_KEY] = key
        if if_match is not None:
            headers[constants.HEADER_IF_MATCH] = f'"{if_match}"'
        query = _query(params)
        failures = waits = attempt = 0
        outcome_unknown = False
        while True:
            attempt += 1
            request = self._http.build_request(
                method, path, params=query, content=content, headers=headers,
                extensions={constants.ATTEMPT_EXTENSION: attempt},
            )
            try:
                response = await self._http.send(request)
            except httpx.RequestError as exc:
                if not self._policy.is_retryable_exception(exc) or failures >= self._policy.max_retries:
                    raise errors.connection_error(exc, method, str(request.url)) from exc
                failures += 1
                outcome_unknown = True
                await self._clock.sleep(self._policy.backoff(failures))
                continue
            self._rate_limit.update_from_headers(response.headers)
            if response.is_success:
                return response
            if method == "DELETE" and response.status_code == 404 and outcome_unknown:
                # An earlier attempt that we never heard back from already deleted it.
                return response
            retry_after = parse_retry_after(response.headers, self._clock.time())
            error = errors.error_from_response(response, retry_after=retry_after)
            if not self._policy.is_retryable_status(response.status_code, error.code):
                raise error
            if retry_after is not None and not self._policy.honours(retry_after):
                raise error
            if response.status_code == 429 and retry_after is not None:
                if waits >= self._policy.max_rate_limit_waits:
                    raise error
                waits += 1
                delay = self._policy.told_wait(retry_after)
            else:
                if failures >= self._policy.max_retries:
                    raise error
                failures += 1
                delay = (self._policy.told_wait(retry_after) if retry_after is not None
                         else self._policy.backoff(failures))
            outcome_unknown = outcome_unknown or response.status_code != 429
            await self._clock.sleep(delay)


def _query(params: Mapping[str, QueryValue] | None) -> dict[str, str] | None:
    """Query parameters as the platform reads them; None values are left out."""
    if not params:
        return None
    result: dict[str, str] = {}
    for name, value in params.items():
        if value is None:
            continue
        if isinstance(value, bool):
            result[name] = "true" if value else "false"
        elif isinstance(value, datetime):
            moment = value if value.tzinfo else value.replace(tzinfo=UTC)
            result[name] = moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
        elif isinstance(value, date):
            result[name] = value.isoformat()
        else:
            result[name] = str(value)
    return result or None
