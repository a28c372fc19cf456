"""Idle shutdown: a sandbox started detached stops by itself when no client has used it for a while.

The console leaves its sandbox running for the next start (and for the other profiles on it), so
nothing else would ever stop it. The server's own counters tell whether anyone is there: a request
since the last look, or a connection or request still open, is activity; `--idle-minutes` of none
and the server takes the same clean way out as SIGTERM. A console that is open pings the sandbox
now and then, so it never idles away under an operator who is only reading.
"""

from __future__ import annotations

import time
from collections.abc import Callable


class IdleWatch:
    """Tells, from the server's request count and open work, when it has been idle `limit_seconds`."""

    def __init__(self, limit_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit_seconds = limit_seconds
        self._clock = clock
        self._requests_seen = 0
        self._active_at = clock()

    def expired(self, total_requests: int, busy: bool) -> bool:
        """True once nothing happened for the limit; `busy`: a connection or request is open now."""
        now = self._clock()
        if busy or total_requests != self._requests_seen:
            self._requests_seen = total_requests
            self._active_at = now
            return False
        return now - self._active_at >= self.limit_seconds
