"""The platform's rate-limit budget as last reported by `X-RateLimit-*` headers, observable.

The UI shows it as a gauge; subscribers are plain callbacks so this module stays Qt-free.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime

import httpx

from app.api import constants


class RateLimitState:
    """`.limit`, `.remaining`, `.reset_at` (None until a response reported them)."""

    def __init__(self) -> None:
        self.limit: int | None = None
        self.remaining: int | None = None
        self.reset_at: datetime | None = None
        self._reset_seconds: int | None = None
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
        if isinstance(headers, httpx.Headers):
            # Every response passes here: one look at the raw headers, not three searches of them.
            limit, remaining, reset = map(_int, _rate_values(headers))
        else:
            limit = _int(headers.get(constants.HEADER_RATE_LIMIT))
            remaining = _int(headers.get(constants.HEADER_RATE_REMAINING))
            reset = _int(headers.get(constants.HEADER_RATE_RESET))
        if limit is None and remaining is None and reset is None:
            return
        if reset is None:
            reset_at = self.reset_at
        elif reset == self._reset_seconds:
            reset_at = self.reset_at  # the same second as before: no new datetime to make
        else:
            reset_at = datetime.fromtimestamp(reset, UTC)
        new = (limit if limit is not None else self.limit,
               remaining if remaining is not None else self.remaining, reset_at)
        if new == (self.limit, self.remaining, self.reset_at):
            return
        self.limit, self.remaining, self.reset_at = new
        self._reset_seconds = reset if reset is not None else self._reset_seconds
        for callback in list(self._subscribers):
            callback(self)


#: The budget's header names as httpx keeps them (lower-cased bytes), and their places.
_RATE_NAMES = {name.lower().encode("ascii"): index for index, name in enumerate(
    (constants.HEADER_RATE_LIMIT, constants.HEADER_RATE_REMAINING, constants.HEADER_RATE_RESET))}


def _rate_values(headers: httpx.Headers) -> list[bytes | None]:
    """The limit, remaining and reset values as sent (None when absent; a repeated header is
    unreadable, b"", as `Headers.get` joins the repeats with commas)."""
    found: list[bytes | None] = [None, None, None]
    names = _RATE_NAMES
    for name, value in headers.raw:
        index = names.get(name)  # h11 hands names over lower-cased: most need no lower() at all
        if index is None and not name.islower():
            index = names.get(name.lower())
        if index is not None:
            found[index] = value if found[index] is None else b""
    return found


def _int(value: str | bytes | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None
