"""Plain-Python change notification: the stores' way of telling views what changed.

Stores must not import Qt, so they publish through this; `app.ui.store_binding` adapts it to the
Qt side in one place. A listener that raises is logged and the others still hear the change.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Generic, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")


class Observable(Generic[T]):
    """A list of listeners called with each emitted value, in subscription order."""

    def __init__(self) -> None:
        self._listeners: list[Callable[[T], None]] = []

    def subscribe(self, listener: Callable[[T], None]) -> Callable[[], None]:
        """Call `listener(value)` on every `emit`; returns the function that unsubscribes it."""
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    def emit(self, value: T) -> None:
        for listener in list(self._listeners):
            try:
                listener(value)
            except Exception:  # one broken view must not keep the change from the others
                log.exception("a listener of %r failed", value)

    def __len__(self) -> int:
        return len(self._listeners)
