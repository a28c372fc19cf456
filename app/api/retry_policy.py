"""When to try a request again and how long to wait first: the arithmetic, apart from the loop.

Capped exponential backoff with jitter, `Retry-After` (seconds or an HTTP date) honoured up to a
cap, and the table of what is worth retrying. Kept pure (time and randomness come in as
arguments or overridable methods) so tests pin every number.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from email.utils import parsedate_to_datetime

import httpx

from app.api import constants


def parse_retry_after(headers: Mapping[str, str], now: float) -> float | None:
    """Seconds to wait from a `Retry-After` header (delta-seconds or HTTP date); None if absent/garbled."""
    value = headers.get(constants.HEADER_RETRY_AFTER)
    if value is None:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment is None or moment.tzinfo is None:
        return None
    return max(0.0, moment.timestamp() - now)


class RetryPolicy:
    """Retry decisions and delays for the request loop."""

    def __init__(
        self,
        max_retries: int = constants.DEFAULT_MAX_RETRIES,
        *,
        initial_delay: float = constants.INITIAL_RETRY_DELAY_SECONDS,
        max_delay: float = constants.MAX_RETRY_DELAY_SECONDS,
        max_retry_after: float = constants.MAX_RETRY_AFTER_SECONDS,
        max_rate_limit_waits: int = constants.MAX_RATE_LIMIT_WAITS,
        random_source: Callable[[], float] = random.random,
    ) -> None:
        if max_retries < 0:
            raise ValueError(f"max_retries must be 0 or more, not {max_retries}")
        self.max_retries = max_retries
        self.initial_delay = initial_delay
        self.max_delay = max_delay
        self.max_retry_after = max_retry_after
        self.max_rate_limit_waits = max_rate_limit_waits
        self._random = random_source

    def jitter(self) -> float:
        """A factor in (1 - JITTER_FRACTION, 1]: spreads out clients that failed at the same moment."""
        return 1.0 - constants.JITTER_FRACTION * self._random()

    def backoff(self, failures: int) -> float:
        """Seconds to wait after the `failures`-th failed attempt (1-based): capped, jittered."""
        base = min(self.max_delay, self.initial_delay * 2 ** (failures - 1))
        return base * self.jitter()

    def told_wait(self, retry_after: float) -> float:
        """Seconds to wait when the platform said `Retry-After`: never less, spread up to 25 % more."""
        return retry_after * (2.0 - self.jitter())

    def honours(self, retry_after: float) -> bool:
        """Whether a `Retry-After` is short enough to wait out inside a call."""
        return retry_after <= self.max_retry_after

    @staticmethod
    def is_retryable_status(status: int, code: str | None) -> bool:
        """408, 429, 5xx and 409 IDEMPOTENCY_KEY_IN_USE; never other 4xx (validation, auth, conflicts)."""
        if status == 409:
            return code == constants.RETRYABLE_CONFLICT_CODE
        return status in constants.RETRYABLE_STATUSES or status >= 500

    @staticmethod
    def is_retryable_exception(exc: httpx.RequestError) -> bool:
        """Timeouts, network failures and a peer that broke the protocol; not our own bad requests."""
        return isinstance(exc, (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError))
