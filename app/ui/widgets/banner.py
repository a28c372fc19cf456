"""A non-modal message strip at the top of a panel: errors, offline/cached notices, outcomes.

Errors never open a traceback dialog; they land here with the request id and a link that opens
the request log at that entry.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton

#: kind -> (background, text, border): light strips with dark text in either theme, so the
#: text colour is set on the strip's labels too (the theme's light text on them was unreadable).
_STYLES = {
    "error": ("#fdecea", "#611a15", "#f5c2c0"),
    "warning": ("#fff4e5", "#663c00", "#ffd699"),
    "info": ("#e8f4fd", "#0d3c61", "#b6dcfb"),
    "success": ("#edf7ed", "#1e4620", "#b7dfb9"),
}


class Banner(QFrame):
    """One message at a time, with a kind (error, warning, info, success) and an optional request id."""

    sig_request_link = Signal(str)
    """The user clicked the request id link: open the request log at that request."""

    def __init__(self, object_name: str, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.kind = ""
        self._label = QLabel(self)
        self._label.setObjectName(f"{object_name}.text")
        self._label.setWordWrap(True)
        self._label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self._label.linkActivated.connect(self._on_link)
        self._action = QPushButton(self)
        self._action.setObjectName(f"{object_name}.action")
        self._action.clicked.connect(self._on_action)
        self._action.hide()
        self._action_callback: Callable[[], None] | None = None
        close = QPushButton("✕", self)
        close.setObjectName(f"{object_name}.close")
        close.setFlat(True)
        close.setFixedWidth(28)
        close.setToolTip("Dismiss")
        close.clicked.connect(self.clear)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        layout.addWidget(self._label, 1)
        layout.addWidget(self._action)
        layout.addWidget(close)
        self.hide()

    @property
    def text(self) -> str:
        return self._label.text()

    @property
    def plain_text(self) -> str:
        """The message without its link markup (what a screen reader says)."""
        from PySide6.QtGui import QTextDocumentFragment

        return QTextDocumentFragment.fromHtml(self._label.text()).toPlainText()

    def show_message(
        self,
        kind: str,
        message: str,
        request_id: str | None = None,
        *,
        action: tuple[str, Callable[[], None]] | None = None,
    ) -> None:
        """Show `message`; `action` adds one button (label, callback), e.g. ("Restart", restart)."""
        from html import escape

        self.kind = kind
        html = escape(message)
        if request_id:
            html += f' &nbsp;<a href="{escape(request_id)}">Request {escape(request_id)}</a>'
        self._label.setText(html)
        # An attribute selector: object names contain a dot, which an `#id` selector reads as a class.
        selector = f'QFrame[objectName="{self.objectName()}"]'
        background, text, border = _STYLES.get(kind, _STYLES["info"])
        self.setStyleSheet(f"{selector} {{background:{background}; color:{text}; border:1px solid {border};"
                           f" border-radius:4px;}} {selector} QLabel {{color:{text};}}")
        self._action_callback = action[1] if action else None
        self._action.setText(action[0] if action else "")
        self._action.setVisible(action is not None)
        self.show()

    def clear(self) -> None:
        self.kind = ""
        self._label.clear()
        self._action_callback = None
        self._action.hide()
        self.hide()

    def _on_action(self) -> None:
        if self._action_callback is not None:
            self._action_callback()

    def _on_link(self, request_id: str) -> None:
        self.sig_request_link.emit(request_id)
