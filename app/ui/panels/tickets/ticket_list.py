"""The ticket list (`tickets.table`) with its filter bar: saved view, status, priority, assignee.

The list shows the ticket store's tickets that the filter (and the queue list) lets through,
sorted by the column the user chose; by default the soonest SLA breach comes first. It follows
the store's changes, and its summary ("n shown of m loaded · k open") is counted from the same
tickets as the queue counts. The first-response countdown column is repainted by one timer that
touches only that column.

The columns an agent needs first (subject, first reply due, status, assignee) come first, at
widths measured from the font so each reads in full at the default window sizes; the header's
chooser (right click) hides, shows and reorders columns, kept across restarts (`ColumnLayout`).
Values are words: statuses and priorities through `labels`, deadlines as "3 d overdue".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt, QTimer, Signal
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
from app.data.tickets import TicketStore, count_tickets
from app.ui.labels import label
from app.ui.panels.tickets.ticket_columns import (  # noqa: F401  (breached_colour: the list's red, for tests)
    ASSIGNEE,
    FIRST_NEEDED,
    PRIORITIES,
    SLA,
    STATUS,
    STATUSES,
    SUBJECT,
    breached_colour,
    first_run_widths,
    ticket_columns,
    width_for,
)
from app.ui.panels.tickets.ticket_filters import SAVED_VIEWS, UNASSIGNED, TicketFilter
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

    def __init__(self, store: TicketStore, parent: QWidget | None = None, *,
                 clock: Callable[[], datetime] | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._clock = clock or (lambda: datetime.now(UTC))
        self._filter = TicketFilter()
        self._me_id: str | None = None
        self._drafted: set[str] = set()

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
        self.search.textChanged.connect(self._on_filter_changed)
        self.summary = QLabel(self)
        self.summary.setObjectName("tickets.list_summary")

        self.model = RecordTableModel(ticket_columns(store, self._clock, lambda: self._drafted), self)
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
        self._on_store_change(StoreChange(reset=True))

    # ---- columns ------------------------------------------------------------------------------
    subject_column, sla_column, status_column, assignee_column = SUBJECT, SLA, STATUS, ASSIGNEE
    #: The columns an agent needs first: the list is given room for these before anything else.
    first_needed = FIRST_NEEDED

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
        combo.currentIndexChanged.connect(self._on_filter_changed)
        return combo

    # ---- data -------------------------------------------------------------------------------
    def _on_store_change(self, change: StoreChange) -> None:
        """The store's tickets changed: show the change (a reset re-reads all) and count again."""
        if change.reset:
            self._fill_assignees()
            self._apply_filter()
            return
        for ticket_id in change.removed:
            self.model.remove_id(ticket_id)
        now = self._clock()
        for ticket_id in change.upserted:
            ticket = self._store.held(ticket_id)
            # A ticket that stops matching stays until the filter changes: the agent keeps their row.
            if ticket is not None and (self.model.row_of_id(ticket_id) is not None
                                       or self._filter.matches(ticket, me_id=self._me_id, now=now)):
                self.model.upsert(ticket)
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
        """What the list shows, counted like the queue list counts (both from the store's tickets)."""
        shown, held = count_tickets(self.model.rows), self._store.counts()
        self.summary.setText(f"{shown.total} shown of {held.total} loaded · {shown.open} open")
        more = f" The newest {held.total} are loaded; the server has more." if self._store.truncated else ""
        self.summary.setToolTip(f"{shown.total} tickets pass the filters, {shown.open} of them open (not resolved "
                                f"or closed); {held.total} tickets are loaded, {held.open} of them open.{more}")

    def set_drafted(self, ticket_ids: set[str]) -> None:
        """Tickets with an unsent reply or note draft: their subject shows ✎."""
        if ticket_ids != self._drafted:
            self._drafted = set(ticket_ids)
            self.model.refresh_cells()

    @property
    def drafted(self) -> set[str]:
        return self._drafted

    def set_me(self, me_id: str | None) -> None:
        self._me_id = me_id
        self._apply_filter()

    @property
    def me_id(self) -> str | None:
        """The signed-in member's id ("My open"); None for API keys or before the identity is known."""
        return self._me_id

    @property
    def all_tickets(self) -> list[Ticket]:
        """Every ticket the store holds (shown or filtered out)."""
        return self._store.tickets

    @property
    def filter(self) -> TicketFilter:
        return self._filter

    def set_queue(self, queue_id: str | None) -> None:
        self._filter = self._filter.with_(queue_id=queue_id)
        self._apply_filter()

    def choose_view(self, view: str) -> None:
        self.view_combo.setCurrentIndex(self.view_combo.findData(view))

    def show_everything(self) -> None:
        """Clear every filter (used to jump to a ticket the current filter hides)."""
        for combo in (self.view_combo, self.status_combo, self.priority_combo, self.assignee_combo):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self._filter = TicketFilter(queue_id=self._filter.queue_id)
        self._apply_filter()

    def _on_filter_changed(self) -> None:
        self._filter = self._filter.with_(
            view=self.view_combo.currentData(), status=self.status_combo.currentData(),
            priority=self.priority_combo.currentData(), assignee_id=self.assignee_combo.currentData(),
            text=self.search.text().strip())
        if self._filter.view == "breaching_sla":
            self.table.sortByColumn(self.sla_column, Qt.SortOrder.AscendingOrder)
        self._apply_filter()

    def _apply_filter(self) -> None:
        now = self._clock()
        selected = {ticket.id for ticket in self.selected_tickets()}
        current = self.current_ticket()
        rows = [t for t in self._store.tickets if self._filter.matches(t, me_id=self._me_id, now=now)]
        self.model.set_rows(rows)
        header = self.table.horizontalHeader()
        if header.sortIndicatorSection() >= 0:
            self.model.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())
        self._show_summary()
        self.select_ids(selected, current_id=current.id if current else None)

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
