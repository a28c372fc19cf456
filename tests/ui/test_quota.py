"""The quota panel against a real sandbox: the numbers are the server's, warnings at 80/95 %, the
breakdown and daily chart match the API, and the rate-limit gauge follows the response headers."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from app.api.models import QuotaEntry
from app.core.sandbox_process import SandboxProcess
from app.ui.panels.quota.panel import QuotaPanel
from app.ui.panels.quota.resource_card import ResourceCard
from tests.ui.test_api_keys import child, open_session, screenshot
from tests.waiting import wait_until


@pytest.fixture(scope="module")
def quota_sandbox(tmp_path_factory) -> SandboxProcess:
    """Our own sandbox (its quotas get used up here) with a small per-minute rate limit."""
    process = SandboxProcess.start(tmp_path_factory.mktemp("quota-sandbox"), seed_size=30, rate_limit=60)
    yield process
    process.stop()


def shown(label) -> str:
    """A label's text as read (the gauge keeps each clause on one line with no-break characters)."""
    return label.text().replace("\u00a0", " ").replace("\u2060", "")


def _month_answers(session, status_used: int) -> set[int]:
    """This month's API calls as each answer the session got put it (status, breakdown, history)."""
    answers = {status_used}
    for record in session.records:
        if not record.ok or not ("/quota/breakdown" in record.url or "/quota/history" in record.url):
            continue
        data = json.loads(record.response_body)["data"]
        if data["resource"] != "api_calls":
            continue
        if "/quota/breakdown" in record.url:
            answers.add(sum(row["used"] for row in data["by_key"]))
        else:
            month = data["days"][-1]["date"][:7]
            answers.add(sum(day["used"] for day in data["days"] if day["date"].startswith(month)))
    return answers


async def opened_panel(qtbot, session) -> QuotaPanel:
    panel = QuotaPanel(session.context)
    qtbot.addWidget(panel)
    panel.resize(1200, 760)
    panel.show()
    await panel.activate()
    return panel


def test_quota_numbers_equal_the_servers_with_warnings(qtbot, qapp, run_async, quota_sandbox, tmp_path) -> None:
    async def scenario() -> None:
        session = await open_session(quota_sandbox.url, quota_sandbox.credentials()["test"]["owner_key"], tmp_path)
        client = session.client
        try:
            limits = (await client.quota.status()).quotas
            ai_limit = limits["ai_calls"].limit
            used_before = limits["ai_calls"].used
            assert ai_limit > 0
            # Use 96 % of the AI calls (critical) and some storage.
            await client.quota.consume("ai_calls", int(ai_limit * 0.96) - used_before, module="assistant")
            for _ in range(3):  # 3 GB (one consumption is at most 10^9)
                await client.quota.consume("storage_bytes", 1_000_000_000, module="files")

            panel = await opened_panel(qtbot, session)
            panel_answer = [r for r in session.records if r.url.endswith("/quota/status") and r.ok][-1]
            server = (await client.quota.status()).quotas
            for resource in ("ai_calls", "storage_bytes", "seats"):
                assert panel.status.quotas[resource].used == server[resource].used
                assert panel.status.quotas[resource].limit == server[resource].limit
            # api_calls moves with every call: compare with the very answer the panel got.
            answered = json.loads(panel_answer.response_body)["data"]["quotas"]["api_calls"]
            assert panel.status.quotas["api_calls"].used == answered["used"]
            # The card shows the newest of the answers the panel got about this month's calls (the
            # status, or the breakdown / history asked for after it, which count the calls between).
            await wait_until(lambda: not session.context.tasks, 10)
            newest = panel.store.usage("api_calls").used
            assert newest in _month_answers(session, answered["used"])
            assert child(panel, "quota.api_calls.used").text().startswith(f"{newest:,} of ")

            ai = server["ai_calls"]
            assert child(panel, "quota.ai_calls.used").text() == f"{ai.used:,} of {ai.limit:,} used (96%)"
            assert child(panel, "quota.ai_calls.remaining").text() == f"{ai.remaining:,} remaining"
            assert "95 %" in child(panel, "quota.ai_calls.warning").text()
            assert panel.cards["ai_calls"].level == "critical"
            assert child(panel, "quota.ai_calls.reset").text().startswith("Resets in ")
            assert child(panel, "quota.storage_bytes.used").text() == "2.8 GiB of 10.0 GiB used (28%)"
            assert child(panel, "quota.storage_bytes.reset").text() == "Does not reset"
            assert child(panel, "quota.storage_bytes.warning").text() == ""

            # Breakdown and history of the AI calls are the server's.
            panel.resource.setCurrentIndex(panel.resource.findData("ai_calls"))
            await wait_until(lambda: panel.by_module.rowCount() > 0 and panel.chart.days
                             and not session.context.tasks, 10)
            breakdown = await client.quota.breakdown("ai_calls")
            assert [(r.module, r.used) for r in panel.by_module.rows] == \
                [(r.module, r.used) for r in breakdown.by_module]
            assert [(r.credential_id, r.used) for r in panel.by_key.rows] == \
                [(r.credential_id, r.used) for r in breakdown.by_key]
            history = await client.quota.history("ai_calls", 30)
            assert [used for _, used in panel.chart.days] == [day.used for day in history.days]
            assert panel.chart.days[-1][1] >= ai.used - used_before
            assert f"{sum(d.used for d in history.days):,}" in panel.chart_title.text()
            await screenshot(panel, "quota", qapp)
        finally:
            await session.close()

    run_async(scenario(), timeout=60)


def test_rate_gauge_follows_the_headers_and_projects_run_out(qtbot, run_async, quota_sandbox, tmp_path) -> None:
    async def scenario() -> None:
        session = await open_session(quota_sandbox.url, quota_sandbox.credentials()["test"]["readonly_key"], tmp_path)
        try:
            panel = await opened_panel(qtbot, session)
            gauge = panel.gauge
            for _ in range(40):  # a burst: two thirds of this sandbox's 60 per minute
                await session.client.workspace.get()
            state = session.client.rate_limit
            # This sandbox's bucket holds 60 and refills 60 a minute: no burst above the refill to name.
            assert shown(child(panel, "quota.rate.remaining")).startswith(
                f"{state.remaining:,} of 60 left · refills {state.limit:,}/min · full again in ")
            assert gauge.burn.per_minute() > 0
            assert "Burn rate:" in child(panel, "quota.rate.burn").text()
            assert "runs out in" in child(panel, "quota.rate.projection").text()
        finally:
            await session.close()

    run_async(scenario(), timeout=60)


def test_unlimited_and_warning_levels_read_as_such(qtbot) -> None:
    card = ResourceCard("api_calls")
    qtbot.addWidget(card)
    card.show_entry(QuotaEntry(used=12345, limit=-1, remaining=-1, period="month",
                               reset_at=datetime.now(UTC) + timedelta(days=3, hours=2)))
    assert card.used.text() == "12,345 used · unlimited"
    assert card.bar.isHidden() and card.warning.text() == ""
    assert card.reset.text().startswith("Resets in 3 d 1 h") or card.reset.text().startswith("Resets in 3 d 2 h")
    card.show_entry(QuotaEntry(used=800, limit=1000, remaining=200, period="none", reset_at=None))
    assert card.level == "warning" and "80 %" in card.warning.text()
    card.show_entry(QuotaEntry(used=799, limit=1000, remaining=201, period="none", reset_at=None))
    assert card.level == "ok" and card.warning.text() == ""


def test_the_burn_rate_of_a_burst_before_the_panel_opened_shows_at_once(qtbot, run_async, quota_sandbox,
                                                                        tmp_path) -> None:
    async def scenario() -> None:
        session = await open_session(quota_sandbox.url, quota_sandbox.credentials()["test"]["owner_key"], tmp_path)
        try:
            for _ in range(15):  # a quarter of this sandbox's 60 per minute, before anyone looks
                await session.client.workspace.get()
            panel = QuotaPanel(session.context)
            qtbot.addWidget(panel)
            panel.show()
            assert "Burn rate: 0 requests/min" not in child(panel, "quota.rate.burn").text()
            assert "runs out in" in child(panel, "quota.rate.projection").text()
        finally:
            await session.close()

    run_async(scenario(), timeout=60)
