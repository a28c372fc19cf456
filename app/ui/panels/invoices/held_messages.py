"""Banner messages that last exactly as long as the state that raised them.

"Save the draft first" goes when the draft is no longer dirty, "Saved INV-1001" when another
invoice is shown, "Sending…" when the sending is over: each message is said with a `holds`
predicate, and `revalidate()` (called on every change of the panel's state) takes it away as soon
as the predicate is false. A message the banner no longer shows is forgotten.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

from app.ui.widgets.banner import Banner


class HeldMessages:
    """Says messages in `banner` and takes each away when its reason is gone."""

    def __init__(self, banner: Banner) -> None:
        self._banner = banner
        self._held: tuple[str, Callable[[], bool]] | None = None

    def say(self, kind: str, text: str, *, holds: Callable[[], bool] | None = None) -> None:
        self._banner.show_message(kind, text)
        self.hold(holds)

    def hold(self, holds: Callable[[], bool] | None) -> None:
        """Tie the message the banner shows now (e.g. an error shown by the panel) to `holds`."""
        self._held = (self._banner.text, holds) if holds is not None else None

    @contextlib.contextmanager
    def working(self, text: str, *, after: Callable[[], None] | None = None) -> Iterator[None]:
        """Say what is being done while it is being done; `after` runs when it is over, either way."""
        done = False
        self.say("info", text, holds=lambda: not done)
        try:
            yield
        finally:
            done = True
            if after is not None:
                after()
            self.revalidate()

    def revalidate(self) -> None:
        if self._held is None:
            return
        text, holds = self._held
        if self._banner.text != text:
            self._held = None
        elif not holds():
            self._banner.clear()
            self._held = None
