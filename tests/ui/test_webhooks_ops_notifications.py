"""Desktop notifications for webhook trouble, against the real sandbox: an endpoint that turns
disabled while the console runs is shown through the tray (a fake one: tests run offscreen), and
clicking the notification opens that endpoint; with no tray the message strip says it instead."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from app.data.webhook_alerts import AlertMonitor
from app.ui.desktop_notifications import DesktopNotifier
from tests.ui.test_api_keys import open_session
from tests.waiting import wait_until


class FakeTray(QObject):
    """What the notifier uses of `QSystemTrayIcon`: `showMessage` and the `messageClicked` signal."""

    messageClicked = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.messages: list[tuple[str, str]] = []

    def showMessage(self, title: str, message: str, _icon) -> None:
        self.messages.append((title, message))


def test_an_endpoint_turning_disabled_notifies_and_the_click_opens_it(qtbot, run_async, sandbox,
                                                                       sandbox_credentials, tmp_path) -> None:
    async def scenario() -> None:
        session = await open_session(sandbox.url, sandbox_credentials["test"]["owner_key"], tmp_path)
        try:
            webhook = await session.client.webhooks.create(
                {"name": "Warehouse sync", "url": "https://w.example.com/h", "event_types": ["invoice.paid"]})
            monitor = AlertMonitor(session.context.stores.webhooks)
            tray, opened = FakeTray(), []
            notifier = DesktopNotifier(monitor, opened.append, tray=tray)
            assert await monitor.look() == []  # the first look learns who is disabled already
            await session.client.webhooks.update(webhook.id, {"status": "disabled"})
            await monitor.look()
            await wait_until(lambda: tray.messages, 5)
            [(title, message)] = [m for m in tray.messages if "Warehouse sync" in m[0]]
            assert title == "Webhook endpoint “Warehouse sync” disabled" and message == "Disabled by a user."
            tray.messageClicked.emit()
            assert opened == [webhook.id]
            assert notifier.shown[-1].webhook_id == webhook.id
        finally:
            await session.close()

    run_async(scenario(), timeout=60)


def test_without_a_tray_the_alert_goes_to_the_strip_with_an_open_action(qtbot, run_async, sandbox,
                                                                         sandbox_credentials, tmp_path) -> None:
    async def scenario() -> None:
        session = await open_session(sandbox.url, sandbox_credentials["test"]["owner_key"], tmp_path)
        try:
            webhook = await session.client.webhooks.create(
                {"name": "Ledger", "url": "https://l.example.com/h", "event_types": ["invoice.paid"]})
            monitor = AlertMonitor(session.context.stores.webhooks)
            stripped, opened = [], []
            notifier = DesktopNotifier(monitor, opened.append, tray=None,  # kept: the window parents it in the app
                                       fallback=lambda alert, open_it: stripped.append((alert, open_it)))
            await monitor.look()
            await session.client.webhooks.update(webhook.id, {"status": "disabled"})
            await monitor.look()
            [(alert, open_it)] = [s for s in stripped if s[0].webhook_id == webhook.id]
            assert alert.kind == "disabled"
            open_it()
            assert opened == [webhook.id] and notifier.shown[-1] is alert
        finally:
            await session.close()

    run_async(scenario(), timeout=60)
