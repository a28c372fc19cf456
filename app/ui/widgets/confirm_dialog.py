"""Asking before an action that cannot be undone: a plain yes/no, or typing the thing's name.

Typed confirmation (GitHub's "type the repository name") is used for revoking a key and, in a
live-environment profile, for rotating keys and deleting webhook endpoints: a slip of the mouse
must not cut off production. Shared by the panels, so every such question looks and behaves alike.

Dialogs are opened window-modal and awaited (`await confirm_action(...)`), never `exec()`ed,
which would run a nested Qt loop inside a running asyncio task.
"""

from __future__ import annotations

import asyncio

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.ui.theme import semantic_colour


class ConfirmDialog(QDialog):
    """A question with a named action button; with `expected_text`, the user must type it first."""

    def __init__(self, title: str, message: str, action_label: str, parent: QWidget | None = None,
                 *, expected_text: str | None = None, warning: str = "") -> None:
        super().__init__(parent)
        self.setObjectName("confirm_dialog")
        self.setWindowTitle(title)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setMinimumWidth(460)
        self._expected = expected_text
        layout = QVBoxLayout(self)
        text = QLabel(message, self)
        text.setObjectName("confirm_dialog.message")
        text.setWordWrap(True)
        layout.addWidget(text)
        if warning:
            caution = QLabel(warning, self)
            caution.setObjectName("confirm_dialog.warning")
            caution.setWordWrap(True)
            caution.setStyleSheet(f"color: {semantic_colour('error').name()}; font-weight: bold;")
            layout.addWidget(caution)
        self.typed = QLineEdit(self)
        self.typed.setObjectName("confirm_dialog.typed")
        if expected_text is not None:
            prompt = QLabel(f"Type <b>{_escape(expected_text)}</b> to confirm:", self)
            prompt.setObjectName("confirm_dialog.prompt")
            layout.addWidget(prompt)
            self.typed.setPlaceholderText(expected_text)
            self.typed.textChanged.connect(self._update_button)
            layout.addWidget(self.typed)
        else:
            self.typed.hide()
        buttons = QDialogButtonBox(self)
        self.action_button = buttons.addButton(action_label, QDialogButtonBox.ButtonRole.AcceptRole)
        self.action_button.setObjectName("confirm_dialog.confirm")
        cancel = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.setObjectName("confirm_dialog.cancel")
        cancel.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._update_button()

    def _update_button(self) -> None:
        self.action_button.setEnabled(self._expected is None or self.typed.text().strip() == self._expected)

    def accept(self) -> None:
        if self.action_button.isEnabled():
            super().accept()


async def run_dialog(dialog: QDialog) -> bool:
    """Open `dialog` window-modal and wait until it closes; True if it was accepted. It is deleted after."""
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    answer: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
    dialog.finished.connect(lambda result: answer.done() or answer.set_result(result == QDialog.DialogCode.Accepted.value))
    dialog.open()
    try:
        return await answer
    finally:
        if not answer.done():
            dialog.reject()


async def confirm_action(parent: QWidget | None, title: str, message: str, action_label: str, *,
                         expected_text: str | None = None, warning: str = "") -> bool:
    """Ask and wait for the answer; True only if the user chose the action (after typing, if asked)."""
    return await run_dialog(ConfirmDialog(title, message, action_label, parent,
                                          expected_text=expected_text, warning=warning))


def _escape(text: str) -> str:
    from html import escape

    return escape(text)
