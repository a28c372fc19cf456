"""What the fast table view of big lists draws: text in the palette's or the column's colour,
elided inside its cell, right-aligned where the column says, zebra rows, selected rows in the
highlight colours, the new look after a theme or font change; rows appended out of sight repaint
nothing on screen, yet show once scrolled to.

The view is rendered as it appears on screen (`grab`) and the pixels are read back.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRect
from PySide6.QtGui import QColor, QFontMetrics, QImage, QPalette
from PySide6.QtWidgets import QApplication, QHeaderView, QTableView

from app.ui.record_table_model import Column, RecordTableModel, field_of
from app.ui.widgets.record_table_view import RecordTableView

WIDTH, HEIGHT = 120, 48  # a cell; tall enough for the text of the font-change test
RED = "#c62828"
NAME, DUE, COMPANY = range(3)


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
        {"id": "3", "name": "Grace Hopper", "due": "1.00", "overdue": False, "company": "Acme Widgets"},
    ])
    return model


def _view(qtbot, only: int | None = None, palette: QPalette | None = None) -> RecordTableView:
    """A view of `_model()`; with `only`, that column alone is shown, with empty room to its right
    where text that ran past the cell would show."""
    view = RecordTableView()
    qtbot.addWidget(view)
    view.setModel(_model())
    if palette is not None:
        view.setPalette(palette)
    rows = view.verticalHeader()
    rows.hide()
    rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    rows.setDefaultSectionSize(HEIGHT)
    view.horizontalHeader().setStretchLastSection(False)
    for column in range(3):
        view.setColumnWidth(column, WIDTH)
        view.setColumnHidden(column, only is not None and column != only)
    view.resize(4 * WIDTH, 5 * HEIGHT)
    view.show()
    qtbot.waitExposed(view)
    return view


def _cell(view: RecordTableView, row: int, column: int) -> QRect:
    return view.visualRect(view.model().index(row, column))


def _grab(view: RecordTableView) -> QImage:
    return view.viewport().grab().toImage()


def _inked(image: QImage, background: QColor, area: QRect) -> list[QColor]:
    return [image.pixelColor(x, y) for x in range(area.left(), area.right() + 1)
            for y in range(area.top(), area.bottom() + 1) if image.pixelColor(x, y) != background]


def _close(a: QColor, b: QColor, tolerance: int = 40) -> bool:
    return abs(a.red() - b.red()) + abs(a.green() - b.green()) + abs(a.blue() - b.blue()) <= tolerance


def _right_of(view: RecordTableView, row: int, column: int) -> QRect:
    cell = _cell(view, row, column)
    return QRect(cell.right() + 1, cell.top(), view.viewport().width() - cell.right() - 1, cell.height())


def _colour(view: RecordTableView, role: QPalette.ColorRole) -> QColor:
    return view.palette().color(QPalette.ColorGroup.Active, role)


def test_text_is_drawn_in_the_palettes_text_colour_inside_the_cell(qtbot):
    view = _view(qtbot)
    ink = _inked(_grab(view), _colour(view, QPalette.ColorRole.Base), _cell(view, 0, NAME))
    assert len(ink) > 50, "no text was drawn"
    assert any(_close(pixel, _colour(view, QPalette.ColorRole.Text)) for pixel in ink)


def test_odd_rows_have_the_alternate_background_when_zebra_rows_are_on(qtbot):
    view = _view(qtbot)
    view.setAlternatingRowColors(True)
    image = _grab(view)
    second = _cell(view, 1, COMPANY)
    assert image.pixelColor(second.right() - 1, second.top() + 1) == _colour(view, QPalette.ColorRole.AlternateBase)
    first = _cell(view, 0, COMPANY)
    assert image.pixelColor(first.right() - 1, first.top() + 1) == _colour(view, QPalette.ColorRole.Base)


def test_long_text_is_elided_inside_its_cell_not_drawn_past_it(qtbot):
    view = _view(qtbot, only=NAME)
    image = _grab(view)
    base = _colour(view, QPalette.ColorRole.Base)
    assert _inked(image, base, _cell(view, 1, NAME)), "no text was drawn"
    assert _inked(image, base, _right_of(view, 1, NAME)) == [], "the text ran past the cell's edge"


def test_a_right_aligned_column_ends_its_text_at_the_right_edge_in_the_columns_colour(qtbot):
    view = _view(qtbot, only=DUE)
    image = _grab(view)
    base = _colour(view, QPalette.ColorRole.Base)
    cell = _cell(view, 0, DUE)
    left_half = QRect(cell.left(), cell.top(), cell.width() // 2, cell.height())
    right_half = QRect(cell.center().x(), cell.top(), cell.width() // 2, cell.height())
    assert _inked(image, base, left_half) == [], "right-aligned text started on the left"
    ink = _inked(image, base, right_half)
    assert ink and any(_close(pixel, QColor(RED)) for pixel in ink), "the overdue colour was not used"
    assert _inked(image, base, _right_of(view, 0, DUE)) == [], "the text ran past the cell's edge"


def test_a_selected_row_has_the_highlight_background_and_text_across_its_cells(qtbot):
    view = _view(qtbot)
    view.selectRow(0)
    image = _grab(view)
    highlight = _colour(view, QPalette.ColorRole.Highlight)
    for column in (NAME, DUE, COMPANY):
        cell = _cell(view, 0, column)
        assert image.pixelColor(cell.right() - 1, cell.top() + 1) == highlight
    ink = _inked(image, highlight, _cell(view, 0, NAME))
    assert any(_close(pixel, _colour(view, QPalette.ColorRole.HighlightedText)) for pixel in ink)
    unselected = _cell(view, 2, NAME)
    assert image.pixelColor(unselected.right() - 1, unselected.top() + 1) != highlight


def test_a_disabled_table_draws_its_text_in_the_disabled_colour(qtbot):
    palette = QPalette()
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor("#2e7d32"))
    view = _view(qtbot, palette=palette)
    view.setEnabled(False)
    image = _grab(view)
    base = view.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Base)
    ink = _inked(image, base, _cell(view, 0, NAME))
    assert any(_close(pixel, QColor("#2e7d32")) for pixel in ink), "the enabled text colour was kept"


def test_dark_palette_text_is_light_on_dark(qtbot):
    dark = QPalette()
    dark.setColor(QPalette.ColorRole.Base, QColor("#1e1e1e"))
    dark.setColor(QPalette.ColorRole.Text, QColor("#e6e6e6"))
    view = _view(qtbot, palette=dark)
    ink = _inked(_grab(view), QColor("#1e1e1e"), _cell(view, 0, NAME))
    assert any(_close(pixel, QColor("#e6e6e6")) for pixel in ink), "text was not drawn in the dark theme's colour"


def test_repeating_column_text_is_elided_inside_its_cell_and_follows_a_font_change(qtbot):
    view = _view(qtbot, only=COMPANY)
    base = _colour(view, QPalette.ColorRole.Base)
    image = _grab(view)
    assert _inked(image, base, _cell(view, 1, COMPANY)), "no text was drawn"
    assert _inked(image, base, _right_of(view, 1, COMPANY)) == [], "the kept text ran past the cell's edge"
    assert _inked(image, base, _cell(view, 0, COMPANY)), "no text was drawn"

    # "Acme Widgets" fits its cell; in a font big enough for it not to, it must be elided, not
    # drawn whole as the width measured in the old font said it could be.
    font = view.font()
    width = QFontMetrics(font).horizontalAdvance("Acme Widgets")
    font.setPointSizeF(font.pointSizeF() * 1.5 * WIDTH / width)
    view.setFont(font)
    bigger = _grab(view)
    assert _inked(bigger, base, _cell(view, 0, COMPANY)), "no text was drawn in the new font"
    assert _inked(bigger, base, _right_of(view, 0, COMPANY)) == [], "the text kept from the old font ran past the cell"


def test_switching_the_theme_repaints_in_the_new_palettes_colours(qtbot):
    view = _view(qtbot)
    _grab(view)  # the light palette's colours are now kept
    dark = QPalette(view.palette())
    dark.setColor(QPalette.ColorRole.Base, QColor("#1e1e1e"))
    dark.setColor(QPalette.ColorRole.Text, QColor("#e6e6e6"))
    view.setPalette(dark)
    ink = _inked(_grab(view), QColor("#1e1e1e"), _cell(view, 0, NAME))
    assert any(_close(pixel, QColor("#e6e6e6")) for pixel in ink), "the old theme's text colour was kept"


def test_it_draws_what_qts_own_painting_draws_for_the_same_rows(qtbot):
    # The same rows through Qt's cell-by-cell painting (grid off, whole rows selected, one line
    # of elided text): the fast painting must not change what the user sees.
    view = _view(qtbot)
    view.setAlternatingRowColors(True)
    view.selectRow(1)
    plain = QTableView()
    qtbot.addWidget(plain)
    plain.setModel(view.model())
    plain.setSelectionModel(view.selectionModel())
    plain.setShowGrid(False)
    plain.setWordWrap(False)
    plain.setAlternatingRowColors(True)
    plain.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    plain.verticalHeader().hide()
    plain.verticalHeader().setDefaultSectionSize(HEIGHT)
    plain.horizontalHeader().setStretchLastSection(False)
    for column in range(3):
        plain.setColumnWidth(column, WIDTH)
    plain.resize(view.size())
    plain.show()
    qtbot.waitExposed(plain)
    ours, qts = _grab(view), _grab(plain)
    rows = QRect(0, 0, 3 * WIDTH, 3 * HEIGHT)
    differing = sum(1 for x in range(rows.width()) for y in range(rows.height())
                    if not _close(ours.pixelColor(x, y), qts.pixelColor(x, y), 60))
    assert differing < rows.width() * rows.height() // 200, f"{differing} pixels differ from Qt's painting"


def test_grid_lines_leave_the_painting_to_qt_and_the_text_still_shows(qtbot):
    view = _view(qtbot)
    view.setShowGrid(True)
    image = _grab(view)
    cell = _cell(view, 0, NAME)
    grid = view.palette().color(QPalette.ColorRole.Mid)
    assert _inked(image, _colour(view, QPalette.ColorRole.Base), cell), "no text was drawn"
    assert any(_close(image.pixelColor(cell.right() + 1, y), grid, 90) for y in range(cell.top(), cell.bottom())), \
        "no grid line was drawn"


class _Paints(QObject):
    """Counts the paint events a widget receives."""

    def __init__(self, widget) -> None:
        super().__init__(widget)
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


def _rows(first: int, count: int) -> list[dict]:
    return [{"id": str(n), "name": f"Person {n}", "due": "1.00", "overdue": False, "company": "Acme"}
            for n in range(first, first + count)]


def _settle() -> None:
    # The table lays itself out on a zero timer and repaints on a posted request: a few turns deliver both.
    for _ in range(5):
        QApplication.processEvents()


def test_rows_appended_below_the_visible_ones_repaint_nothing_yet_show_when_scrolled_to(qtbot):
    view = _view(qtbot, only=NAME)
    model = view.model()
    model.set_rows(_rows(0, 20))  # more than the five rows the view shows
    _settle()
    paints = _Paints(view.viewport())
    bar = view.verticalScrollBar()
    maximum = bar.maximum()

    model.append_rows(_rows(20, 10))
    _settle()

    assert paints.count == 0, "the rows on screen were repainted for rows appended out of sight"
    assert bar.maximum() > maximum, "the scroll bar does not reach the appended rows"
    bar.setValue(bar.maximum())
    _settle()
    last = model.rowCount() - 1
    assert view.rowAt(view.viewport().height() - 1) == last
    assert _inked(_grab(view), _colour(view, QPalette.ColorRole.Base), _cell(view, last, NAME)), \
        "the last appended row shows no text"


def test_rows_appended_into_empty_room_on_screen_are_painted(qtbot):
    view = _view(qtbot, only=NAME)  # three rows, room for five
    _settle()
    paints = _Paints(view.viewport())

    view.model().append_rows(_rows(3, 1))
    _settle()

    assert paints.count > 0, "a row appended into view was not painted"
    assert _inked(_grab(view), _colour(view, QPalette.ColorRole.Base), _cell(view, 3, NAME))
