"""A fixed-height place for messages: the most urgent one shows, and the layout never moves.

The main window has one, under the environment bar: the shell's notices and the messages of
the panel on screen share it (a panel's channels have the panel as their owner and count only
while it is the page shown). A panel built alone (tests, benchmarks) makes a strip of its own.

Stacked banners pushed every control below them down by a strip's height whenever a message came
or went, so a click meant for Amount landed on something else. A `MessageStrip` keeps one
banner's height whether it shows nothing or five messages: each source of messages gets its own
channel (a `Banner`), and the strip shows the most urgent active one (error, then warning, then
success, then info; the newest first among equals), with how many others wait behind it.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QSizePolicy, QWidget

from app.ui.widgets.banner import Banner

_URGENCY = {"error": 3, "warning": 2, "success": 1, "info": 0}
#: Lines of message text the strip has room for (longer ones are cut; the tooltip holds all).
LINES = 1


class MessageStrip(QWidget):
    """Channels (`channel(name)`) share one fixed-height area; one message at a time is visible."""

    def __init__(self, object_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self._channels: list[Banner] = []
        self._owners: dict[int, QWidget] = {}
        self._shown_at: dict[int, int] = {}
        self._clock = 0
        self._layout = QGridLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.more = QLabel(self)
        self.more.setObjectName(f"{object_name}.more")
        self.more.hide()
        self._layout.addWidget(self.more, 0, 1)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self._fit_height()

    def _fit_height(self) -> None:
        """Room for a line of text or an action button (Retry, Restart), whichever is taller."""
        button = QPushButton("Retry", self)
        tallest = max(self.fontMetrics().lineSpacing() * LINES + 8, button.sizeHint().height())
        # Gone at once: a deleteLater'd child is still there for the launcher's first paint, which
        # runs before any event loop, and showed as a lone "Retry" button above the cached rows.
        shiboken6.delete(button)
        self.setFixedHeight(tallest + 8)

    def channel(self, object_name: str, owner: QWidget | None = None) -> Banner:
        """A banner of its own for one source of messages (the panel's errors, the offline state…).

        With an `owner` (a panel) it shows only while the owner is the page on screen, and goes
        when the owner is destroyed."""
        banner = Banner(object_name, self)
        banner.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._layout.addWidget(banner, 0, 0)
        self._channels.append(banner)
        banner.sig_changed.connect(lambda banner=banner: self._on_changed(banner))
        if owner is not None:
            self._owners[id(banner)] = owner
            owner.destroyed.connect(lambda *_, banner=banner: self._drop(banner))
        return banner

    def refresh(self) -> None:
        """Show the right message again (the page on screen changed)."""
        self._on_changed(None)

    def _drop(self, banner: Banner) -> None:
        if not shiboken6.isValid(self):
            return  # the window went first, with every channel
        if banner in self._channels:
            self._channels.remove(banner)
            self._owners.pop(id(banner), None)
            if shiboken6.isValid(banner):
                banner.deleteLater()
            self.refresh()

    def _counts(self, banner: Banner) -> bool:
        owner = self._owners.get(id(banner))
        if owner is None:
            return True
        # A page being deleted (a profile switch drops them all) no longer counts.
        return shiboken6.isValid(owner) and owner.isVisibleTo(self.window())

    def active(self) -> list[Banner]:
        """Channels with a message, most urgent first (a panel's only while it is on screen)."""
        showing = [banner for banner in self._channels if banner.kind and self._counts(banner)]
        return sorted(showing, key=lambda b: (_URGENCY.get(b.kind, 0), self._shown_at.get(id(b), 0)), reverse=True)

    def current(self) -> Banner | None:
        active = self.active()
        return active[0] if active else None

    def _on_changed(self, banner: Banner | None) -> None:
        if banner is not None and banner.kind:
            self._clock += 1
            self._shown_at[id(banner)] = self._clock
        active = self.active()
        for channel in self._channels:
            channel.setVisible(bool(active) and channel is active[0])
        waiting = len(active) - 1
        self.more.setVisible(waiting > 0)
        if waiting > 0:
            self.more.setText(f"+{waiting}")
            self.more.setToolTip("\n".join(b.plain_text for b in active[1:]))

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == event.Type.FontChange:
            self._fit_height()
