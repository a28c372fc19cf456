"""Contacts at the default window sizes: name, email and company readable; the layout is kept."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint

from app.ui.panel_context import PanelContext
from app.ui.panels.contacts.panel import ContactsPanel
from app.ui.shell.main_window import MainWindow


def _visible(table, column: int) -> int:
    left = table.columnViewportPosition(column)
    right = left + table.columnWidth(column)
    return max(0, min(right, table.viewport().width()) - max(left, 0))


@pytest.mark.parametrize("size", [(1200, 760), (1024, 700)])
def test_name_email_and_company_are_readable_and_the_layout_survives_a_restart(qtbot, size, tmp_path):
    window = MainWindow()
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    context = PanelContext(client=None, cache=None, profile=None, message_strip=window._notice_area)
    panel = ContactsPanel(context, window.stack)
    window.stack.addWidget(panel)
    window.stack.setCurrentWidget(panel)
    window.layout().activate()
    qtbot.waitUntil(lambda: panel.table.isVisible())
    widths = {title: _visible(panel.table, column) for column, title in enumerate(("Name", "Email", "Company"))}
    assert widths["Name"] >= 140 and widths["Email"] >= 200 and widths["Company"] >= 130, widths
    assert panel.table.viewport().mapTo(window, QPoint(0, 0)).x() < size[0] // 2

    panel.table.horizontalHeader().moveSection(4, 1)  # phone next to the name
    panel.table.column_layout.set_visible(3, False)  # tags hidden
    again = ContactsPanel(PanelContext(client=None, cache=None, profile=None), window.stack)
    qtbot.addWidget(again)
    assert again.table.horizontalHeader().visualIndex(4) == 1 and again.table.isColumnHidden(3)
