"""How the admin panels' form dialogs submit: check the input, send it, stay open on any error.

The API key and webhook endpoint forms behave the same way: a problem with the input is named
under the form; while the request runs the submit button is disabled and the form says so; a
failed request shows the platform's reason with everything the user typed intact, for another
try; the dialog closes only once the platform accepted the change.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from typing import Generic, TypeVar

from PySide6.QtWidgets import QAbstractButton, QDialog, QLabel, QWidget

from app.ui.error_messages import describe
from app.ui.theme import semantic_colour

T = TypeVar("T")


def error_label(parent: QWidget, object_name: str) -> QLabel:
    """The form's red, wrapping line for what went wrong (empty until something does)."""
    label = QLabel("", parent)
    label.setObjectName(object_name)
    label.setWordWrap(True)
    label.setStyleSheet(f"color: {semantic_colour('error').name()};")
    return label


class FormSubmission(Generic[T]):
    """Runs one dialog's submissions: `values()` builds the body (ValueError names a problem),
    `submit(body)` sends it (and may raise ValueError naming one too, such as a colleague's
    conflicting change); `dialog` is accepted when it succeeded."""

    def __init__(self, dialog: QDialog, values: Callable[[], T], submit: Callable[[T], Awaitable[None]],
                 *, error: QLabel, button: QAbstractButton, busy_text: str,
                 busy_widgets: Iterable[QWidget] = ()) -> None:
        self._dialog = dialog
        self._values = values
        self._submit = submit
        self._error = error
        self._busy_widgets = (button, *busy_widgets)
        self._busy_text = busy_text
        self.task: asyncio.Task | None = None
        """The request in flight, if any (kept so it is not collected half way)."""

    def start(self) -> None:
        """Check the input and, when it is fit to send, send it; an empty body has nothing to send
        (an edit that changed nothing) and closes the dialog at once."""
        try:
            body = self._values()
        except ValueError as problem:
            self._error.setText(str(problem))
            return
        if not body:
            self._dialog.accept()
            return
        self._error.setText(self._busy_text)
        self._set_busy(True)
        self.task = asyncio.ensure_future(self._send(body))

    async def _send(self, body: T) -> None:
        try:
            await self._submit(body)
        except ValueError as problem:  # the submitter names a problem to settle before trying again
            self._error.setText(str(problem))
            self._set_busy(False)
            return
        except Exception as error:  # noqa: BLE001 - shown in the form; the user's input stays for another try
            self._error.setText(describe(error))
            self._set_busy(False)
            return
        self._dialog.accept()

    def _set_busy(self, busy: bool) -> None:
        for widget in self._busy_widgets:
            widget.setEnabled(not busy)
