"""The one and only showing of a new secret (an API key, a webhook signing secret).

The platform returns such a secret once; after this dialog it exists only where the user put it.
So the dialog says so plainly, offers a copy button, refuses to close (Esc, the window's close
button, Done) until the user ticks that they saved it, and on closing wipes the secret from its
widgets and drops its own reference, so nothing in the console's widget tree still holds it.

Opened window-modal and awaited (`await reveal_secret(...)`), never with `exec()`: a nested Qt
event loop inside a running qasync task would re-enter the asyncio loop.
"""

from __future__ import annotations

import asyncio

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent, QFont, QGuiApplication, QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.ui.theme import semantic_colour


class SecretRevealDialog(QDialog):
    """Shows `secret` once with a copy button; closes only after "I have saved it" is ticked."""

    def __init__(self, title: str, what: str, secret: str, parent: QWidget | None = None,
                 *, note: str = "") -> None:
        super().__init__(parent)
        self.setObjectName("secret_reveal")
        self.setWindowTitle(title)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setMinimumWidth(560)
        self._secret: str | None = secret

        heading = QLabel(f"<b>{what}</b>", self)
        heading.setObjectName("secret_reveal.heading")
        warning = QLabel("This is the only time it is shown. <b>You will not see this again</b>: copy it "
                         "now and store it somewhere safe (a password manager or your deployment's "
                         "secret store).", self)
        warning.setObjectName("secret_reveal.warning")
        warning.setWordWrap(True)
        warning.setStyleSheet(f"color: {semantic_colour('warning').name()};")

        self._field = QLineEdit(secret, self)
        self._field.setObjectName("secret_reveal.secret")
        self._field.setReadOnly(True)
        self._field.setFont(QFont("monospace"))
        self._field.setAccessibleName("New secret")
        self._field.setCursorPosition(0)
        copy = QPushButton("Copy", self)
        copy.setObjectName("secret_reveal.copy")
        copy.clicked.connect(self._on_copy)
        self._copied = QLabel("", self)
        self._copied.setObjectName("secret_reveal.copied")

        self._saved = QCheckBox("I have saved this secret somewhere safe", self)
        self._saved.setObjectName("secret_reveal.saved")
        self._saved.toggled.connect(self._on_saved_toggled)
        self._hint = QLabel("", self)
        self._hint.setObjectName("secret_reveal.hint")
        self._hint.setStyleSheet(f"color: {semantic_colour('error').name()};")
        self._done = QPushButton("Done", self)
        self._done.setObjectName("secret_reveal.done")
        self._done.setEnabled(False)
        self._done.setDefault(True)
        self._done.clicked.connect(self.accept)

        row = QHBoxLayout()
        row.addWidget(self._field, 1)
        row.addWidget(copy)
        buttons = QHBoxLayout()
        buttons.addWidget(self._hint, 1)
        buttons.addWidget(self._done)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(warning)
        layout.addLayout(row)
        layout.addWidget(self._copied)
        if note:
            extra = QLabel(note, self)
            extra.setObjectName("secret_reveal.note")
            extra.setWordWrap(True)
            layout.addWidget(extra)
        layout.addWidget(self._saved)
        layout.addLayout(buttons)

    @property
    def confirmed(self) -> bool:
        """True once the user ticked that they saved the secret."""
        return self._saved.isChecked()

    def _on_copy(self) -> None:
        if self._secret:
            QGuiApplication.clipboard().setText(self._secret)
            self._copied.setText("Copied to the clipboard.")

    def _on_saved_toggled(self, checked: bool) -> None:
        self._done.setEnabled(checked)
        if checked:
            self._hint.clear()

    def _refuse_to_close(self) -> bool:
        if self.confirmed:
            return False
        self._hint.setText("Tick that you saved the secret first: it cannot be shown again.")
        return True

    def reject(self) -> None:  # Esc
        if not self._refuse_to_close():
            super().reject()

    def accept(self) -> None:
        if not self._refuse_to_close():
            super().accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.reject()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._refuse_to_close():
            event.ignore()
            return
        super().closeEvent(event)

    def done(self, result: int) -> None:
        self._wipe()
        super().done(result)

    def force_close(self) -> None:
        """Close without the confirmation (the console is shutting down); the secret is still wiped."""
        self._saved.setChecked(True)
        self.accept()

    def _wipe(self) -> None:
        """Forget the secret: empty the field (its undo history goes with setText) and our reference."""
        self._field.setText("")
        self._field.clear()
        self._secret = None


async def reveal_secret(parent: QWidget | None, title: str, what: str, secret: str, *, note: str = "") -> None:
    """Show `secret` once and return when the user has confirmed saving it and the dialog closed."""
    dialog = SecretRevealDialog(title, what, secret, parent, note=note)
    del secret
    finished: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def on_finished(_result: int) -> None:
        if not finished.done():
            finished.set_result(None)

    dialog.finished.connect(on_finished)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    try:
        await finished
    finally:
        if not finished.done():  # the caller was cancelled (panel closing): close and wipe anyway
            dialog.force_close()
