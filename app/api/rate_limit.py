"""The platform's rate-limit budget as last reported by `X-RateLimit-*` headers, observable.

The UI shows it as a gauge; subscribers are plain callbacks so this module stays Qt-free.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from app.api import constants


class RateLimitState:
    """`.limit`, `.remaining`, `.reset_at` (None until a response reported them)."""

    def __init__(self) -> None:
        self.limit: int | None = None
        self.remaining: int | None = None
        self.reset_at: datetime | None = None
        self._subscribers: list[Callable[[RateLimitState], None]] = []

    def subscribe(self, callback: Callable[[RateLimitState], None]) -> Callable[[], None]:
        """Call `callback(state)` after every change; returns a function that unsubscribes."""
        self._subscribers.append(callback)

        def unsubscribe() -> None:
            if callback in self._subscribers:
                self._subscribers.remove(callback)

        return unsubscribe

    def update_from_headers(self, headers: Mapping[str, str]) -> None:
        """Take the budget from a response's headers; responses without them change nothing."""
        limit = _int(headers.get(constants.HEADER_RATE_LIMIT))
        remaining = _int(headers.get(constants.HEADER_RATE_REMAINING))
        reset = _int(headers.get(constants.HEADER_RATE_RESET))
        if limit is None and remaining is None and reset is None:
            return
        reset_at = datetime.fromtimestamp(reset, UTC) if reset is not None else self.reset_at
        new = (limit if limit is not None else self.limit,
               remaining if remaining is not None else self.remaining, reset_at)
        if new == (self.limit, self.remaining, self.reset_at):
            return
        self.limit, self.remaining, self.reset_at = new
        for callback in list(self._subscribers):
            callback(self)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None
