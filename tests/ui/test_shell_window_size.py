"""No panel content ever resizes the main window."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from app.ui.shell.main_window import MainWindow


def test_a_page_wider_than_the_window_does_not_widen_it(qtbot, tmp_path):
    window = MainWindow()
    qtbot.addWidget(window)
    window.resize(1200, 760)
    window.show()
    qtbot.waitExposed(window)
    size = window.size()
    wide = QLabel("A bulk result that wants a lot of room " * 20)
    wide.setMinimumWidth(1600)
    window.stack.addWidget(wide)
    window.stack.setCurrentWidget(wide)
    window.layout().activate()
    qtbot.waitUntil(lambda: wide.isVisible())
    assert window.size() == size
