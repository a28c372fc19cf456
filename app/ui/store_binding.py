"""The one place where the data layer's plain callbacks become Qt signals.

Stores publish through `app.data.observable.Observable`; a view binds a slot to one with `bind`,
and the binding unsubscribes itself when the view is destroyed, so a store never calls into a
deleted widget. The signal also hands the change over to the UI thread if a store ever emits
from another one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from app.data.observable import Observable


class StoreBinding(QObject):
    """Re-emits every value of an `Observable` as `sig_changed` while its owner lives."""

    sig_changed = Signal(object)
    """The store's change (a `StoreChange`, `ConnectionState`, `Identity`, …)."""

    def __init__(self, observable: Observable[Any], owner: QObject) -> None:
        super().__init__(owner)
        self._stop = observable.subscribe(self._forward)
        owner.destroyed.connect(self._stop)

    def _forward(self, value: Any) -> None:
        self.sig_changed.emit(value)

    def unbind(self) -> None:
        self._stop()


def bind(observable: Observable[Any], owner: QObject, slot: Callable[[Any], None]) -> StoreBinding:
    """Call `slot(change)` on the UI thread for each change, until `owner` is destroyed."""
    binding = StoreBinding(observable, owner)
    binding.sig_changed.connect(slot)
    return binding
