"""The open ticket: its fields (status, priority, queue, assignee, editable in place), the
conversation timeline, the "new activity" notice, and the reply and note composers.

Field changes are requests (`sig_change`); the panel hands them to the ticket store and calls
`show_ticket` with the store's ticket, so what is shown is always what the server has.

The conversation and the composers share a vertical splitter in which the conversation keeps
`THREAD_SHARE` of the height and never less than `THREAD_MIN_LINES` lines: with the reply and the
note composer both open (and a warning in the reply) the composers scroll in their own pane
instead of squeezing the thread to two lines, and a warning that appears is scrolled into view
whole, with the buttons that answer it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.api.models import Member, Queue, Ticket
from app.data.ticket_conversation import NOTE, REPLY
from app.data.tickets import is_open
from app.ui.labels import label
from app.ui.panels.tickets.composer import Composer
from app.ui.panels.tickets.conversation_view import ConversationView
from app.ui.panels.tickets.draft_writer import DraftWriter
from app.ui.panels.tickets.field_picker import FieldPicker
from app.ui.panels.tickets.sla import as_datetime
from app.ui.panels.tickets.ticket_columns import PRIORITIES, STATUSES
from app.ui.panels.tickets.timeline import TimelineEntry
from app.ui.panels.tickets.tinted_label import TintedLabel
from app.ui.theme import semantic_colour
from app.ui.time_text import exact, relative

NEW_ACTIVITY_TEXT = "New activity since you opened this ticket — review, then send."
#: Lines of conversation that stay readable however many composers are open.
THREAD_MIN_LINES = 7
#: The share of the height the conversation keeps while composers are open (when it is more).
THREAD_SHARE = 0.4


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
        self._style_meta()

        self.status = self._field("tickets.detail.status", "Status", [(s, label("status", s)) for s in STATUSES], "status")
        self.priority = self._field("tickets.detail.priority", "Priority",
                                    [(p, label("priority", p)) for p in PRIORITIES], "priority")
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

        self.activity_notice = TintedLabel("warning", "tickets.new_activity", self, bold=True)
        self.activity_notice.setText(NEW_ACTIVITY_TEXT)
        self.activity_notice.hide()

        self.conversation = ConversationView(self)
        self.conversation.setMinimumHeight(self.conversation.fontMetrics().lineSpacing() * THREAD_MIN_LINES + 16)
        self.composers = composers = QWidget(self)
        self.composers.setObjectName("tickets.composers")
        self.reply_composer = Composer(REPLY, drafts, composers)
        self.note_composer = Composer(NOTE, drafts, composers)
        self.reply_composer.hide()
        self.note_composer.hide()
        for composer in (self.reply_composer, self.note_composer):
            composer.sig_draft_loaded.connect(self._on_draft_loaded)
            composer.warning.installEventFilter(self)  # a warning coming or going re-fits the pane

        fields = QGridLayout()
        fields.setContentsMargins(0, 0, 0, 0)
        for index, picker in enumerate((self.status, self.priority, self.queue, self.assignee)):
            fields.addWidget(picker, index // 2, index % 2)
        actions = QHBoxLayout()
        actions.addWidget(self.reply_button)
        actions.addWidget(self.note_button)
        actions.addStretch(1)
        actions.addWidget(self.resolve)

        composer_layout = QVBoxLayout(composers)
        composer_layout.setContentsMargins(0, 0, 0, 0)
        composer_layout.addWidget(self.reply_composer)
        composer_layout.addWidget(self.note_composer)
        #: The composers scroll here when the pane is shorter than they are; the thread keeps its lines.
        self.composer_pane = QScrollArea(self)
        self.composer_pane.setObjectName("tickets.composer_pane")
        self.composer_pane.setWidget(composers)
        self.composer_pane.setWidgetResizable(True)
        self.composer_pane.setFrameShape(QFrame.Shape.NoFrame)
        self.composer_pane.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.composer_pane.setMinimumHeight(self.reply_composer.minimumSizeHint().height())
        self.composer_pane.hide()
        self.split = QSplitter(Qt.Orientation.Vertical, self)
        self.split.setObjectName("tickets.thread_split")
        self.split.addWidget(self.conversation)
        self.split.addWidget(self.composer_pane)
        self.split.setStretchFactor(0, 1)
        self.split.setStretchFactor(1, 0)
        self.split.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.subject)
        layout.addWidget(self.meta)
        layout.addLayout(fields)
        layout.addLayout(actions)
        layout.addWidget(self.activity_notice)
        layout.addWidget(self.split, 1)
        self._set_fields_enabled(False)

    def _style_meta(self) -> None:
        self.meta.setStyleSheet(f"color:{semantic_colour('muted').name()};")  # muted grey of this theme

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:  # light/dark switching: the grey that reads on it
            QTimer.singleShot(0, self, self._style_meta)  # once the switch is complete

    def _field(self, name: str, caption: str, items: Sequence[tuple[Any, str]], field: str) -> QComboBox:
        combo = FieldPicker(caption, self)
        combo.setObjectName(name)
        combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
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

    def show_ticket(self, ticket: Ticket | None, *, contact_name: str | None = None, pending: bool = False) -> None:
        """Show a ticket's fields (the conversation is set separately, it loads later); `pending`:
        a change made offline waits in the outbox (⇪)."""
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
        waiting = ["⇪ changes waiting to be sent"] if pending else []
        self.meta.setText(" · ".join(waiting + self._meta_parts(ticket, contact_name)))
        self.meta.setToolTip(f"Created {exact(as_datetime(ticket.created_at))}")
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
                combo.addItem(label(field, str(value)), value)
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

    @staticmethod
    def _meta_parts(ticket: Ticket, contact_name: str | None) -> list[str]:
        """Who, what kind, how it came in and when, in words; the id last (selectable, for copying)."""
        parts = [contact_name or ticket.contact_id or ""]
        if ticket.category:
            parts.append(f"Category: {label('category', ticket.category)}")
        if ticket.source:
            parts.append(f"Source: {label('source', ticket.source)}")
        parts += [f"opened {relative(as_datetime(ticket.created_at))}", ticket.id]
        return [part for part in parts if part]

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.Show, QEvent.Type.Hide) and isinstance(watched, QLabel):
            QTimer.singleShot(0, self, lambda: self._fit_composers(reveal=watched))
        return False

    def _fit_composers(self, reveal: QWidget | None = None) -> None:
        """The composer pane takes room only while a composer shows: what its composers need, as
        far as the thread's share allows (beyond that it scrolls), and a new warning in view."""
        shown = [c for c in (self.reply_composer, self.note_composer) if not c.isHidden()]
        self.composer_pane.setVisible(bool(shown))
        if not shown:
            return
        room = max(self.composer_pane.viewport().width(), self.composers.minimumSizeHint().width())
        layout = self.composers.layout()
        wanted = layout.heightForWidth(room) if layout.hasHeightForWidth() else self.composers.sizeHint().height()
        total = sum(self.split.sizes()) or self.split.height()
        thread = max(self.conversation.minimumHeight(), round(total * THREAD_SHARE))
        pane = max(self.composer_pane.minimumHeight(), min(wanted, total - thread))
        if self.split.sizes()[1] != pane and total > pane:
            self.split.setSizes([total - pane, pane])
        if reveal is not None and reveal.isVisible():
            composer = reveal.parentWidget()
            # The warning and the line that answers it (status, Send anyway), the warning's top first.
            if isinstance(composer, Composer):
                for below in (composer.status, composer.send_anyway):
                    self.composer_pane.ensureWidgetVisible(below, 0, 0)
            self.composer_pane.ensureWidgetVisible(reveal, 0, 0)

    def pick(self, field: str) -> None:
        """s / p / a / q: focus that picker and open its list (arrows and Enter choose)."""
        combo = {"status": self.status, "priority": self.priority, "assignee_id": self.assignee,
                 "queue_id": self.queue}[field]
        if combo.isEnabled():
            combo.setFocus(Qt.FocusReason.ShortcutFocusReason)
            combo.showPopup()
