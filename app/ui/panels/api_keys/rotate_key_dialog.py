"""The "Rotate key" form: how long the old key keeps working, and (live profiles) typed consent.

It explains what each grace period means before anything happens, and shows the rotation's
progress (rotate, rehearse with the new key, switch the console, retire the old key) while the
panel's `submit` runs; it stays open with the reason if a step fails.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from html import escape
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.data.api_keys import Rehearsal, masked
from app.ui.error_messages import describe
from app.ui.theme import semantic_colour
from app.ui.time_text import exact, relative

#: (label, hours); 0 means "as soon as the new key passed its test call".
GRACE_PRESETS: tuple[tuple[str, int], ...] = (("Now", 0), ("1 hour", 1), ("24 hours", 24), ("7 days", 168))
DEFAULT_GRACE_INDEX = 2

_GRACE_HELP = {
    0: "The old key stops working as soon as the new key has passed a test call.",
    1: "The old key keeps working for 1 hour, time to deploy the new one.",
    24: "The old key keeps working for 24 hours, time to deploy the new one everywhere.",
    168: "The old key keeps working for 7 days.",
}


class RotateKeyDialog(QDialog):
    """Picks a grace period for rotating `key` and runs `submit(grace_hours, progress)`."""

    def __init__(self, key: Any, *, is_own_key: bool, live: bool,
                 submit: Callable[[int, Callable[[str], None]], Awaitable[None]],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("api_keys.rotate_dialog")
        self.setWindowTitle(f"Rotate “{key.name}”")
        self.setMinimumWidth(520)
        self._submit = submit
        self._key_name = key.name
        self._live = live
        self._task: asyncio.Task | None = None

        intro = QLabel(f"A new key with the same name and scopes replaces <b>{escape(masked(key))}</b> "
                       f"(created {escape(relative(key.created_at))}). Its secret is shown once.", self)
        intro.setObjectName("api_keys.rotate.intro")
        intro.setToolTip(exact(key.created_at))
        intro.setWordWrap(True)
        self.grace = QComboBox(self)
        self.grace.setObjectName("api_keys.rotate.grace")
        for label, hours in GRACE_PRESETS:
            self.grace.addItem(label, hours)
        self.grace.setCurrentIndex(DEFAULT_GRACE_INDEX)
        self.grace_help = QLabel("", self)
        self.grace_help.setObjectName("api_keys.rotate.grace_help")
        self.grace_help.setWordWrap(True)
        self.grace.currentIndexChanged.connect(self._update)
        form = QFormLayout()
        form.addRow("Old key stops", self.grace)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.grace_help)
        if is_own_key:
            own = QLabel("This is the key this console uses: once the new key passes its test call, the "
                         "console stores it in the keychain and switches to it.", self)
            own.setObjectName("api_keys.rotate.own_key")
            own.setWordWrap(True)
            layout.addWidget(own)
        self.typed = QLineEdit(self)
        self.typed.setObjectName("api_keys.rotate.typed")
        if live:
            prompt = QLabel(f"This is a <b>live</b> environment. Type <b>{escape(key.name)}</b> to confirm:", self)
            prompt.setStyleSheet(f"color: {semantic_colour('live').name()};")
            layout.addWidget(prompt)
            self.typed.setPlaceholderText(key.name)
            self.typed.textChanged.connect(self._update)
            layout.addWidget(self.typed)
        else:
            self.typed.hide()
        self.progress = QLabel("", self)
        self.progress.setObjectName("api_keys.rotate.progress")
        self.progress.setWordWrap(True)
        layout.addWidget(self.progress)
        buttons = QDialogButtonBox(self)
        self.rotate_button = buttons.addButton("Rotate key", QDialogButtonBox.ButtonRole.AcceptRole)
        self.rotate_button.setObjectName("api_keys.rotate.submit")
        self.cancel_button = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setObjectName("api_keys.rotate.cancel")
        buttons.accepted.connect(self._on_rotate)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._update()

    def grace_hours(self) -> int:
        return int(self.grace.currentData())

    def _confirmed(self) -> bool:
        return not self._live or self.typed.text().strip() == self._key_name

    def _update(self) -> None:
        self.grace_help.setText(_GRACE_HELP[self.grace_hours()])
        self.rotate_button.setEnabled(self._confirmed() and self._task is None)

    def _on_rotate(self) -> None:
        if not self._confirmed() or self._task is not None:
            return
        self.grace.setEnabled(False)
        self.rotate_button.setEnabled(False)
        self.cancel_button.setEnabled(False)
        self._task = asyncio.ensure_future(self._rotate())

    def _report(self, text: str) -> None:
        self.progress.setText(text)

    async def _rotate(self) -> None:
        try:
            await self._submit(self.grace_hours(), self._report)
        except Exception as error:  # noqa: BLE001 - shown here; nothing was rotated, or the step that failed is named
            self.progress.setText(describe(error))
            self.progress.setStyleSheet(f"color: {semantic_colour('error').name()};")
            self._task = None
            self.grace.setEnabled(True)
            self.cancel_button.setEnabled(True)
            self._update()
            return
        self.accept()

    def reject(self) -> None:
        if self._task is None:  # a rotation in flight is finished, not abandoned half way
            super().reject()


def rehearsal_text(rehearsal: Rehearsal) -> str:
    """What the test call with the new key showed, with the failure in words when it failed."""
    return rehearsal.message if rehearsal.error is None else f"{rehearsal.message}: {describe(rehearsal.error)}"
