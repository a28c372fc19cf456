"""The first thing a returning user sees: the window with their cached contacts, before anything loads.

Connecting (client, keychain, the event loop, the real panels) takes a second or more of imports
and set-up; the profile's page cache is on local disk. So the launcher reads the newest cached
contacts straight from the cache file and shows them read-only in the main window at once; the
real contacts panel replaces this page as soon as the profile is connected.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.ui.record_table_model import Column, RecordTableModel, field_of

PREVIEW_ROWS = 60

COLUMNS = (
    Column("Name", field_of("name")),
    Column("Email", field_of("email")),
    Column("Company", field_of("company_name")),
    Column("Phone", field_of("phone")),
)


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
    """A read-only table of cached contacts with a line saying the console is still connecting."""

    def __init__(self, cached: CachedContacts, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("shell.preview")
        self.note = QLabel("Cached contacts · connecting…", self)
        self.note.setObjectName("shell.preview.note")
        self.model = RecordTableModel(COLUMNS, self)
        self.model.set_rows(cached.rows)
        self.table = QTableView(self)
        self.table.setObjectName("shell.preview.table")
        self.table.setModel(self.model)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.note)
        layout.addWidget(self.table, 1)
