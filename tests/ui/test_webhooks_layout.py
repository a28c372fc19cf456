"""The endpoints table as an operator sees it in the real window, at the default 1200×760 and at
1024×700: an endpoint with all 18 events never pushes Status, Success or the secret off-screen,
no header title goes blank, the secret stays on one line; the selected endpoint's detail charts
its deliveries per day from what the platform lists.

`window_with` and `visible_width` are shared with the API keys and quota layout tests.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QTableView

from app.api.models.webhooks import EVENT_TYPES
from app.core.webhook_listener import WebhookListener
from app.ui.shell.main_window import MainWindow
from tests.ui.test_api_keys import open_session
from tests.ui.test_webhooks_words import column_of
from tests.waiting import wait_until

SIZES = [(1200, 760), (1024, 700)]
#: Room a cell's text needs beyond its own advance (the view's margins on both sides).
CELL_PADDING = 8


@pytest.fixture(autouse=True)
def first_run_columns(monkeypatch, tmp_path):
    """Every test starts from the first-run column layout (its own UI-state file)."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


async def window_with(qtbot, session, module: str, size: tuple[int, int], tmp_path):
    """The console's main window at `size` showing `module`'s panel, activated on `session`."""
    window = MainWindow(settings=QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    window.set_context(session.context)
    panel = window.open_module(module)
    await window.activation(module)
    await wait_until(lambda: not session.context.tasks, 15)
    assert (window.width(), window.height()) == size
    return window, panel


def visible_width(table: QTableView, column: int) -> int:
    """How many pixels of `column` are inside the table's viewport (0: hidden or off-screen)."""
    header = table.horizontalHeader()
    if header.isSectionHidden(column):
        return 0
    left = header.sectionViewportPosition(column)
    right = left + header.sectionSize(column)
    return max(0, min(right, table.viewport().width()) - max(left, 0))


def needed_width(table: QTableView, texts) -> int:
    metrics = QFontMetrics(table.font())
    return max(metrics.horizontalAdvance(str(text)) for text in texts) + CELL_PADDING


#: A strip of header this wide with no title in it reads as blank (a narrower one is the cut-off
#: end of a column scrolled out to the left, as in any table).
BLANK_HEADER = 150


def titles_in_sight(table: QTableView) -> dict[str, bool]:
    """For each column showing at least 40 px: is its title drawn inside the viewport, or is the
    column's visible part too narrow to read as a blank header?"""
    header = table.horizontalHeader()
    metrics = QFontMetrics(header.font())
    model = table.model()
    centred = bool(header.defaultAlignment() & Qt.AlignmentFlag.AlignHCenter)
    seen = {}
    for column in range(header.count()):
        if visible_width(table, column) < 40:
            continue
        title = str(model.headerData(column, Qt.Orientation.Horizontal))
        width = metrics.horizontalAdvance(title)
        left = header.sectionViewportPosition(column)
        start = left + (header.sectionSize(column) - width) / 2 if centred else left + 4
        drawn = start >= 0 and start + width <= table.viewport().width()
        seen[title] = drawn or visible_width(table, column) < BLANK_HEADER
    return seen


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_an_endpoint_with_every_event_leaves_status_success_and_secret_in_sight(
        qtbot, run_async, sandbox, sandbox_credentials, tmp_path, size) -> None:
    async def scenario() -> None:
        session = await open_session(sandbox.url, sandbox_credentials["test"]["owner_key"], tmp_path)
        await session.client.webhooks.create({"name": "Everything feed", "event_types": list(EVENT_TYPES),
                                              "url": "https://hooks.example.com/opsdesk/all-the-events"})
        try:
            _window, panel = await window_with(qtbot, session, "webhooks", size, tmp_path)
            table, model = panel.table, panel.model
            shown = {title: visible_width(table, column_of(model, title))
                     for title in ("Name", "URL", "Status", "Success", "Secret", "Last delivery", "Events")}
            print(f"webhooks endpoints at {size[0]}x{size[1]}: visible widths {shown}")
            column = {title: column_of(model, title) for title in shown}
            for title in ("Status", "Success", "Secret", "Last delivery"):
                cells = [model.index(row, column[title]).data() for row in range(model.rowCount())]
                assert shown[title] >= needed_width(table, cells + [title]), f"{title} is cut or off-screen"
            assert shown["Name"] >= 120 and shown["URL"] >= 120
            everything = model.row_of_id(next(w.id for w in model.rows if w.name == "Everything feed"))
            events = model.index(everything, column["Events"])
            assert events.data() == "All 18 events"
            assert shown["Events"] >= needed_width(table, [events.data()])
            assert events.data(Qt.ItemDataRole.ToolTipRole).splitlines()[:2] == ["Contact created", "Contact updated"]
            assert not table.wordWrap()  # a secret preview never breaks over two lines
        finally:
            await session.close()

    run_async(scenario(), timeout=60)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_no_header_title_goes_blank_when_the_table_is_scrolled(qtbot, run_async, sandbox, sandbox_credentials,
                                                              tmp_path, size) -> None:
    async def scenario() -> None:
        session = await open_session(sandbox.url, sandbox_credentials["test"]["owner_key"], tmp_path)
        await session.client.webhooks.create({"name": "All events again", "event_types": list(EVENT_TYPES),
                                              "url": "https://hooks.example.com/opsdesk/again"})
        try:
            _window, panel = await window_with(qtbot, session, "webhooks", size, tmp_path)
            scroll = panel.table.horizontalScrollBar()
            for position in (scroll.minimum(), (scroll.minimum() + scroll.maximum()) // 2, scroll.maximum()):
                scroll.setValue(position)
                in_sight = titles_in_sight(panel.table)
                assert in_sight and all(in_sight.values()), f"blank header at scroll {position}: {in_sight}"
        finally:
            await session.close()

    run_async(scenario(), timeout=60)


def test_the_detail_charts_the_endpoints_deliveries_per_day_from_the_log(qtbot, run_async, sandbox,
                                                                         sandbox_credentials, tmp_path) -> None:
    async def scenario() -> None:
        session = await open_session(sandbox.url, sandbox_credentials["test"]["owner_key"], tmp_path)
        receiver = WebhookListener(lambda _d: None)
        await receiver.start()
        fresh = await session.client.webhooks.create(
            {"name": "Charted receiver", "url": receiver.url, "event_types": ["webhook.test"]})
        try:
            _window, panel = await window_with(qtbot, session, "webhooks", (1200, 760), tmp_path)
            seeded = next(w for w in panel.model.rows if w.name == "CRM Ops Webhook")  # the demo's history
            panel.select_endpoint(seeded.id)
            await wait_until(lambda: panel.detail.chart.history is not None and not session.context.tasks, 10)
            listed = [d async for d in (await session.client.webhooks.deliveries.list(seeded.id)).iter_items()]
            oldest = datetime.now().astimezone().date() - timedelta(days=59)
            counted = [d for d in listed if d.created_at.astimezone().date() >= oldest]
            history = panel.detail.chart.history
            succeeded = sum(d.status == "succeeded" for d in counted)
            finished = succeeded + sum(d.status == "failed" for d in counted)
            assert (history.succeeded, history.succeeded + history.failed) == (succeeded, finished) and finished
            assert history.days[0].day == min(d.created_at.astimezone().date() for d in counted)
            assert history.days[-1].day == datetime.now().astimezone().date()  # quiet days up to today
            line = panel.detail.success.text()
            assert f"{succeeded} of {finished} finished deliveries succeeded ({succeeded / finished:.0%})" in line

            # A new endpoint's chart follows its first delivery from "on its way" to succeeded.
            panel.select_endpoint(fresh.id)
            await wait_until(lambda: panel.detail.chart.history is not None
                             and panel.detail.chart.history.webhook_id == fresh.id, 10)
            assert panel.detail.success.text() == "No deliveries in the last 60 days."
            await panel.send_test_event(fresh.id)
            await wait_until(lambda: panel.detail.chart.history.succeeded == 1, 20, panel.detail.success.text())
            assert panel.detail.success.text().endswith(": 1 of 1 finished deliveries succeeded (100%).")
            assert panel.detail.chart.grab().toImage().pixelColor(10, 10).isValid()
        finally:
            await receiver.stop()
            await session.close()

    run_async(scenario(), timeout=60)
