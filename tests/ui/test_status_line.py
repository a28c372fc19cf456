"""The status line under a table: its text is shown, and a new count never repaints the table."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject
from PySide6.QtWidgets import QSplitter, QTableWidget, QTabWidget, QVBoxLayout, QWidget

from app.ui.widgets.status_line import StatusLine


class PaintCounter(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.paints = 0

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.paints += 1
        return False


def _flush() -> None:
    """Run every posted layout request and repaint now (a QLabel's text change posts several)."""
    for _ in range(5):
        QCoreApplication.sendPostedEvents()
        QCoreApplication.processEvents()


def test_a_new_status_text_repaints_only_the_line_not_the_table_above_it(qtbot):
    # The layout of the Contacts panel: a tab page split into the list (a table with the status
    # line under it) and a detail pane.
    tabs = QTabWidget()
    qtbot.addWidget(tabs)
    splitter = QSplitter()
    left = QWidget()
    layout = QVBoxLayout(left)
    table = QTableWidget(50, 4)
    status = StatusLine()
    layout.addWidget(table)
    layout.addWidget(status)
    splitter.addWidget(left)
    splitter.addWidget(QWidget())
    tabs.addTab(splitter, "Contacts")
    tabs.resize(700, 500)
    tabs.show()
    qtbot.waitExposed(tabs)
    _flush()
    counter = PaintCounter()
    table.viewport().installEventFilter(counter)
    height = status.height()

    for count in (100, 98, 1000, 7):
        status.setText(f"{count} cached contacts matching “ma”")
        _flush()

    assert counter.paints == 0, "a status text change repainted the table"
    assert status.height() == height


def test_the_whole_status_text_is_kept_and_is_the_tooltip_when_it_is_cut_short(qtbot):
    status = StatusLine()
    qtbot.addWidget(status)
    status.resize(120, status.height())
    text = "100+ best cached matches for “nadia” (Enter asks the server)"
    status.setText(text)
    assert status.text() == text
    assert status.toolTip() == text
