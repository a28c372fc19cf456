"""The divider between the ticket list and the open ticket (`tickets.split`).

The list keeps the width its first-needed columns take (subject, first reply due, status,
assignee), plus the others when the open ticket can still be comfortably wide; the open ticket
gets the rest. So at 1024 px the four columns an agent needs first show in full and at 1200 px
the priority too; a wider window widens the conversation. Once the agent drags the divider,
their choice holds and a resize only changes the open ticket's width.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QSplitter, QWidget

from app.ui.panels.tickets.ticket_list import TicketList

#: The open ticket's pane: never narrower than this, and this wide when the list can spare it.
DETAIL_MIN_WIDTH = 275
DETAIL_PREFERRED_WIDTH = 370


class TriageSplit(QSplitter):
    """[list pane | open ticket], sized from the list's columns until the agent moves the divider."""

    def __init__(self, list_pane: QWidget, tickets: TicketList, detail: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setObjectName("tickets.split")
        self.setChildrenCollapsible(False)
        self._tickets = tickets
        self.addWidget(list_pane)
        self.addWidget(detail)
        self.setStretchFactor(0, 0)
        self.setStretchFactor(1, 1)
        detail.setMinimumWidth(DETAIL_MIN_WIDTH)
        #: True once the agent drags the divider.
        self.placed_by_user = False
        self.splitterMoved.connect(self._on_moved)

    def _on_moved(self, _position: int, _index: int) -> None:
        self.placed_by_user = True

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if not self.placed_by_user:
            self.fit()

    def fit(self) -> None:
        """List: its first-needed columns, and all of them if the detail keeps its preferred width."""
        total = self.width() - self.handleWidth()
        needed = self._tickets.width_for(self._tickets.first_needed)
        everything = self._tickets.width_for(range(self._tickets.model.columnCount()))
        wanted = max(needed, min(everything, total - DETAIL_PREFERRED_WIDTH))
        list_width = max(0, min(wanted, total - DETAIL_MIN_WIDTH))
        if self.sizes() != [list_width, total - list_width]:
            self.setSizes([list_width, total - list_width])
