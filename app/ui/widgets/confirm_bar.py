"""An inline "are you sure?" strip for destructive actions (delete, void).

Inline instead of a modal dialog: the question sits beside what it is about, keyboard users
answer with Enter/Escape, and nothing blocks the event loop (or a test) while it waits.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget


class ConfirmBar(QFrame):
    """Asks one question; `ask(text, action_label, on_confirm)` shows it, Cancel hides it."""

    def __init__(self, object_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._label = QLabel(self)
        self._label.setObjectName(f"{object_name}.text")
        self._label.setWordWrap(True)
        self.confirm_button = QPushButton(self)
        self.confirm_button.setObjectName(f"{object_name}.confirm")
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setObjectName(f"{object_name}.cancel")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self._label, 1)
        layout.addWidget(self.confirm_button)
        layout.addWidget(self.cancel_button)
        self.confirm_button.clicked.connect(self._on_confirm)
        self.cancel_button.clicked.connect(self.hide)
        self._action: Callable[[], None] | None = None
        self.hide()

    @property
    def text(self) -> str:
        return self._label.text()

    def ask(self, question: str, action_label: str, on_confirm: Callable[[], None]) -> None:
        self._label.setText(question)
        self.confirm_button.setText(action_label)
        self._action = on_confirm
        self.show()
        self.cancel_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.hide()
            return
        super().keyPressEvent(event)

    def _on_confirm(self) -> None:
        action, self._action = self._action, None
        self.hide()
        if action is not None:
            action()
