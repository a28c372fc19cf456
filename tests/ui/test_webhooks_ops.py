"""The webhooks panel's operations after an outage, against a real time-scaled sandbox: failures
grouped as the server delivered them, recover with a dry-run count, progress and cancel, retry
selected with a result per delivery, an event resent, forwarding to the operator's own app, and
a secret rotated with an overlap while listening (both secrets accepted, the verdict says which)."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import httpx
import pytest
from PySide6.QtTest import QTest

from app.core.sandbox_process import SandboxProcess
from app.core.webhook_listener import ReceivedDelivery, WebhookListener
from app.sandbox.signing import sign
from app.ui.panels.webhooks.panel import WebhooksPanel
from tests.ui.test_api_keys import (
    child,
    click,
    confirm_saved_and_close,
    dialog,
    open_session,
    top_level,
)
from tests.waiting import wait_until


@pytest.fixture(scope="module")
def fast_sandbox(tmp_path_factory) -> SandboxProcess:
    """Retry delays 1000 times shorter: a failing delivery is `failed` after about 4 s."""
    process = SandboxProcess.start(tmp_path_factory.mktemp("ops-ui-sandbox"), seed_size=5, time_scale=1000)
    yield process
    process.stop()


@pytest.fixture
def owner_key(fast_sandbox) -> str:
    return fast_sandbox.credentials()["test"]["owner_key"]


async def opened(qtbot, session) -> WebhooksPanel:
    panel = WebhooksPanel(session.context)
    qtbot.addWidget(panel)
    panel.resize(1200, 760)
    panel.show()
    await panel.activate()
    return panel


@asynccontextmanager
async def session_with_receiver(url: str, key: str, home, on_delivery: Callable[[ReceivedDelivery], None],
                                **listener_options) -> AsyncIterator[tuple]:
    """A console session and a real webhook receiver on 127.0.0.1 (`WebhookListener` with
    `listener_options`, e.g. the status it answers): yields (session, receiver); both are stopped after."""
    session = await open_session(url, key, home)
    try:
        receiver = WebhookListener(on_delivery, **listener_options)
        await receiver.start()
        try:
            yield session, receiver
        finally:
            await receiver.stop()
    finally:
        await session.close()


def dead_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}/gone"


async def failed_deliveries(client, webhook_id: str, count: int, timeout: float = 60) -> list:
    """Wait until the endpoint has `count` deliveries, all failed for good (re-enabling it when the
    platform disables it after five, which would park the rest)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        found = [d async for d in (await client.webhooks.deliveries.list(webhook_id, limit=100)).iter_items()]
        if len(found) >= count and all(d.status == "failed" for d in found):
            return found
        assert asyncio.get_running_loop().time() < deadline, "the deliveries never all failed"
        if (await client.webhooks.get(webhook_id)).status == "disabled":
            await client.webhooks.update(webhook_id, {"status": "active"})
        await asyncio.sleep(0.2)


async def outage(client, url: str, name: str, events: int) -> str:
    webhook = await client.webhooks.create({"name": name, "url": url, "event_types": ["webhook.test"]})
    for _ in range(events):
        await client.webhooks.test(webhook.id)
    return webhook.id


def test_failures_grouped_then_recovered_with_progress_and_a_job_that_stays(
        qtbot, run_async, fast_sandbox, owner_key, tmp_path) -> None:
    async def scenario() -> None:
        async with session_with_receiver(fast_sandbox.url, owner_key, tmp_path,
                                         lambda _d: None, response_status=503) as (session, receiver):
            webhook_id = await outage(session.client, receiver.url, "Orders feed", 4)
            server_failed = await failed_deliveries(session.client, webhook_id, 4)
            panel = await opened(qtbot, session)
            panel.tabs.setCurrentWidget(panel.failures)
            view = panel.failures
            await wait_until(lambda: view.model.row_of_id(f"{webhook_id}|http|503|listener answered 503") is not None
                             and not session.context.tasks, 30, "the failure group never showed")
            row = view.model.row_of_id(f"{webhook_id}|http|503|listener answered 503")
            group = view.model.rows[row]
            assert set(group.delivery_ids) == {d.id for d in server_failed}  # what the server says failed
            assert view.model.index(row, 0).data() == "Orders feed"
            assert view.model.index(row, 1).data() == "HTTP 503 · listener answered 503"
            assert view.model.index(row, 2).data() == "4"
            assert "failed deliver" in view.summary.text()

            receiver.response_status = 200  # the receiver is back
            view.table.selectRow(row)
            click(view.recover_button)
            recover = await dialog("webhooks.recover_dialog")
            assert recover.endpoint.currentData() == webhook_id
            assert not child(recover, "webhooks.recover.run").isEnabled()  # count first
            click(child(recover, "webhooks.recover.count_button"))
            count = child(recover, "webhooks.recover.count")
            await wait_until(lambda: count.text().startswith("4 failed deliveries"), 10, count.text())
            click(child(recover, "webhooks.recover.run"))
            state = child(recover, "webhooks.recover.state")
            await wait_until(lambda: state.text().startswith("Done"), 30, state.text())
            assert state.text() == "Done: 0 queued · 4 succeeded · 0 failed of 4."
            progress = child(recover, "webhooks.recover.progress")
            assert (progress.value(), progress.maximum()) == (4, 4)
            click(child(recover, "webhooks.recover.close"))
            await wait_until(lambda: top_level("webhooks.recover_dialog") is None, 5)
            jobs = view.jobs
            assert jobs.rowCount() >= 1 and jobs.index(0, 3).data().startswith("Done: 0 queued · 4 succeeded")

            click(view.refresh_button)
            await wait_until(lambda: view.model.row_of_id(group.id) is None and not session.context.tasks, 30,
                             "the recovered group is still listed")

    run_async(scenario(), timeout=120)


def test_a_running_recover_is_cancelled_and_says_so(qtbot, run_async, fast_sandbox, owner_key, tmp_path) -> None:
    async def scenario() -> None:
        session = await open_session(fast_sandbox.url, owner_key, tmp_path)
        silent = socket.socket()  # accepts connections, never answers: each new attempt hangs
        silent.bind(("127.0.0.1", 0))
        silent.listen(64)
        try:
            webhook_id = await outage(session.client, dead_url(), "Slow receiver", 3)
            await failed_deliveries(session.client, webhook_id, 3)
            await session.client.webhooks.update(webhook_id, {"url": f"http://127.0.0.1:{silent.getsockname()[1]}/"})
            panel = await opened(qtbot, session)
            panel.select_endpoint(webhook_id)
            click(panel.recover_button)
            recover = await dialog("webhooks.recover_dialog")
            recover.since.setDateTime(recover.since.dateTime().addSecs(-600))
            click(child(recover, "webhooks.recover.count_button"))
            await wait_until(lambda: child(recover, "webhooks.recover.run").isEnabled(), 10)
            click(child(recover, "webhooks.recover.run"))
            state = child(recover, "webhooks.recover.state")
            await wait_until(lambda: state.text().startswith("Running"), 10, state.text())
            cancel = child(recover, "webhooks.recover.cancel")
            assert cancel.isEnabled()
            click(cancel)
            if panel.store.recovery.can_cancel:
                await wait_until(lambda: state.text().startswith(("Cancelled", "Done")), 20, state.text())
                job = panel.store.recovery.job(recover.job.job_id)
                assert job.status == "cancelled" or job.status == "done"
            else:
                assert "keeps running on the server" in state.text()
            assert not cancel.isEnabled()
            click(child(recover, "webhooks.recover.close"))
        finally:
            silent.close()
            await session.close()

    run_async(scenario(), timeout=120)


def test_retry_selected_lists_a_result_per_delivery(qtbot, run_async, fast_sandbox, owner_key, tmp_path) -> None:
    async def scenario() -> None:
        async with session_with_receiver(fast_sandbox.url, owner_key, tmp_path,
                                         lambda _d: None, response_status=500) as (session, receiver):
            webhook_id = await outage(session.client, receiver.url, "Bulk retry", 3)
            await failed_deliveries(session.client, webhook_id, 3)
            receiver.response_status = 200
            panel = await opened(qtbot, session)
            view = panel.deliveries
            panel.select_endpoint(webhook_id)
            click(panel.deliveries_button)
            await wait_until(lambda: view.model.rowCount() == 3 and not session.context.tasks, 10)
            view.table.selectAll()
            button = child(panel, "webhooks.deliveries.retry_selected")
            assert button.text() == "Retry selected (3)"
            click(button)
            results = view.results
            await wait_until(lambda: results.isVisible() and not session.context.tasks, 10)
            assert results.summary.text() == "3 of 3 deliveries queued again."
            assert results.model.rowCount() == 3
            assert all(results.model.index(r, 2).data().startswith("Queued again") for r in range(3))

            async def all_succeeded() -> bool:
                page = await session.client.webhooks.deliveries.list(webhook_id)
                return all(d.status == "succeeded" for d in page.items)

            deadline = asyncio.get_running_loop().time() + 20
            while not await all_succeeded():
                assert asyncio.get_running_loop().time() < deadline, "the retried deliveries never succeeded"
                await asyncio.sleep(0.2)

    run_async(scenario(), timeout=120)


def test_an_event_shows_its_deliveries_and_is_resent_to_another_endpoint(
        qtbot, run_async, fast_sandbox, owner_key, tmp_path) -> None:
    async def scenario() -> None:
        received: list[ReceivedDelivery] = []
        async with session_with_receiver(fast_sandbox.url, owner_key, tmp_path,
                                         received.append) as (session, receiver):
            first = await session.client.webhooks.create(
                {"name": "Gets tests", "url": receiver.url, "event_types": ["webhook.test"]})
            other = await session.client.webhooks.create(
                {"name": "Missed it", "url": receiver.url, "event_types": ["invoice.paid"]})
            delivery = await session.client.webhooks.test(first.id)
            panel = await opened(qtbot, session)
            view = panel.events
            panel.tabs.setCurrentWidget(view)
            await wait_until(lambda: view.model.row_of_id(delivery.event_id) is not None
                             and not session.context.tasks, 10)
            assert view.select_event(delivery.event_id)
            await wait_until(lambda: view.caused.rowCount() == 1 and not session.context.tasks, 10)
            assert json.loads(view.payload.toPlainText())["id"] == delivery.event_id
            assert view.caused.index(0, 0).data() == "Gets tests"
            view.resend_target.setCurrentIndex(view.resend_target.findData(other.id))
            click(view.resend_button)
            await wait_until(lambda: view.caused.rowCount() == 2 and not session.context.tasks, 10)
            assert {view.caused.index(r, 0).data() for r in range(2)} == {"Gets tests", "Missed it"}
            assert "resent to “Missed it”" in panel.banner.plain_text
            await wait_until(lambda: len(received) == 2, 15, "the resent delivery never arrived")
            assert {r.header("webhook-id") for r in received} == {delivery.event_id}

    run_async(scenario(), timeout=90)


def test_listen_forwards_to_the_operators_app_and_shows_its_status_and_latency(
        qtbot, run_async, fast_sandbox, owner_key, tmp_path) -> None:
    async def scenario() -> None:
        session = await open_session(fast_sandbox.url, owner_key, tmp_path)
        app_got: list[ReceivedDelivery] = []
        operators_app = WebhookListener(app_got.append, response_status=202)  # the test's own receiver
        await operators_app.start()
        panel = await opened(qtbot, session)
        listen = panel.listen
        try:
            panel.tabs.setCurrentWidget(listen)
            listen.forward.enabled.setChecked(True)
            QTest.keyClicks(listen.forward.url, "localhost:3000/hooks")
            click(listen.start_button)
            await wait_until(lambda: not session.context.tasks, 10)
            assert not listen.listener.running
            assert "must start with http:// or https://" in panel.banner.plain_text

            listen.forward.url.setText(operators_app.url)
            click(listen.start_button)
            await wait_until(lambda: listen.endpoint_id is not None and not session.context.tasks, 10)
            assert f"Forwarding to {operators_app.url}" in listen.state.text()
            click(listen.test_button)
            await wait_until(lambda: listen.model.rowCount() == 1 and listen.model.rows[0].forward is not None, 20,
                             "the forwarded answer never showed")
            shown = listen.model.index(0, 5).data()
            assert shown.startswith("202 · ") and shown.endswith(" ms")
            assert listen.model.index(0, 4).data() == "Valid"
            [forwarded] = app_got
            original = listen.model.rows[0]
            assert forwarded.body == original.body
            assert forwarded.header("webhook-signature") == original.header("webhook-signature")
            listen.table.selectRow(0)
            assert "Forwarded: 202 · " in listen.verdict.text()
        finally:
            await panel.shutdown()
            await operators_app.stop()
            await session.close()

    run_async(scenario(), timeout=90)


def test_rotating_with_an_overlap_keeps_the_listener_verifying_and_says_which_secret_matched(
        qtbot, run_async, fast_sandbox, owner_key, tmp_path) -> None:
    async def scenario() -> None:
        session = await open_session(fast_sandbox.url, owner_key, tmp_path)
        panel = await opened(qtbot, session)
        listen = panel.listen
        try:
            panel.tabs.setCurrentWidget(listen)
            click(listen.start_button)
            await wait_until(lambda: listen.endpoint_id is not None and not session.context.tasks, 10)
            old_secret = listen.listener.secret
            panel.tabs.setCurrentIndex(0)
            panel.select_endpoint(listen.endpoint_id)
            click(panel.rotate_button)
            ask = await dialog("confirm_dialog")
            assert child(ask, "webhooks.rotate.overlap").value() == 24
            click(child(ask, "confirm_dialog.confirm"))
            new_secret = await confirm_saved_and_close(await dialog("secret_reveal"))
            await wait_until(lambda: not session.context.tasks, 10)
            assert child(panel, "webhooks.detail.previous_secret").text().startswith("Old secret valid until")

            click(listen.test_button)
            await wait_until(lambda: listen.model.rowCount() == 1, 15)
            arrived = listen.model.rows[0]
            assert len(arrived.header("webhook-signature").split()) == 2  # v1,<new> v1,<old>
            assert listen.model.index(0, 4).data() == "Valid (new secret)"

            # A sender still signing with the old secret alone is accepted during the overlap.
            stamp = int(time.time())
            headers = {"content-type": "application/json", "webhook-id": "evt_old",
                       "webhook-timestamp": str(stamp), "webhook-signature": sign(old_secret, "evt_old", stamp,
                                                                                  arrived.body)}
            async with httpx.AsyncClient() as http:
                await http.post(listen.listener.url, content=arrived.body, headers=headers)
            await wait_until(lambda: listen.model.rowCount() == 2, 5)
            assert listen.model.index(0, 4).data() == "Valid (previous secret)"
            assert listen.listener.secret == new_secret
        finally:
            await panel.shutdown()
            await session.close()

    run_async(scenario(), timeout=90)


def test_trigger_is_off_on_a_live_profile_and_says_why(qtbot, run_async, fast_sandbox, tmp_path) -> None:
    async def scenario() -> None:
        key = fast_sandbox.credentials()["live"]["owner_key"]
        session = await open_session(fast_sandbox.url, key, tmp_path, environment="live")
        panel = await opened(qtbot, session)
        try:
            trigger = child(panel, "webhooks.listen.trigger")
            assert not trigger.isEnabled()
            assert "test workspaces only" in trigger.toolTip()
        finally:
            await session.close()

    run_async(scenario(), timeout=60)


def test_trigger_fires_a_real_event_that_arrives_in_the_listener(qtbot, run_async, fast_sandbox, owner_key,
                                                                  tmp_path) -> None:
    async def scenario() -> None:
        session = await open_session(fast_sandbox.url, owner_key, tmp_path)
        panel = await opened(qtbot, session)
        listen = panel.listen
        try:
            panel.tabs.setCurrentWidget(listen)
            click(listen.start_button)
            await wait_until(lambda: listen.endpoint_id is not None and not session.context.tasks, 10)
            box = listen.trigger
            box.event_type.setCurrentIndex(box.event_type.findData("invoice.paid"))
            click(box.button)
            await wait_until(lambda: any(d.event_type == "invoice.paid" for d in listen.model.rows), 20,
                             "the triggered event never arrived")
            assert "fired" in panel.banner.plain_text
            paid = next(d for d in listen.model.rows if d.event_type == "invoice.paid")
            assert paid.verdict.valid
        finally:
            await panel.shutdown()
            await session.close()

    run_async(scenario(), timeout=90)
