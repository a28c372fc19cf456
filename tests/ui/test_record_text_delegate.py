"""What the fast cell delegate of big tables draws: text in the palette's or the column's colour,
elided inside its cell, right-aligned where the column says, selection in the highlight colour.

Cells are painted into an image through the delegate, exactly as the view calls it, and the
pixels are read back.
"""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QFontMetrics, QImage, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyleOptionViewItem, QTableView

from app.ui.record_table_model import Column, RecordTableModel, field_of
from app.ui.widgets.record_text_delegate import RecordTextDelegate

CELL = QRect(0, 0, 120, 48)  # tall enough for the text of the font-change test
RED = "#c62828"


def _model() -> RecordTableModel:
    model = RecordTableModel([
        Column("Name", field_of("name")),
        Column("Due", field_of("due"), align_right=True,
               foreground=lambda record: RED if record["overdue"] else None),
        Column("Company", field_of("company"), repeats=True),
    ])
    model.set_rows([
        {"id": "1", "name": "Ada Lovelace", "due": "12.00", "overdue": True, "company": "Acme Widgets"},
        {"id": "2", "name": "a.very.long.address@example-company.example", "due": "3.00", "overdue": False,
         "company": "Massive Dynamic International Holdings"},
    ])
    return model


def _paint(qtbot, row: int, column: int, *, selected: bool = False, palette: QPalette | None = None,
           view: QTableView | None = None) -> tuple[QImage, QPalette]:
    if view is None:
        view = QTableView()
        qtbot.addWidget(view)
        view.setModel(_model())
        view.setItemDelegate(RecordTextDelegate(view.model(), view))
    model = view.model()
    if palette is not None:
        view.setPalette(palette)
    delegate = view.itemDelegate()
    option = QStyleOptionViewItem()
    option.initFrom(view)
    option.rect = CELL
    if selected:
        option.state |= QStyle.StateFlag.State_Selected
    background = option.palette.color(QPalette.ColorRole.Base)
    # Twice the cell's width: text that ran past the cell would show in the right half.
    image = QImage(CELL.width() * 2, CELL.height(), QImage.Format.Format_ARGB32)
    image.fill(background)
    painter = QPainter(image)
    painter.setFont(view.font())  # as the view's paint event sets it up
    delegate.paint(painter, option, model.index(row, column))
    painter.end()
    return image, QPalette(option.palette)


def _inked(image: QImage, background: QColor, x_from: int = 0, x_to: int | None = None) -> list[QColor]:
    x_to = image.width() if x_to is None else x_to
    return [image.pixelColor(x, y) for x in range(x_from, x_to) for y in range(image.height())
            if image.pixelColor(x, y) != background]


def _close(a: QColor, b: QColor, tolerance: int = 40) -> bool:
    return abs(a.red() - b.red()) + abs(a.green() - b.green()) + abs(a.blue() - b.blue()) <= tolerance


def test_text_is_drawn_in_the_palettes_text_colour_inside_the_cell(qtbot):
    image, palette = _paint(qtbot, 0, 0)
    ink = _inked(image, palette.color(QPalette.ColorRole.Base))
    assert len(ink) > 50, "no text was drawn"
    assert any(_close(pixel, palette.color(QPalette.ColorRole.Text)) for pixel in ink)


def test_long_text_is_elided_inside_its_cell_not_drawn_past_it(qtbot):
    image, palette = _paint(qtbot, 1, 0)
    background = palette.color(QPalette.ColorRole.Base)
    assert _inked(image, background, 0, CELL.width()), "no text was drawn"
    assert _inked(image, background, CELL.width()) == [], "the text ran past the cell's edge"


def test_a_right_aligned_column_ends_its_text_at_the_right_edge_in_the_columns_colour(qtbot):
    image, palette = _paint(qtbot, 0, 1)
    background = palette.color(QPalette.ColorRole.Base)
    assert _inked(image, background, 0, CELL.width() // 2) == [], "right-aligned text started on the left"
    ink = _inked(image, background, CELL.width() // 2, CELL.width())
    assert ink and any(_close(pixel, QColor(RED)) for pixel in ink), "the overdue colour was not used"


def test_a_selected_cell_has_the_highlight_background_and_text(qtbot):
    image, palette = _paint(qtbot, 0, 0, selected=True)
    highlight = palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.Highlight)
    assert image.pixelColor(CELL.width() - 2, 1) == highlight
    ink = _inked(image, highlight, 0, CELL.width())
    assert any(_close(pixel, palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.HighlightedText)) for pixel in ink)


def test_dark_palette_text_is_light_on_dark(qtbot):
    dark = QPalette()
    dark.setColor(QPalette.ColorRole.Base, QColor("#1e1e1e"))
    dark.setColor(QPalette.ColorRole.Text, QColor("#e6e6e6"))
    image, palette = _paint(qtbot, 0, 0, palette=dark)
    ink = _inked(image, QColor("#1e1e1e"))
    assert any(_close(pixel, QColor("#e6e6e6")) for pixel in ink), "text was not drawn in the dark theme's colour"


def test_repeating_column_text_is_elided_inside_its_cell_and_follows_a_font_change(qtbot):
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(_model())
    view.setItemDelegate(RecordTextDelegate(view.model(), view))
    image, palette = _paint(qtbot, 1, 2, view=view)
    background = palette.color(QPalette.ColorRole.Base)
    assert _inked(image, background, 0, CELL.width()), "no text was drawn"
    assert _inked(image, background, CELL.width()) == [], "the kept text ran past the cell's edge"

    # "Acme Widgets" fits its cell; in a font big enough for it not to, it must be elided, not
    # drawn whole as the width measured in the old font said it could be.
    fits, _ = _paint(qtbot, 0, 2, view=view)
    assert _inked(fits, background, 0, CELL.width())
    font = view.font()
    width = QFontMetrics(font).horizontalAdvance("Acme Widgets")
    font.setPointSizeF(font.pointSizeF() * 1.5 * CELL.width() / width)
    view.setFont(font)
    bigger, _ = _paint(qtbot, 0, 2, view=view)
    assert _inked(bigger, background, 0, CELL.width()), "no text was drawn in the new font"
    assert _inked(bigger, background, CELL.width()) == [], "the text kept from the old font ran past the cell"


def test_switching_the_theme_repaints_in_the_new_palettes_colours(qtbot):
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(_model())
    view.setItemDelegate(RecordTextDelegate(view.model(), view))
    _paint(qtbot, 0, 0, view=view)  # the light palette's colours are now kept
    dark = QPalette(view.palette())
    dark.setColor(QPalette.ColorRole.Base, QColor("#1e1e1e"))
    dark.setColor(QPalette.ColorRole.Text, QColor("#e6e6e6"))
    image, _ = _paint(qtbot, 0, 0, view=view, palette=dark)
    ink = _inked(image, QColor("#1e1e1e"))
    assert any(_close(pixel, QColor("#e6e6e6")) for pixel in ink), "the old theme's text colour was kept"
