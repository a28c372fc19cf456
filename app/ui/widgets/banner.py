"""A non-modal message at the top of a panel: errors, offline/cached notices, outcomes.

Errors never open a traceback dialog; they land here with the request id and a link that opens
the request log at that entry. Errors and warnings stay until what raised them is resolved (or
the operator dismisses them); a success or info message dismisses itself after a few seconds.
Banners live in a `MessageStrip`, which keeps its height whatever they say, so a message never
moves the controls under the pointer.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QSizePolicy

from app.ui.theme import follow_theme

#: kind -> (background, text, border) in a light theme: light strips with dark text. The text
#: colour is set on the strip's labels and its close button too (the theme's would be unreadable).
_LIGHT = {
    "error": ("#fdecea", "#611a15", "#f5c2c0"),
    "warning": ("#fff4e5", "#663c00", "#ffd699"),
    "info": ("#e8f4fd", "#0d3c61", "#b6dcfb"),
    "success": ("#edf7ed", "#1e4620", "#b7dfb9"),
}
#: The same kinds in a dark theme: dark tinted strips with light text.
_DARK = {
    "error": ("#3d1f1d", "#f6c6c2", "#7a302a"),
    "warning": ("#3a2c12", "#ffdca8", "#7a5a1c"),
    "info": ("#16293a", "#bfe0fb", "#2f5b80"),
    "success": ("#1b2f1c", "#c4e6c5", "#3b6e3d"),
}
#: Kinds that go away by themselves, and after how long.
SELF_DISMISSING = {"success": 6000, "info": 8000}


class Banner(QFrame):
    """One message at a time, with a kind (error, warning, info, success) and an optional request id."""

    sig_request_link = Signal(str)
    """The user clicked the request id link: open the request log at that request."""
    sig_changed = Signal()
    """A message was shown or cleared (the strip picks which banner to show)."""

    def __init__(self, object_name: str, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.kind = ""
        self._label = QLabel(self)
        self._label.setObjectName(f"{object_name}.text")
        # One line, cut with "…" to the width there is (the tooltip holds the whole message):
        # the strip never grows, so a message never moves the controls below it.
        self._label.setWordWrap(False)
        self._label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self._message = ""
        self._request_id: str | None = None
        # Always rich text: the message is escaped HTML, and auto-detection showed "&#x27;" as text.
        self._label.setTextFormat(Qt.TextFormat.RichText)
        self._label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self._label.linkActivated.connect(self._on_link)
        self._action = QPushButton(self)
        self._action.setObjectName(f"{object_name}.action")
        self._action.clicked.connect(self._on_action)
        self._action.hide()
        self._action_callback: Callable[[], None] | None = None
        self._close = QPushButton("✕", self)
        self._close.setObjectName(f"{object_name}.close")
        self._close.setFlat(True)
        self._close.setFixedWidth(28)
        self._close.setToolTip("Dismiss")
        self._close.clicked.connect(self.clear)
        self._painted: tuple[str, bool] | None = None
        follow_theme(self, Banner._repaint)
        self._expiry = QTimer(self)
        self._expiry.setSingleShot(True)
        self._expiry.timeout.connect(self.clear)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 4, 6, 4)
        layout.addWidget(self._label, 1)
        layout.addWidget(self._action)
        layout.addWidget(self._close)
        self.hide()

    @property
    def text(self) -> str:
        return self._label.text()

    @property
    def plain_text(self) -> str:
        """The whole message without its link markup (what a screen reader says)."""
        if not self._message:
            return ""
        return self._message + (f"  Request {self._request_id}" if self._request_id else "")

    def show_message(
        self,
        kind: str,
        message: str,
        request_id: str | None = None,
        *,
        action: tuple[str, Callable[[], None]] | None = None,
    ) -> None:
        """Show `message`; `action` adds one button (label, callback), e.g. ("Restart", restart)."""
        self.kind = kind
        self._message, self._request_id = message, request_id
        self._label.setToolTip(message)
        self._render()
        self._paint_kind(kind)
        self._action_callback = action[1] if action else None
        self._action.setText(action[0] if action else "")
        self._action.setVisible(action is not None)
        timeout = SELF_DISMISSING.get(kind) if action is None else None
        if timeout:
            self._expiry.start(timeout)
        else:
            self._expiry.stop()
        self.show()
        self.sig_changed.emit()

    def _render(self) -> None:
        """The message, cut to the label's width, then the request link (never cut)."""
        from html import escape

        link = f' &nbsp;<a href="{escape(self._request_id)}">Request {escape(self._request_id)}</a>' \
            if self._request_id else ""
        metrics = self._label.fontMetrics()
        room = self._label.width() - (metrics.horizontalAdvance(f"  Request {self._request_id}") + 8
                                      if self._request_id else 0)
        shown = metrics.elidedText(self._message, Qt.TextElideMode.ElideRight, max(room, 40)) \
            if self._label.width() > 0 else self._message
        self._label.setText(escape(shown) + link)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self.kind:
            self._render()

    def clear(self) -> None:
        self._expiry.stop()
        was_showing = bool(self.kind)
        self.kind = ""
        self._message, self._request_id = "", None
        self._label.clear()
        self._action_callback = None
        self._action.hide()
        self.hide()
        if was_showing:
            self.sig_changed.emit()

    def _paint_kind(self, kind: str) -> None:
        # The surroundings' palette decides: the strip's own style sheet paints this widget's.
        dark = (self.parentWidget() or self).palette().color(QPalette.ColorRole.Window).lightness() < 128
        if self._painted == (kind, dark):
            return
        self._painted = (kind, dark)
        styles = _DARK if dark else _LIGHT
        background, text, border = styles.get(kind, styles["info"])
        # An attribute selector: object names contain a dot, which an `#id` selector reads as a class.
        selector = f'QFrame[objectName="{self.objectName()}"]'
        self.setStyleSheet(f"{selector} {{background:{background}; color:{text}; border:1px solid {border};"
                           f" border-radius:4px;}} {selector} QLabel {{color:{text};}}"
                           f" {selector} QPushButton[flat=\"true\"] {{color:{text}; border:none;}}")

    def _repaint(self) -> None:
        if self.kind:
            self._paint_kind(self.kind)

    def _on_action(self) -> None:
        if self._action_callback is not None:
            self._action_callback()

    def _on_link(self, request_id: str) -> None:
        self.sig_request_link.emit(request_id)
