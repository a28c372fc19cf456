"""Paints a RecordTableModel's cells as one elided line of text each, for tables of 100k rows.

Qt's default delegate paints a cell through the style: seven model roles, then a QTextLayout
for the text, its elision and a focus frame, about 7.5 ms for one screen of contact rows. Most
of that is machinery a one-line text cell does not need, and from Python every call and every
wrapped value costs. This delegate asks the model once per cell (`cell_look`) and draws the text
itself, in the palette's colours (so light and dark themes, selection and a disabled table look
as with the default delegate), elided with "…" when it does not fit. Text of columns whose
values repeat (companies, tags) is laid out once and kept (QStaticText). Colours are looked up
once per palette. Editing, size hints and tooltips stay the default delegate's.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt
from PySide6.QtGui import QBrush, QColor, QFontMetrics, QPainter, QPalette, QStaticText, QTransform
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from app.ui.record_table_model import RecordTableModel

#: Space between a cell's edge and its text, as the Fusion style leaves it.
TEXT_MARGIN = 4
#: Laid-out texts kept for repeating columns; the cache starts over when it is full.
MAX_KEPT_TEXTS = 4_000

_SELECTED = QStyle.StateFlag.State_Selected.value
_ENABLED = QStyle.StateFlag.State_Enabled.value
_ACTIVE = QStyle.StateFlag.State_Active.value
_ELIDE_RIGHT = Qt.TextElideMode.ElideRight
_LOOK_CHANGES = {QEvent.Type.FontChange, QEvent.Type.PaletteChange, QEvent.Type.StyleChange}


class RecordTextDelegate(QStyledItemDelegate):
    """Draws `model`'s cells straight from `RecordTableModel.cell_look`."""

    def __init__(self, model: RecordTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = model
        #: state bits -> (background brush or None, text colour), from the view's palette.
        self._inks: dict[int, tuple[object, QColor]] = {}
        self._colours: dict[str, QColor] = {}
        self._metrics: QFontMetrics | None = None
        #: (text, room, cell height) -> (laid-out text, its width, its top in the cell), for
        #: columns whose values repeat.
        self._kept: dict[tuple[str, int, int], tuple[QStaticText, int, int]] = {}
        if parent is not None:
            parent.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if event.type() in _LOOK_CHANGES:
            # Everything kept was measured in the old font or picked from the old palette.
            self._kept.clear()
            self._inks.clear()
            self._metrics = None
        return False

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        # Every call into Qt from here costs a wrapped object: what is the same for every cell
        # (colours, font metrics) is looked up once and kept until the look changes.
        text, colour, right_aligned, repeats = self._model.cell_look(index.row(), index.column())
        state = option.state.value & (_SELECTED | _ENABLED | _ACTIVE)
        ink = self._inks.get(state)
        if ink is None:
            ink = self._ink(option.palette, state)
        background, text_colour = ink
        x, y, width, height = option.rect.getRect()
        if background is not None:
            painter.fillRect(x, y, width, height, background)
        elif colour:
            text_colour = self._colours.get(colour) if isinstance(colour, str) else QColor(colour)
            if text_colour is None:
                text_colour = self._colours.setdefault(colour, QColor(colour))
        painter.setPen(text_colour)
        if not text:
            return
        room = width - 2 * TEXT_MARGIN
        metrics = self._metrics
        if metrics is None:
            # A copy: the option's own metrics go when the option does.
            metrics = self._metrics = QFontMetrics(option.fontMetrics)
        if repeats:
            kept = self._kept.get((text, room, height))
            if kept is None:
                kept = self._lay_out(text, room, height, metrics, option)
            laid_out, text_width, top = kept
            left = x + width - TEXT_MARGIN - text_width if right_aligned else x + TEXT_MARGIN
            painter.drawStaticText(left, y + top, laid_out)
            return
        baseline = y + (height + metrics.ascent() - metrics.descent()) // 2
        if not right_aligned:
            # elidedText hands back the text itself when it fits: one measuring pass either way.
            painter.drawText(x + TEXT_MARGIN, baseline, metrics.elidedText(text, _ELIDE_RIGHT, room))
            return
        text_width = metrics.horizontalAdvance(text)
        if text_width > room:
            text = metrics.elidedText(text, _ELIDE_RIGHT, room)
            text_width = metrics.horizontalAdvance(text)
        painter.drawText(x + width - TEXT_MARGIN - text_width, baseline, text)

    def _ink(self, palette: QPalette, state: int) -> tuple[object, QColor]:
        if not state & _ENABLED:
            group = QPalette.ColorGroup.Disabled
        elif state & _ACTIVE:
            group = QPalette.ColorGroup.Active
        else:
            group = QPalette.ColorGroup.Inactive
        if state & _SELECTED:
            ink = (QBrush(palette.brush(group, QPalette.ColorRole.Highlight)),
                   QColor(palette.color(group, QPalette.ColorRole.HighlightedText)))
        else:
            ink = (None, QColor(palette.color(group, QPalette.ColorRole.Text)))
        self._inks[state] = ink
        return ink

    def _lay_out(self, text: str, room: int, height: int, metrics: QFontMetrics,
                 option: QStyleOptionViewItem) -> tuple[QStaticText, int, int]:
        shown = text if metrics.horizontalAdvance(text) <= room else metrics.elidedText(text, _ELIDE_RIGHT, room)
        laid_out = QStaticText(shown)
        laid_out.setTextFormat(Qt.TextFormat.PlainText)
        laid_out.prepare(QTransform(), option.font)
        if len(self._kept) >= MAX_KEPT_TEXTS:
            self._kept.clear()
        kept = (laid_out, metrics.horizontalAdvance(shown), round((height - laid_out.size().height()) / 2))
        self._kept[(text, room, height)] = kept
        return kept
