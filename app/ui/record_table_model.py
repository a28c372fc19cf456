"""One table model for every list: records (pydantic models or dicts) shown through `Column`s.

Panels configure it with columns instead of subclassing (napari's `_BaseEventedItemModel`).
Lazy cursor paging: give it a `fetch_more` callback and `set_has_more(True)`; Qt's view calls
`fetchMore` as the user scrolls near the end and the callback appends the next page.
Sorting re-orders the Python list with one model reset (NOTES.md: never a proxy over big models).
Rows are kept in a list, or in the container `storage` makes (a table of 250k contacts keeps
them packed: `app.ui.panels.contacts.packed_rows`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, MutableSequence, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

Index = QModelIndex | QPersistentModelIndex
#: The invisible root every row of a table hangs from (Qt's default `parent` argument).
_ROOT = QModelIndex()

#: Role that returns the record itself for a row (delegates, selections, tests).
RecordRole = Qt.ItemDataRole.UserRole + 1

_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_RECORD = int(RecordRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole)
_ROLES_ANSWERED = frozenset({_DISPLAY, _RECORD, _FOREGROUND, _TOOLTIP, _ALIGNMENT})
_RIGHT_ALIGNED = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


def field_of(name: str) -> Callable[[Any], Any]:
    """A value getter that reads `name` from a pydantic model or a dict."""

    def get(record: Any) -> Any:
        if isinstance(record, dict):
            return record.get(name)
        return getattr(record, name, None)

    return get


@dataclass(frozen=True)
class Column:
    """One column: its title, how to read the cell's value and, optionally, how to show it."""

    title: str
    value: Callable[[Any], Any]
    #: Turns the value into the displayed text; default `str()` with None as "".
    text: Callable[[Any], str] | None = None
    #: The value sorted on; default the raw value (None sorts first).
    sort_key: Callable[[Any], Any] | None = None
    #: A colour for the cell's text given the record (e.g. red for overdue), or None.
    foreground: Callable[[Any], QColor | str | None] | None = None
    tooltip: Callable[[Any], str | None] | None = None
    align_right: bool = False
    object_name: str = ""
    #: Most rows share a few values (a company, tags, a status): `RecordTableView` keeps
    #: their laid-out text instead of shaping the same string again on every repaint.
    repeats: bool = False


def _display(column: Column, record: Any) -> str:
    value = column.value(record)
    if column.text is not None:
        return column.text(value)
    return "" if value is None else str(value)


def _foreground(column: Column, record: Any) -> QBrush | None:
    if column.foreground is None:
        return None
    colour = column.foreground(record)
    return QBrush(QColor(colour)) if colour else None


class RecordTableModel(QAbstractTableModel):
    """Rows are records; columns are `Column`s; optional lazy paging through `fetch_more`."""

    def __init__(self, columns: Sequence[Column], parent=None, *, id_of: Callable[[Any], Any] | None = None,
                 storage: Callable[[Iterable[Any]], MutableSequence[Any]] = list) -> None:
        """`storage(rows)` makes the container rows are kept in: a list, or any mutable sequence
        with `sort(key=, reverse=)`; one that has `index_of_id(id)` is asked where an id is
        instead of having every record read."""
        super().__init__(parent)
        self._columns = list(columns)
        self._storage = storage
        self._rows: MutableSequence[Any] = storage(())
        self._id_of = id_of or field_of("id")
        self._fetch_more: Callable[[], None] | None = None
        self._has_more = False
        self._fetching = False

    # ---- data in -------------------------------------------------------------------------
    @property
    def rows(self) -> MutableSequence[Any]:
        return self._rows

    @property
    def columns(self) -> list[Column]:
        return self._columns

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self._rows = self._storage(rows)
        self.endResetModel()

    def replace_rows(self, rows: Sequence[Any]) -> None:
        """Show `rows` instead of the current ones in place, without a model reset.

        A reset makes the view lay itself out again on a timer and repaint a second time; every
        keystroke of a search-as-you-type list would pay for two full repaints. Here the row
        count is trimmed or grown, the cells are swapped and repainted once, and the selection
        follows its records by id: a contact still among the results stays selected, one that
        is gone is deselected.
        """
        rows = list(rows)
        old_count, new_count = len(self._rows), len(rows)
        if new_count > old_count:
            self.beginInsertRows(QModelIndex(), old_count, new_count - 1)
            self._rows.extend(rows[old_count:])
            self.endInsertRows()
        # Move the selection (persistent indexes) while rows 0..old_count-1 still hold the old
        # records and every target row exists; rows trimmed below take nothing with them.
        row_of_id = {self._id_of(record): row for row, record in enumerate(rows)}
        before = [index for index in self.persistentIndexList() if index.isValid()]
        after = []
        for index in before:
            row = row_of_id.get(self._id_of(self._rows[index.row()]))
            after.append(QModelIndex() if row is None else self.index(row, index.column()))
        self.changePersistentIndexList(before, after)
        self._rows[:new_count] = rows
        if new_count < old_count:
            self.beginRemoveRows(QModelIndex(), new_count, old_count - 1)
            del self._rows[new_count:]
            self.endRemoveRows()
        if new_count:
            self.dataChanged.emit(self.index(0, 0), self.index(new_count - 1, self.columnCount() - 1))

    def append_rows(self, rows: Sequence[Any]) -> None:
        if not rows:
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
        self._rows.extend(rows)
        self.endInsertRows()

    def insert_rows(self, position: int, rows: Sequence[Any]) -> None:
        """Insert `rows` before row `position` (0: on top) without looking for existing ids."""
        if not rows:
            return
        self.beginInsertRows(QModelIndex(), position, position + len(rows) - 1)
        self._rows[position:position] = list(rows)
        self.endInsertRows()

    def upsert(self, record: Any, *, at_top: bool = True) -> None:
        """Replace the row with the record's id, or insert it (new records go on top: newest first)."""
        row = self.row_of_id(self._id_of(record))
        if row is not None:
            self._rows[row] = record
            self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))
            return
        position = 0 if at_top else len(self._rows)
        self.beginInsertRows(QModelIndex(), position, position)
        self._rows.insert(position, record)
        self.endInsertRows()

    def remove_id(self, record_id: Any) -> None:
        row = self.row_of_id(record_id)
        if row is None:
            return
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._rows[row]
        self.endRemoveRows()

    def row_of_id(self, record_id: Any) -> int | None:
        index_of_id = getattr(self._rows, "index_of_id", None)
        if index_of_id is not None:
            return index_of_id(record_id)
        for row, record in enumerate(self._rows):
            if self._id_of(record) == record_id:
                return row
        return None

    def cell_look(self, row: int, column: int) -> tuple[str, QColor | str | None, bool, bool]:
        """A cell's text, its text colour (None: the palette's), whether it is right-aligned and
        whether its column's values repeat from row to row.

        One call per cell for `RecordTableView`, which paints big tables without asking
        the model role by role.
        """
        record = self._rows[row]
        spec = self._columns[column]
        colour = spec.foreground(record) if spec.foreground is not None else None
        return _display(spec, record), colour, spec.align_right, spec.repeats

    def record(self, row: int) -> Any:
        return self._rows[row]

    def refresh_cells(self) -> None:
        """Repaint every cell (for values that change with time, like SLA countdowns)."""
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, self.columnCount() - 1))

    # ---- lazy paging ---------------------------------------------------------------------
    def set_fetch_more(self, callback: Callable[[], None] | None) -> None:
        """`callback()` starts loading the next page and calls `append_rows` + `set_has_more` when done."""
        self._fetch_more = callback

    def set_has_more(self, has_more: bool) -> None:
        self._has_more = has_more
        self._fetching = False

    @property
    def has_more(self) -> bool:
        return self._has_more

    def canFetchMore(self, parent: Index = _ROOT) -> bool:
        return not parent.isValid() and self._has_more and not self._fetching and self._fetch_more is not None

    def fetchMore(self, parent: Index = _ROOT) -> None:
        if self.canFetchMore(parent):
            self._fetching = True
            self._fetch_more()

    # ---- Qt model API --------------------------------------------------------------------
    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._columns[section].title
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Qt asks about ten roles per painted cell; answering the unused ones first keeps a
        # repaint of a full table in the low milliseconds (enum lookups are slow in PySide6).
        if role not in _ROLES_ANSWERED or not index.isValid():
            return None
        record = self._rows[index.row()]
        column = self._columns[index.column()]
        if role == _DISPLAY:
            return _display(column, record)
        if role == _RECORD:
            return record
        if role == _FOREGROUND:
            return _foreground(column, record)
        if role == _TOOLTIP and column.tooltip is not None:
            return column.tooltip(record)
        if role == _ALIGNMENT and column.align_right:
            return _RIGHT_ALIGNED
        return None

    def multiData(self, index: Index, roleDataSpan) -> None:
        # The view's delegate asks for all the roles it paints with in one call: answering them
        # together is one crossing into Python per cell instead of seven, which halves the cost
        # of repainting a scrolled table. The delegate reuses its span from cell to cell, so
        # every role gets an answer, empty ones included, or a cell would inherit its neighbour's.
        if not index.isValid():
            for role_data in roleDataSpan:
                role_data.clearData()
            return
        record = self._rows[index.row()]
        column = self._columns[index.column()]
        for role_data in roleDataSpan:
            role = role_data.role()
            if role == _DISPLAY:
                role_data.setData(_display(column, record))
            elif role == _FOREGROUND and column.foreground is not None:
                role_data.setData(_foreground(column, record))
            elif role == _ALIGNMENT and column.align_right:
                role_data.setData(_RIGHT_ALIGNED)
            elif role == _TOOLTIP and column.tooltip is not None:
                role_data.setData(column.tooltip(record))
            elif role == _RECORD:
                role_data.setData(record)
            else:
                role_data.clearData()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        spec = self._columns[column]
        key = spec.sort_key or spec.value

        def safe_key(record: Any) -> tuple[int, Any]:
            value = key(record)
            return (0, "") if value is None else (1, value)

        self.layoutAboutToBeChanged.emit()
        self._rows.sort(key=safe_key, reverse=order == Qt.SortOrder.DescendingOrder)
        self.layoutChanged.emit()
