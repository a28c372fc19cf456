"""The request log panel on real traffic: retries, filters, redacted detail and curl, HAR, persistence."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from app.core.sandbox_process import SandboxProcess
from tests.ui.shell_harness import (  # noqa: F401  (the console fixture)
    add_profile,
    console_factory_fixture,
    wait_for_identity,
)
from tests.waiting import wait_until


@pytest.fixture(scope="module")
def tight_sandbox(tmp_path_factory):
    """A sandbox allowing 3 requests per (1-second) window: the console's start-up gets 429s and retries."""
    process = SandboxProcess.start(tmp_path_factory.mktemp("tight"), seed_size=60, rate_limit=3, time_scale=60)
    yield process
    process.stop()


def test_retries_filters_curl_and_har_and_the_log_survives_a_restart(console_factory, qtbot, run_async, tight_sandbox,
                                                                     monkeypatch, tmp_path):
    key = tight_sandbox.credentials()["test"]["owner_key"]
    har_path = tmp_path / "requests.har"
    seen: dict[str, int] = {}

    async def first_session():
        console = console_factory()
        add_profile(console, "Tight", tight_sandbox.url, key)
        assert await console.start()
        panel = console.window.open_module("request_log")
        await wait_until(lambda: any(r.attempt > 1 for r in panel.shown_records), 30, "no retry was logged")
        await wait_until(lambda: any(r.status == 429 for r in panel.shown_records), 10, "no 429 was logged")

        retry_row = next(row for row, r in enumerate(panel.model.rows) if r.attempt > 1)
        rect = panel.table.visualRect(panel.model.index(retry_row, 2))
        qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        retry = panel.selected_record()
        assert retry.attempt > 1
        assert panel.model.data(panel.model.index(retry_row, 4)) == f"#{retry.attempt}"
        detail = panel.detail.toPlainText()
        assert f"Attempt:         {retry.attempt}" in detail
        assert f"Request id:      {retry.request_id}" in detail
        assert "authorization: bearer [redacted]" in detail.lower()
        assert key not in detail

        qtbot.mouseClick(panel.copy_curl_button, Qt.MouseButton.LeftButton)
        curl = QGuiApplication.clipboard().text()
        assert curl.startswith(f"curl -X {retry.method}") and "$OPSDESK_TOKEN" in curl
        assert key not in curl

        panel.status_filter.setCurrentIndex(panel.status_filter.findData("4xx"))
        assert panel.shown_records and all(400 <= (r.status or 0) < 500 for r in panel.shown_records)
        panel.status_filter.setCurrentIndex(0)
        qtbot.keyClicks(panel.text_filter, "/me")
        assert panel.shown_records and all("/me" in r.url for r in panel.shown_records)
        panel.method_filter.setCurrentIndex(panel.method_filter.findData("POST"))
        assert panel.shown_records == []
        assert "0 of" in panel.count_label.text()
        panel.method_filter.setCurrentIndex(0)
        panel.text_filter.clear()

        shown_before = len(panel.shown_records)
        written = await panel.export_har(har_path)
        har_text = har_path.read_text()
        assert key not in har_text
        har = json.loads(har_text)
        assert har["log"]["version"] == "1.2"
        # Every record shown when the export began (the console's own background sync may add more).
        assert len(har["log"]["entries"]) == written and shown_before <= written <= len(panel.shown_records)
        statuses = {entry["response"]["status"] for entry in har["log"]["entries"]}
        assert 429 in statuses and 200 in statuses
        for entry in har["log"]["entries"]:
            assert {"startedDateTime", "time", "request", "response", "cache", "timings"} <= set(entry)
        seen["count"] = len(panel.records)
        seen["retry_id"] = retry.request_id
        await console.shutdown()

    async def second_session():
        console = console_factory()
        assert await console.start()
        panel = console.window.open_module("request_log")
        await console.window.activation("request_log")
        assert len(panel.records) >= seen["count"]
        if seen["retry_id"]:
            assert any(r.request_id == seen["retry_id"] and r.attempt > 1 for r in panel.records)
        await console.shutdown()

    run_async(first_session(), timeout=90)
    run_async(second_session(), timeout=90)


def test_server_view_lists_the_workspace_calls_where_logs_read_allows(console_factory, qtbot, run_async, sandbox, sandbox_credentials,
                                                                     monkeypatch, tmp_path):
    console = console_factory()
    add_profile(console, "Reader", sandbox.url, sandbox_credentials["test"]["readonly_key"])

    async def scenario():
        assert await console.start()
        await wait_for_identity(console)
        panel = console.window.open_module("request_log")
        assert panel.tabs.isTabEnabled(1) and panel.server_view_reason is None
        panel.tabs.setCurrentIndex(1)
        await wait_until(lambda: panel.server_view.model.rowCount() > 0, 20, "the server view stayed empty")
        paths = {row.path for row in panel.server_view.model.rows}
        assert any(path.endswith("/me") for path in paths), paths
        await console.shutdown()

    run_async(scenario(), timeout=60)


def test_a_request_id_link_opens_the_log_at_that_exchange(console_factory, qtbot, run_async, sandbox, sandbox_credentials,
                                                          monkeypatch, tmp_path):
    console = console_factory()
    add_profile(console, "Demo", sandbox.url, sandbox_credentials["test"]["owner_key"])

    async def scenario():
        assert await console.start()
        await wait_for_identity(console)
        window = console.window
        history = console.session.history
        records = await history.load()
        me = next(r for r in records if r.url.endswith("/v1/me"))
        contacts = window.page("contacts")
        contacts.banner.show_message("error", "Something failed", me.request_id)
        contacts.banner.sig_request_link.emit(me.request_id)  # what clicking the link does
        await wait_until(lambda: window.current_module == "request_log", 5, "the request log did not open")
        panel = window.page("request_log")
        await wait_until(lambda: (panel.selected_record() or me).request_id == me.request_id
                         and panel.selected_record() is not None, 10, "the exchange was not selected")
        assert me.request_id in panel.detail.toPlainText()
        await console.shutdown()

    run_async(scenario(), timeout=60)
