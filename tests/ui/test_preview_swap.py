"""At the swap from the cached preview to the live contacts panel, the rows stay where they were."""

from __future__ import annotations

from PySide6.QtCore import QPoint

from app.ui.panel_context import PanelContext
from app.ui.panels.contacts.panel import ContactsPanel
from app.ui.shell.cached_preview import CachedContacts, CachedPreview
from app.ui.shell.main_window import MainWindow


def _table_origin(window, table) -> QPoint:
    return table.viewport().mapTo(window, QPoint(0, 0))


def test_the_preview_and_the_live_panel_put_the_rows_in_the_same_place(qtbot, tmp_path):
    window = MainWindow()
    qtbot.addWidget(window)
    for size in ((1200, 760), (1024, 700)):
        window.resize(*size)
        window.show()
        qtbot.waitExposed(window)
        rows = [{"id": f"cnt_{n}", "name": f"Person {n}", "email": f"p{n}@example.com"} for n in range(30)]
        preview = CachedPreview(CachedContacts(rows), window)
        window.show_preview(preview)
        window.layout().activate()
        qtbot.waitUntil(lambda: preview.table.isVisible())
        before = (_table_origin(window, preview.table), preview.table.rowViewportPosition(3),
                  [preview.table.columnViewportPosition(c) for c in range(3)])
        context = PanelContext(client=None, cache=None, profile=None, message_strip=window._notice_area)
        panel = ContactsPanel(context, window.stack)
        window.stack.addWidget(panel)
        window.stack.setCurrentWidget(panel)
        panel.model.set_rows([(r["id"], r["name"], r["email"], "", "", "", "", "") for r in rows])
        window.layout().activate()
        qtbot.waitUntil(lambda: panel.table.isVisible())
        after = (_table_origin(window, panel.table), panel.table.rowViewportPosition(3),
                 [panel.table.columnViewportPosition(c) for c in range(3)])
        assert after == before, f"at {size} the rows moved at the swap: {before} -> {after}"
        window.stack.removeWidget(panel)
        panel.deleteLater()
