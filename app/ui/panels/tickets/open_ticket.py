"""The ticket open in the detail pane: its conversation (cached first, then the server's), what the
agent has seen of it (the snapshot a reply is checked against), replies and notes, field changes.

The panel hands over the list's current ticket. Its conversation loads after a quiet moment, so
holding j loads only the ticket the agent stops on. The detail follows the ticket store: a poll or
a colleague's change that the store takes shows at once. Requests from the composers and pickers
become store calls here, and their outcomes are shown in the composers and the panel's banner.

Offline, a field change and a note wait in the outbox (the ticket shows ⇪); a reply is kept as
the agent's draft, marked "send when online" (`waiting_replies`, the mark stored on the draft so
it outlives a restart). Once the server answers and the ticket's own offline changes are sent,
the collision check runs by itself: the conversation as it is now, what came in since the reply
was written marked. The agent's one Send reply after that sends it, with the key minted when the
reply was first sent offline. A Send (or Retry) pressed before the check has run is checked against
what the agent had seen when writing: it sends if nothing is new, else it shows the news and waits.

Online, a reply's key is put on its draft on disk before its POST goes out. When no answer comes
(a timeout, the connection dropped after send) the server may have it: it waits like a reply written
offline, said to be "sent, never answered", and is sent again only with that key (also after a
restart), which the server keeps once. A 5xx answer counts as no answer: the server may have stored
the reply before it failed, so the mark and its key stay. An answer that refuses it (a 4xx) takes the
mark off; success deletes the draft and the mark with it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import QObject, QTimer

from app.api import errors
from app.api.models import Ticket
from app.data.record_store import Queued, StoreChange
from app.data.ticket_conversation import (
    REPLY,
    ActivitySnapshot,
    Conversation,
    new_activity,
)
from app.data.tickets import Refused
from app.ui.error_messages import describe, request_id_of
from app.ui.labels import label
from app.ui.module_panel import ModulePanel
from app.ui.panels.tickets.composer import Composer, draft_key
from app.ui.panels.tickets.draft_writer import DraftWriter
from app.ui.panels.tickets.refusals import status_refusal
from app.ui.panels.tickets.reply_wording import (
    CHECKING_TEXT,
    OFFLINE_REPLY_TEXT,
    OUTBOX_FIRST_TEXT,
    SERVER_FAILED_TEXT,
    UNANSWERED_CHECKING_TEXT,
    UNANSWERED_TEXT,
    UNANSWERED_UNREACHABLE_TEXT,
    WAITING_TEXT,
    ready_text,
)
from app.ui.panels.tickets.ticket_detail import NEW_ACTIVITY_TEXT, TicketDetail
from app.ui.panels.tickets.timeline import build_timeline
from app.ui.panels.tickets.waiting_reply import WaitingReply, waiting_replies
from app.ui.store_binding import bind

log = logging.getLogger(__name__)

#: Quiet time on a ticket before its conversation loads (j/k through a list stays light).
OPEN_DELAY_MS = 120
CONFLICT_TEXT = ("Someone else changed this ticket since you opened it; it now shows their version. "
                 "Apply your change again if it still makes sense.")


class OpenTicket(QObject):
    """Loads and shows the detail's ticket, and sends what is asked of it through the store."""

    def __init__(self, panel: ModulePanel, detail: TicketDetail, drafts: DraftWriter | None = None) -> None:
        super().__init__(panel)
        self._panel = panel
        self._drafts = drafts
        self._store = panel.stores.tickets
        self._contacts = panel.stores.contacts
        self._detail = detail
        self.ticket_id: str | None = None
        #: What the agent has seen of the open ticket (collision safety for replies).
        self.snapshot: ActivitySnapshot | None = None
        self._contact_names: dict[str, str] = {}
        #: Tickets whose reply was written offline: a draft to send when online, on the agent's word.
        self.waiting_replies: dict[str, WaitingReply] = {}
        #: The open ticket whose waiting reply's collision check the agent was shown, and what it said:
        #: the next Send reply sends it.
        self._checked: tuple[str, str] | None = None
        self._checking: set[str] = set()
        self._sending: set[str] = set()
        self._task: asyncio.Task | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(OPEN_DELAY_MS)
        self._timer.timeout.connect(self._start_loading)
        detail.sig_change.connect(self._on_field_change)
        for composer in (detail.reply_composer, detail.note_composer):
            composer.sig_send.connect(self._on_send)
        detail.reply_composer.sig_draft_loaded.connect(self._on_reply_draft_loaded)
        detail.reply_composer.sig_draft_changed.connect(self._on_reply_draft_changed)
        bind(self._store.changes, self, self._on_store_change)
        bind(panel.stores.connection.changes, self, lambda _state: self._on_connection())
        if self._store.outbox is not None:
            bind(self._store.outbox.changes, self, lambda _items: self._on_outbox_change())

    # ---- which ticket, and its conversation ---------------------------------------------------
    def show(self, ticket: Ticket | None) -> None:
        """The list's current ticket changed (or is the same one in a newer version)."""
        if ticket is not None and ticket.id == self.ticket_id:
            self._show_fields(ticket)
            return
        self.ticket_id = ticket.id if ticket else None
        self.snapshot = None
        self._checked = None  # coming back to a waiting reply checks the ticket again
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
        """Offline again: a check already shown may be out of date. Back online: waiting replies are checked."""
        if not self._store.online:
            self._checked = None
        self._update_waiting()
        if self._store.online and self.waiting_replies:
            self._panel.show_notice(f"Back online: {self._waiting_words()}, {self._waiting_origin()}: each is checked "
                                    f"against its ticket when you open it, then one Send reply sends it."
                                    f"{self._same_key_words()}", "info")

    def _on_outbox_change(self) -> None:
        self._show_fields(self._detail.ticket)
        self._update_waiting()  # the ticket's own offline changes are sent: its reply can be checked

    def _waiting_words(self) -> str:
        count = len(self.waiting_replies)
        return f"{count} repl{'y' if count == 1 else 'ies'} wait{'s' if count == 1 else ''} to be sent"

    def _waiting_origin(self) -> str:
        """How the waiting replies came to wait: a reply sent with no clear answer is never "written offline"."""
        unanswered = sum(waiting.unanswered for waiting in self.waiting_replies.values())
        if not unanswered:
            return "written offline"
        if unanswered == len(self.waiting_replies):
            return "sent once with no clear answer back"
        return "written offline or sent once with no clear answer back"

    def _same_key_words(self) -> str:
        if not any(waiting.unanswered for waiting in self.waiting_replies.values()):
            return ""
        return (" The server may already have a reply sent with no clear answer: Send reply makes sure, with the "
                "same key, so it is never posted twice.")

    def _on_store_change(self, change: StoreChange) -> None:
        if self.ticket_id is not None and (change.reset or self.ticket_id in change.upserted):
            held = self._store.held(self.ticket_id)
            if held is not None and held is not self._detail.ticket:
                self._show_fields(held)  # the open ticket's fields as they are now

    def _start_loading(self) -> None:
        if self.ticket_id is not None:
            self._task = self._panel.run(self._load(self.ticket_id), name=f"tickets.open.{self.ticket_id}")

    # ---- replies written offline --------------------------------------------------------------
    def restore_waiting(self, drafts: Iterable) -> None:
        """Replies written offline before the console last closed (marks on the saved drafts): shown as
        waiting again, and checked once the server answers."""
        restored = {ticket_id: waiting for ticket_id, waiting in waiting_replies(drafts).items()
                    if ticket_id not in self.waiting_replies}
        if not restored:
            return
        self.waiting_replies.update(restored)
        self._update_waiting()
        self._panel.show_notice(f"{self._waiting_words()}, {self._waiting_origin()}: open the ticket to see what "
                                f"is new, then confirm with Send reply.{self._same_key_words()}", "info")

    def _on_reply_draft_loaded(self, _ticket_id: str, _has_text: bool) -> None:
        self._update_waiting()

    def _on_reply_draft_changed(self, ticket_id: str, has_text: bool) -> None:
        # Sent or dropped (the editor emptied): the draft is gone, and its mark with it.
        if not has_text:
            self.waiting_replies.pop(ticket_id, None)
            self._forget_check(ticket_id)

    def _checked_text(self, ticket_id: str) -> str | None:
        """What the collision check shown for the ticket's waiting reply said, if it was shown."""
        return self._checked[1] if self._checked is not None and self._checked[0] == ticket_id else None

    def _forget_check(self, ticket_id: str) -> None:
        if self._checked_text(ticket_id) is not None:
            self._checked = None

    def _update_waiting(self) -> None:
        """Say where the open ticket's reply written offline stands; once the server answers and the
        ticket's own offline changes are sent, run its collision check (the agent then confirms once)."""
        ticket_id = self.ticket_id
        waiting = self.waiting_replies.get(ticket_id) if ticket_id is not None else None
        composer = self._detail.reply_composer
        if waiting is None or composer.ticket_id != ticket_id or composer.loading or ticket_id in self._sending:
            return
        key = waiting.idempotency_key
        if not self._store.online:
            composer.hold_for_online(ticket_id, key, UNANSWERED_TEXT if waiting.unanswered else WAITING_TEXT,
                                     retry=True)
        elif self._outbox_sends(ticket_id):
            composer.hold_for_online(ticket_id, key, OUTBOX_FIRST_TEXT, retry=False)
        elif (checked := self._checked_text(ticket_id)) is not None:
            composer.hold_for_online(ticket_id, key, checked, retry=False)
        else:
            composer.hold_for_online(ticket_id, key, UNANSWERED_CHECKING_TEXT if waiting.unanswered else CHECKING_TEXT,
                                     retry=False)
            if not self._loading():  # else the conversation's own load runs the check
                self._start_check(ticket_id)

    def _outbox_sends(self, ticket_id: str) -> bool:
        """Changes to the ticket made offline still wait to be sent (they land before its reply is checked)."""
        outbox = self._store.outbox
        return outbox is not None and any(item.waiting and item.resource == self._store.resource
                                          and item.record_id == ticket_id for item in outbox.items)

    def _loading(self) -> bool:
        return self._timer.isActive() or (self._task is not None and not self._task.done())

    def _start_check(self, ticket_id: str) -> None:
        if ticket_id not in self._checking:
            self._checking.add(ticket_id)
            self._panel.run(self._check_waiting(ticket_id), name=f"tickets.check_waiting.{ticket_id}")

    async def _check_waiting(self, ticket_id: str) -> None:
        """The collision check of a reply written offline: the ticket as the server has it now."""
        try:
            conversation = await self._store.conversations.fetch(ticket_id)
        except errors.ApiConnectionError:
            if ticket_id in self.waiting_replies:
                self._unreachable(ticket_id)
            raise
        finally:
            self._checking.discard(ticket_id)
        if ticket_id == self.ticket_id:
            self._show_checked(conversation)

    def _unreachable(self, ticket_id: str) -> None:
        """The server could not be asked about the ticket's waiting reply: "not sent" only if it never went out."""
        composer = self._detail.reply_composer
        waiting = self.waiting_replies.get(ticket_id)
        if waiting is not None and waiting.unanswered:
            composer.set_busy(False)
            composer.hold_for_online(ticket_id, waiting.idempotency_key, UNANSWERED_UNREACHABLE_TEXT, retry=True)
        else:
            composer.failed(ticket_id, OFFLINE_REPLY_TEXT)

    def _show_checked(self, conversation: Conversation) -> None:
        """Show the open ticket as it is now, with what came in since its waiting reply was written
        marked, and let the next Send reply send it (unless its own offline changes still wait)."""
        ticket_id = conversation.ticket.id
        waiting = self.waiting_replies.get(ticket_id)
        if waiting is None or self._outbox_sends(ticket_id):
            self.show_now(conversation)
            self._update_waiting()
            return
        seen = waiting.seen if waiting.seen is not None and waiting.seen.ticket_id == ticket_id else None
        change = new_activity(seen, conversation.ticket, conversation.messages, conversation.comments) if seen else None
        new_ids = frozenset(item.id for item in change.new_items) if change is not None else frozenset()
        self.show_now(conversation, new_ids=new_ids)
        self._detail.show_new_activity(change is not None and change.any)
        if new_ids:
            self._detail.conversation.scroll_to_first_new()
        self._checked = (ticket_id, ready_text(change, waiting.unanswered))
        self._update_waiting()

    def _keep_waiting(self, ticket_id: str, idempotency_key: str, *, unanswered: bool = False) -> None:
        """Mark the reply's draft "send when online", with its key and what the agent had seen
        (`unanswered`: its POST went out and no answer came; that stays true while the key is the same)."""
        seen = self.snapshot if self.snapshot is not None and self.snapshot.ticket_id == ticket_id else None
        earlier = self.waiting_replies.get(ticket_id)
        unanswered = unanswered or (earlier is not None and earlier.idempotency_key == idempotency_key
                                    and earlier.unanswered)
        waiting = WaitingReply(idempotency_key, seen or (earlier.seen if earlier is not None else None), unanswered)
        self.waiting_replies[ticket_id] = waiting
        self._forget_check(ticket_id)
        if self._drafts is not None:  # queued after the save the Send made, so the draft is there to mark
            self._drafts.mark(draft_key(ticket_id, REPLY), waiting.to_mark())

    async def _mark_before_posting(self, ticket_id: str, idempotency_key: str, seen: ActivitySnapshot | None) -> None:
        """Put the reply's key on its draft on disk before the POST can go out: if no answer comes
        and the console closes, the next session sends it with the same key (the server keeps one)."""
        if self._drafts is None:
            return
        mine = seen if seen is not None and seen.ticket_id == ticket_id else None
        marked = self._drafts.mark(draft_key(ticket_id, REPLY), WaitingReply(idempotency_key, mine, True).to_mark())
        # A failed write is logged by the writer; the send goes on (Retry here still reuses the key).
        await asyncio.wait([asyncio.wrap_future(marked)])

    def _unmark_not_taken(self, ticket_id: str, waiting: WaitingReply | None) -> None:
        """The server answered without taking the reply: its draft waits only if it waited before."""
        if self._drafts is not None:
            self._drafts.mark(draft_key(ticket_id, REPLY), waiting.to_mark() if waiting is not None else None)

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
        if ticket_id in self.waiting_replies and self._store.online:
            self._show_checked(conversation)  # this fresh look is the waiting reply's collision check
        else:
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
        waiting = self.waiting_replies.get(ticket_id) if kind == REPLY else None
        seen = self.snapshot
        if waiting is not None:
            if self._store.online and self._outbox_sends(ticket_id):
                composer.hold_for_online(ticket_id, waiting.idempotency_key, OUTBOX_FIRST_TEXT, retry=False)
                return False
            if self._checked_text(ticket_id) is None:
                seen = waiting.seen  # not checked yet: against what the agent had seen when writing it
        composer.set_busy(True)
        self._sending.add(ticket_id)
        try:
            if kind == REPLY:
                await self._mark_before_posting(ticket_id, idempotency_key, seen)
            result = await self._store.conversations.send(kind, ticket_id, text, idempotency_key,
                                                          seen=seen, pinned=composer.pin.isChecked())
        except (errors.ApiConnectionError, errors.ServerError) as error:
            if kind != REPLY:
                composer.failed(ticket_id, describe(error))
                self._panel.show_error(error)
                return False
            # No answer, or a 5xx (the server may have stored it before failing): it waits with this
            # key, in memory and on disk; the server keeps one reply per key, so sending again is safe.
            self._sending.discard(ticket_id)
            self._keep_waiting(ticket_id, idempotency_key, unanswered=True)
            composer.set_busy(False)
            failed = isinstance(error, errors.ServerError)
            composer.hold_for_online(ticket_id, idempotency_key, SERVER_FAILED_TEXT if failed else UNANSWERED_TEXT,
                                     retry=True)
            if failed:
                self._panel.show_error(error)  # its request id, for support
            return False
        except errors.ApiError as error:
            if kind == REPLY:
                self._unmark_not_taken(ticket_id, waiting)
            composer.failed(ticket_id, describe(error))
            self._panel.show_error(error)
            return False
        finally:
            self._sending.discard(ticket_id)
        if result.waiting_online:
            self._keep_waiting(ticket_id, idempotency_key)
            self._unreachable(ticket_id)
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
            self._unmark_not_taken(ticket_id, waiting)
            held_text = NEW_ACTIVITY_TEXT + " Press Send reply again when ready."
            composer.held(ticket_id, held_text)
            if waiting is not None and ticket_id == self.ticket_id and result.now is not None:
                self._checked = (ticket_id, held_text)  # the agent has now been shown what is new
            return False
        composer.sent(ticket_id)  # the draft is deleted, and its "send when online" mark with it
        if kind == REPLY:
            self.waiting_replies.pop(ticket_id, None)
            self._forget_check(ticket_id)
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
