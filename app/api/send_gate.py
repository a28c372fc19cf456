"""A client-wide hold on sending while the platform's `Retry-After` window is open.

When one call is told to wait, every other call of the same client waits too: sending inside
the window would only earn more 429s and look like a client that does not listen.
"""

from __future__ import annotations

from app.api.clock import Clock


class SendGate:
    """Closed until a monotonic deadline; `wait_open()` returns when sending is allowed again."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._closed_until = 0.0

    def close_for(self, seconds: float) -> None:
        """Hold every send for `seconds` from now (never shortens a longer hold)."""
        self._closed_until = max(self._closed_until, self._clock.monotonic() + seconds)

    def remaining(self) -> float:
        """Seconds until the gate opens; 0 when open."""
        return max(0.0, self._closed_until - self._clock.monotonic())

    async def wait_open(self) -> None:
        """Return once the gate is open, re-checking if it was extended meanwhile."""
        while (left := self.remaining()) > 0:
            await self._clock.sleep(left)
