"""The webhooks panel against the real sandbox and its real delivery worker: secrets shown once,
listen locally with verified signatures, a failing receiver's attempts and a successful retry."""

from __future__ import annotations

import time

import httpx
import pytest
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from app.core.sandbox_process import SandboxProcess
from app.core.webhook_listener import ReceivedDelivery, WebhookListener
from app.sandbox.signing import new_signing_secret, signed_headers
from app.ui.panels.webhooks.panel import WebhooksPanel
from app.ui.panels.webhooks.webhook_rows import (
    ENDPOINT_SECRET,
    ENDPOINT_STATUS,
    ENDPOINT_URL,
)
from tests.ui.test_api_keys import (
    all_widget_texts,
    assert_secret_nowhere,
    child,
    click,
    confirm_saved_and_close,
    dialog,
    eventually,
    open_session,
    screenshot,
    top_level,
)
from tests.waiting import wait_until


@pytest.fixture
def owner_key(sandbox_credentials) -> str:
    return sandbox_credentials["test"]["owner_key"]


async def opened_panel(qtbot, session) -> WebhooksPanel:
    panel = WebhooksPanel(session.context)
    qtbot.addWidget(panel)
    panel.resize(1200, 760)
    panel.show()
    await panel.activate()
    return panel


def test_create_checks_the_url_and_shows_the_signing_secret_once(qtbot, qapp, run_async, sandbox, owner_key,
                                                                 tmp_path, user_dirs) -> None:
    async def scenario() -> None:
        session = await open_session(sandbox.url, owner_key, tmp_path)
        receiver = WebhookListener(lambda _d: None)
        await receiver.start()
        panel = await opened_panel(qtbot, session)
        try:
            click(panel.new_button)
            form = await dialog("webhooks.endpoint_dialog")
            QTest.keyClicks(child(form, "webhooks.endpoint.name"), "Billing sync")
            QTest.keyClicks(child(form, "webhooks.endpoint.url"), "ftp://example.com/hook")
            click(child(form, "webhooks.endpoint.submit"))
            assert "https://" in child(form, "webhooks.endpoint.error").text()
            child(form, "webhooks.endpoint.url").setText(receiver.url)
            click(child(form, "webhooks.endpoint.submit"))
            assert "event type" in child(form, "webhooks.endpoint.error").text()
            assert child(form, "webhooks.endpoint.name").text() == "Billing sync"  # nothing typed is lost
            child(form, "webhooks.endpoint.event.invoice.paid").setChecked(True)
            child(form, "webhooks.endpoint.event.payment.recorded").setChecked(True)
            click(child(form, "webhooks.endpoint.submit"))
            secret = await confirm_saved_and_close(await dialog("secret_reveal"))
            assert secret.startswith("whsec_")
            await wait_until(lambda: not session.context.tasks, 10)

            row = panel.model.row_of_id(panel.selected_endpoint().id)
            webhook = panel.model.rows[row]
            assert webhook.event_types == ["invoice.paid", "payment.recorded"]
            assert panel.model.index(row, ENDPOINT_SECRET).data() == webhook.signing_secret_preview
            assert webhook.signing_secret_preview not in ("", None) and webhook.signing_secret_preview != secret
            assert_secret_nowhere(secret, session, tmp_path, user_dirs / "xdg_config_home")

            # Rotating shows a new secret once, and the old one is gone too.
            click(panel.rotate_button)
            click(child(await dialog("confirm_dialog"), "confirm_dialog.confirm"))
            rotated = await confirm_saved_and_close(await dialog("secret_reveal"))
            assert rotated.startswith("whsec_") and rotated != secret
            await wait_until(lambda: not session.context.tasks, 10)
            assert_secret_nowhere(rotated, session, tmp_path, user_dirs / "xdg_config_home")

            click(panel.test_button)  # give the screenshot a delivery to show
            await wait_until(lambda: any(d.webhook_id == webhook.id for d in panel.deliveries.model.rows), 10)
            await screenshot(panel, "webhooks", qapp)
        finally:
            await receiver.stop()
            await session.close()

    run_async(scenario(), timeout=60)


def test_listen_locally_verifies_the_test_event_and_flags_a_tampered_body(qtbot, qapp, run_async, sandbox,
                                                                          owner_key, tmp_path) -> None:
    async def scenario() -> None:
        session = await open_session(sandbox.url, owner_key, tmp_path)
        panel = await opened_panel(qtbot, session)
        listen = panel.listen
        try:
            panel.tabs.setCurrentWidget(listen)
            click(listen.start_button)
            await wait_until(lambda: listen.endpoint_id is not None and not session.context.tasks, 10,
                             "listening did not start")
            endpoint = await session.client.webhooks.get(listen.endpoint_id)
            assert endpoint.url == listen.listener.url and endpoint.url.startswith("http://127.0.0.1:")
            assert "Listening on" in child(panel, "webhooks.listen.state").text()

            click(listen.test_button)
            await wait_until(lambda: listen.model.rowCount() >= 1, 15, "the test event never arrived")
            received: ReceivedDelivery = listen.model.rows[0]
            assert received.event_type == "webhook.test"
            assert received.verdict is not None and received.verdict.valid
            listen.table.selectRow(0)
            assert listen.model.index(0, 4).data() == "Valid"
            assert "webhook-signature" in child(panel, "webhooks.listen.message").toPlainText()

            # Someone in the middle changes the body but keeps the headers: flagged as altered.
            tampered = received.body.replace(b"A test event", b"A forged event")
            async with httpx.AsyncClient() as http:
                await http.post(listen.listener.url, content=tampered, headers={
                    name: value for name, value in received.headers if name.lower().startswith("webhook-")})
            await wait_until(lambda: listen.model.rowCount() == 2, 5)
            assert listen.model.index(0, 4).data() == "Invalid: body altered"
            listen.table.selectRow(0)
            assert "Body altered" in child(panel, "webhooks.listen.verdict").text()

            await screenshot(panel, "webhooks-listen", qapp)

            # The lab gets the message (not the secret) to experiment with.
            click(listen.lab_button)
            assert panel.tabs.currentWidget() is panel.lab
            assert panel.lab.body.toPlainText() == tampered.decode()
            assert panel.lab.secret.text() == ""
            QTest.keyClicks(panel.lab.secret, new_signing_secret())
            click(child(panel.lab, "webhooks.lab.check"))
            assert panel.lab.verdict_label.text().startswith("✘ Invalid")
            await screenshot(panel, "webhooks-lab", qapp)
            panel.lab.clear()
            if listen.listener.secret:
                assert not any(listen.listener.secret in text for text in all_widget_texts())

            endpoint_id = listen.endpoint_id
            click(listen.stop_button)
            await wait_until(lambda: not listen.listener.running and not session.context.tasks, 10)
            remaining = [w.id async for w in (await session.client.webhooks.list()).iter_items()]
            assert endpoint_id not in remaining, "the temporary endpoint was not removed on stop"
        finally:
            await panel.shutdown()
            await session.close()

    run_async(scenario(), timeout=60)


def test_listening_with_an_existing_endpoint_restores_its_url(qtbot, run_async, sandbox, owner_key,
                                                              tmp_path) -> None:
    async def scenario() -> None:
        session = await open_session(sandbox.url, owner_key, tmp_path)
        original = "https://hooks.example.com/opsdesk"
        existing = await session.client.webhooks.create(
            {"name": "Partner CRM", "url": original, "event_types": ["contact.created"]})
        secret = existing.signing_secret
        panel = await opened_panel(qtbot, session)
        listen = panel.listen
        try:
            index = next(i for i in range(listen.target.count())
                         if getattr(listen.target.itemData(i), "id", None) == existing.id)
            panel.tabs.setCurrentWidget(listen)
            listen.target.setCurrentIndex(index)
            assert listen.secret.isVisible()
            QTest.keyClicks(listen.secret, secret)
            click(listen.start_button)
            await wait_until(lambda: listen.listener.running and not session.context.tasks, 10)
            assert (await session.client.webhooks.get(existing.id)).url == listen.listener.url
            assert listen.secret.text() == ""  # the pasted secret does not linger in the form
            click(listen.test_button)
            await wait_until(lambda: listen.model.rowCount() >= 1, 15)
            assert listen.model.rows[0].verdict.valid
            click(listen.stop_button)
            await wait_until(lambda: not listen.listener.running and not session.context.tasks, 10)
            assert (await session.client.webhooks.get(existing.id)).url == original
        finally:
            await panel.shutdown()
            await session.close()

    run_async(scenario(), timeout=60)


@pytest.fixture
def fast_sandbox(tmp_path_factory) -> SandboxProcess:
    """Our own sandbox where retry delays are 1000 times shorter (30 s → 30 ms, 1 h → 3.6 s)."""
    process = SandboxProcess.start(tmp_path_factory.mktemp("webhook-sandbox"), seed_size=20, time_scale=1000)
    yield process
    process.stop()


def test_a_failing_receivers_attempts_show_and_the_retry_succeeds_once_fixed(qtbot, qapp, run_async,
                                                                             fast_sandbox, tmp_path) -> None:
    async def scenario() -> None:
        session = await open_session(fast_sandbox.url, fast_sandbox.credentials()["test"]["owner_key"], tmp_path)
        receiver = WebhookListener(lambda _d: None, response_status=500)
        await receiver.start()
        webhook = await session.client.webhooks.create(
            {"name": "Flaky receiver", "url": receiver.url, "event_types": ["contact.created"]})
        panel = await opened_panel(qtbot, session)
        view = panel.deliveries
        try:
            panel.select_endpoint(webhook.id)
            click(panel.test_button)
            await wait_until(lambda: not session.context.tasks, 10)
            click(panel.deliveries_button)
            assert panel.tabs.currentWidget() is view and view.endpoint.currentData() == webhook.id

            async def delivery_failed() -> bool:
                page = await session.client.webhooks.deliveries.list(webhook.id)
                return bool(page.items) and page.items[0].status == "failed"

            await eventually(delivery_failed, 30, "the delivery never reached failed")
            await view.load()
            view.table.selectRow(0)
            await wait_until(lambda: view.attempts.rowCount() == 5, 10, "five attempts not shown")
            statuses = [view.attempts.index(row, 1).data() for row in range(5)]
            assert statuses == ["500"] * 5
            assert "failed" in child(panel, "webhooks.delivery.summary").text()
            assert view.model.index(0, 3).data() == "Failed"

            receiver.response_status = 200  # the receiver is fixed
            click(view.retry_button)
            await wait_until(lambda: view.attempts.rowCount() == 6, 15, "the retry's attempt never showed")
            await wait_until(lambda: view.model.rows[0].status == "succeeded", 10)
            assert view.attempts.index(5, 1).data() == "200"
            assert "succeeded" in child(panel, "webhooks.delivery.summary").text()
            await screenshot(panel, "webhooks-deliveries", qapp)
        finally:
            await receiver.stop()
            await session.close()

    run_async(scenario(), timeout=90)


def test_live_profile_delete_needs_the_name_typed_and_pause_resume(qtbot, run_async, sandbox, owner_key,
                                                                   tmp_path) -> None:
    async def scenario() -> None:
        session = await open_session(sandbox.url, owner_key, tmp_path, environment="live")
        webhook = await session.client.webhooks.create(
            {"name": "Warehouse", "url": "https://warehouse.example.com/hook", "event_types": ["invoice.paid"]})
        panel = await opened_panel(qtbot, session)
        try:
            panel.select_endpoint(webhook.id)
            click(panel.pause_button)
            await wait_until(lambda: panel.model.rows[panel.model.row_of_id(webhook.id)].status == "paused", 10)
            assert panel.pause_button.text() == "Resume"
            click(panel.pause_button)
            await wait_until(lambda: panel.model.rows[panel.model.row_of_id(webhook.id)].status == "active", 10)

            click(panel.delete_button)
            confirm = await dialog("confirm_dialog")
            button = child(confirm, "confirm_dialog.confirm")
            assert not button.isEnabled()
            QTest.keyClicks(child(confirm, "confirm_dialog.typed"), "Warehouse")
            click(button)
            await wait_until(lambda: panel.model.row_of_id(webhook.id) is None and not session.context.tasks, 10)
            assert top_level("confirm_dialog") is None
            assert webhook.id not in [w.id async for w in (await session.client.webhooks.list()).iter_items()]
        finally:
            await session.close()

    run_async(scenario(), timeout=60)


def test_signature_lab_explains_valid_altered_and_stale(qtbot, run_async) -> None:
    from app.ui.panels.webhooks.signature_lab import SignatureLab

    lab = SignatureLab()
    qtbot.addWidget(lab)
    secret = new_signing_secret()
    body = b'{"id":"evt_5","type":"invoice.paid","data":{"amount_cents":1200}}'
    headers = signed_headers(secret, "evt_5", int(time.time()), body)
    lab.body.setPlainText(body.decode())
    # Headers as `curl -v` prints them, pasted in one go.
    QApplication.clipboard().setText("> POST /hook HTTP/1.1\n" + "".join(
        f"> {name.title()}: {value}\n" for name, value in headers.items()))
    click(child(lab, "webhooks.lab.paste_headers"))
    QApplication.clipboard().clear()
    assert (lab.message_id.text(), lab.timestamp.text(), lab.signature.text()) == (
        headers["webhook-id"], headers["webhook-timestamp"], headers["webhook-signature"])
    QTest.keyClicks(lab.secret, secret)
    click(child(lab, "webhooks.lab.check"))
    assert lab.verdict_label.text() == "✔ Valid"
    assert lab.signed.toPlainText() == f"evt_5.{headers['webhook-timestamp']}.{body.decode()}"

    lab.body.setPlainText(body.decode().replace("1200", "9900"))
    lab.reference.setPlainText(body.decode())
    click(child(lab, "webhooks.lab.check"))
    assert lab.verdict_label.text() == "✘ Invalid: body altered"
    assert "data.amount_cents" in lab.explanation.text()

    lab.reference.clear()
    lab.body.setPlainText(body.decode())
    stale = signed_headers(secret, "evt_5", int(time.time()) - 3600, body)
    lab.timestamp.setText(stale["webhook-timestamp"])
    lab.signature.setText(stale["webhook-signature"])
    click(child(lab, "webhooks.lab.check"))
    assert lab.verdict_label.text() == "✘ Invalid: stale timestamp"
    assert "1 h" in lab.explanation.text()

    click(child(lab, "webhooks.lab.clear"))
    assert lab.secret.text() == "" and lab.body.toPlainText() == ""


def test_edit_an_endpoint_and_filter_its_deliveries(qtbot, run_async, sandbox, owner_key, tmp_path) -> None:
    async def scenario() -> None:
        session = await open_session(sandbox.url, owner_key, tmp_path)
        receiver = WebhookListener(lambda _d: None)
        await receiver.start()
        webhook = await session.client.webhooks.create(
            {"name": "Contacts feed", "url": receiver.url, "event_types": ["contact.created"]})
        panel = await opened_panel(qtbot, session)
        view = panel.deliveries
        try:
            panel.select_endpoint(webhook.id)
            click(panel.edit_button)
            form = await dialog("webhooks.endpoint_dialog")
            name = child(form, "webhooks.endpoint.name")
            name.clear()
            QTest.keyClicks(name, "Contacts feed (EU)")
            child(form, "webhooks.endpoint.event.contact.updated").setChecked(True)
            click(child(form, "webhooks.endpoint.submit"))
            await wait_until(lambda: top_level("webhooks.endpoint_dialog") is None and not session.context.tasks, 10)
            saved = await session.client.webhooks.get(webhook.id)
            assert saved.name == "Contacts feed (EU)" and saved.event_types == ["contact.created", "contact.updated"]
            assert panel.model.index(panel.model.row_of_id(webhook.id), 0).data() == "Contacts feed (EU)"

            stamp = int(time.time() * 1000)
            await session.client.contacts.create({"name": "Filter Test", "email": f"filter{stamp}@example.com"})
            click(panel.test_button)

            async def both_delivered() -> bool:
                page = await session.client.webhooks.deliveries.list(webhook.id)
                return len(page.items) == 2 and all(d.status == "succeeded" for d in page.items)

            await eventually(both_delivered, 20, "the two deliveries did not succeed")
            click(panel.deliveries_button)
            await wait_until(lambda: view.model.rowCount() == 2 and not session.context.tasks, 10)
            view.event_type.setCurrentIndex(view.event_type.findData("contact.created"))
            await wait_until(lambda: view.model.rowCount() == 1 and not session.context.tasks, 10)
            assert view.model.rows[0].event_type == "contact.created"
            view.event_type.setCurrentIndex(0)
            view.status.setCurrentIndex(view.status.findData("failed"))
            await wait_until(lambda: view.model.rowCount() == 0 and not session.context.tasks, 10)
            view.status.setCurrentIndex(view.status.findData("succeeded"))
            await wait_until(lambda: view.model.rowCount() == 2 and not session.context.tasks, 10)
            assert {view.model.index(row, 1).data() for row in range(2)} == {"Contacts feed (EU)"}
        finally:
            await receiver.stop()
            await session.close()

    run_async(scenario(), timeout=60)


def test_an_endpoint_disabled_after_repeated_failures_stands_out_and_can_be_resumed(
        qtbot, run_async, fast_sandbox, tmp_path) -> None:
    from PySide6.QtCore import Qt

    from app.ui.theme import semantic_colour

    async def scenario() -> None:
        session = await open_session(fast_sandbox.url, fast_sandbox.credentials()["test"]["owner_key"], tmp_path)
        receiver = WebhookListener(lambda _d: None, response_status=500)
        await receiver.start()
        webhook = await session.client.webhooks.create(
            {"name": "Broken receiver", "url": receiver.url, "event_types": ["webhook.test"]})
        panel = await opened_panel(qtbot, session)
        try:
            panel.select_endpoint(webhook.id)
            for _ in range(5):  # five deliveries that all fail: the platform disables the endpoint
                click(panel.test_button)
                await wait_until(lambda: not session.context.tasks, 10)

            async def disabled() -> bool:
                return (await session.client.webhooks.get(webhook.id)).status == "disabled"

            await eventually(disabled, 40, "the endpoint was never disabled")
            click(panel.refresh_button)
            await wait_until(lambda: panel.model.rows[panel.model.row_of_id(webhook.id)].status == "disabled"
                             and not session.context.tasks, 10)
            index = panel.model.index(panel.model.row_of_id(webhook.id), ENDPOINT_STATUS)
            assert index.data() == "Disabled"  # the reason is in the tooltip and, in full, in the detail
            assert index.data(Qt.ItemDataRole.ToolTipRole).startswith(
                "Disabled after 5 consecutive failed deliveries")
            assert index.data(Qt.ItemDataRole.ForegroundRole).color() == semantic_colour("error")
            panel.select_endpoint(webhook.id)
            assert child(panel, "webhooks.detail.status").text().startswith(
                "Disabled after 5 consecutive failed deliveries")
            assert panel.pause_button.text() == "Resume"
            click(panel.pause_button)
            await wait_until(lambda: panel.model.rows[panel.model.row_of_id(webhook.id)].status == "active", 10)
            assert (await session.client.webhooks.get(webhook.id)).disabled_reason is None
        finally:
            await receiver.stop()
            await session.close()

    run_async(scenario(), timeout=90)


def test_an_edit_keeps_a_colleagues_change_and_asks_only_about_the_field_both_changed(
        qtbot, run_async, sandbox, owner_key, tmp_path) -> None:
    from app.api import AdminClient, ApiKeyAuth

    async def scenario() -> None:
        session = await open_session(sandbox.url, owner_key, tmp_path)
        webhook = await session.client.webhooks.create(
            {"name": "Shared hook", "url": "https://a.example.com/hook", "event_types": ["invoice.paid"]})
        panel = await opened_panel(qtbot, session)
        try:
            panel.select_endpoint(webhook.id)
            click(panel.edit_button)
            form = await dialog("webhooks.endpoint_dialog")
            async with AdminClient(sandbox.url, ApiKeyAuth(owner_key)) as colleague:  # meanwhile, elsewhere
                await colleague.webhooks.update(webhook.id, {"name": "Shared hook (theirs)",
                                                             "url": "https://b.example.com/hook"},
                                                if_match=webhook.version)
            name = child(form, "webhooks.endpoint.name")
            name.clear()
            QTest.keyClicks(name, "Shared hook (mine)")
            child(form, "webhooks.endpoint.event.invoice.sent").setChecked(True)
            click(child(form, "webhooks.endpoint.submit"))
            error = child(form, "webhooks.endpoint.error")
            await wait_until(lambda: "Someone else changed" in error.text(), 10, error.text())
            assert "name is now “Shared hook (theirs)”" in error.text()
            assert "url" not in error.text() and "event_types" not in error.text()  # not asked about those
            assert name.text() == "Shared hook (mine)"

            click(child(form, "webhooks.endpoint.submit"))  # keep mine for the name
            await wait_until(lambda: top_level("webhooks.endpoint_dialog") is None and not session.context.tasks, 10)
            saved = await session.client.webhooks.get(webhook.id)
            assert saved.name == "Shared hook (mine)"
            assert saved.url == "https://b.example.com/hook"  # the colleague's change survived
            assert sorted(saved.event_types) == ["invoice.paid", "invoice.sent"]
            assert panel.model.index(panel.model.row_of_id(webhook.id), ENDPOINT_URL).data() == \
                "https://b.example.com/hook"
        finally:
            await session.close()

    run_async(scenario(), timeout=60)


def test_offline_the_cached_endpoints_show_read_only_under_the_offline_strip(qtbot, run_async, sandbox, owner_key,
                                                                          tmp_path) -> None:
    import socket

    from app.api import AdminClient, ApiKeyAuth
    from app.ui.panel_context import PanelContext

    async def scenario() -> None:
        session = await open_session(sandbox.url, owner_key, tmp_path)
        webhook = await session.client.webhooks.create(
            {"name": "Cached hook", "url": "https://cached.example.com/hook", "event_types": ["invoice.paid"]})
        online = await opened_panel(qtbot, session)  # fills the cache, as an earlier session did
        assert online.model.row_of_id(webhook.id) is not None
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            dead_port = probe.getsockname()[1]
        unreachable = AdminClient(f"http://127.0.0.1:{dead_port}/v1", ApiKeyAuth(owner_key), max_retries=0)
        context = PanelContext(client=unreachable, cache=session.cache, profile=None,
                               scopes=session.context.scopes)
        panel = WebhooksPanel(context)
        qtbot.addWidget(panel)
        panel.show()
        try:
            panel.run(panel.activate())
            await wait_until(lambda: not context.tasks, 10)
            assert panel.model.row_of_id(webhook.id) is not None  # the cached list, offline
            assert panel.offline_banner.isVisible() and "Offline" in panel.offline_banner.plain_text
            assert not panel.banner.isVisible()  # said once, by the strip, not again as an error
            assert not panel.new_button.isEnabled() and "Offline" in panel.new_button.toolTip()
            panel.select_endpoint(webhook.id)
            assert not panel.edit_button.isEnabled() and panel.deliveries_button.isEnabled()
            assert not panel.listen.start_button.isEnabled()
        finally:
            await context.tasks.cancel_all()
            await unreachable.aclose()
            await session.close()

    run_async(scenario(), timeout=60)
