"""The outbox, as the operator reviews it: each change waiting to be sent, and what to do with it.

Opened from the status bar's "n changes waiting" badge. Each row says in words which record a
change is about and what it changes ("Invoice INV-1001: line items, due date", "New draft for Acme
Ltd: 2 lines, total $450.00"), and when; for a change the server refused (or a colleague's
collision) the reason. The operator can edit what a change sends (field by field, each labelled
as its form labels it; an invoice's lines are shown, and changed in the draft itself), drop it,
or send now. A view over `app.data.outbox.Outbox`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.data.outbox import Outbox, OutboxItem, SecretInChange
from app.ui.outbox_words import describe, field_title, lines_detail, reason_words
from app.ui.store_binding import bind
from app.ui.task_set import TaskSet
from app.ui.time_text import exact, relative


class OutboxDialog(QDialog):
    """Non-modal list of queued changes with Edit, Drop and Send now."""

    def __init__(self, outbox: Outbox, send_now: Callable[[], None], parent: QWidget | None = None, *,
                 refetch: Callable[[OutboxItem], object] | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("outbox.dialog")
        self.setWindowTitle("Changes waiting to be sent")
        self.setModal(False)
        self.outbox = outbox
        #: Reads a dropped change's record from the server again (the cache showed it as edited).
        self._refetch = refetch
        self.tasks = TaskSet()
        self.list = QListWidget(self)
        self.list.setObjectName("outbox.list")
        self.list.currentItemChanged.connect(lambda *_: self._show_selected())
        self.reason = QLabel(self)
        self.reason.setObjectName("outbox.reason")
        self.reason.setWordWrap(True)
        self.fields = QWidget(self)
        self.fields_layout = QFormLayout(self.fields)
        self.result = QLabel(self)
        self.result.setObjectName("outbox.result")
        self.result.setWordWrap(True)
        self.save_button = QPushButton("Save edit", self)
        self.save_button.setObjectName("outbox.save")
        self.save_button.clicked.connect(lambda: self.tasks.spawn(self._save(), name="edit outbox item"))
        self.drop_button = QPushButton("Drop change", self)
        self.drop_button.setObjectName("outbox.drop")
        self.drop_button.clicked.connect(lambda: self.tasks.spawn(self._drop(), name="drop outbox item"))
        self.send_button = QPushButton("Send now", self)
        self.send_button.setObjectName("outbox.send")
        self.send_button.clicked.connect(send_now)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.drop_button)
        buttons.addStretch(1)
        buttons.addWidget(self.send_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.reason)
        layout.addWidget(self.fields)
        layout.addLayout(buttons)
        layout.addWidget(self.result)
        self._edits: dict[str, QLineEdit] = {}
        self.resize(620, 440)
        bind(outbox.changes, self, lambda _items: self.reload())
        self.reload()

    def reload(self) -> None:
        current = self.selected()
        self.list.clear()
        now = datetime.now(UTC)
        for item in self.outbox.items:
            when = datetime.fromtimestamp(item.queued_at, UTC)
            state = "waiting" if item.waiting else "needs you"
            row = QListWidgetItem(f"{describe(item)}  ·  {state}  ·  {relative(when, now)}", self.list)
            row.setToolTip(exact(when))
            row.setData(Qt.ItemDataRole.UserRole, item.seq)
            if current is not None and item.seq == current.seq:
                self.list.setCurrentItem(row)
        if self.list.currentRow() < 0 and self.list.count():
            self.list.setCurrentRow(0)
        self._show_selected()

    def selected(self) -> OutboxItem | None:
        row = self.list.currentItem()
        seq = row.data(Qt.ItemDataRole.UserRole) if row is not None else None
        return next((item for item in self.outbox.items if item.seq == seq), None)

    def _show_selected(self) -> None:
        item = self.selected()
        while self.fields_layout.rowCount():
            self.fields_layout.removeRow(0)
        self._edits = {}
        self.reason.setText(reason_words(item.message) if item is not None and item.message else "")
        for name, value in (item.fields.items() if item is not None else ()):
            if name == "line_items":
                # A line table does not fit one text field: the draft's editor changes lines.
                lines = QLabel(f"{lines_detail(value or [])} (open the draft to change its lines)", self.fields)
                lines.setObjectName("outbox.field.line_items")
                lines.setWordWrap(True)
                self.fields_layout.addRow(field_title(name), lines)
                continue
            shown = "" if value is None else value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            edit = QLineEdit(shown, self.fields)
            edit.setObjectName(f"outbox.field.{name}")
            self._edits[name] = edit
            self.fields_layout.addRow(field_title(name), edit)
        for button in (self.save_button, self.drop_button):
            button.setEnabled(item is not None)

    async def _save(self) -> None:
        item = self.selected()
        if item is None:
            return
        fields = dict(item.fields)  # what is not offered as text (an invoice's lines) is kept as queued
        for name, edit in self._edits.items():
            original = item.fields[name]
            text = edit.text()
            if original is None or isinstance(original, str):
                # An emptied field that was empty (None) stays cleared, not an empty text.
                fields[name] = None if original is None and not text.strip() else text
                continue
            try:
                fields[name] = json.loads(text)
            except ValueError:
                self.result.setText(f"{field_title(name)}: not a valid value ({text!r}).")
                return
        try:
            await self.outbox.edit(item.seq, fields)
        except SecretInChange as refused:
            self.result.setText(str(refused))
            return
        self.result.setText("Saved: the change waits to be sent again.")

    async def _drop(self) -> None:
        item = self.selected()
        if item is not None:
            await self.outbox.drop(item.seq)
            self.result.setText(f"Dropped: {describe(item)}. It will not be sent.")
            if self._refetch is not None:
                await self._refetch(item)
