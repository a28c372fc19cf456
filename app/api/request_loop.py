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
from functools import lru_cache
from typing import Any

import httpx

from app.api import constants, errors
from app.api.clock import Clock
from app.api.dialects.base import Call, Dialect
from app.api.dialects.operations import Operation, operation_of
from app.api.rate_limit import RateLimitState
from app.api.retry_policy import RetryPolicy, parse_retry_after

QueryValue = str | int | float | bool | datetime | date | None


def new_idempotency_key() -> str:
    """A fresh key for one logical write."""
    return str(uuid.uuid4())


class RequestLoop:
    """Sends one logical API call, as many attempts as the policy allows; returns the 2xx response."""

    def __init__(self, http: httpx.AsyncClient, *, policy: RetryPolicy, clock: Clock,
                 rate_limit: RateLimitState, dialect: Dialect | None = None) -> None:
        self._http = http
        self._policy = policy
        self._clock = clock
        self._rate_limit = rate_limit
        self.dialect = dialect or Dialect()

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
        """Send `method path` until it succeeds or may not be retried; return the 2xx response.

        The call is the contract's; the platform's dialect makes the wire request of it and turns
        the answer back into the contract's shape, so retries, typed errors and the rate-limit
        state work the same on every platform.
        """
        method = method.upper()
        dialect = self.dialect
        if method in constants.IDEMPOTENT_WRITE_METHODS:
            idempotency_key = idempotency_key or new_idempotency_key()
            if len(idempotency_key) > 255:
                raise ValueError("an Idempotency-Key is at most 255 characters")
        call = Call(method, path, _operation(method, path), _query(params) or {}, body, idempotency_key, if_match)
        wire = dialect.encode(call)
        if if_match is not None and not dialect.manifest.has("etag"):
            await self._check_unchanged(call)
        headers = dict(wire.headers)
        content: bytes | None = None
        if wire.body is not None:
            content = json.dumps(wire.body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
            headers["Content-Type"] = "application/json"
        # Without an Idempotency-Key a POST that may have arrived is never sent again by itself.
        unsafe_to_resend = method == "POST" and not dialect.manifest.has("idempotency_key")
        failures = waits = attempt = 0
        outcome_unknown = False
        while True:
            attempt += 1
            request = self._http.build_request(
                wire.method, wire.path, params=wire.params, content=content, headers=headers,
                extensions={constants.ATTEMPT_EXTENSION: attempt},
            )
            try:
                response = await self._http.send(request)
            except httpx.RequestError as exc:
                if (not self._policy.is_retryable_exception(exc) or failures >= self._policy.max_retries
                        or (unsafe_to_resend and not isinstance(exc, _NOT_SENT))):
                    raise errors.connection_error(exc, method, str(request.url)) from exc
                failures += 1
                outcome_unknown = True
                await self._clock.sleep(self._policy.backoff(failures))
                continue
            # httpx binds the response's stream to the response (a reference cycle): the body is
            # read and the stream closed by now, so the binding goes and the response, its request
            # and their headers (~50 objects a request) die with their last reference instead of
            # waiting for the cyclic collector, whose passes they made come due sooner.
            response.stream = _SPENT_STREAM
            response = dialect.decode(call, response)
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
            if unsafe_to_resend and response.status_code != 429:
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


    async def _check_unchanged(self, call: Call) -> None:
        """The emulated If-Match of a platform without ETags: re-read the record, compare versions.

        A record changed since `call.if_match` raises the same 412 a contract platform would, so
        the three-way merge runs; the window between this read and the write stays open, which
        is what the manifest's missing "etag" tells the operator.
        """
        try:
            read = operation_of("GET", call.path)
        except KeyError:
            return
        if not self.dialect.manifest.supports(read.name):
            return  # the platform cannot read one record back: nothing to compare (its manifest says so)
        current = await self.send("GET", call.path)
        try:
            version = json.loads(current.content)["data"]["version"]
        except (ValueError, KeyError, TypeError):
            return
        if str(version) != str(call.if_match):
            raise errors.PreconditionFailed(
                f"{self.dialect.manifest.display_name} shows a newer version of this record "
                "(compared by update time: the platform has no ETags)",
                status=412, code="PRECONDITION_FAILED",
                details={"current_version": version, "emulated": True},
                request_id=current.headers.get(constants.HEADER_REQUEST_ID))


@lru_cache(maxsize=512)
def _operation(method: str, path: str) -> Operation | None:
    """The contract operation `method path` is, None when it is none; remembered, as a page walk or
    a sync asks for the same few paths over and over and the lookup scans every pattern."""
    try:
        return operation_of(method, path)
    except KeyError:
        return None


#: What a response's stream is once its body was read and the stream closed (see `send`).
_SPENT_STREAM = httpx.ByteStream(b"")

#: Failures before any byte of the request left: resending cannot duplicate a write.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


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
