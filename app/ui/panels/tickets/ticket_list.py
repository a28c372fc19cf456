"""The ticket list (`tickets.table`) with its filter bar: saved view, status, priority, assignee.

The server filters, pages and counts (`ticket_paging`): the list shows at once what the store
holds for the filter (and the queue list), then the server's first page, and the next page as
the agent scrolls; the loaded rows are sorted by the column the user chose (by default the
soonest SLA breach first). It follows the store's changes, and its summary ("100 shown of
12,345") is the server's count, moved by every change the store takes. Offline it is the cached
tickets that match, and says so. The first-response countdown column is repainted by one timer
that touches only that column.

The columns an agent needs first (subject, first reply due, status, assignee) come first, at
widths measured from the font so each reads in full at the default window sizes; the header's
chooser (right click) hides, shows and reorders columns, kept across restarts (`ColumnLayout`).
Values are words: statuses and priorities through `labels`, deadlines as "3 d overdue".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import (
    QItemSelection,
    QItemSelectionModel,
    QSignalBlocker,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.api.models import Ticket
from app.data.record_store import StoreChange
from app.data.ticket_counts import LiveCount
from app.data.ticket_query import SAVED_VIEWS, UNASSIGNED, TicketQuery
from app.data.tickets import TicketStore
from app.ui.labels import label
from app.ui.panels.tickets.ticket_columns import (
    ASSIGNEE,
    FIRST_NEEDED,
    PRIORITIES,
    SLA,
    STATUS,
    STATUSES,
    SUBJECT,
    first_run_widths,
    ticket_columns,
    width_for,
)
from app.ui.panels.tickets.ticket_paging import Spawn, TicketPaging
from app.ui.record_table_model import RecordTableModel
from app.ui.store_binding import bind
from app.ui.widgets.column_layout import ColumnLayout, resize_mode_interactive
from app.ui.widgets.record_table_view import RecordTableView

#: How often the countdown column is repainted.
COUNTDOWN_INTERVAL_MS = 1000


class TicketList(QWidget):
    """Filter bar + table. Emits the current ticket and the multi-selection."""

    sig_current_changed = Signal(object)
    """The ticket under the cursor changed: its `Ticket`, or None."""
    sig_selection_changed = Signal(list)
    """The selected tickets changed (`Ticket`s, in list order): drives the bulk bar."""
    sig_rows_shown = Signal()
    """A query's rows replaced the shown ones (the held tickets', then the server's)."""

    def __init__(self, store: TicketStore, parent: QWidget | None = None, *,
                 clock: Callable[[], datetime] | None = None, spawn: Spawn | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._clock = clock or (lambda: datetime.now(UTC))
        self._filter = TicketQuery()
        self._drafted: set[str] = set()
        self.paging = TicketPaging(store, spawn, self._on_rows, self._show_summary)

        self.view_combo = self._combo("tickets.filter.view", "View", [(key, label) for key, label in SAVED_VIEWS])
        self.status_combo = self._combo("tickets.filter.status", "Status",
                                        [(None, "Any status")] + [(s, label("status", s)) for s in STATUSES])
        self.priority_combo = self._combo("tickets.filter.priority", "Priority",
                                          [(None, "Any priority")] + [(p, label("priority", p)) for p in PRIORITIES])
        self.assignee_combo = self._combo("tickets.filter.assignee", "Assignee",
                                          [(None, "Anyone"), (UNASSIGNED, "Unassigned")])
        self.search = QLineEdit(self)
        self.search.setObjectName("tickets.search")
        self.search.setPlaceholderText("Filter by subject or id")
        self.search.setMinimumWidth(self.fontMetrics().averageCharWidth() * 12)
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Filter tickets")
        self.search.textChanged.connect(lambda _text: self._on_filter_changed())
        self.search.returnPressed.connect(lambda: self._on_filter_changed(search_server=True))
        self.summary = QLabel(self)
        self.summary.setObjectName("tickets.list_summary")

        self.model = RecordTableModel(ticket_columns(store, self._clock, lambda: self._drafted), self)
        self.model.set_fetch_more(self.paging.more)
        self.table = RecordTableView(self)
        self.table.setObjectName("tickets.table")
        self.table.setAccessibleName("Tickets")
        self.table.setModel(self.model)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setSortingEnabled(True)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(24)
        resize_mode_interactive(self.table.horizontalHeader())
        self.columns = ColumnLayout(self.table, "tickets", first_run_widths(self.table))
        self.table.sortByColumn(self.sla_column, Qt.SortOrder.AscendingOrder)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_row)
        self.table.selectionModel().selectionChanged.connect(self._on_selection)

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.view_combo)
        top.addWidget(self.search, 1)
        top.addWidget(self.summary)
        filters = QHBoxLayout()
        filters.setContentsMargins(0, 0, 0, 0)
        for widget in (self.status_combo, self.priority_combo, self.assignee_combo):
            filters.addWidget(widget, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)

        self.countdown_timer = QTimer(self)
        self.countdown_timer.setObjectName("tickets.countdown_timer")
        self.countdown_timer.setInterval(COUNTDOWN_INTERVAL_MS)
        self.countdown_timer.timeout.connect(self.refresh_countdowns)
        bind(store.changes, self, self._on_store_change)
        bind(store.count_changes, self, self._on_count)
        self.destroyed.connect(self.paging.close)
        self._on_store_change(StoreChange(reset=True))

    # ---- columns ------------------------------------------------------------------------------
    subject_column, sla_column, status_column, assignee_column = SUBJECT, SLA, STATUS, ASSIGNEE
    first_needed = FIRST_NEEDED  # the list is given room for these before anything else

    def width_for(self, columns: Sequence[int]) -> int:
        """The list's width that shows every visible column up to the last of `columns`."""
        return width_for(self.table, columns)

    def _combo(self, name: str, label: str, items: Sequence[tuple[Any, str]]) -> QComboBox:
        combo = QComboBox(self)
        combo.setObjectName(name)
        combo.setAccessibleName(label)
        combo.setToolTip(label)
        for value, text in items:
            combo.addItem(text, value)
        combo.currentIndexChanged.connect(lambda _index: self._on_filter_changed())
        return combo

    # ---- data -------------------------------------------------------------------------------
    def _on_store_change(self, change: StoreChange) -> None:
        """The store's tickets changed: show the change and say how many there are again.

        A reset (the cache read, the queues and members) repaints; it asks the server nothing:
        the list asks on a filter change and on `reload`."""
        if change.reset:
            self._fill_assignees()
            if self.paging.from_server:
                self.model.replace_rows([self._store.held(t.id) or t for t in self.model.rows])
            else:
                self.paging.show(self._filter, instant_only=True)
            return
        for ticket_id in change.removed:
            self.model.remove_id(ticket_id)
        now = self._clock()
        for ticket_id in change.upserted:
            ticket = self._store.held(ticket_id)
            # A ticket that stops matching stays until the filter changes: the agent keeps their row.
            if ticket is not None and (self.model.row_of_id(ticket_id) is not None
                                       or self._filter.matches(ticket, now)):
                self.model.upsert(ticket)
        self._show_summary()

    def _on_rows(self, rows: list[Ticket], append: bool) -> None:
        """Rows from the paging: a page to add below, or a query's answer instead of the shown rows
        (the open ticket stays, so the server's answer never closes what the agent is reading)."""
        if append:
            shown = {t.id for t in self.model.rows}
            self.model.append_rows([t for t in rows if t.id not in shown])
            self.model.set_has_more(self.paging.has_more)
            self._sort()
            return
        selected = {ticket.id for ticket in self.selected_tickets()}
        current = self.current_ticket()
        if current is not None and self.paging.from_server and current.id not in {t.id for t in rows} \
                and self._filter.matches(current, self._clock()):
            rows = [current, *rows]
        self.model.set_rows(rows)
        self.model.set_has_more(self.paging.has_more)
        self._sort()
        self.select_ids(selected, current_id=current.id if current else None)
        self.sig_rows_shown.emit()

    def _sort(self) -> None:
        header = self.table.horizontalHeader()
        if header.sortIndicatorSection() >= 0:
            self.model.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())

    def _on_count(self, count: LiveCount) -> None:
        if self.paging.concerns(count):
            self._show_summary()

    def _fill_assignees(self) -> None:
        current = self.assignee_combo.currentData()
        self.assignee_combo.blockSignals(True)
        while self.assignee_combo.count() > 2:
            self.assignee_combo.removeItem(2)
        for member in sorted(self._store.members, key=lambda m: (m.name or m.id).lower()):
            self.assignee_combo.addItem(member.name or member.id, member.id)
        self.assignee_combo.setCurrentIndex(max(self.assignee_combo.findData(current), 0))
        self.assignee_combo.blockSignals(False)

    def _show_summary(self) -> None:
        """How many are shown of how many the server counts (or, offline, what the cache answered)."""
        summary = self.paging.summary(self.model.rowCount())
        self.summary.setText(summary.text)
        self.summary.setToolTip(summary.tip)

    def set_drafted(self, ticket_ids: set[str]) -> None:
        """Tickets with an unsent reply or note draft: their subject shows ✎."""
        if ticket_ids != self._drafted:
            self._drafted = set(ticket_ids)
            self.model.refresh_cells()

    @property
    def drafted(self) -> set[str]:
        return self._drafted

    def set_me(self, me_id: str | None) -> None:
        if me_id != self._filter.me_id:
            self._filter = self._filter.with_(me_id=me_id)
            if self._filter.view == "my_open":
                self.paging.show(self._filter)

    @property
    def me_id(self) -> str | None:
        """The signed-in member's id ("My open"); None for API keys or before the identity is known."""
        return self._filter.me_id

    @property
    def all_tickets(self) -> list[Ticket]:
        """Every ticket the store holds (shown or filtered out)."""
        return self._store.tickets

    @property
    def filter(self) -> TicketQuery:
        return self._filter

    async def reload(self) -> None:
        """Ask the server for the current filter again and wait for its first page."""
        await self.paging.load(self._filter)

    def set_queue(self, queue_id: str | None) -> None:
        self._filter = self._filter.with_(queue_id=queue_id)
        self.paging.show(self._filter)

    def choose_view(self, view: str) -> None:
        self.view_combo.setCurrentIndex(self.view_combo.findData(view))

    def show_everything(self) -> None:
        """Clear every filter (used to jump to a ticket the current filter hides)."""
        for combo in (self.view_combo, self.status_combo, self.priority_combo, self.assignee_combo):
            with QSignalBlocker(combo):
                combo.setCurrentIndex(0)
        with QSignalBlocker(self.search):
            self.search.clear()
        self._filter = TicketQuery(queue_id=self._filter.queue_id, me_id=self._filter.me_id)
        self.paging.show(self._filter)

    def _on_filter_changed(self, *, search_server: bool = False) -> None:
        self._filter = self._filter.with_(
            view=self.view_combo.currentData(), status=self.status_combo.currentData(),
            priority=self.priority_combo.currentData(), assignee_id=self.assignee_combo.currentData(),
            text=self.search.text().strip())
        if self._filter.view == "breaching_sla":
            self.table.sortByColumn(self.sla_column, Qt.SortOrder.AscendingOrder)
        self.paging.show(self._filter, search_server=search_server)

    # ---- countdowns -------------------------------------------------------------------------------
    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.refresh_countdowns()
        self.countdown_timer.start()

    def hideEvent(self, event) -> None:
        super().hideEvent(event)
        self.countdown_timer.stop()  # nobody sees the clocks: no work

    def refresh_countdowns(self) -> None:
        """Repaint only the countdown cells (the view asks again only for the visible ones)."""
        rows = self.model.rowCount()
        if rows:
            self.model.dataChanged.emit(self.model.index(0, self.sla_column), self.model.index(rows - 1, self.sla_column),
                                        [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ForegroundRole])

    # ---- selection and movement ----------------------------------------------------------------------
    def current_ticket(self) -> Ticket | None:
        index = self.table.currentIndex()
        return self.model.record(index.row()) if index.isValid() else None

    def selected_tickets(self) -> list[Ticket]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.model.record(row) for row in rows]

    def move(self, step: int) -> None:
        """j/k: the next or previous ticket becomes current and the only one selected."""
        count = self.model.rowCount()
        if not count:
            return
        row = self.table.currentIndex().row()
        row = 0 if row < 0 else max(0, min(count - 1, row + step))
        self.table.selectionModel().setCurrentIndex(
            self.model.index(row, 0),
            QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        self.table.scrollTo(self.model.index(row, 0))

    def select_ids(self, ids: set[str], *, current_id: str | None = None) -> None:
        """Select exactly these tickets (those still listed); keep `current_id` current."""
        selection_model = self.table.selectionModel()
        selection = QItemSelection()
        last = self.model.columnCount() - 1
        for row, ticket in enumerate(self.model.rows):
            if ticket.id in ids:
                selection.select(self.model.index(row, 0), self.model.index(row, last))
        current_row = self.model.row_of_id(current_id) if current_id else None
        if current_row is not None:
            selection_model.setCurrentIndex(self.model.index(current_row, 0), QItemSelectionModel.SelectionFlag.NoUpdate)
        selection_model.select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)

    def _on_current_row(self, current, _previous) -> None:
        self.sig_current_changed.emit(self.model.record(current.row()) if current.isValid() else None)

    def _on_selection(self, _selected, _deselected) -> None:
        self.sig_selection_changed.emit(self.selected_tickets())
