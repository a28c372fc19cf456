"""Columns keep the operator's widths, order and choice across restarts; the chooser hides and shows."""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import QTableView

from app.ui.widgets.column_layout import ColumnLayout


def _table(qtbot) -> QTableView:
    model = QStandardItemModel(3, 4)
    model.setHorizontalHeaderLabels(["Subject", "SLA due", "Status", "Assignee"])
    table = QTableView()
    table.setObjectName("tickets.table")
    table.setModel(model)
    qtbot.addWidget(table)
    table.resize(900, 300)
    return table


def test_widths_order_and_hidden_columns_survive_a_restart(qtbot, tmp_path):
    path = str(tmp_path / "ui-state.ini")
    settings = lambda: QSettings(path, QSettings.Format.IniFormat)
    first = _table(qtbot)
    layout = ColumnLayout(first, "tickets", {0: 320, 1: 110, 2: 100}, settings=settings)
    assert first.columnWidth(0) == 320
    first.horizontalHeader().moveSection(3, 1)
    first.setColumnWidth(2, 150)
    layout.set_visible(1, False)
    layout.save()

    again = _table(qtbot)
    ColumnLayout(again, "tickets", {0: 320, 1: 110, 2: 100}, settings=settings)
    header = again.horizontalHeader()
    assert header.visualIndex(3) == 1, "the moved column kept its place"
    assert again.columnWidth(2) == 150 and again.isColumnHidden(1)


def test_the_chooser_lists_every_column_and_never_hides_the_last(qtbot, tmp_path):
    path = str(tmp_path / "ui-state.ini")
    table = _table(qtbot)
    layout = ColumnLayout(table, "t", {}, settings=lambda: QSettings(path, QSettings.Format.IniFormat))
    titles = [a.text() for a in layout.menu().actions() if a.isCheckable()]
    assert titles == ["Subject", "SLA due", "Status", "Assignee"]
    for column in range(4):
        layout.set_visible(column, False)
    assert [table.isColumnHidden(c) for c in range(4)] == [True, True, True, False]
    [a for a in layout.menu().actions() if a.text() == "Reset columns"][0].trigger()
    assert not any(table.isColumnHidden(c) for c in range(4))
