"""A client-wide hold on sending: shut while a `Retry-After` window is open, paced by the budget.

When one call is told to wait, every other call of the same client waits too: sending inside
the window would only earn more 429s. And when the window ends, the waiting calls must not all
go at once (a herd that earns another round of 429s): the gate lets through only as many sends
as the platform's last `X-RateLimit-Remaining` allows, less those already in flight. With no
budget left, one send at a time goes as a probe; its answer reports the refilled budget and lets
that many of the others go.
"""

from __future__ import annotations

import asyncio

from app.api.clock import Clock


class SendGate:
    """`acquire()` before a send, `release(remaining)` after its answer (or its failure)."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._closed_until = 0.0
        #: Sends the platform still allows (its last report, less sends since); None = not known.
        self._budget: int | None = None
        self._in_flight = 0
        self._changed = asyncio.Event()

    def close_for(self, seconds: float) -> None:
        """Hold every send for `seconds` from now (never shortens a longer hold); the budget is spent."""
        self._closed_until = max(self._closed_until, self._clock.monotonic() + seconds)
        self._budget = 0

    def remaining(self) -> float:
        """Seconds until the gate opens; 0 when open."""
        return max(0.0, self._closed_until - self._clock.monotonic())

    @property
    def budget(self) -> int | None:
        return self._budget

    async def acquire(self) -> None:
        """Return once this send may go: the window is over and the budget (or a probe) allows it."""
        while True:
            if (left := self.remaining()) > 0:
                await self._clock.sleep(left)
                continue
            if self._budget is None or self._budget > 0 or self._in_flight == 0:
                if self._budget is not None:
                    self._budget -= 1
                self._in_flight += 1
                return
            changed = self._changed
            await changed.wait()

    def release(self, remaining: int | None) -> None:
        """The send ended; `remaining` is the budget its answer reported (None: no report)."""
        self._in_flight = max(0, self._in_flight - 1)
        if remaining is not None and self.remaining() == 0:
            self._budget = max(0, remaining - self._in_flight)
        self._changed.set()
        self._changed = asyncio.Event()
