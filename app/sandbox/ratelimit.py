"""Per-credential rate limits: a token bucket per credential, in memory.

Capacity is the burst (default 1000), refilled at `rate_limit_per_minute` per window (60 s divided
by the time scale). `--rate-limit N` sets both limit and burst to N. The middleware copies the
resulting `RateState` into `X-RateLimit-Limit/-Burst/-Remaining/-Reset` on every authenticated
answer: `-Limit` is the refill per minute, `-Burst` the bucket's size, so `-Remaining` (at most the
burst) may stand above `-Limit` without the headers contradicting each other.
"""

from __future__ import annotations

import math
import threading
import time
from typing import NamedTuple

from app.sandbox.errors import ApiProblem
from app.sandbox.settings import DEFAULT_RATE_BURST, SandboxSettings


class RateState(NamedTuple):
    """What the headers report: the refill per window, the bucket's size, calls left now, and when
    the bucket is full again. (A named tuple: one is made per request, and it builds cheaply.)"""

    limit: int
    burst: int
    remaining: int
    reset: int  # unix seconds

    def headers(self) -> dict[str, str]:
        return {"X-RateLimit-Limit": str(self.limit), "X-RateLimit-Burst": str(self.burst),
                "X-RateLimit-Remaining": str(self.remaining), "X-RateLimit-Reset": str(self.reset)}

    def header_pairs(self) -> list[tuple[bytes, bytes]]:
        """`headers()` as a response head carries them: lower-case names, values as bytes."""
        return [(b"x-ratelimit-limit", b"%d" % self.limit), (b"x-ratelimit-burst", b"%d" % self.burst),
                (b"x-ratelimit-remaining", b"%d" % self.remaining), (b"x-ratelimit-reset", b"%d" % self.reset)]


def bucket_size(limit_per_minute: int, override: int | None = None) -> int:
    """How many calls a credential may make at once: `--rate-limit`, else the plan's burst (never
    below its per-minute refill)."""
    return override or max(limit_per_minute, DEFAULT_RATE_BURST)


class RateLimiter:
    """Token buckets keyed by credential id; thread-safe."""

    def __init__(self, settings: SandboxSettings) -> None:
        self._window = settings.scaled(60.0)
        self._override = settings.rate_limit
        self._buckets: dict[str, tuple[float, float]] = {}  # credential → (tokens, monotonic stamp)
        self._lock = threading.Lock()

    def hit(self, credential_id: str, limit_per_minute: int) -> RateState:
        """Take one call from the credential's bucket; 429 RATE_LIMITED (with the headers) when empty."""
        limit = self._override or limit_per_minute
        capacity = float(bucket_size(limit_per_minute, self._override))
        rate = limit / self._window  # tokens per second
        now = time.monotonic()
        with self._lock:
            tokens, stamp = self._buckets.get(credential_id, (capacity, now))
            tokens = min(capacity, tokens + (now - stamp) * rate)
            allowed = tokens >= 1.0
            if allowed:
                tokens -= 1.0
            self._buckets[credential_id] = (tokens, now)
        wall = time.time()
        state = RateState(limit=limit, burst=int(capacity), remaining=int(tokens),
                          reset=math.ceil(wall + (capacity - tokens) / rate))
        if not allowed:
            retry_after = max(1, math.ceil((1.0 - tokens) / rate))
            raise ApiProblem(
                429, "RATE_LIMITED", f"Rate limit of {limit} calls per minute exceeded; retry in {retry_after} s.",
                {"retry_after": retry_after, "limit": limit, "burst": state.burst},
                {"Retry-After": str(retry_after), **state.headers()},
            ) from None
        return state
