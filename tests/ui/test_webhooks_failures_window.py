"""The Failures tab after a long outage (700 failed deliveries over six hours, more than the old
bound of 500), against a real sandbox: the grouped counts and first/last seen are the server's
deliveries, the summary says what they cover, a typed window start is used (or refused with a
sentence when it is not a time or lies ahead), and a long read shows progress and can be stopped."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt

from app.data.webhook_failures import parse_since
from app.ui.time_text import exact
from tests.data.webhook_failure_outage import Outage, server_groups, stage_outage
from tests.ui.test_api_keys import click, open_session
from tests.ui.test_webhooks_ops import opened
from tests.waiting import wait_until


@pytest.fixture(scope="module")
def outage(tmp_path_factory) -> Outage:
    staged = stage_outage(tmp_path_factory.mktemp("failures-ui-sandbox"))
    yield staged
    staged.process.stop()


def shown(view, webhook_ids) -> dict[frozenset, tuple[str, str, str]]:
    """Each listed group of these endpoints: its deliveries → (count, first seen, last seen) as shown
    (the seen columns' tooltips give the exact time)."""
    cell = view.model.index
    tip = Qt.ItemDataRole.ToolTipRole
    return {frozenset(group.delivery_ids): (cell(row, 2).data(), cell(row, 3).data(tip), cell(row, 4).data(tip))
            for row, group in enumerate(view.model.rows) if group.webhook_id in webhook_ids}


def from_server(outage: Outage, since: datetime, webhook_ids) -> dict[frozenset, tuple[str, str, str]]:
    return {frozenset(g["ids"]): (str(len(g["ids"])), exact(min(g["seen"])), exact(max(g["seen"])))
            for key, g in server_groups(outage.database, since).items() if key[0] in webhook_ids}


@asynccontextmanager
async def failures_tab(qtbot, outage: Outage, home) -> AsyncIterator[tuple]:
    """A console session on the outage's test workspace with the webhooks panel on its Failures tab:
    yields (the tab, the session); the session is closed afterwards."""
    session = await open_session(outage.process.url, outage.process.credentials()["test"]["owner_key"], home)
    try:
        panel = await opened(qtbot, session)
        panel.tabs.setCurrentWidget(panel.failures)
        yield panel.failures, session
    finally:
        await session.close()


async def settled(view, session) -> None:
    await wait_until(lambda: view._store.failures.last is not None and view._store.failures.last.finished
                     and not session.context.tasks, 60, view.summary.text())


def test_grouped_counts_and_first_last_seen_are_the_servers_deliveries(
        qtbot, run_async, outage, tmp_path) -> None:
    async def scenario() -> None:
        async with failures_tab(qtbot, outage, tmp_path) as (view, session):
            await settled(view, session)
            report = view._store.failures.last
            mine = (outage.answering, outage.refusing)
            assert shown(view, mine) == from_server(outage, report.since, mine)
            assert sum(int(count) for count, _f, _l in shown(view, mine).values()) > 500
            everyone = sum(len(g["ids"]) for g in server_groups(outage.database, report.since).values())
            since = report.since.astimezone().strftime("%Y-%m-%d %H:%M")
            groups = view.model.rowCount()
            assert view.summary.text() == (f"{everyone:,} failed deliveries since {since} in {groups} groups,"
                                           " biggest first.")
            assert not view.progress.isVisible() and not view.stop_button.isVisible()

    run_async(scenario(), timeout=120)


def test_a_typed_window_start_is_used_or_refused_with_a_sentence(qtbot, run_async, outage, tmp_path) -> None:
    async def scenario() -> None:
        async with failures_tab(qtbot, outage, tmp_path) as (view, session):
            await settled(view, session)
            whole_week = view._store.failures.last.failed
            view.window.setCurrentIndex(view.window.findText("Since a time…"))
            assert view.since.isVisibleTo(view)
            await settled(view, session)

            for text, words in (("2099-01-01 09:00", "in the future"), ("half past nine", "is not a time")):
                view.since.setText(text)
                view.since.returnPressed.emit()
                await wait_until(lambda w=words: w in view.summary.text() and not session.context.tasks, 10,
                                 view.summary.text())
                assert view.summary.kind == "error"

            typed = (datetime.now(UTC) - timedelta(hours=2)).astimezone().strftime("%Y-%m-%d %H:%M")
            view.since.setText(typed)
            view.since.returnPressed.emit()
            await wait_until(lambda: view.summary.text().endswith("biggest first.") and f"since {typed}"
                             in view.summary.text() and not session.context.tasks, 60, view.summary.text())
            mine = (outage.answering, outage.refusing)
            assert shown(view, mine) == from_server(outage, parse_since(typed), mine)
            assert 0 < view._store.failures.last.failed < whole_week  # the older ones are left out

    run_async(scenario(), timeout=120)


def test_a_long_read_shows_progress_and_stop_keeps_what_was_read(qtbot, run_async, outage, tmp_path) -> None:
    async def scenario() -> None:
        async with failures_tab(qtbot, outage, tmp_path) as (view, session):
            await wait_until(lambda: view.progress.isVisible() and view.progress.value() > 0, 60,
                             view.summary.text())
            assert view.stop_button.isVisible() and view.summary.text().startswith("Reading the failed deliveries")
            click(view.stop_button)
            await wait_until(lambda: view.summary.text().startswith("Stopped") and not session.context.tasks, 30,
                             view.summary.text())
            report = view._store.failures.last
            assert view.summary.text().startswith(f"Stopped: counts cover the newest {report.read:,} of "
                                                  f"{report.total:,} failed deliveries since")
            assert report.read < report.total
            assert sum(int(view.model.index(row, 2).data()) for row in range(view.model.rowCount())) == report.read
            assert not view.progress.isVisible() and not view.stop_button.isVisible()

    run_async(scenario(), timeout=120)
