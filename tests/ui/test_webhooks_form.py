"""The endpoint form as a person meets it when things go wrong: a refused save keeps what was
typed and says why, and saving an edit that changed nothing sends nothing."""

from __future__ import annotations

import socket
from typing import Any

from PySide6.QtTest import QTest

from app.api import AdminClient, ApiKeyAuth
from app.ui.panels.webhooks.endpoint_dialog import EndpointDialog
from tests.ui.test_api_keys import child, click
from tests.waiting import wait_until


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_failed_save_keeps_the_input_and_names_the_problem(qtbot, run_async) -> None:
    async def scenario() -> None:
        unreachable = AdminClient(f"http://127.0.0.1:{closed_port()}/v1", ApiKeyAuth("opk_test_x" * 4),
                                  max_retries=0)
        calls: list[dict[str, Any]] = []

        async def submit(fields: dict[str, Any]) -> None:
            calls.append(fields)
            await unreachable.webhooks.create(fields)

        form = EndpointDialog(submit)
        qtbot.addWidget(form)
        form.show()
        try:
            QTest.keyClicks(child(form, "webhooks.endpoint.name"), "Billing sink")
            QTest.keyClicks(child(form, "webhooks.endpoint.url"), "https://billing.example.com/hook")
            click(child(form, "webhooks.endpoint.submit"))
            assert "event type" in form.error.text() and calls == []  # bad input: nothing sent
            child(form, "webhooks.endpoint.event.invoice.paid").setChecked(True)
            click(child(form, "webhooks.endpoint.submit"))
            assert form.error.text() == "Saving…" and not form.save_button.isEnabled()
            await wait_until(lambda: form.save_button.isEnabled(), 10, "the failed save never finished")
            assert form.isVisible() and len(calls) == 1
            assert "Cannot reach the server" in form.error.text()
            assert form.name.text() == "Billing sink" and form.url.text() == "https://billing.example.com/hook"
            assert form.event_boxes["invoice.paid"].isChecked()
        finally:
            await unreachable.aclose()

    run_async(scenario(), timeout=30)


def test_saving_an_unchanged_edit_sends_nothing_and_closes(qtbot, run_async) -> None:
    class Endpoint:
        name, url, description, event_types = "Warehouse", "https://warehouse.example.com/h", None, ["invoice.paid"]

    async def scenario() -> None:
        calls: list[dict[str, Any]] = []

        async def submit(fields: dict[str, Any]) -> None:
            calls.append(fields)

        form = EndpointDialog(submit, webhook=Endpoint())
        qtbot.addWidget(form)
        form.show()
        click(child(form, "webhooks.endpoint.submit"))
        assert not form.isVisible() and calls == []

    run_async(scenario(), timeout=30)
