"""The endpoint form (create and edit): name, URL (checked before sending), description, events.

Event types are picked from the contract's list, by their names in words (the type itself on
hover). The form submits itself and stays open with the problem named and every field intact if
the URL is wrong or the platform refuses.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.api.models.webhooks import EVENT_TYPES
from app.ui.labels import event_label
from app.ui.widgets.form_submission import FormSubmission, error_label

MAX_NAME_LENGTH = 100
MAX_URL_LENGTH = 2000


def url_problem(url: str) -> str | None:
    """Why `url` cannot receive webhooks, or None when it can."""
    if not url:
        return "Enter the URL that will receive the events."
    if any(ch.isspace() for ch in url):
        return "The URL contains spaces."
    if len(url) > MAX_URL_LENGTH:
        return f"The URL is longer than {MAX_URL_LENGTH} characters."
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError on a bad port)
    except ValueError:
        return "The URL's port is not a number between 0 and 65535."
    if parts.scheme not in ("http", "https"):
        return "The URL must start with https:// (or http:// for a local receiver)."
    if not parts.hostname:
        return "The URL has no host name."
    return None


class EndpointDialog(QDialog):
    """Create (no `webhook`) or edit an endpoint; `submit(fields)` gets only what is to be sent."""

    def __init__(self, submit: Callable[[dict[str, Any]], Awaitable[None]], parent: QWidget | None = None,
                 *, webhook: Any = None) -> None:
        super().__init__(parent)
        self.setObjectName("webhooks.endpoint_dialog")
        self.setWindowTitle("Edit endpoint" if webhook else "New webhook endpoint")
        self.setMinimumWidth(560)
        self._original = webhook

        self.name = QLineEdit(webhook.name if webhook else "", self)
        self.name.setObjectName("webhooks.endpoint.name")
        self.url = QLineEdit(webhook.url if webhook else "", self)
        self.url.setObjectName("webhooks.endpoint.url")
        self.url.setPlaceholderText("https://example.com/hooks/opsdesk")
        self.description = QLineEdit((webhook.description or "") if webhook else "", self)
        self.description.setObjectName("webhooks.endpoint.description")
        chosen = set(webhook.event_types) if webhook else set()
        self.event_boxes: dict[str, QCheckBox] = {}
        events = QWidget(self)
        grid = QGridLayout(events)
        grid.setContentsMargins(0, 0, 0, 0)
        for index, event_type in enumerate(EVENT_TYPES):
            box = QCheckBox(event_label(event_type), events)
            box.setObjectName(f"webhooks.endpoint.event.{event_type}")
            box.setToolTip(f"{event_type} (the type your receiver sees)")
            box.setChecked(event_type in chosen)
            self.event_boxes[event_type] = box
            grid.addWidget(box, index // 3, index % 3)
        pick_all = QPushButton("All", self)
        pick_all.setObjectName("webhooks.endpoint.all_events")
        pick_all.clicked.connect(lambda: [box.setChecked(True) for box in self.event_boxes.values()])
        pick_none = QPushButton("None", self)
        pick_none.clicked.connect(lambda: [box.setChecked(False) for box in self.event_boxes.values()])
        picks = QHBoxLayout()
        picks.addWidget(pick_all)
        picks.addWidget(pick_none)
        picks.addStretch(1)

        self.error = error_label(self, "webhooks.endpoint.error")
        buttons = QDialogButtonBox(self)
        self.save_button = buttons.addButton("Save" if webhook else "Create endpoint",
                                             QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setObjectName("webhooks.endpoint.submit")
        cancel = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.setObjectName("webhooks.endpoint.cancel")
        self.submission = FormSubmission(self, self.values, submit, error=self.error, button=self.save_button,
                                         busy_text="Saving…")
        buttons.accepted.connect(self.submission.start)
        buttons.rejected.connect(self.reject)

        form = QFormLayout()
        form.addRow("Name", self.name)
        form.addRow("URL", self.url)
        form.addRow("Description", self.description)
        form.addRow("Events", picks)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(events)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def values(self) -> dict[str, Any]:
        """The fields to send (for an edit, only the changed ones), or ValueError naming the problem."""
        name = self.name.text().strip()
        if not name:
            raise ValueError("Give the endpoint a name.")
        if len(name) > MAX_NAME_LENGTH:
            raise ValueError(f"The name is longer than {MAX_NAME_LENGTH} characters.")
        url = self.url.text().strip()
        problem = url_problem(url)
        if problem:
            raise ValueError(problem)
        event_types = [event for event, box in self.event_boxes.items() if box.isChecked()]
        if not event_types:
            raise ValueError("Choose at least one event type to receive.")
        fields: dict[str, Any] = {"name": name, "url": url, "event_types": event_types,
                                  "description": self.description.text().strip() or None}
        if self._original is None:
            return fields
        return {key: value for key, value in fields.items() if value != getattr(self._original, key)}
