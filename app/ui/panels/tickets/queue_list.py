"""The queues above the ticket list: every queue with its open-ticket count, one row of choices.

The counts are the server's (`GET /support/tickets/count`, open tickets grouped by queue, in one
request), moved by the ticket store as it takes each change and asked again on every poll, so a
ticket resolved here leaves its queue's count at once. Before the server answers (and offline)
they are the cached tickets' and say so.

The queues flow left to right and wrap, and the strip is exactly as tall as its rows: a column of
its own beside the list took a sixth of the window's width for six short lines, width the ticket
list needs for its columns.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListView,
    QListWidget,
    QListWidgetItem,
    QSizePolicy,
    QStyleOptionViewItem,
    QWidget,
)

from app.data.tickets import TicketCounts, TicketStore
from app.ui.store_binding import bind

_QUEUE_ID_ROLE = Qt.ItemDataRole.UserRole + 1
#: The item meaning "every queue".
ALL_QUEUES = "__all__"
_OPEN_MEANS = "open: not resolved or closed"


class QueueList(QListWidget):
    """"All queues (N open)" then one row per queue; choosing one filters the ticket list."""

    sig_queue_chosen = Signal(object)
    """The user chose a queue: its id, or None for all queues."""

    def __init__(self, store: TicketStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tickets.queues")
        self.setAccessibleName("Queues")
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(True)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setSpacing(2)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self._store = store
        self._counts: TicketCounts = store.counts()
        self.currentItemChanged.connect(self._on_current_changed)
        bind(store.changes, self, lambda change: self._rebuild() if change.reset else None)
        bind(store.count_changes, self, lambda count: self._rebuild() if count in (
            store.open_by_queue, store.everything) else None)
        self._rebuild()

    def count_of(self, queue_id: str | None) -> int:
        """The open-ticket count shown beside a queue (None: all queues)."""
        return self._counts.open_in(queue_id)

    def chosen_queue_id(self) -> str | None:
        item = self.currentItem()
        value = item.data(_QUEUE_ID_ROLE) if item else ALL_QUEUES
        return None if value == ALL_QUEUES else value

    def choose(self, queue_id: str | None) -> None:
        wanted = ALL_QUEUES if queue_id is None else queue_id
        for row in range(self.count()):
            if self.item(row).data(_QUEUE_ID_ROLE) == wanted:
                self.setCurrentRow(row)
                return

    def _rebuild(self) -> None:
        self._counts = counts = self._store.counts()
        chosen = self.currentItem().data(_QUEUE_ID_ROLE) if self.currentItem() else ALL_QUEUES
        self.blockSignals(True)
        self.clear()
        cached = " cached" if self._store.counts_from_cache else ""
        entries = [(ALL_QUEUES, "All queues", counts.open,
                    f"{counts.open:,} of the {counts.total:,}{cached} tickets are open ({_OPEN_MEANS})")]
        for queue in self._store.queues:
            open_here = counts.open_in(queue.id)
            if queue.status == "archived" and not open_here:
                continue  # an archived queue matters only while tickets are still open in it
            paused = " · paused" if queue.status == "paused" else ""
            target = queue.first_response_target_minutes
            tip = f"{open_here:,} open{cached} tickets ({_OPEN_MEANS})"
            if target:
                tip += f"; first response within {target} minutes"
            entries.append((queue.id, f"{queue.name}{paused}", open_here, tip))
        for queue_id, name, count, tip in entries:
            item = QListWidgetItem(f"{name}  ({count:,} open)")
            item.setData(_QUEUE_ID_ROLE, queue_id)
            item.setToolTip(tip)
            self.addItem(item)
            if queue_id == chosen:
                self.setCurrentItem(item)
        if self.currentItem() is None:
            self.setCurrentRow(0)
        self.blockSignals(False)
        self._fit_height()

    # ---- a strip as tall as its rows ------------------------------------------------------------
    def rows_needed(self, width: int) -> list[list[int]]:
        """The item rows (item indexes) the strip lays out in `width` pixels."""
        option = QStyleOptionViewItem()
        self.initViewItemOption(option)
        delegate, spacing = self.itemDelegate(), self.spacing()
        rows: list[list[int]] = [[]]
        used = spacing
        for row in range(self.count()):
            item_width = delegate.sizeHint(option, self.indexFromItem(self.item(row))).width() + spacing
            if rows[-1] and used + item_width > width:
                rows.append([])
                used = spacing
            rows[-1].append(row)
            used += item_width
        return rows

    def _height_for(self, width: int) -> int:
        option = QStyleOptionViewItem()
        self.initViewItemOption(option)
        delegate, spacing = self.itemDelegate(), self.spacing()
        height = spacing + 2 * self.frameWidth()
        for row in self.rows_needed(width - 2 * self.frameWidth()):
            height += max((delegate.sizeHint(option, self.indexFromItem(self.item(i))).height() for i in row),
                          default=self.fontMetrics().height()) + spacing
        return height

    def _fit_height(self) -> None:
        wanted = self._height_for(self.width())
        if wanted != self.height():
            self.setFixedHeight(wanted)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_height()

    def sizeHint(self) -> QSize:
        return QSize(super().sizeHint().width(), self._height_for(max(self.width(), 200)))

    def _on_current_changed(self, current: QListWidgetItem | None, _previous: QListWidgetItem | None) -> None:
        if current is not None:
            value = current.data(_QUEUE_ID_ROLE)
            self.sig_queue_chosen.emit(None if value == ALL_QUEUES else value)
