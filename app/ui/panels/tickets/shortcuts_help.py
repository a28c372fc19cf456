"""The ticket panel's keyboard shortcuts, and the `?` dialog that lists all of them."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

#: (key, what it does) as the help dialog lists them; the panel and composers bind these keys.
SHORTCUTS: tuple[tuple[str, str], ...] = (
    ("j", "Next ticket"),
    ("k", "Previous ticket"),
    ("r", "Reply to the customer"),
    ("n", "Write an internal note"),
    ("a", "Assign (choose with arrows, Enter)"),
    ("s", "Change status"),
    ("p", "Change priority"),
    ("q", "Move to another queue"),
    ("e", "Resolve the ticket"),
    ("c", "Create a ticket"),
    ("Ctrl+Return", "Send the reply or note being written"),
    ("Esc", "Leave the composer, back to the list"),
    ("?", "Show this list"),
)


class ShortcutsDialog(QDialog):
    """A plain table of every shortcut; Esc or Close dismisses it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tickets.shortcuts_help")
        self.setWindowTitle("Ticket shortcuts")
        self.table = table = QTableWidget(len(SHORTCUTS), 2, self)
        table.setObjectName("tickets.shortcuts_help.table")
        table.setHorizontalHeaderLabels(["Key", "Action"])
        table.verticalHeader().hide()
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for row, (key, action) in enumerate(SHORTCUTS):
            key_item = QTableWidgetItem(key)
            key_item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            table.setItem(row, 0, key_item)
            table.setItem(row, 1, QTableWidgetItem(action))
        table.horizontalHeader().setStretchLastSection(True)
        table.verticalHeader().setDefaultSectionSize(26)
        table.resizeColumnToContents(0)
        table.setColumnWidth(0, table.columnWidth(0) + 16)
        table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(table)
        layout.addWidget(buttons)
        # Tall enough that every shortcut shows without scrolling.
        self.resize(420, table.horizontalHeader().height() + 26 * len(SHORTCUTS) + 90)
