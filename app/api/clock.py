"""The client's sense of time: wall clock, monotonic clock and sleeping, injectable as one object.

Retry waits, token expiry and Retry-After dates all read it, so tests pin time by passing their
own `Clock` instead of patching `time` or `asyncio.sleep`.
"""

from __future__ import annotations

import asyncio
import time


class Clock:
    """Real time. Subclass and override all three methods to pin time in tests."""

    def time(self) -> float:
        """Wall-clock seconds since the epoch (token expiry, HTTP dates, record stamps)."""
        return time.time()

    def monotonic(self) -> float:
        """Seconds on a clock that never jumps (durations, send gates)."""
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        """Wait `seconds` without blocking the event loop."""
        await asyncio.sleep(max(0.0, seconds))
