"""Ticket triage (`panel.tickets`): queues, the ticket list, the open ticket's conversation with
its reply and note composers, bulk changes and ticket creation — all usable by keyboard.

The panel coordinates; the pieces beside it draw. Every write goes through the client with the
ticket's version as If-Match; a reply is sent only after a fresh look at the ticket shows nothing
new since the agent opened it (otherwise it is held and the new activity shown first).
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any, ClassVar

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QSplitter, QVBoxLayout, QWidget
from shiboken6 import isValid

from app.api import errors
from app.ui.error_messages import describe
from app.ui.module_panel import ModulePanel
from app.ui.panel_context import PanelContext
from app.ui.panels.tickets.activity import ActivitySnapshot
from app.ui.panels.tickets.bulk_actions import BulkBar
from app.ui.panels.tickets.bulk_update import BulkResult, apply_bulk
from app.ui.panels.tickets.composer import NOTE, REPLY, Composer
from app.ui.panels.tickets.create_dialog import CreateTicketDialog
from app.ui.panels.tickets.draft_writer import DraftWriter
from app.ui.panels.tickets.queue_list import QueueList
from app.ui.panels.tickets.records import as_record
from app.ui.panels.tickets.reply_flow import send_written
from app.ui.panels.tickets.shortcuts_help import ShortcutsDialog
from app.ui.panels.tickets.sla import as_datetime
from app.ui.panels.tickets.ticket_data import (
    Conversation,
    cached_conversation,
    cached_workload,
    fetch_changed_tickets,
    fetch_conversation,
    fetch_workload,
    store,
)
from app.ui.panels.tickets.ticket_detail import NEW_ACTIVITY_TEXT, TicketDetail
from app.ui.panels.tickets.ticket_filters import open_counts_by_queue
from app.ui.panels.tickets.ticket_list import TicketList
from app.ui.panels.tickets.timeline import build_timeline

#: Quiet time on a ticket before its conversation loads (j/k through a list stays light).
OPEN_DELAY_MS = 120
#: How often the list asks the server what changed while the panel is shown.
POLL_INTERVAL_MS = 30_000
OFFLINE_TEXT = ("Offline: showing cached tickets, read-only. Changes are disabled until the server "
                "answers again (checked every 30 s, or press Refresh). Drafts are still saved.")
WRITE_SCOPE = "support:write"


class TicketsPanel(ModulePanel):
    """The support desk's triage view."""

    module_name: ClassVar[str] = "tickets"
    title: ClassVar[str] = "Tickets"
    required_scope: ClassVar[str] = "support:read"

    def __init__(self, context: PanelContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self._offline_now = False
        self._scopes: frozenset[str] = frozenset(context.scopes)
        self._queues: list[dict[str, Any]] = []
        self._members: list[dict[str, Any]] = []
        self._contact_names: dict[str, str] = {}
        #: What the agent has seen of the open ticket (collision safety for replies).
        self.snapshot: ActivitySnapshot | None = None
        self._open_id: str | None = None
        self._bulk_task: asyncio.Task | None = None
        self._bulk_failed: set[str] = set()
        self.create_dialog: CreateTicketDialog | None = None
        self.shortcuts_dialog: ShortcutsDialog | None = None

        self.new_button = QPushButton("New ticket", self.body)
        self.new_button.setObjectName("tickets.new")
        self.new_button.setToolTip("Create a ticket (c)")
        self.new_button.clicked.connect(self.open_create_dialog)
        self.refresh_button = QPushButton("Refresh", self.body)
        self.refresh_button.setObjectName("tickets.refresh")
        self.refresh_button.clicked.connect(lambda: self.run(self.refresh(), name="tickets.refresh"))
        self.help_button = QPushButton("Shortcuts (?)", self.body)
        self.help_button.setObjectName("tickets.shortcuts")
        self.help_button.clicked.connect(self.show_shortcuts)

        self.queues = QueueList(self.body)
        self.tickets = TicketList(self.body)
        self.bulk = BulkBar(self.body)
        self.bulk.hide()
        #: Drafts are read and written on this panel's own worker thread, never on the Qt thread.
        self.drafts = DraftWriter(context.drafts) if context.drafts is not None else None
        if self.drafts is not None:
            self.destroyed.connect(self.drafts.close)
        self.detail = TicketDetail(self.drafts, self.body)

        middle = QWidget(self.body)
        middle_layout = QVBoxLayout(middle)
        middle_layout.setContentsMargins(0, 0, 0, 0)
        middle_layout.addWidget(self.tickets, 1)
        middle_layout.addWidget(self.bulk)
        self.split = QSplitter(Qt.Orientation.Horizontal, self.body)
        self.split.setObjectName("tickets.split")
        self.split.addWidget(self.queues)
        self.split.addWidget(middle)
        self.split.addWidget(self.detail)
        self.split.setStretchFactor(0, 0)
        self.split.setStretchFactor(1, 3)
        self.split.setStretchFactor(2, 3)
        self.split.setSizes([190, 560, 520])
        toolbar = QHBoxLayout()
        toolbar.addWidget(self.new_button)
        toolbar.addWidget(self.refresh_button)
        toolbar.addStretch(1)
        toolbar.addWidget(self.help_button)
        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(6, 0, 6, 6)
        layout.addLayout(toolbar)
        layout.addWidget(self.split, 1)

        self.queues.sig_queue_chosen.connect(self.tickets.set_queue)
        self.tickets.sig_current_changed.connect(self._on_current_ticket)
        self.tickets.sig_selection_changed.connect(self._on_selection)
        self.detail.sig_change.connect(self._on_field_change)
        for composer in (self.detail.reply_composer, self.detail.note_composer):
            composer.sig_send.connect(self._on_send)
            composer.sig_cancel.connect(self.tickets.table.setFocus)
            composer.sig_draft_changed.connect(self._on_draft_changed)
        self.bulk.sig_apply.connect(self._on_bulk_apply)
        self.bulk.sig_cancel.connect(self._on_bulk_cancel)
        self._install_shortcuts()
        self._update_writable()
        self._open_task: asyncio.Task | None = None
        # Holding j loads only the ticket the agent stops on, not every one passed on the way.
        self._open_timer = QTimer(self)
        self._open_timer.setSingleShot(True)
        self._open_timer.setInterval(OPEN_DELAY_MS)
        self._open_timer.timeout.connect(self._start_loading_open_ticket)
        self._polling = False
        self.poll_timer = QTimer(self)
        self.poll_timer.setObjectName("tickets.poll_timer")
        self.poll_timer.setInterval(POLL_INTERVAL_MS)
        self.poll_timer.timeout.connect(lambda: self.run(self.poll(), name="tickets.poll"))

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.poll_timer.start()

    def hideEvent(self, event) -> None:
        super().hideEvent(event)
        self.poll_timer.stop()

    # ---- keyboard -------------------------------------------------------------------------------
    def _install_shortcuts(self) -> None:
        bindings = {
            "j": lambda: self.tickets.move(1),
            "k": lambda: self.tickets.move(-1),
            "r": lambda: self.detail.open_composer(REPLY),
            "n": lambda: self.detail.open_composer(NOTE),
            "a": lambda: self.detail.pick("assignee_id"),
            "s": lambda: self.detail.pick("status"),
            "p": lambda: self.detail.pick("priority"),
            "q": lambda: self.detail.pick("queue_id"),
            "e": self.resolve_current,
            "c": self.open_create_dialog,
            "?": self.show_shortcuts,
        }
        self.shortcuts: dict[str, QShortcut] = {}
        for key, action in bindings.items():
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(action)
            self.shortcuts[key] = shortcut

    def show_shortcuts(self) -> None:
        if self.shortcuts_dialog is None:
            self.shortcuts_dialog = ShortcutsDialog(self)
        self.shortcuts_dialog.show()
        self.shortcuts_dialog.raise_()

    def resolve_current(self) -> None:
        ticket = self.detail.ticket
        if ticket is not None and self._writable() and ticket.get("status") not in ("resolved", "closed"):
            self._on_field_change(ticket["id"], {"status": "resolved"})

    # ---- loading -----------------------------------------------------------------------------
    async def activate(self) -> None:
        """Cached tickets at once, then the server's."""
        self._load_drafted()
        cached = await cached_workload(self.context.cache, self._on_cache_error)
        if cached.tickets or cached.queues:
            self._show_workload(cached.tickets, cached.queues, cached.members)
        await self.refresh()

    def _on_cache_error(self, message: str) -> None:
        self.show_notice(message, "warning")

    async def refresh(self) -> None:
        """Reload queues, members and tickets; a connection failure switches to read-only offline."""
        client = self.context.client
        if client is None:
            self.set_offline(True)
            return
        try:
            workload = await fetch_workload(client)
            if not self._scopes or self.tickets.me_id is None:
                me = as_record(await client.me.get())
                self._scopes = self._scopes or frozenset(me.get("scopes") or ())
                self.tickets.set_me(me.get("id"))
        except errors.ApiConnectionError as error:
            self.set_offline(True)
            self.banner.show_message("warning", f"{OFFLINE_TEXT} ({describe(error)})")
            return
        self.set_offline(False)
        self._show_workload(workload.tickets, workload.queues, workload.members)
        await store(self.context.cache, self._on_cache_error,
                    tickets=workload.tickets, queues=workload.queues, members=workload.members)

    @property
    def is_polling(self) -> bool:
        return self._polling

    async def poll(self) -> None:
        """What changed since the newest ticket we have: new tickets appear, changed ones update.

        While offline this is also the reconnect attempt: the first answer brings the panel back.
        """
        client = self.context.client
        if client is None or self._polling:
            return
        self._polling = True
        try:
            if self._offline_now or not self.tickets.all_tickets:
                await self.refresh()
                return
            since = max((t.get("updated_at") or "" for t in self.tickets.all_tickets), default="")
            try:
                changed = await fetch_changed_tickets(client, as_datetime(since))
            except errors.ApiConnectionError:
                self.set_offline(True)
                return
            for ticket in changed:
                self.tickets.upsert(ticket)
            current = self.tickets.current_ticket()
            if current is not None and current["id"] == self._open_id and current["id"] in {t["id"] for t in changed}:
                self._on_current_ticket(current)  # the open ticket's fields as they are now
            if changed:
                self._update_counts()
                await store(self.context.cache, self._on_cache_error, tickets=changed)
        finally:
            self._polling = False

    def _show_workload(self, tickets: list[dict], queues: list[dict], members: list[dict]) -> None:
        if queues:
            self._queues = queues
            self.queues.set_queues(queues)
        if members:
            self._members = members
        self.tickets.set_names(members={m["id"]: m.get("name") or m["id"] for m in self._members},
                               queues={q["id"]: q.get("name") or q["id"] for q in self._queues})
        self.detail.set_choices(queues=self._queues, members=self._members)
        self.bulk.set_choices(queues=self._queues, members=self._members)
        self.detail.conversation.set_author_names(self._author_name)
        self.tickets.set_tickets(tickets)
        self._update_counts()
        if self.tickets.current_ticket() is None and self.tickets.model.rowCount():
            self.tickets.move(0)

    def _load_drafted(self) -> None:
        if self.drafts is not None:
            self.drafts.list("ticket:", self._show_drafted)

    def _show_drafted(self, drafts: list) -> None:
        if isValid(self):
            self.tickets.set_drafted(self.tickets.drafted | {draft.key.split(":")[1] for draft in drafts})

    def _on_draft_changed(self, ticket_id: str, has_text: bool) -> None:
        if has_text:
            drafted = self.tickets.drafted | {ticket_id}
        else:
            other = self.detail.note_composer if self.sender() is self.detail.reply_composer else self.detail.reply_composer
            keeps_other = other.ticket_id == ticket_id and other.has_draft()
            drafted = self.tickets.drafted if keeps_other else self.tickets.drafted - {ticket_id}
        self.tickets.set_drafted(drafted)

    def _author_name(self, author_id: str | None) -> str:
        for member in self._members:
            if member["id"] == author_id:
                return member.get("name") or author_id
        return author_id or ""

    def _update_counts(self) -> None:
        self.queues.set_counts(open_counts_by_queue(self.tickets.all_tickets))

    async def open_record(self, ticket_id: str) -> None:
        """Show one ticket (the command palette's jump): clear filters that hide it, fetch it if needed."""
        if not any(t["id"] == ticket_id for t in self.tickets.all_tickets):
            cached = None
            if self.context.cache is not None:
                cached = await self.context.cache.get_record("tickets", ticket_id)
            if cached is None and self.context.client is not None:
                cached = as_record(await self.context.client.tickets.get(ticket_id))
            if cached is None:
                return
            self.tickets.upsert(cached)
        self.queues.choose(None)
        self.tickets.show_everything()
        self.tickets.select_ids({ticket_id}, current_id=ticket_id)
        self.tickets.table.setFocus()

    # ---- offline and permissions -----------------------------------------------------------------
    def set_offline(self, offline: bool) -> None:
        """Read-only with a banner while the server cannot be reached."""
        was_offline, self._offline_now = self._offline_now, offline
        if offline:
            self.banner.show_message("warning", OFFLINE_TEXT)
        elif was_offline and self.banner.kind == "warning":
            self.banner.clear()
        self._update_writable()

    def _writable(self) -> bool:
        return not self._offline_now and (not self._scopes or WRITE_SCOPE in self._scopes)

    def _update_writable(self) -> None:
        writable = self._writable()
        reason = "Offline: read-only until the server answers." if self._offline_now else \
            f"This credential lacks the {WRITE_SCOPE} scope."
        self.detail.set_writable(writable, "" if writable else reason)
        self.new_button.setEnabled(writable)
        self.bulk.apply.setEnabled(writable)
        self.bulk.apply.setToolTip("" if writable else reason)

    # ---- the open ticket ---------------------------------------------------------------------------
    def _on_current_ticket(self, ticket: dict[str, Any] | None) -> None:
        if ticket is not None and ticket["id"] == self._open_id:
            self.detail.show_ticket(ticket, contact_name=self._contact_names.get(ticket.get("contact_id")))
            return
        self._open_id = ticket["id"] if ticket else None
        self.snapshot = None
        self.detail.show_ticket(ticket, contact_name=self._contact_names.get((ticket or {}).get("contact_id")))
        if self._open_task is not None and not self._open_task.done():
            self._open_task.cancel()  # the agent moved on: that thread is no longer wanted
        if ticket is not None:
            self.detail.conversation.show_entries([], empty_text="Loading the conversation…")
            self._open_timer.start()

    def _start_loading_open_ticket(self) -> None:
        if self._open_id is not None:
            self._open_task = self.run(self._load_conversation(self._open_id), name=f"tickets.open.{self._open_id}")

    async def _load_conversation(self, ticket_id: str) -> None:
        cached = await cached_conversation(self.context.cache, ticket_id, self._on_cache_error)
        if cached is not None and ticket_id == self._open_id:
            self.detail.show_conversation(build_timeline(*cached))
        client = self.context.client
        if client is None:
            return
        try:
            conversation = await fetch_conversation(client, ticket_id)
        except errors.ApiConnectionError:
            if ticket_id == self._open_id and cached is None:
                self.detail.conversation.show_entries([], empty_text="Offline: this conversation is not cached.")
            self.set_offline(True)
            return
        if ticket_id != self._open_id:
            return
        self._show_conversation(conversation)
        await store(self.context.cache, self._on_cache_error, tickets=[conversation.ticket],
                    ticket_messages=conversation.messages,
                    ticket_comments=conversation.comments)
        await self._load_contact_name(conversation.ticket)

    def _show_conversation(self, conversation: Conversation, *, new_ids: frozenset[str] = frozenset()) -> None:
        """Show the server's current state of the open ticket and remember it as seen."""
        ticket = conversation.ticket
        self.tickets.upsert(ticket)
        self.detail.show_ticket(ticket, contact_name=self._contact_names.get(ticket.get("contact_id")))
        self.detail.show_conversation(build_timeline(conversation.messages, conversation.comments, new_ids))
        self.snapshot = ActivitySnapshot.of(ticket, conversation.messages, conversation.comments)

    async def _load_contact_name(self, ticket: dict[str, Any]) -> None:
        contact_id = ticket.get("contact_id")
        if not contact_id or contact_id in self._contact_names or self.context.client is None:
            return
        try:
            contact = as_record(await self.context.client.contacts.get(contact_id))
        except errors.ApiError:
            return  # the name is a nicety; the id is already shown
        self._contact_names[contact_id] = contact.get("name") or contact_id
        if self._open_id == ticket["id"] and self.detail.ticket is not None:
            self.detail.show_ticket(self.detail.ticket, contact_name=self._contact_names[contact_id])

    # ---- field changes ------------------------------------------------------------------------------
    def _on_field_change(self, ticket_id: str, changes: dict) -> None:
        self.run(self.change_ticket(ticket_id, changes), name=f"tickets.change.{ticket_id}")

    async def change_ticket(self, ticket_id: str, changes: dict[str, Any]) -> dict[str, Any] | None:
        """PATCH with If-Match; on 412 show the server's version instead and say so."""
        if self.detail.ticket is not None and self.detail.ticket["id"] == ticket_id:
            ticket = self.detail.ticket  # If-Match is the version the agent is looking at
        else:
            ticket = next((t for t in self.tickets.all_tickets if t["id"] == ticket_id), None)
        if ticket is None or self.context.client is None:
            return None
        try:
            updated = as_record(await self.context.client.tickets.update(
                ticket_id, changes, if_match=ticket.get("version")))
        except errors.PreconditionFailed as error:
            await self._reload_after_conflict(ticket_id)
            self.banner.show_message("warning", "Someone else changed this ticket since you opened it; it now "
                                     "shows their version. Apply your change again if it still makes sense.",
                                     error.request_id)
            return None
        except errors.ApiError as error:
            if self.detail.ticket and self.detail.ticket["id"] == ticket_id:
                self.detail.show_ticket(self.detail.ticket)  # put the pickers back to what is true
            if isinstance(error, errors.ApiConnectionError):
                self.set_offline(True)
            self.show_error(error)
            return None
        self._apply_update(ticket, updated)
        what = ", ".join(f"{key.removesuffix('_id')} → {self._value_label(key, value)}" for key, value in changes.items())
        self.show_notice(f"Updated {updated.get('subject', ticket_id)}: {what}.", "success")
        await store(self.context.cache, self._on_cache_error, tickets=[updated])
        return updated

    def _value_label(self, key: str, value: Any) -> str:
        if value is None:
            return "none"
        if key == "assignee_id":
            return self._author_name(value)
        if key == "queue_id":
            return next((q.get("name") for q in self._queues if q["id"] == value), value)
        return str(value).replace("_", " ")

    def _apply_update(self, before: dict[str, Any], updated: dict[str, Any]) -> None:
        """Our own change landed: show it, and keep it from counting as someone else's activity."""
        self.tickets.upsert(updated)
        if self.snapshot is not None and self.snapshot.ticket_id == updated["id"] \
                and self.snapshot.version == before.get("version"):
            self.snapshot = replace(self.snapshot, version=updated.get("version"))
        if self.detail.ticket and self.detail.ticket["id"] == updated["id"]:
            self.detail.show_ticket(updated, contact_name=self._contact_names.get(updated.get("contact_id")))
        self._update_counts()

    async def _reload_after_conflict(self, ticket_id: str) -> None:
        conversation = await fetch_conversation(self.context.client, ticket_id)
        self.tickets.upsert(conversation.ticket)
        if ticket_id == self._open_id:
            seen = self.snapshot.seen_ids if self.snapshot else frozenset()
            fresh = frozenset(i["id"] for i in (*conversation.messages, *conversation.comments)) - seen
            self._show_conversation(conversation, new_ids=fresh if self.snapshot else frozenset())
        self._update_counts()

    # ---- replies and notes -------------------------------------------------------------------------
    def _on_send(self, ticket_id: str, text: str, idempotency_key: str) -> None:
        composer = self.sender()
        kind = composer.kind if isinstance(composer, Composer) else REPLY
        self.run(self.send(kind, ticket_id, text, idempotency_key), name=f"tickets.send.{kind}.{ticket_id}")

    async def send(self, kind: str, ticket_id: str, text: str, idempotency_key: str) -> bool:
        """Send a reply (after the collision check) or a note; True once the server has it."""
        composer = self.detail.reply_composer if kind == REPLY else self.detail.note_composer
        client = self.context.client
        composer.set_busy(True)
        try:
            if client is None:
                raise errors.ApiConnectionError("not connected")
            result = await send_written(client, kind, ticket_id, text, idempotency_key, seen=self.snapshot,
                                        pinned=composer.pin.isChecked())
        except errors.ApiError as error:
            composer.failed(ticket_id, describe(error))
            self.show_error(error)
            return False
        if not result.sent:
            if ticket_id == self._open_id:
                self._show_conversation(result.now, new_ids=result.new_ids)
                self.detail.show_new_activity(True)
                self.detail.conversation.scroll_to_first_new()
            composer.held(ticket_id, NEW_ACTIVITY_TEXT + " Press Send reply again when ready.")
            return False
        composer.sent(ticket_id)
        if self._offline_now:
            self.set_offline(False)
        if ticket_id == self._open_id:
            self.detail.show_new_activity(False)
            try:
                conversation = await fetch_conversation(client, ticket_id)
            except errors.ApiError:
                return True  # sent; the thread refreshes on the next open
            if ticket_id == self._open_id:
                self._show_conversation(conversation)
                self._update_counts()
                await store(self.context.cache, self._on_cache_error, tickets=[conversation.ticket],
                            ticket_messages=conversation.messages, ticket_comments=conversation.comments)
        self.show_notice("Reply sent to the customer." if kind == REPLY else "Internal note added.", "success")
        return True

    # ---- bulk changes ------------------------------------------------------------------------------
    def _on_selection(self, selected: list) -> None:
        running = self._bulk_task is not None and not self._bulk_task.done()
        ids = {ticket["id"] for ticket in selected}
        failures_in_view = bool(ids) and ids <= self._bulk_failed
        self.bulk.setVisible(len(selected) > 1 or running or failures_in_view)
        self.bulk.set_selection_count(len(selected))

    def _on_bulk_apply(self, field: str, value: Any) -> None:
        selected = self.tickets.selected_tickets()
        if len(selected) < 1 or not self._writable():
            return
        self._bulk_task = self.run(self.bulk_update(selected, {field: value}), name="tickets.bulk")

    def _on_bulk_cancel(self) -> None:
        if self._bulk_task is not None:
            self._bulk_task.cancel()

    async def bulk_update(self, selected: list[dict[str, Any]], changes: dict[str, Any]) -> list[BulkResult]:
        """Apply `changes` to every selected ticket; failures stay selected, each result is listed."""
        client = self.context.client
        by_id = {t["id"]: t for t in selected}
        done: list[BulkResult] = []

        def on_result(result: BulkResult) -> None:
            done.append(result)
            if result.ok:
                self._apply_update(by_id[result.ticket_id], as_record(result.ticket))
            self.bulk.report(result)

        async def update(ticket_id: str, patch: dict, version: int | None):
            return await client.tickets.update(ticket_id, patch, if_match=version)

        self.bulk.start(selected)
        cancelled = False
        try:
            try:
                await apply_bulk(update, selected, changes, on_result)
            except asyncio.CancelledError:
                cancelled = True
            stale = [r.ticket_id for r in done if isinstance(r.error, errors.PreconditionFailed)]
            if stale and not cancelled:
                await self._reload_tickets(stale)  # show what the colleague changed before any retry
        finally:
            failed = {r.ticket_id for r in done if not r.ok}
            if cancelled:
                failed |= set(by_id) - {r.ticket_id for r in done}
            self._bulk_failed = failed
            first_failed = next((r.ticket_id for r in done if not r.ok), None)
            self.tickets.select_ids(failed, current_id=first_failed)
            self.bulk.finish(done, cancelled=cancelled)
            self.bulk.show()
            self._update_writable()
            self._update_counts()
        if not cancelled:  # a cancelled task awaits nothing more (the panel may be closing)
            await store(self.context.cache, self._on_cache_error, tickets=[as_record(r.ticket) for r in done if r.ok])
        return done

    async def _reload_tickets(self, ticket_ids: list[str]) -> None:
        client = self.context.client
        fresh = await asyncio.gather(*(client.tickets.get(i) for i in ticket_ids), return_exceptions=True)
        for ticket in fresh:
            if not isinstance(ticket, BaseException):
                self.tickets.upsert(as_record(ticket))

    # ---- creating ------------------------------------------------------------------------------
    def open_create_dialog(self) -> None:
        if not self._writable():
            return
        if self.create_dialog is not None and self.create_dialog.isVisible():
            self.create_dialog.raise_()
            return
        dialog = CreateTicketDialog(self.context.client, self.context.tasks, self)
        dialog.sig_created.connect(self.tickets.upsert)
        dialog.sig_done.connect(self._on_ticket_created)
        self.create_dialog = dialog
        dialog.start(self._queues)

    def _on_ticket_created(self, ticket: dict[str, Any]) -> None:
        self.show_notice(f"Created ticket {ticket.get('subject')} ({ticket['id']}).", "success")
        self.tickets.choose_view("all")
        self.tickets.upsert(ticket)
        self.tickets.select_ids({ticket["id"]}, current_id=ticket["id"])
        self._update_counts()
        self.run(store(self.context.cache, self._on_cache_error, tickets=[ticket]), name="tickets.create.cache")
