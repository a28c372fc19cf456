"""What a table's delegate paints for a cell: text, colour and alignment from the column.

The model answers the delegate's per-cell role batch (`multiData`) itself, so these tests go
through `QStyledItemDelegate.initStyleOption`, the call a real repaint makes, and compare it
with what `data()` answers role by role (tests, accessibility and keyboard search use that).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem, QTableView

from app.ui.record_table_model import Column, RecordRole, RecordTableModel, field_of


def _painted(view: QTableView, row: int, column: int) -> QStyleOptionViewItem:
    option = QStyleOptionViewItem()
    option.initFrom(view)
    delegate = view.itemDelegate()
    assert isinstance(delegate, QStyledItemDelegate)
    delegate.initStyleOption(option, view.model().index(row, column))
    return option


def _model() -> RecordTableModel:
    model = RecordTableModel([
        Column("Number", field_of("number")),
        Column("Due", field_of("due"), text=lambda cents: f"{cents / 100:.2f}", align_right=True,
               foreground=lambda record: "#c62828" if record["overdue"] else None,
               tooltip=lambda record: "overdue" if record["overdue"] else None),
        Column("Note", field_of("note")),
    ])
    model.set_rows([
        {"id": "inv_1", "number": "INV-1", "due": 12345, "overdue": True, "note": None},
        {"id": "inv_2", "number": "INV-2", "due": 500, "overdue": False, "note": "paid soon"},
    ])
    return model


def test_painted_cells_show_the_columns_text_colour_and_alignment(qtbot):
    model = _model()
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)

    assert _painted(view, 0, 0).text == "INV-1"
    due = _painted(view, 0, 1)
    assert due.text == "123.45"
    assert due.displayAlignment & Qt.AlignmentFlag.AlignRight
    assert due.palette.text().color() == QColor("#c62828")
    # The delegate reuses its role buffer from cell to cell: the next row's cell must not
    # inherit the overdue colour or alignment of the one painted before it.
    assert _painted(view, 1, 1).palette.text().color() != QColor("#c62828")
    assert not _painted(view, 1, 0).displayAlignment & Qt.AlignmentFlag.AlignRight
    # An empty value paints as an empty cell, never "None".
    assert _painted(view, 0, 2).text == ""
    assert _painted(view, 1, 2).text == "paid soon"


def test_data_answers_each_role_like_the_painted_cell(qtbot):
    model = _model()
    due = model.index(0, 1)
    assert due.data() == "123.45"
    assert due.data(Qt.ItemDataRole.ForegroundRole).color() == QColor("#c62828")
    assert due.data(Qt.ItemDataRole.ToolTipRole) == "overdue"
    assert model.index(1, 1).data(Qt.ItemDataRole.ForegroundRole) is None
    assert model.index(1, 0).data(RecordRole)["id"] == "inv_2"
    assert model.index(0, 2).data() == ""


def _numbers(model: RecordTableModel) -> list[str]:
    return [model.index(row, 0).data() for row in range(model.rowCount())]


def _invoices(*numbers: int) -> list[dict]:
    return [{"id": f"inv_{n}", "number": f"INV-{n}", "due": n * 100, "overdue": False, "note": None} for n in numbers]


def test_replacing_rows_keeps_the_selected_record_selected_where_it_moved(qtbot):
    model = _model()
    model.set_rows(_invoices(*range(1, 11)))
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    view.selectRow(4)  # INV-5

    model.replace_rows(_invoices(20, 21, 5, 22))  # fewer rows; INV-5 moved up to row 2

    assert _numbers(model) == ["INV-20", "INV-21", "INV-5", "INV-22"]
    assert [index.row() for index in view.selectionModel().selectedRows()] == [2]
    assert view.selectionModel().currentIndex().data(RecordRole)["id"] == "inv_5"

    model.replace_rows(_invoices(*range(30, 45)))  # more rows, none of them the selected one

    assert _numbers(model) == [f"INV-{n}" for n in range(30, 45)]
    assert view.selectionModel().selectedRows() == []
    assert not view.selectionModel().currentIndex().isValid()

    model.replace_rows([])
    assert model.rowCount() == 0
