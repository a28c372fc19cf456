"""The queue list on the left of the triage panel: every queue with its open-ticket count."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QWidget

_QUEUE_ID_ROLE = Qt.ItemDataRole.UserRole + 1
#: The item meaning "every queue".
ALL_QUEUES = "__all__"


class QueueList(QListWidget):
    """"All queues (N)" then one row per queue; choosing one filters the ticket list."""

    sig_queue_chosen = Signal(object)
    """The user chose a queue: its id, or None for all queues."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tickets.queues")
        self.setAccessibleName("Queues")
        self._queues: list[dict[str, Any]] = []
        self._counts: Counter = Counter()
        self.currentItemChanged.connect(self._on_current_changed)
        self._rebuild()

    def set_queues(self, queues: Sequence[dict[str, Any]]) -> None:
        self._queues = list(queues)
        self._rebuild()

    def set_counts(self, counts: Counter) -> None:
        self._counts = counts
        self._rebuild()

    def count_of(self, queue_id: str | None) -> int:
        """The count shown beside a queue (None: all queues)."""
        return sum(self._counts.values()) if queue_id is None else self._counts.get(queue_id, 0)

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
        chosen = self.currentItem().data(_QUEUE_ID_ROLE) if self.currentItem() else ALL_QUEUES
        self.blockSignals(True)
        self.clear()
        entries = [(ALL_QUEUES, "All queues", self.count_of(None), "")]
        for queue in self._queues:
            if queue.get("status") == "archived" and not self._counts.get(queue["id"]):
                continue  # an archived queue matters only while tickets are still open in it
            paused = " · paused" if queue.get("status") == "paused" else ""
            target = queue.get("first_response_target_minutes")
            tip = f"First response within {target} minutes" if target else ""
            entries.append((queue["id"], f"{queue['name']}{paused}", self._counts.get(queue["id"], 0), tip))
        for queue_id, name, count, tip in entries:
            item = QListWidgetItem(f"{name}  ({count})")
            item.setData(_QUEUE_ID_ROLE, queue_id)
            item.setToolTip(tip or f"{count} open tickets")
            self.addItem(item)
            if queue_id == chosen:
                self.setCurrentItem(item)
        if self.currentItem() is None:
            self.setCurrentRow(0)
        self.blockSignals(False)

    def _on_current_changed(self, current: QListWidgetItem | None, _previous: QListWidgetItem | None) -> None:
        if current is not None:
            value = current.data(_QUEUE_ID_ROLE)
            self.sig_queue_chosen.emit(None if value == ALL_QUEUES else value)
