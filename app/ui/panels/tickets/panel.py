"""Ticket triage (`panel.tickets`): queues, the ticket list, the open ticket's conversation with
its reply and note composers, bulk changes and ticket creation — all usable by keyboard.

The panel is a view over the ticket store (`stores.tickets`): it builds the widgets, binds them to
the store, and turns what the agent does into store calls. The list, the queue counts and the
open ticket follow the store's changes; the open ticket's flows live in `open_ticket`. The server
filters, pages and counts the list (`ticket_paging`); the cache is the first paint and, offline,
what is searched. Offline, field changes and notes wait in the outbox (⇪) and a reply stays a
draft to send when online; without `support:write` everything stays readable and drafts keep
being saved, but nothing is sent.
"""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget
from shiboken6 import isValid

from app.api import errors
from app.api.models import Ticket
from app.data.identity import Identity
from app.data.record_store import StoreChange
from app.data.ticket_bulk import BulkResult
from app.data.ticket_conversation import NOTE, REPLY, ActivitySnapshot
from app.data.tickets import is_open
from app.ui.module_panel import ModulePanel
from app.ui.panel_context import PanelContext
from app.ui.panels.tickets.bulk_actions import BulkBar
from app.ui.panels.tickets.create_dialog import CreateTicketDialog
from app.ui.panels.tickets.draft_writer import DraftWriter
from app.ui.panels.tickets.open_ticket import OpenTicket
from app.ui.panels.tickets.queue_list import QueueList
from app.ui.panels.tickets.shortcuts_help import ShortcutsDialog
from app.ui.panels.tickets.ticket_detail import TicketDetail
from app.ui.panels.tickets.ticket_list import TicketList
from app.ui.panels.tickets.triage_split import TriageSplit
from app.ui.store_binding import bind

#: How often the list asks the server what changed while the panel is shown.
POLL_INTERVAL_MS = 30_000


class TicketsPanel(ModulePanel):
    """The support desk's triage view."""

    module_name: ClassVar[str] = "tickets"
    title: ClassVar[str] = "Tickets"
    required_scope: ClassVar[str] = "support:read"
    write_scope: ClassVar[str] = "support:write"
    @property
    def offline_text(self) -> str:  # type: ignore[override]  (it depends on the profile's outbox)
        if self.queues_offline:
            return ("Offline: showing cached tickets (checked every 30 s, or press Refresh). Status, priority, "
                    "assignee, queue and notes still save; a reply stays a draft until you send it online.")
        return ("Offline: showing cached tickets, read-only. Changes are disabled until the server answers "
                "again (checked every 30 s, or press Refresh). Drafts are still saved.")

    def __init__(self, context: PanelContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        store = self.stores.tickets
        self._bulk_task: asyncio.Task | None = None
        self._bulk_failed: set[str] = set()
        self._cache_notice: str | None = None
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

        self.queues = QueueList(store, self.body)
        self.tickets = TicketList(store, self.body, spawn=self.run)
        self.bulk = BulkBar(self.body)
        self.bulk.hide()
        #: Drafts are read and written on this panel's own worker thread, never on the Qt thread.
        self.drafts = DraftWriter(context.drafts) if context.drafts is not None else None
        if self.drafts is not None:
            self.destroyed.connect(self.drafts.close)
        self.detail = TicketDetail(self.drafts, self.body)
        self.open_ticket = OpenTicket(self, self.detail, self.drafts)
        self._lay_out()

        self.queues.sig_queue_chosen.connect(self.tickets.set_queue)
        self.tickets.sig_current_changed.connect(self.open_ticket.show)
        self.tickets.sig_selection_changed.connect(self._on_selection)
        self.tickets.sig_rows_shown.connect(self._open_first)
        for composer in (self.detail.reply_composer, self.detail.note_composer):
            composer.sig_cancel.connect(self.tickets.table.setFocus)
            composer.sig_draft_changed.connect(self._on_draft_changed)
        self.bulk.sig_apply.connect(self._on_bulk_apply)
        self.bulk.sig_cancel.connect(self._on_bulk_cancel)
        bind(store.changes, self, self._on_store_change)
        bind(store.cache_problems, self, self._on_cache_problem)
        bind(self.stores.identity.changes, self, self._on_identity)
        if self.stores.outbox is not None:  # the ⇪ marks follow what waits to be sent
            bind(self.stores.outbox.changes, self, lambda _items: self.tickets.model.refresh_cells())
        self._install_shortcuts()
        self._polling = False
        self.poll_timer = QTimer(self)
        self.poll_timer.setObjectName("tickets.poll_timer")
        self.poll_timer.setInterval(POLL_INTERVAL_MS)
        self.poll_timer.timeout.connect(lambda: self.run(self.poll(), name="tickets.poll"))
        self._on_store_change(StoreChange(reset=True))
        if self.stores.identity.current is not None:
            self._on_identity(self.stores.identity.current)

    def _lay_out(self) -> None:
        middle = QWidget(self.body)
        middle_layout = QVBoxLayout(middle)
        middle_layout.setContentsMargins(0, 0, 0, 0)
        middle_layout.addWidget(self.queues)
        middle_layout.addWidget(self.tickets, 1)
        middle_layout.addWidget(self.bulk)
        self.split = TriageSplit(middle, self.tickets, self.detail, self.body)
        toolbar = QHBoxLayout()
        toolbar.addWidget(self.new_button)
        toolbar.addWidget(self.refresh_button)
        toolbar.addStretch(1)
        toolbar.addWidget(self.help_button)
        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(6, 0, 6, 6)
        layout.addLayout(toolbar)
        layout.addWidget(self.split, 1)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.poll_timer.start()

    def hideEvent(self, event) -> None:
        super().hideEvent(event)
        self.poll_timer.stop()

    async def shutdown(self) -> None:
        """Before the session closes the drafts file: what was typed within the debounce is saved,
        and every queued draft write lands (bounded, the loop keeps running)."""
        if self.drafts is not None:
            for composer in (self.detail.reply_composer, self.detail.note_composer):
                composer.save_draft()
            await self.drafts.aclose()

    @property
    def snapshot(self) -> ActivitySnapshot | None:
        """What the agent has seen of the open ticket (a reply is checked against it)."""
        return self.open_ticket.snapshot

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
        if ticket is not None and self.editable and is_open(ticket):
            self.run(self.open_ticket.change(ticket.id, {"status": "resolved"}), name=f"tickets.change.{ticket.id}")

    # ---- loading -----------------------------------------------------------------------------
    async def activate(self) -> None:
        """Cached tickets at once, then the server's."""
        self._load_drafted()
        await self.stores.tickets.load_cached()
        await self.refresh()

    async def refresh(self) -> None:
        """Queues, members and counts, then the list's first page, from the server; unreachable,
        the offline strip says so and the list is the cache's."""
        try:
            await self.stores.tickets.refresh()
            await self.tickets.reload()
        except errors.ApiError as error:
            self.show_error(error)

    @property
    def is_polling(self) -> bool:
        return self._polling

    async def poll(self) -> None:
        """What changed since the newest ticket held: new tickets appear, changed ones update.

        While offline this is also the reconnect attempt: the first answer brings the panel back.
        """
        if self._polling:
            return
        self._polling = True
        try:
            if self.offline or self.stores.tickets.everything.source != "server":
                await self.refresh()
            else:
                await self.stores.tickets.poll()
        except errors.ApiError as error:
            self.show_error(error)
        finally:
            self._polling = False

    def _on_store_change(self, change: StoreChange) -> None:
        if not change.reset:
            return
        store = self.stores.tickets
        self.detail.set_choices(queues=store.queues, members=store.members)
        self.bulk.set_choices(queues=store.queues, members=store.members)
        self.detail.conversation.set_author_names(store.member_name)
        self._open_first()

    def _open_first(self) -> None:
        """Nothing open yet: the first ticket opens on its own."""
        if self.detail.ticket is None and self.tickets.current_ticket() is None and self.tickets.model.rowCount():
            self.tickets.move(0)

    def _on_cache_problem(self, problem: str | None) -> None:
        """The cache's trouble is shown while it lasts, and taken away once the cache works again."""
        if problem is not None:
            self.banner.show_message("warning", problem)
            self._cache_notice = self.banner.text
        elif self._cache_notice is not None and self.banner.text == self._cache_notice:
            self.banner.clear()

    def _on_identity(self, identity: Identity) -> None:
        self.tickets.set_me(identity.credential_id)

    def _load_drafted(self) -> None:
        if self.drafts is not None:
            self.drafts.list("ticket:", self._show_drafted)

    def _show_drafted(self, drafts: list) -> None:
        if isValid(self):
            self.tickets.set_drafted(self.tickets.drafted | {draft.key.split(":")[1] for draft in drafts})
            self.open_ticket.restore_waiting(drafts)  # replies written offline before a restart wait again

    def _on_draft_changed(self, ticket_id: str, has_text: bool) -> None:
        if has_text:
            drafted = self.tickets.drafted | {ticket_id}
        else:
            other = self.detail.note_composer if self.sender() is self.detail.reply_composer else self.detail.reply_composer
            keeps_other = other.ticket_id == ticket_id and other.has_draft()
            drafted = self.tickets.drafted if keeps_other else self.tickets.drafted - {ticket_id}
        self.tickets.set_drafted(drafted)

    async def open_record(self, ticket_id: str) -> None:
        """Show one ticket (the command palette's jump): clear filters that hide it, fetch it if needed."""
        try:
            found = await self.stores.tickets.find(ticket_id)
        except errors.ApiError as error:
            self.show_error(error)
            return
        if found is None:
            return
        self.queues.choose(None)
        self.tickets.show_everything()
        self.tickets.select_ids({ticket_id}, current_id=ticket_id)
        self.tickets.table.setFocus()

    # ---- the write gate ----------------------------------------------------------------------------
    def _update_write_state(self, writable: bool) -> None:
        reason = "" if writable else self.write_block_reason() or ""
        # Offline with an outbox a ticket's fields and notes still save (queued); a reply is kept to send online.
        self.detail.set_writable(self.editable, self.edit_block_reason() or "")
        self.new_button.setEnabled(writable)
        self.new_button.setToolTip("Create a ticket (c)" if writable else reason)
        running = self._bulk_task is not None and not self._bulk_task.done()
        self.bulk.apply.setEnabled(writable and not running)
        self.bulk.apply.setToolTip(reason)

    # ---- bulk changes ------------------------------------------------------------------------------
    def _on_selection(self, selected: list[Ticket]) -> None:
        running = self._bulk_task is not None and not self._bulk_task.done()
        ids = {ticket.id for ticket in selected}
        failures_in_view = bool(ids) and ids <= self._bulk_failed
        self.bulk.setVisible(len(selected) > 1 or running or failures_in_view)
        self.bulk.set_selection_count(len(selected))

    def _on_bulk_apply(self, field: str, value: Any) -> None:
        selected = self.tickets.selected_tickets()
        if selected and self.writable:
            self._bulk_task = self.run(self.bulk_update(selected, {field: value}), name="tickets.bulk")

    def _on_bulk_cancel(self) -> None:
        if self._bulk_task is not None:
            self._bulk_task.cancel()

    async def bulk_update(self, selected: list[Ticket], changes: dict[str, Any]) -> list[BulkResult]:
        """Apply `changes` to every selected ticket; failures stay selected, each result is listed."""
        before = {ticket.id: ticket for ticket in selected}
        done: list[BulkResult] = []

        def on_result(result: BulkResult) -> None:
            done.append(result)
            if result.ticket is not None:
                self.open_ticket.own_write(before[result.ticket_id], result.ticket)
            self.bulk.report(result)

        self.bulk.start(selected)
        cancelled = False
        try:
            await self.stores.tickets.change_many(selected, changes, on_result)
        except asyncio.CancelledError:  # the agent pressed Cancel: report what was done
            cancelled = True
        finally:
            failed = {r.ticket_id for r in done if not r.ok}
            if cancelled:
                failed |= set(before) - {r.ticket_id for r in done}
            self._bulk_failed = failed
            first_failed = next((r.ticket_id for r in done if not r.ok), None)
            self.tickets.select_ids(failed, current_id=first_failed)
            self.bulk.finish(done, cancelled=cancelled)
            self.bulk.show()
            self._bulk_task = None
            self._update_write_state(self.writable)
        return done

    # ---- creating ------------------------------------------------------------------------------
    def open_create_dialog(self) -> None:
        if not self.writable:
            return
        if self.create_dialog is not None and self.create_dialog.isVisible():
            self.create_dialog.raise_()
            return
        dialog = CreateTicketDialog(self.stores.tickets, self.context.tasks, self)
        dialog.sig_done.connect(self._on_ticket_created)
        self.create_dialog = dialog
        dialog.start(self.stores.tickets.queues)

    def _on_ticket_created(self, ticket: Ticket) -> None:
        self.show_notice(f"Created ticket {ticket.subject} ({ticket.id}).", "success")
        self.tickets.choose_view("all")
        self.tickets.select_ids({ticket.id}, current_id=ticket.id)
