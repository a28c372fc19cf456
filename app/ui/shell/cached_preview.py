"""The first thing a returning user sees: the window with their cached contacts, before anything loads.

Connecting (client, keychain, the event loop, the real panels) takes a second or more of imports
and set-up; the profile's page cache is on local disk. So the launcher reads the newest cached
contacts straight from the cache file and shows them read-only in the main window at once; the
real contacts panel replaces this page as soon as the profile is connected.

The preview is laid out as the contacts panel is (margins, tabs, the search row, the splitter,
the columns and their widths, the row height), so at the swap nothing moves: the rows a user is
about to click stay where they are. A test holds the two to the same geometry.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.ui.record_table_model import Column, RecordTableModel, field_of

PREVIEW_ROWS = 60
#: The line under the table: whose rows these are, and that the console is still connecting.
CACHED_NOTE = "Cached contacts · connecting…"
SERVER_NOTE = "Newest contacts from the server · connecting…"

#: The contacts panel's columns and starting widths (its `contact_rows` and `contact_table`).
COLUMNS = (
    Column("Name", field_of("name")),
    Column("Email", field_of("email")),
    Column("Company", field_of("company_name")),
    Column("Tags", lambda row: ", ".join(row.get("tags") or ())),
    Column("Phone", field_of("phone")),
    Column("Updated", lambda row: str(row.get("updated_at") or "")[:16].replace("T", " ")),
)
COLUMN_WIDTHS = (150, 210, 140, 130, 120)
ROW_HEIGHT = 24


@dataclass(frozen=True)
class CachedContacts:
    """The newest cached contacts of a profile."""

    rows: list[dict]


def read_cached_contacts(cache_file: Path, limit: int = PREVIEW_ROWS) -> CachedContacts | None:
    """The newest `limit` cached contacts, or None when there is no usable cache (never raises).

    The file is opened read-only and never repaired here: a damaged cache is the session's to
    move aside and rebuild, with the notice that says so (recovering here would hide it). Plain
    sqlite3 also keeps the page cache package (and the client code it imports) off the first paint.
    """
    if not cache_file.is_file():
        return None
    try:
        connection = sqlite3.connect(f"{cache_file.resolve().as_uri()}?mode=ro", uri=True)
    except (sqlite3.Error, OSError, ValueError):
        return None
    try:
        bodies = connection.execute(
            "SELECT body FROM records WHERE resource = 'contacts' ORDER BY created_at DESC, id DESC LIMIT ?",
            (limit,),
        ).fetchall()
        rows = [json.loads(body) for (body,) in bodies]
    except (sqlite3.Error, OSError, ValueError, TypeError):  # a preview is optional, never a crash
        return None
    finally:
        connection.close()
    rows = [row for row in rows if isinstance(row, dict)]
    return CachedContacts(rows) if rows else None


class CachedPreview(QWidget):
    """A read-only table of cached contacts with a line saying the console is still connecting.

    The server's newest contacts (`app.core.first_page`) replace the cached rows when they arrive
    first (`show_server_rows`), or fill a preview of their own (`live=True`) when nothing was cached.
    """

    def __init__(self, cached: CachedContacts, parent: QWidget | None = None, *, live: bool = False) -> None:
        super().__init__(parent)
        self.setObjectName("shell.preview")
        self.tabs = QTabWidget(self)
        tab = QWidget(self.tabs)
        self.tabs.addTab(tab, "Contacts")
        self.tabs.addTab(QWidget(self.tabs), "Companies")
        self.tabs.setTabEnabled(1, False)
        search = QLineEdit(tab)
        search.setPlaceholderText("Search cached contacts as you type; Enter searches the server")
        companies = QComboBox(tab)
        companies.addItem("All companies")
        tag = QLineEdit(tab)
        tag.setPlaceholderText("Tag")
        tag.setMaximumWidth(140)
        top = QHBoxLayout()
        top.addWidget(search, 3)
        top.addWidget(companies, 1)
        top.addWidget(tag)
        for widget in (QPushButton("New contact", tab), QPushButton("Export CSV…", tab)):
            top.addWidget(widget)
        for widget in (search, companies, tag):
            widget.setEnabled(False)
        for button in tab.findChildren(QPushButton):
            button.setEnabled(False)
        self.model = RecordTableModel(COLUMNS, self)
        self.model.set_rows(cached.rows[:PREVIEW_ROWS])
        self.table = QTableView(tab)
        self.table.setObjectName("shell.preview.table")
        self.table.setModel(self.model)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        rows = self.table.verticalHeader()
        rows.hide()
        rows.setDefaultSectionSize(ROW_HEIGHT)
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.horizontalHeader().setStretchLastSection(True)
        for column, width in enumerate(COLUMN_WIDTHS):
            self.table.setColumnWidth(column, width)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.note = QLabel(SERVER_NOTE if live else CACHED_NOTE, tab)
        self.note.setObjectName("shell.preview.note")
        left = QWidget(tab)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.table, 1)
        left_layout.addWidget(self.note)
        splitter = QSplitter(tab)
        splitter.addWidget(left)
        splitter.addWidget(QWidget(tab))
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([720, 480])
        tab_layout = QVBoxLayout(tab)
        tab_layout.setContentsMargins(0, 6, 0, 0)
        tab_layout.addLayout(top)
        tab_layout.addWidget(splitter, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 0, 8, 8)
        layout.addWidget(self.tabs, 1)

    def show_server_rows(self, rows: list[dict]) -> None:
        """Show the server's newest contacts instead of the cached ones (same order, same columns)."""
        self.model.set_rows(rows[:PREVIEW_ROWS])
        self.note.setText(SERVER_NOTE)
