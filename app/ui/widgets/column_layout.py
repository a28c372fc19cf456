"""Table columns an operator can arrange: widths that fit the window, a chooser, kept across restarts.

`ColumnLayout(table, key)` gives a table its first-run widths (the columns an operator needs first
get room at the default window size, the rest share what is left), a right-click chooser on the
header to hide and show columns, and keeps the header's widths, order and hidden columns in the
UI-state file under `tables/<key>`, so the table opens as the operator left it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import shiboken6
from PySide6.QtCore import QByteArray, QCoreApplication, QPoint, QSettings, QTimer
from PySide6.QtWidgets import QHeaderView, QMenu, QTableView

from app.ui import ui_state

#: How long after the last drag the header is written (a drag resizes hundreds of times).
SAVE_DELAY_MS = 400


class ColumnLayout:
    """Owns one table's column widths, order and visibility, and remembers them."""

    def __init__(self, table: QTableView, key: str, widths: Mapping[int, int], *,
                 settings: Callable[[], QSettings] | None = None) -> None:
        self.table = table
        self.key = key
        self._settings = settings or (lambda: ui_state.ui_state_settings())
        self._defaults = dict(widths)
        header = table.horizontalHeader()
        header.setSectionsMovable(True)
        header.setStretchLastSection(True)
        header.setContextMenuPolicy(header.contextMenuPolicy().CustomContextMenu)
        header.customContextMenuRequested.connect(self._choose_columns)
        self._save_timer = QTimer(table)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(SAVE_DELAY_MS)
        self._save_timer.timeout.connect(self.save)
        if not self.restore():
            self.reset()
        header.sectionResized.connect(lambda *_: self._save_timer.start())
        header.sectionMoved.connect(lambda *_: self._save_timer.start())
        app = QCoreApplication.instance()
        if app is not None:  # a width dragged just before quitting is kept too
            app.aboutToQuit.connect(self._save_pending)

    def _save_pending(self) -> None:
        if shiboken6.isValid(self._save_timer) and self._save_timer.isActive():
            self._save_timer.stop()
            self.save()

    @property
    def _setting_name(self) -> str:
        return f"tables/{self.key}/header"

    def reset(self) -> None:
        """The first-run layout: every column shown, in model order, at its default width."""
        header = self.table.horizontalHeader()
        for logical in range(header.count()):
            header.setSectionHidden(logical, False)
            header.moveSection(header.visualIndex(logical), logical)
        for column, width in self._defaults.items():
            self.table.setColumnWidth(column, width)

    def restore(self) -> bool:
        state = self._settings().value(self._setting_name)
        if not isinstance(state, QByteArray | bytes) or not state:
            return False
        header = self.table.horizontalHeader()
        if not header.restoreState(QByteArray(state)):
            return False
        if header.count() and all(header.isSectionHidden(i) for i in range(header.count())):
            self.reset()
        return True

    def save(self) -> None:
        settings = self._settings()
        settings.setValue(self._setting_name, self.table.horizontalHeader().saveState())
        settings.sync()

    def set_visible(self, column: int, visible: bool) -> None:
        """Show or hide `column`; the last visible column cannot be hidden."""
        header = self.table.horizontalHeader()
        shown = [i for i in range(header.count()) if not header.isSectionHidden(i)]
        if not visible and shown == [column]:
            return
        header.setSectionHidden(column, not visible)
        self.save()

    def _choose_columns(self, point: QPoint) -> None:
        menu = self.menu()
        menu.exec(self.table.horizontalHeader().mapToGlobal(point))

    def menu(self) -> QMenu:
        """The chooser: one checkable entry per column, then "Reset columns"."""
        header = self.table.horizontalHeader()
        model = self.table.model()
        menu = QMenu(self.table)
        menu.setObjectName(f"{self.table.objectName()}.columns")
        for column in range(header.count()):
            title = str(model.headerData(column, header.orientation()) or f"Column {column + 1}")
            action = menu.addAction(title)
            action.setCheckable(True)
            action.setChecked(not header.isSectionHidden(column))
            action.toggled.connect(lambda checked, column=column: self.set_visible(column, checked))
        menu.addSeparator()
        menu.addAction("Reset columns", lambda: (self.reset(), self.save()))
        return menu


def resize_mode_interactive(header: QHeaderView) -> None:
    """Every section user-resizable (ResizeToContents measures every row on each show)."""
    for column in range(header.count()):
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
