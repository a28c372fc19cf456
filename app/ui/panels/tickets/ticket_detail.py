"""The open ticket: its fields (status, priority, queue, assignee, editable in place), the
conversation timeline, the "new activity" notice, and the reply and note composers.

Field changes are requests (`sig_change`); the panel hands them to the ticket store and calls
`show_ticket` with the store's ticket, so what is shown is always what the server has.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.api.models import Member, Queue, Ticket
from app.data.ticket_conversation import NOTE, REPLY
from app.data.tickets import is_open
from app.ui.panels.tickets.composer import Composer
from app.ui.panels.tickets.conversation_view import ConversationView
from app.ui.panels.tickets.draft_writer import DraftWriter
from app.ui.panels.tickets.sla import display_time
from app.ui.panels.tickets.ticket_list import PRIORITIES, STATUSES, label_of
from app.ui.panels.tickets.timeline import TimelineEntry

NEW_ACTIVITY_TEXT = "New activity since you opened this ticket — review, then send."


class TicketDetail(QWidget):
    """Detail view of one ticket (`tickets.detail`)."""

    sig_change = Signal(str, dict)
    """The user changed a field: (ticket id, {field: new value})."""

    def __init__(self, drafts: DraftWriter | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tickets.detail")
        self.ticket: Ticket | None = None
        self._writable = True

        self.subject = QLabel("Choose a ticket", self)
        self.subject.setObjectName("tickets.detail.subject")
        self.subject.setWordWrap(True)
        font = self.subject.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.subject.setFont(font)
        self.meta = QLabel(self)
        self.meta.setObjectName("tickets.detail.meta")
        self.meta.setWordWrap(True)
        self.meta.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.status = self._field("tickets.detail.status", "Status", [(s, label_of(s)) for s in STATUSES], "status")
        self.priority = self._field("tickets.detail.priority", "Priority", [(p, label_of(p)) for p in PRIORITIES], "priority")
        self.queue = self._field("tickets.detail.queue", "Queue", [(None, "No queue")], "queue_id")
        self.assignee = self._field("tickets.detail.assignee", "Assignee", [(None, "Unassigned")], "assignee_id")
        self.resolve = QPushButton("Resolve", self)
        self.resolve.setObjectName("tickets.resolve")
        self.resolve.setToolTip("Mark resolved (e)")
        self.resolve.clicked.connect(lambda: self._request("status", "resolved"))
        self.reply_button = QPushButton("↩ Reply", self)
        self.reply_button.setObjectName("tickets.reply")
        self.reply_button.setToolTip("Reply to the customer (r)")
        self.reply_button.clicked.connect(lambda: self.open_composer(REPLY))
        self.note_button = QPushButton("✎ Internal note", self)
        self.note_button.setObjectName("tickets.note")
        self.note_button.setToolTip("Write a note only agents see (n)")
        self.note_button.clicked.connect(lambda: self.open_composer(NOTE))

        self.activity_notice = QLabel(NEW_ACTIVITY_TEXT, self)
        self.activity_notice.setObjectName("tickets.new_activity")
        self.activity_notice.setWordWrap(True)
        self.activity_notice.setStyleSheet("background:#fff4e5;color:#663c00;border:1px solid #ffd699;"
                                           "border-radius:4px;padding:6px;font-weight:bold;")
        self.activity_notice.hide()

        self.conversation = ConversationView(self)
        self.reply_composer = Composer(REPLY, drafts, self)
        self.note_composer = Composer(NOTE, drafts, self)
        self.reply_composer.hide()
        self.note_composer.hide()
        for composer in (self.reply_composer, self.note_composer):
            composer.sig_draft_loaded.connect(self._on_draft_loaded)

        fields = QFormLayout()
        fields.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        row_one = QHBoxLayout()
        row_one.addWidget(self.status, 1)
        row_one.addWidget(self.priority, 1)
        row_two = QHBoxLayout()
        row_two.addWidget(self.queue, 1)
        row_two.addWidget(self.assignee, 1)
        fields.addRow("Status / priority", row_one)
        fields.addRow("Queue / assignee", row_two)
        actions = QHBoxLayout()
        actions.addWidget(self.reply_button)
        actions.addWidget(self.note_button)
        actions.addStretch(1)
        actions.addWidget(self.resolve)

        self.composers = composers = QWidget(self)
        composer_layout = QVBoxLayout(composers)
        composer_layout.setContentsMargins(0, 0, 0, 0)
        composer_layout.addWidget(self.reply_composer)
        composer_layout.addWidget(self.note_composer)
        self.split = QSplitter(Qt.Orientation.Vertical, self)
        self.split.addWidget(self.conversation)
        self.split.addWidget(composers)
        self.split.setStretchFactor(0, 3)
        self.split.setStretchFactor(1, 2)
        self.split.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.subject)
        layout.addWidget(self.meta)
        layout.addLayout(fields)
        layout.addLayout(actions)
        layout.addWidget(self.activity_notice)
        layout.addWidget(self.split, 1)
        self._set_fields_enabled(False)

    def _field(self, name: str, label: str, items: Sequence[tuple[Any, str]], field: str) -> QComboBox:
        combo = QComboBox(self)
        combo.setObjectName(name)
        combo.setAccessibleName(label)
        combo.setToolTip(label)
        for value, text in items:
            combo.addItem(text, value)
        combo.activated.connect(lambda _index, c=combo, f=field: self._request(f, c.currentData()))
        return combo

    # ---- content ------------------------------------------------------------------------------
    def set_choices(self, *, queues: Sequence[Queue], members: Sequence[Member]) -> None:
        """Fill the queue and assignee pickers (keeping their first "none" item)."""
        for combo, records in ((self.queue, queues), (self.assignee, members)):
            combo.blockSignals(True)
            while combo.count() > 1:
                combo.removeItem(1)
            for record in records:
                if record.status in ("archived", "deactivated", "removed"):
                    continue
                combo.addItem(record.name or record.id, record.id)
            combo.blockSignals(False)
        if self.ticket:
            self._show_fields(self.ticket)

    def show_ticket(self, ticket: Ticket | None, *, contact_name: str | None = None) -> None:
        """Show a ticket's fields (the conversation is set separately, it loads later)."""
        changed_ticket = (ticket.id if ticket else None) != (self.ticket.id if self.ticket else None)
        self.ticket = ticket
        self.reply_composer.set_ticket(ticket.id if ticket else None)
        self.note_composer.set_ticket(ticket.id if ticket else None)
        if ticket is None:
            self.subject.setText("Choose a ticket")
            self.meta.clear()
            self.conversation.show_entries([], empty_text="Choose a ticket on the left.")
            self._set_fields_enabled(False)
            self.activity_notice.hide()
            self.reply_composer.hide()
            self.note_composer.hide()
            self._fit_composers()
            return
        self.subject.setText(ticket.subject or "(no subject)")
        parts = [ticket.id, f"created {display_time(ticket.created_at)}"]
        if contact_name or ticket.contact_id:
            parts.append(f"contact {contact_name or ticket.contact_id}")
        if ticket.category:
            parts.append(f"category {ticket.category}")
        if ticket.source:
            parts.append(f"via {ticket.source}")
        self.meta.setText(" · ".join(parts))
        self._show_fields(ticket)
        self._set_fields_enabled(True)
        if changed_ticket:
            self.activity_notice.hide()
            self.reply_composer.setVisible(self.reply_composer.has_draft())
            self.note_composer.setVisible(self.note_composer.has_draft())
            self._fit_composers()

    def _show_fields(self, ticket: Ticket) -> None:
        for combo, field in ((self.status, "status"), (self.priority, "priority"),
                             (self.queue, "queue_id"), (self.assignee, "assignee_id")):
            value = getattr(ticket, field)
            combo.blockSignals(True)
            index = combo.findData(value)
            if index < 0 and value:
                combo.addItem(str(value), value)
                index = combo.count() - 1
            combo.setCurrentIndex(max(index, 0))
            combo.blockSignals(False)
        self.resolve.setEnabled(is_open(ticket) and self._writable)

    def show_conversation(self, entries: Sequence[TimelineEntry]) -> None:
        self.conversation.show_entries(entries)

    def show_new_activity(self, shown: bool) -> None:
        self.activity_notice.setVisible(shown)

    # ---- editing ------------------------------------------------------------------------------
    def set_writable(self, writable: bool, reason: str = "") -> None:
        """Offline or read-only credential: fields and Send are disabled, drafts keep working."""
        self._writable = writable
        self._set_fields_enabled(self.ticket is not None)
        for composer in (self.reply_composer, self.note_composer):
            composer.set_enabled_for_writing(writable, reason)

    def _set_fields_enabled(self, enabled: bool) -> None:
        enabled = enabled and self._writable
        for widget in (self.status, self.priority, self.queue, self.assignee):
            widget.setEnabled(enabled)
        self.resolve.setEnabled(enabled and self.ticket is not None and is_open(self.ticket))
        self.reply_button.setEnabled(self.ticket is not None)
        self.note_button.setEnabled(self.ticket is not None)

    def _request(self, field: str, value: Any) -> None:
        if self.ticket is None or not self._writable or getattr(self.ticket, field) == value:
            return
        self.sig_change.emit(self.ticket.id, {field: value})

    def open_composer(self, kind: str) -> None:
        """r / n: show that composer and put the cursor in it."""
        if self.ticket is None:
            return
        composer = self.reply_composer if kind == REPLY else self.note_composer
        composer.show()
        self._fit_composers()
        composer.editor.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _on_draft_loaded(self, ticket_id: str, has_text: bool) -> None:
        # A ticket with an unsent draft opens with that composer showing.
        composer = self.sender()
        if has_text and self.ticket is not None and self.ticket.id == ticket_id:
            composer.show()
            self._fit_composers()

    def _fit_composers(self) -> None:
        """The composer pane takes room only while a composer shows, and then enough to type in."""
        shown = [c for c in (self.reply_composer, self.note_composer) if not c.isHidden()]
        self.composers.setVisible(bool(shown))
        if shown:
            wanted = 190 * len(shown)
            total = sum(self.split.sizes()) or self.split.height()
            if self.split.sizes()[1] < wanted and total > wanted:
                self.split.setSizes([total - wanted, wanted])

    def pick(self, field: str) -> None:
        """s / p / a / q: focus that picker and open its list (arrows and Enter choose)."""
        combo = {"status": self.status, "priority": self.priority, "assignee_id": self.assignee,
                 "queue_id": self.queue}[field]
        if combo.isEnabled():
            combo.setFocus(Qt.FocusReason.ShortcutFocusReason)
            combo.showPopup()
