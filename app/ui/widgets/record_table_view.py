"""A table view that paints a RecordTableModel's visible rows itself, for lists of 100k records.

QTableView paints cell by cell: for each cell it builds a style option, creates the cell's index
(two calls into Python, for the row and column counts), has the style draw the row's background,
and calls the delegate (from Python: a call with three wrapped objects). A page of contact rows
took 11-15 ms that way here, most of it that machinery; a scroll that repaints a page per step
stalled the event loop past a frame. This view paints the rows in one Python call: each row's
background once (zebra stripe or selection), then each cell's text in the palette's or the
column's colour, right-aligned where the column says, elided with "…" when it does not fit
(`TextFit`). Texts of columns whose values repeat (companies, tags) are laid out once and kept.

Rows appended below the last visible one (the next lazy page) do not repaint the rows on screen:
QTableView lays itself out again after any row count change and repaints the whole viewport, a
full page painted for nothing on every slice a scroll brings in. Only the scroll bars follow.

Selection, keyboard, editing, tooltips and sorting stay QTableView's. What this view does not
draw (grid lines, right-to-left layouts, per-cell selection, another model) is left to Qt's own
painting, so such a table still looks right, only slower.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    QPointF,
    QRect,
    Qt,
)
from PySide6.QtGui import (
    QColor,
    QFontMetrics,
    QFontMetricsF,
    QPainter,
    QPaintEvent,
    QPalette,
    QStaticText,
    QTransform,
)
from PySide6.QtWidgets import QAbstractItemView, QStyle, QTableView, QWidget

from app.ui.record_table_model import RecordTableModel
from app.ui.widgets.text_fit import TextFit

#: Laid-out texts kept for repeating columns; the store starts over when it is full.
MAX_KEPT_TEXTS = 4_000

_LOOK_CHANGES = {QEvent.Type.FontChange, QEvent.Type.PaletteChange, QEvent.Type.StyleChange,
                 QEvent.Type.EnabledChange, QEvent.Type.ActivationChange}
_SELECT_ROWS = QAbstractItemView.SelectionBehavior.SelectRows
_LEFT_TO_RIGHT = Qt.LayoutDirection.LeftToRight


class RecordTableView(QTableView):
    """A QTableView over a `RecordTableModel` whose rows are whole-row selected, painted fast."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSelectionBehavior(_SELECT_ROWS)
        self.setShowGrid(False)
        self.setWordWrap(False)  # one line per cell, in Qt's painting too (the fallback)
        #: (alternate row background, text, selection background, selected text) of the
        #: palette group in use; picked again when the palette, focus or enabled state changes.
        self._inks: tuple[QColor, QColor, QColor, QColor] | None = None
        self._colours: dict[str, QColor] = {}
        self._fit: TextFit | None = None
        #: Space between a cell's edge and its text (the style's, as Qt's item delegate leaves it),
        #: and the font's whole-pixel ascent and descent that place the baseline as Qt does.
        self._margin = self._ascent = self._descent = 0
        #: (text, room) -> (laid-out text, its width, its height), for columns whose values repeat.
        self._kept: dict[tuple[str, int], tuple[QStaticText, int, int]] = {}
        #: The model whose appends are watched (see `_before_rows_inserted`).
        self._watched: QAbstractItemModel | None = None
        self._appending_below = False

    # ---- rows appended out of sight --------------------------------------------------------------
    def setModel(self, model: QAbstractItemModel | None) -> None:
        if self._watched is not None:
            self._watched.rowsAboutToBeInserted.disconnect(self._before_rows_inserted)
            self._watched.rowsInserted.disconnect(self._after_rows_inserted)
        super().setModel(model)
        self._watched = model
        if model is not None:
            # After the view's own connections (setModel made them): Qt's handling runs first.
            model.rowsAboutToBeInserted.connect(self._before_rows_inserted)
            model.rowsInserted.connect(self._after_rows_inserted)

    def _before_rows_inserted(self, parent: QModelIndex | QPersistentModelIndex, first: int, _last: int) -> None:
        model = self.model()
        last_shown = self.rowAt(self.viewport().height() - 1)
        self._appending_below = (not parent.isValid() and first == model.rowCount() and 0 <= last_shown < first
                                 and not self.verticalHeader().signalsBlocked())
        if self._appending_below:
            # The row header's count change is what makes the table lay out and repaint everything.
            self.verticalHeader().blockSignals(True)

    def _after_rows_inserted(self, *_: object) -> None:
        if self._appending_below:
            self._appending_below = False
            self.verticalHeader().blockSignals(False)
            self.updateGeometries()  # the scroll bar's range and the headers, no repaint of the rows

    # ---- what the look depends on ------------------------------------------------------------
    def changeEvent(self, event: QEvent) -> None:
        if event.type() in _LOOK_CHANGES:
            self._forget_look()
        super().changeEvent(event)

    def _forget_look(self) -> None:
        # Everything kept was measured in the old font or picked from the old palette.
        self._inks = None
        self._colours.clear()
        self._fit = None
        self._kept.clear()

    def _paints_itself(self, model: object) -> bool:
        return (isinstance(model, RecordTableModel) and not self.showGrid()
                and self.selectionBehavior() == _SELECT_ROWS and self.layoutDirection() == _LEFT_TO_RIGHT)

    def _current_inks(self) -> tuple[QColor, QColor, QColor, QColor]:
        if self._inks is None:
            if not self.isEnabled():
                group = QPalette.ColorGroup.Disabled
            elif self.isActiveWindow():
                group = QPalette.ColorGroup.Active
            else:
                group = QPalette.ColorGroup.Inactive
            palette = self.viewport().palette()
            self._inks = tuple(QColor(palette.color(group, role)) for role in (
                QPalette.ColorRole.AlternateBase, QPalette.ColorRole.Text,
                QPalette.ColorRole.Highlight, QPalette.ColorRole.HighlightedText))
        return self._inks

    def _colour(self, colour: QColor | str) -> QColor:
        if not isinstance(colour, str):
            return QColor(colour)
        kept = self._colours.get(colour)
        if kept is None:
            kept = self._colours[colour] = QColor(colour)
        return kept

    # ---- painting ----------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        model = self.model()
        if not self._paints_itself(model):
            super().paintEvent(event)
            return
        area = event.rect()
        first = self.rowAt(area.top())
        if first < 0:
            return
        last = self.rowAt(area.bottom())
        if last < 0:
            last = model.rowCount() - 1
        cells = self._visible_columns(area)
        if not cells:
            return
        painter = QPainter(self.viewport())
        try:
            self._paint_rows(painter, model, first, last, cells)
        finally:
            painter.end()

    def _visible_columns(self, area: QRect) -> list[tuple[int, int, int]]:
        """(column, x, width) of the columns that meet `area`, left to right."""
        header = self.horizontalHeader()
        left, right = area.left(), area.right()
        cells = []
        for visual in range(header.count()):
            column = header.logicalIndex(visual)
            if header.isSectionHidden(column):
                continue
            x, width = header.sectionViewportPosition(column), header.sectionSize(column)
            if x + width > left and x <= right:
                cells.append((column, x, width))
        return cells

    def _selected_rows(self, first: int, last: int) -> set[int]:
        selected: set[int] = set()
        for span in self.selectionModel().selection():
            selected.update(range(max(span.top(), first), min(span.bottom(), last) + 1))
        return selected

    def _paint_rows(self, painter: QPainter, model: RecordTableModel, first: int, last: int,
                    cells: list[tuple[int, int, int]]) -> None:
        alternate, text_ink, selection, selected_ink = self._current_inks()
        fit = self._fit
        if fit is None:
            fit = self._fit = TextFit(QFontMetricsF(self.font()))
            self._margin = self.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, self) + 1
            whole_pixels = QFontMetrics(self.font())
            self._ascent, self._descent = whole_pixels.ascent(), whole_pixels.descent()
        margin, ascent, descent = self._margin, self._ascent, self._descent
        metrics = fit.metrics
        zebra = self.alternatingRowColors()
        selected = self._selected_rows(first, last)
        rows_header = self.verticalHeader()
        row_top, row_height = rows_header.sectionViewportPosition, rows_header.sectionSize
        left = cells[0][1]
        span = cells[-1][1] + cells[-1][2] - left
        look = model.cell_look
        draw_text = painter.drawText
        pen = text_ink
        painter.setPen(pen)
        for row in range(first, last + 1):
            y, height = row_top(row), row_height(row)
            is_selected = row in selected
            if is_selected:
                painter.fillRect(left, y, span, height, selection)
            elif zebra and row & 1:
                painter.fillRect(left, y, span, height, alternate)
            baseline = y + (height + ascent - descent) // 2
            for column, x, width in cells:
                text, colour, right_aligned, repeats = look(row, column)
                if not text:
                    continue
                ink = selected_ink if is_selected else (self._colour(colour) if colour else text_ink)
                if ink is not pen:
                    pen = ink
                    painter.setPen(pen)
                room = width - 2 * margin
                if repeats:
                    laid_out, text_width, text_height = self._laid_out(text, room, fit)
                    left_edge = x + width - margin - text_width if right_aligned else x + margin
                    painter.drawStaticText(left_edge, y + (height - text_height) // 2, laid_out)
                elif right_aligned:
                    text = fit.fitted(text, room)
                    draw_text(QPointF(x + width - margin - metrics.horizontalAdvance(text), baseline), text)
                else:
                    draw_text(x + margin, baseline, fit.fitted(text, room))

    def _laid_out(self, text: str, room: int, fit: TextFit) -> tuple[QStaticText, int, int]:
        kept = self._kept.get((text, room))
        if kept is None:
            shown = fit.fitted(text, room)
            laid_out = QStaticText(shown)
            laid_out.setTextFormat(Qt.TextFormat.PlainText)
            laid_out.prepare(QTransform(), self.font())
            if len(self._kept) >= MAX_KEPT_TEXTS:
                self._kept.clear()
            size = laid_out.size()
            kept = self._kept[(text, room)] = (laid_out, round(size.width()), round(size.height()))
        return kept

