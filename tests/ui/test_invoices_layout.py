"""The invoices list reads at the default window size and at 1024×700 (issue 14).

In the real main window (sidebar, margins, splitter): Number, Customer, Total and Status are
whole on screen, statuses are words in one casing ("Overdue", not `OVERDUE` beside `draft`), due
dates are local (not ISO), and the invoice's actions (Void, Record payment) are not cut off by
the window's edge. Before: the detail pane was clipped at 1024 px (Void off-screen), statuses
mixed `partially paid` and `OVERDUE`, dates read `2026-12-31`, and invoices billed to a person
had an empty Customer cell.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QPoint, QSettings, QSize
from PySide6.QtWidgets import QTableView

from app.api import AdminClient, ApiKeyAuth
from app.cache import AsyncPageCache
from app.ui.panel_context import PanelContext
from app.ui.shell.main_window import MainWindow
from tests.ui.shell_harness import isolate_home
from tests.ui.test_invoices_panel import owner_key, us_locale  # noqa: F401
from tests.waiting import wait_until

SIZES = ((1200, 760), (1024, 700))
FIRST_NEEDED = ("Number", "Customer", "Total", "Status")
#: A customer's name needs at least this much (the longest demo names are whole in it).
CUSTOMER_AT_LEAST = 120
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
#: The sandbox's demo invoices (other tests add their own, with numbers after these).
DEMO = {f"INV-{1001 + i}" for i in range(20)}


def visible_widths(table: QTableView) -> dict[str, int]:
    """Per column title: how many pixels of it are inside the table's viewport."""
    header, model = table.horizontalHeader(), table.model()
    shown = table.viewport().width()
    widths = {}
    for column in range(header.count()):
        if not header.isSectionHidden(column):
            left = header.sectionViewportPosition(column)
            widths[model.headerData(column, header.orientation())] = max(
                0, min(left + header.sectionSize(column), shown) - max(left, 0))
    return widths


def column_texts(table: QTableView, title: str) -> list[str]:
    """The column's cells in the demo invoices' rows."""
    model = table.model()
    column = [model.headerData(c, table.horizontalHeader().orientation()) for c in range(model.columnCount())].index(title)
    return [model.index(row, column).data() or "" for row in range(model.rowCount())
            if model.record(row).invoice_number in DEMO]


def laid_out(window, panel, size: QSize) -> bool:
    """The window has `size` and its page stack (the panel) reaches its right margin (8 px)."""
    stack = window.stack
    right = stack.mapTo(window, QPoint(stack.width(), 0)).x()
    return window.size() == size and right == size.width() - 8 and panel.width() == stack.width()


def inside_window(window, widget) -> bool:
    top_left = widget.mapTo(window, QPoint(0, 0))
    return top_left.x() >= 0 and top_left.x() + widget.width() <= window.width()


def test_the_first_needed_columns_are_whole_at_both_window_sizes(qtbot, run_async, sandbox, owner_key, tmp_path,
                                                                 monkeypatch):
    isolate_home(monkeypatch, tmp_path)  # the UI-state file (column widths) starts empty

    async def scenario():
        client = AdminClient(sandbox.url, ApiKeyAuth(owner_key))
        cache = await AsyncPageCache.open(tmp_path / "c.sqlite")
        context = PanelContext(client=client, cache=cache, profile=None, scopes=frozenset({"crm:read", "crm:write"}))
        window = MainWindow(QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat))
        qtbot.addWidget(window)
        window.set_context(context)
        window.show()
        try:
            panel = window.open_module("invoices")
            await window.activation("invoices")
            await wait_until(lambda: len(column_texts(panel.table, "Number")) == len(DEMO), 10, "no demo invoices")
            await wait_until(lambda: all(column_texts(panel.table, "Customer")), 10,
                             f"an invoice has no customer name: {column_texts(panel.table, 'Customer')}")
            panel.table.setCurrentIndex(panel.model.index(0, 0))
            metrics = panel.table.fontMetrics()
            for width, height in SIZES:
                window.resize(width, height)
                await wait_until(lambda w=width, h=height: laid_out(window, panel, QSize(w, h)), 5, "no layout")
                assert window.width() == width, "the window kept its size"
                widths = visible_widths(panel.table)
                for title in FIRST_NEEDED:
                    longest = max(metrics.horizontalAdvance(text) for text in column_texts(panel.table, title))
                    needed = CUSTOMER_AT_LEAST if title == "Customer" else longest + 8
                    assert widths[title] >= needed, f"{title} shows {widths[title]} px of {needed} at {width}×{height}"
                for button in (panel.void_button, panel.pdf_button, panel.payments.record_button):
                    assert inside_window(window, button), f"{button.text()} is cut off at {width}×{height}"
                print(f"{width}×{height}: {widths}")
        finally:
            await context.tasks.cancel_all()
            await client.aclose()
            await cache.close()
        return panel

    panel = run_async(scenario(), timeout=60)
    statuses = column_texts(panel.table, "Status")
    assert all(status[:1].isupper() and status[1:] == status[1:].lower() for status in statuses), statuses
    assert "Partially paid" in statuses and "Overdue" in statuses, "the demo data has both"
    dates = column_texts(panel.table, "Due date")
    assert dates and not any(ISO_DATE.search(text) for text in dates), dates
