"""A draft's line items as an editable table, and reading them back in the API's shape.

Each cell is read as the operator typed it (money and percent in their locale) and checked against
the contract's bounds before anything is sent; `LineError` names the line and the column. The kind
is offered in words ("Service") and read as the platform's value (`service`). The table asks for
about four lines of height, so the payments below it stay in view in a 760 px window; it scrolls
when there are more.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QSize
from PySide6.QtWidgets import (
    QComboBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from app.api.models import LineItem
from app.ui.labels import label
from app.ui.money import currency_symbol, format_money, parse_money
from app.ui.panels.invoices.rules import MAX_ITEM_CHARS, line_bound_problem
from app.ui.panels.invoices.tax_rate import LineError, format_bps, parse_percent_bps

KINDS = ("service", "product", "fee")
KIND, NAME, QTY, PRICE, TAX = range(5)
_ROW_HEIGHT = 26
#: Lines shown before the table scrolls (its size hint), and at the least.
_ROWS_HINTED, _ROWS_AT_LEAST = 4, 2


class LineTable(QTableWidget):
    """Kind, Item, Qty, Unit price, Tax %: the item's name takes the width the others leave."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, 5, parent)
        self.setObjectName("invoices.editor.lines")
        self.setHorizontalHeaderLabels(["Kind", "Item", "Qty", "Unit price", "Tax %"])
        header = self.horizontalHeader()
        header.setStretchLastSection(False)
        for column, width in ((KIND, 88), (QTY, 44), (PRICE, 84), (TAX, 52)):
            self.setColumnWidth(column, width)
        header.setSectionResizeMode(NAME, QHeaderView.ResizeMode.Stretch)
        self.verticalHeader().setDefaultSectionSize(_ROW_HEIGHT)
        self.setMinimumHeight(self._height_for(_ROWS_AT_LEAST))

    def _height_for(self, rows: int) -> int:
        return self.horizontalHeader().sizeHint().height() + rows * _ROW_HEIGHT + 2 * self.frameWidth() + 2

    def sizeHint(self) -> QSize:
        return QSize(super().sizeHint().width(), self._height_for(_ROWS_HINTED))

    def insert_line(self, line: LineItem | None, currency: str, on_kind_changed: Callable[..., None]) -> None:
        """Append `line` (None: an empty one) with its amounts written for `currency`."""
        row = self.rowCount()
        self.insertRow(row)
        kind = QComboBox(self)
        kind.setObjectName(f"invoices.editor.lines.{row}.kind")
        for value in KINDS if not line or line.kind in KINDS else (*KINDS, line.kind):
            kind.addItem(label("kind", value), value)
        kind.setCurrentIndex(kind.findData(line.kind if line else "service"))
        kind.currentIndexChanged.connect(on_kind_changed)
        self.setCellWidget(row, KIND, kind)
        price = format_money(line.unit_amount_cents, currency).replace(currency_symbol(currency), "").strip() if line else ""
        cells = {NAME: line.name if line else "", QTY: str(line.quantity if line else 1), PRICE: price,
                 TAX: format_bps(line.tax_rate_bps if line else 0)}
        for column, text in cells.items():
            self.setItem(row, column, QTableWidgetItem(text))

    def set_editable(self, editable: bool) -> None:
        triggers = QTableWidget.EditTrigger
        self.setEditTriggers(triggers.AllEditTriggers if editable else triggers.NoEditTriggers)
        for row in range(self.rowCount()):
            kind = self.cellWidget(row, KIND)
            if kind is not None:
                kind.setEnabled(editable)

    def read(self, currency: str) -> list[dict[str, Any]]:
        """The lines in API shape; LineError names the first cell the server would refuse."""
        return [self._read_row(row, currency) for row in range(self.rowCount())]

    def _read_row(self, row: int, currency: str) -> dict[str, Any]:
        def text(column: int) -> str:
            item = self.item(row, column)
            return item.text().strip() if item is not None else ""

        line = f"Line {row + 1}"
        name = text(NAME)
        if not name:
            raise LineError(f"{line}: the item needs a name.")
        if len(name) > MAX_ITEM_CHARS:
            raise LineError(f"{line}: the item's name must have at most {MAX_ITEM_CHARS} characters.")
        quantity = text(QTY)
        if not quantity.isdigit() or int(quantity) < 1:
            raise LineError(f"{line}: quantity “{quantity}” must be a whole number of at least 1.")
        if problem := line_bound_problem("quantity", int(quantity), currency):
            raise LineError(f"{line}: quantity {problem}.")
        try:
            price = parse_money(text(PRICE), currency)
        except ValueError as problem:
            raise LineError(f"{line}: unit price: {problem}") from None
        if problem := line_bound_problem("unit_amount_cents", price, currency):
            raise LineError(f"{line}: unit price {problem}.")
        try:
            bps = parse_percent_bps(text(TAX))
        except ValueError as problem:
            raise LineError(f"{line}: {problem}") from None
        kind = self.cellWidget(row, KIND)
        return {"kind": kind.currentData() if kind else "service", "name": name, "quantity": int(quantity),
                "unit_amount_cents": price, "tax_rate_bps": bps}
