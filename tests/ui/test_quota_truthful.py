"""The quota panel tells the truth: the rate gauge names refill and burst as what they are (the
platform answers `limit: 600, remaining: 999` for a burst of 1000 refilled at 600/min), the API
calls card and "this month" are one number, a short history is shown as short, and the panel reads
as words (kinds and modules, times relative with the exact on hover)."""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from PySide6.QtCore import Qt

from app.ui.panels.quota.usage_chart import DailyUsageChart
from app.ui.time_text import exact
from tests.ui.test_api_keys import child, open_session
from tests.ui.test_quota import opened_panel, shown
from tests.ui.test_webhooks_layout import (  # noqa: F401  (first_run_columns: autouse)
    SIZES,
    first_run_columns,
    needed_width,
    visible_width,
    window_with,
)
from tests.ui.test_webhooks_words import shown_texts, word_problems
from tests.waiting import wait_until


def _number(text: str, pattern: str) -> int:
    found = re.search(pattern, text)
    assert found, f"{pattern!r} not in {text!r}"
    return int(found.group(1).replace(",", ""))


def test_the_gauge_says_burst_and_refill_for_a_bucket_above_its_limit(qtbot, run_async, sandbox,
                                                                     sandbox_credentials, tmp_path) -> None:
    async def scenario() -> None:
        session = await open_session(sandbox.url, sandbox_credentials["test"]["owner_key"], tmp_path)
        try:
            panel = await opened_panel(qtbot, session)
            for _ in range(3):
                await session.client.workspace.get()
            state = session.client.rate_limit
            assert state.limit == 600  # the plan's refill; what is left may stand above it
            text = shown(child(panel, "quota.rate.remaining"))
            assert text.startswith(f"{state.remaining:,} of 1,000 (burst) left · refills 600/min"), text
            assert "limit 600" not in text and "requests left (limit" not in text
            assert panel.gauge.dial.caption == f"{state.remaining:,}\nof 1,000"
        finally:
            await session.close()

    run_async(scenario(), timeout=60)


@pytest.mark.parametrize(("limit", "remaining", "seconds_to_full", "expected"), [
    (600, 999, 0.1, "999 of 1,000 (burst) left · refills 600/min"),
    (600, 962, 3.8, "962 of 1,000 (burst) left · refills 600/min · full again in 4 s"),
    (60, 19, 41.0, "19 of 60 left · refills 60/min · full again in 41 s"),
    # A bucket of 2,000 is no size the contract names: its size is left out, never guessed.
    (600, 1999, 0.1, "1,999 left · refills 600/min"),
])
def test_the_bucket_size_is_named_only_when_the_headers_pin_it_down(limit, remaining, seconds_to_full,
                                                                   expected) -> None:
    from app.data.quota import BucketSize, RateBudget
    from app.ui.panels.quota.rate_gauge import budget_text

    now = 1_800_000_000.3
    bucket = BucketSize(lambda: now)
    full_at = datetime.fromtimestamp(math.ceil(now + seconds_to_full), UTC)  # headers say whole seconds
    bucket.add(limit, remaining, full_at)
    budget = RateBudget(remaining, bucket.size, limit, full_at)
    assert budget_text(budget, datetime.fromtimestamp(now, UTC)) == expected


def test_the_api_calls_card_and_this_month_are_one_number(qtbot, run_async, sandbox, sandbox_credentials,
                                                          tmp_path) -> None:
    async def scenario() -> None:
        session = await open_session(sandbox.url, sandbox_credentials["test"]["owner_key"], tmp_path)
        try:
            panel = await opened_panel(qtbot, session)
            await wait_until(lambda: panel.by_key.rowCount() > 0 and not session.context.tasks, 10)
            card = _number(child(panel, "quota.api_calls.used").text(), r"^([\d,]+) of ")
            month = _number(child(panel, "quota.period").text(), r"API calls this month: ([\d,]+)")
            assert card == month
            remaining = _number(child(panel, "quota.api_calls.remaining").text(), r"^([\d,]+) remaining")
            assert card + remaining == panel.store.status.quotas["api_calls"].limit
        finally:
            await session.close()

    run_async(scenario(), timeout=60)


def test_the_quota_panel_reads_as_words(qtbot, run_async, sandbox, sandbox_credentials, tmp_path) -> None:
    async def scenario() -> None:
        session = await open_session(sandbox.url, sandbox_credentials["test"]["owner_key"], tmp_path)
        try:
            panel = await opened_panel(qtbot, session)
            await wait_until(lambda: panel.by_module.rowCount() > 0 and not session.context.tasks, 10)
            texts = shown_texts(panel)
            assert word_problems(texts) == []
            assert ("quota.table[0,1]", "API key") in texts  # the kind of credential, in words
            reset = child(panel, "quota.api_calls.reset")
            assert reset.toolTip() == f"Resets {exact(panel.store.status.quotas['api_calls'].reset_at)}"
        finally:
            await session.close()

    run_async(scenario(), timeout=60)


def test_a_short_history_is_shown_as_short(qtbot, run_async, sandbox, sandbox_credentials, tmp_path) -> None:
    async def scenario() -> None:
        session = await open_session(sandbox.url, sandbox_credentials["test"]["owner_key"], tmp_path)
        try:
            panel = await opened_panel(qtbot, session)
            await wait_until(lambda: panel.chart.days and not session.context.tasks, 10)
            history = await session.client.quota.history("api_calls", 30)
            used = [day.used for day in history.days]
            before = next(i for i, amount in enumerate(used) if amount)  # this call itself was counted
            title = shown(panel.chart_title)
            if before:  # a young workspace: the days before its first recorded use are said to be so
                first_day = history.days[before].date
                first = f"{first_day.day} {first_day.strftime('%b')}"
                assert f"(recorded since {first})" in title, title
                assert panel.chart.unrecorded_days == before
                assert f"recorded since {first}" in panel.chart.accessibleDescription()
            else:
                assert "recorded since" not in title and panel.chart.unrecorded_days == 0
        finally:
            await session.close()

    run_async(scenario(), timeout=60)


def test_the_chart_says_what_it_has(qtbot) -> None:
    chart = DailyUsageChart()
    qtbot.addWidget(chart)
    chart.resize(480, 220)
    today = date(2026, 12, 2)
    days = [(today - timedelta(days=29 - i), 0) for i in range(30)]
    chart.set_series("api_calls", days)
    assert chart.recorded_since is None and chart.unrecorded_days == 30
    assert "nothing recorded" in chart.accessibleDescription()
    days[-1] = (today, 16)
    chart.set_series("api_calls", days)
    assert (chart.recorded_since, chart.unrecorded_days) == (today, 29)
    full = [(today - timedelta(days=59 - i), 100 + i) for i in range(60)]
    chart.set_series("api_calls", full)
    assert chart.unrecorded_days == 0 and chart.recorded_since == full[0][0]
    image = chart.grab().toImage()
    assert image.width() == 480 and image.pixelColor(240, 110).isValid()
    assert chart.days == full


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_split_tables_show_every_column_at_the_default_sizes(qtbot, run_async, sandbox, sandbox_credentials,
                                                                 tmp_path, size) -> None:
    async def scenario() -> None:
        session = await open_session(sandbox.url, sandbox_credentials["test"]["owner_key"], tmp_path)
        try:
            _window, panel = await window_with(qtbot, session, "quota", size, tmp_path)
            await wait_until(lambda: panel.by_module.rowCount() > 0 and not session.context.tasks, 10)
            for table in (panel.key_table, panel.module_table):
                model = table.model()
                shown = {}
                for column in range(model.columnCount()):
                    title = model.headerData(column, Qt.Orientation.Horizontal)
                    cells = [model.index(row, column).data() for row in range(model.rowCount())]
                    shown[title] = visible_width(table, column)
                    assert shown[title] >= needed_width(table, [*cells, title]), f"{title} is cut or off-screen"
                print(f"quota {table.objectName()} at {size[0]}x{size[1]}: visible widths {shown}")
            assert panel.chart.width() >= 300 and panel.gauge.width() >= 200
        finally:
            await session.close()

    run_async(scenario(), timeout=60)
