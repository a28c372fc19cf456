"""A fixed-height place for messages: the most urgent one shows, and the layout never moves.

Stacked banners pushed every control below them down by a strip's height whenever a message came
or went, so a click meant for Amount landed on something else. A `MessageStrip` keeps one
banner's height whether it shows nothing or five messages: each source of messages gets its own
channel (a `Banner`), and the strip shows the most urgent active one (error, then warning, then
success, then info; the newest first among equals), with how many others wait behind it.
"""

from __future__ import annotations

from PySide6.QtWidgets import QGridLayout, QLabel, QSizePolicy, QWidget

from app.ui.widgets.banner import Banner

_URGENCY = {"error": 3, "warning": 2, "success": 1, "info": 0}
#: Lines of message text the strip has room for (longer ones are cut; the tooltip holds all).
LINES = 2


class MessageStrip(QWidget):
    """Channels (`channel(name)`) share one fixed-height area; one message at a time is visible."""

    def __init__(self, object_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self._channels: list[Banner] = []
        self._shown_at: dict[int, int] = {}
        self._clock = 0
        self._layout = QGridLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.more = QLabel(self)
        self.more.setObjectName(f"{object_name}.more")
        self.more.hide()
        self._layout.addWidget(self.more, 0, 1)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(self.fontMetrics().lineSpacing() * LINES + 14)

    def channel(self, object_name: str) -> Banner:
        """A banner of its own for one source of messages (the panel's errors, the offline state…)."""
        banner = Banner(object_name, self)
        banner.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._layout.addWidget(banner, 0, 0)
        self._channels.append(banner)
        banner.sig_changed.connect(lambda banner=banner: self._on_changed(banner))
        return banner

    def active(self) -> list[Banner]:
        """Channels with a message, most urgent first."""
        showing = [banner for banner in self._channels if banner.kind]
        return sorted(showing, key=lambda b: (_URGENCY.get(b.kind, 0), self._shown_at.get(id(b), 0)), reverse=True)

    def current(self) -> Banner | None:
        active = self.active()
        return active[0] if active else None

    def _on_changed(self, banner: Banner) -> None:
        if banner.kind:
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
            self.setFixedHeight(self.fontMetrics().lineSpacing() * LINES + 14)
