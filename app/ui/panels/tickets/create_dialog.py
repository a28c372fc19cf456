"""Create a ticket (`tickets.create_dialog`): subject, contact, queue, priority, category and the
customer's first message. The dialog stays open with everything typed until the server has it.

It takes the ticket store and the panel's task set (views take their services): it finds
contacts as the agent types and creates the ticket through the store (which holds it at once, so
the list shows it), telling the panel with `sig_created`/`sig_done`.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.api import errors
from app.api.models import Contact, Queue, Ticket
from app.data.tickets import TicketStore
from app.ui.error_messages import describe
from app.ui.labels import label
from app.ui.panels.tickets.ticket_columns import PRIORITIES
from app.ui.theme import semantic_colour

NO_CONTACT = ""  # the empty first item: no contact (the line edit's placeholder explains)
CATEGORIES = ("billing", "login", "bug", "feature_request", "onboarding", "data_export")


class CreateTicketDialog(QDialog):
    """Collects a new ticket and creates it: the ticket first, then its first message."""

    sig_created = Signal(object)
    """The `Ticket` exists on the server (its first message may still be going out)."""
    sig_done = Signal(object)
    """The `Ticket` and its first message are both on the server; the dialog has closed."""

    def __init__(self, store: TicketStore, tasks: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._tasks = tasks
        self.setObjectName("tickets.create_dialog")
        self.setWindowTitle("New ticket")
        #: Set once the ticket exists but its first message did not go out: retry only the message.
        self.created_ticket: Ticket | None = None
        self._keys: dict[str, str] = {}

        self.subject = QLineEdit(self)
        self.subject.setObjectName("tickets.create.subject")
        self.subject.setMaxLength(300)
        self.contact = QComboBox(self)
        self.contact.setObjectName("tickets.create.contact")
        self.contact.setEditable(True)
        self.contact.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.contact.completer().setFilterMode(Qt.MatchFlag.MatchContains)
        self.contact.completer().setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.contact.addItem(NO_CONTACT, None)
        self.contact.lineEdit().setPlaceholderText("No contact: type a name or email to search")
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(300)
        self._search_timer.timeout.connect(self._on_search_pause)
        self.contact.lineEdit().textEdited.connect(lambda _text: self._search_timer.start())
        self.queue = QComboBox(self)
        self.queue.setObjectName("tickets.create.queue")
        self.queue.addItem("— no queue —", None)
        self.priority = QComboBox(self)
        self.priority.setObjectName("tickets.create.priority")
        for priority in PRIORITIES:
            self.priority.addItem(label("priority", priority), priority)
        self.priority.setCurrentIndex(PRIORITIES.index("normal"))
        self.category = QComboBox(self)
        self.category.setObjectName("tickets.create.category")
        self.category.setEditable(True)
        self.category.addItem("", None)
        for category in CATEGORIES:
            self.category.addItem(label("category", category), category)
        self.message = QPlainTextEdit(self)
        self.message.setObjectName("tickets.create.message")
        self.message.setPlaceholderText("What the customer wrote (posted as their first message)")
        self.error = QLabel(self)
        self.error.setObjectName("tickets.create.error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color:{semantic_colour('error').name()};")
        self.error.hide()

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.create_button = self.buttons.addButton("Create ticket", QDialogButtonBox.ButtonRole.AcceptRole)
        self.create_button.setObjectName("tickets.create.submit")
        self.create_button.setDefault(True)
        self.buttons.accepted.connect(self._on_submit)
        self.buttons.rejected.connect(self.reject)

        form = QFormLayout()
        form.addRow("Subject *", self.subject)
        form.addRow("Contact", self.contact)
        form.addRow("Queue", self.queue)
        form.addRow("Priority", self.priority)
        form.addRow("Category", self.category)
        form.addRow("First message", self.message)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.resize(520, 420)

    def start(self, queues: Sequence[Queue]) -> None:
        """Offer the active queues, show the dialog, and list the newest contacts."""
        self.set_choices(contacts=[], queues=queues)
        self.open()
        self._tasks.spawn(self._load_contacts(None), name="tickets.create.contacts")

    async def _load_contacts(self, query: str | None) -> None:
        try:
            contacts = await self._store.contacts_to_choose(query)
        except errors.ApiError as error:
            self.failed(f"Contacts could not be loaded: {describe(error)}")
            return
        self.set_choices(contacts=contacts, queues=[])

    def set_choices(self, *, contacts: Sequence[Contact], queues: Sequence[Queue]) -> None:
        """Add contacts (found ones are added to those listed, never twice) and active queues."""
        typed = self.contact.currentText()
        for contact in contacts:
            if self.contact.findData(contact.id) >= 0:
                continue
            email = f" <{contact.email}>" if contact.email else ""
            self.contact.addItem(f"{contact.name or contact.id}{email}", contact.id)
        for queue in queues:
            if queue.status == "active":
                self.queue.addItem(queue.name or queue.id, queue.id)
        if self.contact.currentText() != typed:
            self.contact.setEditText(typed)  # adding items must not replace what is being typed

    def _on_search_pause(self) -> None:
        text = self.contact.currentText().strip()
        if len(text) >= 2 and self._contact_id() is None:
            self._tasks.spawn(self._load_contacts(text), name="tickets.create.contacts")

    def _contact_id(self) -> str | None:
        text = self.contact.currentText()
        index = self.contact.findText(text)
        return self.contact.itemData(index) if index >= 0 else None

    def payload(self) -> dict[str, Any]:
        """The TicketCreate body from what is typed (empty choices left out)."""
        category = self.category.currentData()
        typed_category = self.category.currentText().strip()
        if category is None and typed_category:
            category = typed_category.lower().replace(" ", "_")
        body = {"subject": self.subject.text().strip(), "priority": self.priority.currentData(),
                "queue_id": self.queue.currentData(), "contact_id": self._contact_id(), "category": category,
                "source": "manual"}
        return {key: value for key, value in body.items() if value not in (None, "")}

    def idempotency_key(self, what: str, body: dict[str, Any]) -> str:
        """One key per distinct body: a retry of the same input replays, edited input is a new write."""
        identity = what + json.dumps(body, sort_keys=True)
        return self._keys.setdefault(identity, f"opsdesk-{what}-{uuid.uuid4()}")

    def _on_submit(self) -> None:
        if self.created_ticket is None:
            if not self.subject.text().strip():
                self.failed("Subject: a ticket needs a subject.")
                self.subject.setFocus()
                return
            typed = self.contact.currentText().strip()
            if typed and self._contact_id() is None:
                self.failed(f"Contact: no contact called {typed!r}; pick one from the list (or clear the box).")
                return
        self.error.hide()
        self.create_button.setEnabled(False)
        self._tasks.spawn(self.create(self.payload(), self.message.toPlainText().strip()), name="tickets.create")

    async def create(self, payload: dict[str, Any], first_message: str) -> None:
        """Create the ticket, then its first (inbound) message; a failure keeps everything typed."""
        try:
            if self.created_ticket is None:
                self.created_ticket = await self._store.create_ticket(
                    payload, idempotency_key=self.idempotency_key("ticket", payload))
                self.sig_created.emit(self.created_ticket)
            if first_message:
                body = {"direction": "inbound", "channel": "web", "body": first_message}
                await self._store.conversations.add_message(self.created_ticket.id, body,
                                                            idempotency_key=self.idempotency_key("message", body))
        except errors.ApiError as error:
            prefix = "The ticket was created but its first message was not sent: " if self.created_ticket else ""
            request = f" (request {error.request_id})" if getattr(error, "request_id", None) else ""
            self.failed(prefix + describe(error) + request)
            return
        self.accept()
        self.sig_done.emit(self.created_ticket)

    def failed(self, message: str) -> None:
        """Show why; everything typed stays for another try."""
        self.error.setText(message)
        self.error.show()
        self.create_button.setEnabled(True)
        if self.created_ticket is not None:
            self.create_button.setText("Retry first message")
