"""Brute-force protection for `POST /auth/token` and `/auth/refresh`: token buckets per client
address and per email, answered with the contract's 429 RATE_LIMITED envelope.

Every attempt takes one token from each of its buckets before the password or refresh token is
checked (so parallel guesses cannot all slip through); a successful attempt gives them back, so
only failures use the allowance and a user who signs in correctly is never slowed down by
their own successes. An empty bucket refuses the attempt, even with the right password, until
it refills: `ADDRESS_LIMIT` failures per address and `EMAIL_LIMIT` per email address per minute
(60 s divided by `--time-scale`), each bucket holding at most one minute's worth.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Sequence

from app.sandbox.errors import ApiProblem
from app.sandbox.settings import SandboxSettings

ADDRESS_LIMIT = 30
EMAIL_LIMIT = 10
_MAX_BUCKETS = 100_000


class SignInThrottle:
    """Token buckets keyed `("address", ip)` and `("email", lowercased address)`; thread-safe."""

    def __init__(self, settings: SandboxSettings) -> None:
        self._window = settings.scaled(60.0)
        self._buckets: dict[tuple[str, str], tuple[float, float]] = {}  # key → (tokens, monotonic stamp)
        self._lock = threading.Lock()

    @staticmethod
    def keys(address: str | None, email: str | None = None) -> list[tuple[str, str]]:
        """The buckets an attempt from `address` (for `email`, when signing in) counts against."""
        keys = [("address", address or "unknown")]
        if email is not None:
            keys.append(("email", email.strip().lower()))
        return keys

    @staticmethod
    def _limit(key: tuple[str, str]) -> int:
        return ADDRESS_LIMIT if key[0] == "address" else EMAIL_LIMIT

    def acquire(self, keys: Sequence[tuple[str, str]]) -> None:
        """Take one attempt from every bucket, or none and raise 429 RATE_LIMITED if one is empty."""
        now = time.monotonic()
        with self._lock:
            levels = {key: self._level(key, now) for key in keys}
            empty = [key for key, tokens in levels.items() if tokens < 1.0]
            if not empty:
                if len(self._buckets) > _MAX_BUCKETS:
                    self._buckets.clear()
                for key, tokens in levels.items():
                    self._buckets[key] = (tokens - 1.0, now)
                return
        key = empty[0]
        limit = self._limit(key)
        retry_after = max(1, math.ceil((1.0 - levels[key]) * self._window / limit))
        what = "from this address" if key[0] == "address" else "for this email address"
        raise ApiProblem(
            429, "RATE_LIMITED",
            f"Too many failed sign-in attempts {what}; retry in {retry_after} s.",
            {"retry_after": retry_after, "limit": limit, "scope": key[0]},
            {"Retry-After": str(retry_after)})

    def refund(self, keys: Sequence[tuple[str, str]]) -> None:
        """Give back the attempt a successful sign-in or refresh took."""
        now = time.monotonic()
        with self._lock:
            for key in keys:
                self._buckets[key] = (min(float(self._limit(key)), self._level(key, now) + 1.0), now)

    def _level(self, key: tuple[str, str], now: float) -> float:
        limit = self._limit(key)
        tokens, stamp = self._buckets.get(key, (float(limit), now))
        return min(float(limit), tokens + (now - stamp) * limit / self._window)
