"""The reply and internal-note composers (`tickets.reply_composer`, `tickets.note_composer`).

Each keeps its text as a local draft while it is typed (debounced), so a crash, a restart or a
failed send never loses it. Drafts are read and written through the panel's `DraftWriter`, off
the Qt thread; while a ticket's draft is being read the editor is read-only, so nothing typed
in that moment is overwritten. A public reply is checked for secrets and leftover placeholders
first; when something matches, the composer shows what and waits for "Send anyway".
The composer never talks to the server: it asks with `sig_send` and the panel answers with
`sent()`, `failed()`, `held()` or, for a reply written offline, `hold_for_online()`.

Its inline messages (the status line, the warning) are derived from the state that raised them:
each says for which text it holds, so editing the text until it no longer applies (clearing it,
removing the secret) takes it away.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from app.data.ticket_conversation import NOTE, REPLY
from app.ui.panels.tickets.draft_writer import DraftWriter
from app.ui.panels.tickets.reply_checks import ReplyWarning, check_reply, warning_html
from app.ui.panels.tickets.tinted_label import TintedLabel

#: Quiet time after the last keystroke before the draft is written.
DRAFT_DEBOUNCE_MS = 300
#: Lines of text the editor keeps however little room the composers get.
EDITOR_MIN_LINES = 3


def draft_key(ticket_id: str, kind: str) -> str:
    """The DraftStore key of a ticket's reply or note draft."""
    return f"ticket:{ticket_id}:{kind}"


def _blank(text: str) -> bool:
    return not text.strip()


class ComposerEditor(QPlainTextEdit):
    """Asks for `EDITOR_MIN_LINES` lines and takes whatever room is left beyond them."""

    def sizeHint(self) -> QSize:
        return QSize(super().sizeHint().width(), self.minimumSizeHint().height())

    def minimumSizeHint(self) -> QSize:
        return QSize(80, self.fontMetrics().lineSpacing() * EDITOR_MIN_LINES + 2 * self.frameWidth() + 8)


@dataclass(frozen=True)
class Notice:
    """The status line's message and the text it holds for (None: until the next attempt)."""

    text: str
    holds: Callable[[str], bool] | None = None


class Composer(QFrame):
    """A text box with Send, a draft that outlives the process, and a retry after failures."""

    sig_send = Signal(str, str, str)
    """Send now: (ticket id, text, idempotency key). Retries of the same text reuse the key."""
    sig_draft_changed = Signal(str, bool)
    """The ticket's draft was saved (ticket id, whether any text is kept)."""
    sig_draft_loaded = Signal(str, bool)
    """The ticket's saved draft is in the editor (ticket id, whether there was any)."""
    sig_cancel = Signal()
    """The user left the composer (Esc): give focus back to the list."""

    def __init__(self, kind: str, drafts: DraftWriter | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = kind
        self._drafts = drafts
        self._ticket_id: str | None = None
        self._pending_key: tuple[str, str] | None = None  # (text, idempotency key) of the last attempt
        self._confirmed_text: str | None = None
        self._can_write = True
        self._notice: Notice | None = None
        #: What the last check found in the text (kept up to date while it is shown).
        self.warnings: list[ReplyWarning] = []
        name = f"tickets.{kind}_composer"
        self.setObjectName(name)
        self.setFrameShape(QFrame.Shape.StyledPanel)

        title = "Reply to customer (visible to the customer)" if kind == REPLY else \
            "Internal note (only agents see it)"
        # The note composer's title wears the note amber, so nobody mistakes it for the reply box.
        self._title = TintedLabel("note", f"{name}.title", self, bold=True) if kind == NOTE else QLabel(self)
        self._title.setText(("↩ " if kind == REPLY else "✎ ") + title)
        self._title.setWordWrap(True)  # a narrow pane wraps it instead of widening the pane
        if kind == REPLY:
            self._title.setStyleSheet("font-weight:bold;")

        self.editor = ComposerEditor(self)
        self.editor.setObjectName(f"{name}.editor")
        self.editor.setAccessibleName(title)
        self.editor.setPlaceholderText("Write your reply…" if kind == REPLY else "Write a note for your colleagues…")
        self.editor.setTabChangesFocus(True)
        self.editor.textChanged.connect(self._on_text_changed)

        self.warning = TintedLabel("error", f"{name}.warning", self, text_format=Qt.TextFormat.RichText)
        self.warning.hide()
        self.send_anyway = QPushButton("Send anyway", self)
        self.send_anyway.setObjectName(f"{name}.send_anyway")
        self.send_anyway.clicked.connect(self._on_send_anyway)
        self.send_anyway.hide()

        self.status = QLabel(self)
        self.status.setObjectName(f"{name}.status")
        self.status.setWordWrap(True)
        self.retry = QPushButton("Retry", self)
        self.retry.setObjectName(f"{name}.retry")
        self.retry.clicked.connect(self._on_retry)
        self.retry.hide()
        self.send = QPushButton("Send reply" if kind == REPLY else "Add note", self)
        self.send.setObjectName(f"{name}.send")
        self.send.clicked.connect(self._on_send_clicked)

        #: Notes only: pin the note on top of the conversation.
        self.pin = QCheckBox("Pin on top", self)
        self.pin.setObjectName(f"{name}.pin")
        self.pin.setVisible(kind == NOTE)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.pin)
        buttons.addWidget(self.send_anyway)
        buttons.addWidget(self.retry)
        buttons.addWidget(self.send)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addWidget(self._title)
        layout.addWidget(self.editor, 1)
        layout.addWidget(self.warning)
        layout.addLayout(buttons)

        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(DRAFT_DEBOUNCE_MS)
        self._save_timer.timeout.connect(self.save_draft)
        send_key = QShortcut(QKeySequence("Ctrl+Return"), self.editor)
        send_key.setContext(Qt.ShortcutContext.WidgetShortcut)
        send_key.activated.connect(self._on_send_clicked)
        leave = QShortcut(QKeySequence(Qt.Key.Key_Escape), self.editor)
        leave.setContext(Qt.ShortcutContext.WidgetShortcut)
        leave.activated.connect(self.sig_cancel)

    # ---- ticket and draft -------------------------------------------------------------------
    @property
    def ticket_id(self) -> str | None:
        return self._ticket_id

    def text(self) -> str:
        return self.editor.toPlainText()

    def has_draft(self) -> bool:
        return bool(self.text().strip())

    @property
    def loading(self) -> bool:
        """The ticket's saved draft is still being read (the editor is read-only meanwhile)."""
        return self.editor.isReadOnly()

    def set_ticket(self, ticket_id: str | None) -> None:
        """Show the draft of another ticket (the current one's draft is saved first)."""
        if ticket_id == self._ticket_id:
            return
        self.save_draft()
        self._ticket_id = ticket_id
        self._pending_key = None
        self._confirmed_text = None
        self._clear_warning()
        self.set_busy(False)  # a send still running belongs to the previous ticket
        self.retry.hide()
        self._set_notice(None)
        self.editor.blockSignals(True)
        self.editor.clear()
        self.editor.blockSignals(False)
        if ticket_id and self._drafts is not None:
            self.editor.setReadOnly(True)
            self._drafts.load(draft_key(ticket_id, self.kind),
                              lambda text: self._on_draft_loaded(ticket_id, text),
                              lambda error: self._on_draft_loaded(ticket_id, None, error))

    def _on_draft_loaded(self, ticket_id: str, text: str | None, error: BaseException | None = None) -> None:
        if not isValid(self) or ticket_id != self._ticket_id:
            return
        self.editor.setReadOnly(False)
        self.editor.blockSignals(True)
        self.editor.setPlainText(text or "")
        self.editor.blockSignals(False)
        if error is not None:
            self._set_notice(Notice(f"The saved draft could not be read ({error})."))
        elif text:
            self._set_notice(Notice("Draft restored.", lambda now, restored=text: now == restored))
        self.sig_draft_loaded.emit(ticket_id, bool(text))

    def save_draft(self) -> None:
        """Queue writing the draft now (the debounce timer calls this; so does switching tickets)."""
        self._save_timer.stop()
        if self._ticket_id and self._drafts is not None and not self.editor.isReadOnly():
            ticket_id = self._ticket_id
            self._drafts.save(draft_key(ticket_id, self.kind), self.text(),
                              lambda error: self._on_draft_not_saved(ticket_id, error),
                              lambda: self._on_draft_saved(ticket_id))
            self.sig_draft_changed.emit(ticket_id, bool(self.text()))

    _NOT_SAVED = "The draft could not be saved"

    def _on_draft_not_saved(self, ticket_id: str, error: BaseException) -> None:
        if isValid(self) and ticket_id == self._ticket_id:
            self._set_notice(Notice(f"{self._NOT_SAVED} ({error}); keep this window open."))

    def _on_draft_saved(self, ticket_id: str) -> None:
        if isValid(self) and ticket_id == self._ticket_id and self._notice is not None \
                and self._notice.text.startswith(self._NOT_SAVED):
            self._set_notice(None)  # a later save got through: the warning no longer holds

    def _on_text_changed(self) -> None:
        self._save_timer.start()
        text = self.text()
        if self.warnings and text != self._confirmed_text:
            self.warnings = check_reply(text)  # the warning is about this text, as it is now
            if self.warnings:
                self._show_warning()
            else:
                self._clear_warning()
        self._recheck_notice()

    def _recheck_notice(self) -> None:
        """Drop the status line's message once it no longer holds for the text as it is."""
        if self._notice is not None and self._notice.holds is not None and not self._notice.holds(self.text()):
            self._set_notice(None)
            self.retry.hide()  # nothing left to retry: the failed text is gone

    def _set_notice(self, notice: Notice | None) -> None:
        self._notice = notice
        self.status.setText(notice.text if notice is not None else "")

    # ---- sending ------------------------------------------------------------------------------
    def set_enabled_for_writing(self, enabled: bool, reason: str = "") -> None:
        """Offline or without the scope: the text stays editable (drafts), Send is disabled."""
        self._can_write = enabled
        self.send.setEnabled(enabled)
        self.send.setToolTip("" if enabled else reason)

    def set_busy(self, busy: bool) -> None:
        self.send.setEnabled(not busy and self._can_write)
        self.retry.setEnabled(not busy)
        self.send_anyway.setEnabled(not busy)
        if busy:
            self._set_notice(Notice("Sending…" if self.kind == REPLY else "Saving note…"))

    def _on_send_clicked(self) -> None:
        if self.send.isEnabled():
            self._attempt()

    def _attempt(self) -> None:
        if self._ticket_id is None:
            return
        text = self.text()
        if not text.strip():
            self._set_notice(Notice("Nothing to send yet: write something first.", _blank))
            return
        if self.kind == REPLY and text != self._confirmed_text:
            self.warnings = check_reply(text)
            if self.warnings:
                self._show_warning()
                self._set_notice(Notice("Not sent: review the warning.", lambda _text: bool(self.warnings)))
                return
        self._emit_send(text)

    def _on_send_anyway(self) -> None:
        self._confirmed_text = self.text()
        self._clear_warning()
        self._emit_send(self._confirmed_text)

    def _on_retry(self) -> None:
        # Retry is offered after a failure even while the panel thinks it is offline: it is how
        # the agent finds out the server is back.
        self.retry.hide()
        self._attempt()

    def _emit_send(self, text: str) -> None:
        self.save_draft()
        if self._pending_key is None or self._pending_key[0] != text:
            self._pending_key = (text, f"opsdesk-{self.kind}-{uuid.uuid4()}")
        self.sig_send.emit(self._ticket_id, text, self._pending_key[1])

    def _show_warning(self) -> None:
        self.warning.setText(warning_html(self.warnings))
        self.warning.show()
        self.send_anyway.show()

    def _clear_warning(self) -> None:
        self.warnings = []
        self.warning.hide()
        self.send_anyway.hide()
        self._recheck_notice()

    # ---- outcomes from the panel ----------------------------------------------------------------
    def sent(self, ticket_id: str, message: str | None = None) -> None:
        """The server (or, for a note, the outbox) has it: forget the text and its draft."""
        if self._drafts is not None:
            self._drafts.delete(draft_key(ticket_id, self.kind))
        self.sig_draft_changed.emit(ticket_id, False)
        if ticket_id != self._ticket_id:
            return
        self._save_timer.stop()
        self._pending_key = None
        self._confirmed_text = None
        self.editor.blockSignals(True)
        self.editor.clear()
        self.editor.blockSignals(False)
        self.set_busy(False)
        self.retry.hide()
        self.pin.setChecked(False)
        self._set_notice(Notice(message or ("Sent." if self.kind == REPLY else "Note added."), _blank))

    def failed(self, ticket_id: str, message: str) -> None:
        """Not sent: the text and its draft stay; Retry sends the same text with the same key."""
        if ticket_id != self._ticket_id:
            return
        self.set_busy(False)
        self._set_notice(Notice(f"Not sent: {message} Your text is kept.", lambda text: not _blank(text)))
        self.retry.show()

    def hold_for_online(self, ticket_id: str, idempotency_key: str, message: str, *, retry: bool) -> None:
        """A reply written offline waits here (its draft is marked to send when online): say where it
        stands; its Send goes with the key minted when the agent first pressed it, unless the text was
        changed since. `retry` offers Retry, the agent's way to ask whether the server is back."""
        if ticket_id != self._ticket_id or self.loading:
            return
        if self._pending_key is None:
            self._pending_key = (self.text(), idempotency_key)
        self._set_notice(Notice(message, lambda text: not _blank(text)))
        self.retry.setVisible(retry)

    def held(self, ticket_id: str, message: str) -> None:
        """Not sent because the ticket changed: the text stays, Send again after reviewing."""
        if ticket_id != self._ticket_id:
            return
        self.set_busy(False)
        self._set_notice(Notice(message, lambda text: not _blank(text)))
