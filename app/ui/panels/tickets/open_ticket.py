"""The ticket open in the detail pane: its conversation (cached first, then the server's), what the
agent has seen of it (the snapshot a reply is checked against), replies and notes, field changes.

The panel hands over the list's current ticket. Its conversation loads after a quiet moment, so
holding j loads only the ticket the agent stops on. The detail follows the ticket store: a poll or
a colleague's change that the store takes shows at once. Requests from the composers and pickers
become store calls here, and their outcomes are shown in the composers and the panel's banner.

Offline, a field change and a note wait in the outbox (the ticket shows ⇪); a reply is kept as
the agent's draft, marked "send when online" (`waiting_replies`): once the server answers, the
composer says so and the agent's Send runs the checks and the collision check like any reply.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from PySide6.QtCore import QObject, QTimer

from app.api import errors
from app.api.models import Ticket
from app.data.record_store import Queued, StoreChange
from app.data.ticket_conversation import REPLY, ActivitySnapshot, Conversation
from app.data.tickets import Refused
from app.ui.error_messages import describe, request_id_of
from app.ui.labels import label
from app.ui.module_panel import ModulePanel
from app.ui.panels.tickets.composer import Composer
from app.ui.panels.tickets.refusals import status_refusal
from app.ui.panels.tickets.ticket_detail import NEW_ACTIVITY_TEXT, TicketDetail
from app.ui.panels.tickets.timeline import build_timeline
from app.ui.store_binding import bind

log = logging.getLogger(__name__)

#: Quiet time on a ticket before its conversation loads (j/k through a list stays light).
OPEN_DELAY_MS = 120
OFFLINE_REPLY_TEXT = ("the server cannot be reached. The reply stays a draft, marked to send when online: "
                      "once the server answers, review the conversation and press Retry.")
READY_TEXT = "Back online: your reply written offline is ready. Review the conversation, then press Retry."
CONFLICT_TEXT = ("Someone else changed this ticket since you opened it; it now shows their version. "
                 "Apply your change again if it still makes sense.")


class OpenTicket(QObject):
    """Loads and shows the detail's ticket, and sends what is asked of it through the store."""

    def __init__(self, panel: ModulePanel, detail: TicketDetail) -> None:
        super().__init__(panel)
        self._panel = panel
        self._store = panel.stores.tickets
        self._contacts = panel.stores.contacts
        self._detail = detail
        self.ticket_id: str | None = None
        #: What the agent has seen of the open ticket (collision safety for replies).
        self.snapshot: ActivitySnapshot | None = None
        self._contact_names: dict[str, str] = {}
        #: Tickets whose reply was written offline: a draft to send when online, on the agent's word.
        self.waiting_replies: set[str] = set()
        self._task: asyncio.Task | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(OPEN_DELAY_MS)
        self._timer.timeout.connect(self._start_loading)
        detail.sig_change.connect(self._on_field_change)
        for composer in (detail.reply_composer, detail.note_composer):
            composer.sig_send.connect(self._on_send)
        bind(self._store.changes, self, self._on_store_change)
        bind(panel.stores.connection.changes, self, lambda _state: self._on_connection())
        if self._store.outbox is not None:
            bind(self._store.outbox.changes, self, lambda _items: self._show_fields(self._detail.ticket))

    # ---- which ticket, and its conversation ---------------------------------------------------
    def show(self, ticket: Ticket | None) -> None:
        """The list's current ticket changed (or is the same one in a newer version)."""
        if ticket is not None and ticket.id == self.ticket_id:
            self._show_fields(ticket)
            return
        self.ticket_id = ticket.id if ticket else None
        self.snapshot = None
        self._show_fields(ticket)
        if self._task is not None and not self._task.done():
            self._task.cancel()  # the agent moved on: that thread is no longer wanted
        if ticket is not None:
            self._detail.conversation.show_entries([], empty_text="Loading the conversation…")
            self._timer.start()

    def _show_fields(self, ticket: Ticket | None) -> None:
        name = self._contact_names.get(ticket.contact_id) if ticket is not None and ticket.contact_id else None
        pending = ticket is not None and ticket.id in self._store.pending_ids()
        self._detail.show_ticket(ticket, contact_name=name, pending=pending)

    def _on_connection(self) -> None:
        """Back online: a reply written offline is ready, and waits for the agent's Send."""
        if self._store.online and self.ticket_id in self.waiting_replies:
            self._detail.reply_composer.ready_again(self.ticket_id, READY_TEXT)
        if self._store.online and self.waiting_replies:
            count = len(self.waiting_replies)
            self._panel.show_notice(f"Back online: {count} repl{'y' if count == 1 else 'ies'} written offline "
                                    "wait for you to review and press Send reply.", "info")

    def _on_store_change(self, change: StoreChange) -> None:
        if self.ticket_id is not None and (change.reset or self.ticket_id in change.upserted):
            held = self._store.held(self.ticket_id)
            if held is not None and held is not self._detail.ticket:
                self._show_fields(held)  # the open ticket's fields as they are now

    def _start_loading(self) -> None:
        if self.ticket_id is not None:
            self._task = self._panel.run(self._load(self.ticket_id), name=f"tickets.open.{self.ticket_id}")

    async def _load(self, ticket_id: str) -> None:
        conversations = self._store.conversations
        cached = await conversations.cached(ticket_id)
        if cached is not None and ticket_id == self.ticket_id:
            self._detail.show_conversation(build_timeline(*cached))
        try:
            conversation = await conversations.fetch(ticket_id)
        except errors.ApiConnectionError:
            if ticket_id == self.ticket_id and cached is None:
                self._detail.conversation.show_entries([], empty_text="Offline: this conversation is not cached.")
            raise
        if ticket_id != self.ticket_id:
            return
        self.show_now(conversation)
        await self._load_contact_name(conversation.ticket)

    def show_now(self, conversation: Conversation, *, new_ids: frozenset[str] = frozenset()) -> None:
        """Show the server's current state of the open ticket and remember it as seen."""
        ticket = conversation.ticket
        self._show_fields(self._store.held(ticket.id) or ticket)
        self._detail.show_conversation(build_timeline(conversation.messages, conversation.comments, new_ids))
        self.snapshot = ActivitySnapshot.of(ticket, conversation.messages, conversation.comments)

    async def _load_contact_name(self, ticket: Ticket) -> None:
        contact_id = ticket.contact_id
        if not contact_id or contact_id in self._contact_names:
            return
        try:
            contact = await self._contacts.cached(contact_id) or await self._contacts.fetch(contact_id)
        except Exception:  # the name is a nicety; the id is already shown
            log.debug("no name for contact %s", contact_id, exc_info=True)
            return
        self._contact_names[contact_id] = contact.name or contact_id
        if self.ticket_id == ticket.id and self._detail.ticket is not None:
            self._show_fields(self._detail.ticket)

    def own_write(self, before: Ticket, after: Ticket) -> None:
        """Our own change landed: it does not count as someone else's activity."""
        if self.snapshot is not None:
            self.snapshot = self.snapshot.after_own_write(before, after)

    # ---- replies and notes -----------------------------------------------------------------------
    def _on_send(self, ticket_id: str, text: str, idempotency_key: str) -> None:
        composer = self.sender()
        kind = composer.kind if isinstance(composer, Composer) else REPLY
        self._panel.run(self.send(kind, ticket_id, text, idempotency_key), name=f"tickets.send.{kind}.{ticket_id}")

    async def send(self, kind: str, ticket_id: str, text: str, idempotency_key: str) -> bool:
        """Send a reply (after the collision check) or a note; True once the server has it."""
        detail = self._detail
        composer = detail.reply_composer if kind == REPLY else detail.note_composer
        composer.set_busy(True)
        try:
            result = await self._store.conversations.send(kind, ticket_id, text, idempotency_key,
                                                          seen=self.snapshot, pinned=composer.pin.isChecked())
        except errors.ApiError as error:
            composer.failed(ticket_id, describe(error))
            self._panel.show_error(error)
            return False
        if result.waiting_online:
            self.waiting_replies.add(ticket_id)
            composer.failed(ticket_id, OFFLINE_REPLY_TEXT)
            return False
        if result.queued:
            composer.sent(ticket_id, "Offline: the note waits in the outbox (⇪) and is added when the server "
                                     "answers again.")
            self._show_fields(self._store.held(ticket_id))
            return False
        if not result.sent:
            if ticket_id == self.ticket_id and result.now is not None:
                self.show_now(result.now, new_ids=result.new_ids)
                detail.show_new_activity(True)
                detail.conversation.scroll_to_first_new()
            composer.held(ticket_id, NEW_ACTIVITY_TEXT + " Press Send reply again when ready.")
            return False
        composer.sent(ticket_id)
        self.waiting_replies.discard(ticket_id)
        if ticket_id == self.ticket_id:
            detail.show_new_activity(False)
            if result.now is not None:
                self.show_now(result.now)
        self._panel.show_notice("Reply sent to the customer." if kind == REPLY else "Internal note added.", "success")
        return True

    # ---- field changes ---------------------------------------------------------------------------
    def _on_field_change(self, ticket_id: str, changes: dict) -> None:
        self._panel.run(self.change(ticket_id, changes), name=f"tickets.change.{ticket_id}")

    async def change(self, ticket_id: str, changes: dict[str, Any]) -> Ticket | None:
        """Change fields of the ticket as the agent sees it; a colleague's change of other fields is
        merged in, of the same field it is shown instead and nothing is sent."""
        shown = self._detail.ticket
        base = shown if shown is not None and shown.id == ticket_id else self._store.held(ticket_id)
        if base is None:
            return None
        try:
            outcome = await self._store.change(base, changes)
        except errors.ApiError as error:
            if self._detail.ticket is not None and self._detail.ticket.id == ticket_id:
                self._show_fields(self._detail.ticket)  # put the pickers back to what is true
            refusal = status_refusal(error)
            if refusal:
                self._panel.banner.show_message("error", refusal, request_id_of(error))
            else:
                self._panel.show_error(error)
            return None
        if isinstance(outcome, Refused):
            await self._reload_after_conflict(ticket_id)
            self._panel.banner.show_message("warning", CONFLICT_TEXT, outcome.request_id)
            return None
        saved = outcome.record
        if isinstance(outcome, Queued):
            self._panel.show_notice(f"Offline: {saved.subject} will be updated when the server answers again "
                                    "(waiting in the outbox, ⇪).", "info")
            return saved
        if not outcome.merged_from:  # merged: a colleague's change is in it, the next reply must show it first
            self.own_write(base, saved)
        what = ", ".join(f"{key.removesuffix('_id')} → {self._value_label(key, value)}" for key, value in changes.items())
        merged = (f" Kept a colleague's change to {', '.join(f.removesuffix('_id') for f in outcome.merged_from)}."
                  if outcome.merged_from else "")
        self._panel.show_notice(f"Updated {saved.subject}: {what}.{merged}", "success")
        return saved

    def _value_label(self, key: str, value: Any) -> str:
        if value is None:
            return "none"
        if key == "assignee_id":
            return self._store.member_name(value)
        if key == "queue_id":
            return self._store.queue_name(value)
        return label(key, str(value))

    async def _reload_after_conflict(self, ticket_id: str) -> None:
        conversation = await self._store.conversations.fetch(ticket_id)
        if ticket_id == self.ticket_id:
            seen = self.snapshot.seen_ids if self.snapshot else frozenset()
            fresh = frozenset(item.id for item in (*conversation.messages, *conversation.comments)) - seen
            self.show_now(conversation, new_ids=fresh if self.snapshot else frozenset())
