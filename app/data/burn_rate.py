"""How fast this credential spends its per-minute rate limit, and when it would run out.

Fed with every `X-RateLimit-*` reading the client sees (remaining, reset time). The rate is the
net fall of `remaining` over the last minute, which is right for a fixed window and for a token
bucket alike (its refill is already netted out); when a fixed window ends and refills, the old
window's readings are dropped. Qt-free and clock-injectable for tests.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

#: Spending is averaged over this trailing span.
WINDOW_SECONDS = 60.0
#: A rate is not projected from less than this much observation (two quick calls are not a trend).
MIN_SPAN_SECONDS = 5.0


@dataclass(frozen=True)
class Projection:
    """Requests per minute, and seconds until the budget is gone at that rate (None: not before reset)."""

    per_minute: float
    runs_out_in: float | None


class BurnRate:
    """Rolling net spend of the rate-limit budget from successive (remaining, reset_at) readings."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._samples: deque[tuple[float, int]] = deque()
        self._reset_at: datetime | None = None

    def add(self, remaining: int, reset_at: datetime | None) -> None:
        """Record one reading of the budget."""
        now = self._clock()
        window_ended = self._reset_at is not None and self._reset_at.timestamp() <= now
        if self._samples and window_ended and remaining > self._samples[-1][1]:
            self._samples.clear()  # a fixed window ended and refilled: its spending is history
        self._samples.append((now, remaining))
        self._reset_at = reset_at
        self._trim(now)

    def _trim(self, now: float) -> None:
        while len(self._samples) > 1 and now - self._samples[0][0] > WINDOW_SECONDS:
            self._samples.popleft()

    def per_minute(self) -> float:
        """Net requests per minute over the last minute (0 when the budget is not shrinking)."""
        now = self._clock()
        self._trim(now)
        if len(self._samples) < 2:
            return 0.0
        (first_at, first), (_, last) = self._samples[0], self._samples[-1]
        span = min(WINDOW_SECONDS, max(MIN_SPAN_SECONDS, now - first_at))
        return max(0.0, (first - last) * 60.0 / span)

    def project(self, remaining: int, reset_at: datetime | None) -> Projection:
        """At the current rate, when does `remaining` reach zero, if before the window resets?"""
        rate = self.per_minute()
        if rate <= 0:
            return Projection(0.0, None)
        seconds = remaining / (rate / 60.0)
        if reset_at is not None and self._clock() + seconds >= reset_at.timestamp():
            return Projection(rate, None)
        return Projection(rate, seconds)
