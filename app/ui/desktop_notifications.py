"""Desktop notifications for webhook trouble while the console runs: the OS's own, through Qt's
system tray (`QSystemTrayIcon.showMessage`), when an endpoint turns disabled or its failure rate of
the last hour passes the threshold (`app.data.webhook_alerts` decides; this only shows).

Clicking a notification opens that endpoint in the webhooks panel. Where there is no system tray
(a headless session, some Linux desktops) the alert goes to the window's message strip instead,
with an *Open endpoint* action, so it is never lost.

The shell owns one `DesktopNotifier` per session (`start_desktop_notifications`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from app.data.webhook_alerts import AlertMonitor, EndpointAlert
from app.ui.store_binding import bind


def system_tray() -> QSystemTrayIcon | None:
    """The application's tray icon, or None where the desktop has no system tray."""
    if not QSystemTrayIcon.isSystemTrayAvailable():
        return None
    tray = QSystemTrayIcon(QApplication.windowIcon(), QApplication.instance())
    tray.setToolTip("Opsdesk")
    tray.show()
    return tray


class DesktopNotifier(QObject):
    """Shows each alert of `monitor`; a click on it calls `open_endpoint(webhook_id)`.

    `tray` is a `QSystemTrayIcon` (or anything with `showMessage` and a `messageClicked` signal);
    None sends alerts to `fallback(message, open_action)` (the message strip).
    """

    def __init__(self, monitor: AlertMonitor, open_endpoint: Callable[[str], None], *,
                 tray: Any = None, fallback: Callable[[EndpointAlert, Callable[[], None]], None] | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.monitor = monitor
        self._open_endpoint = open_endpoint
        self._tray = tray
        self._fallback = fallback
        self._last: EndpointAlert | None = None
        self.shown: list[EndpointAlert] = []
        if tray is not None:
            tray.messageClicked.connect(self._on_clicked)
        bind(monitor.alerts, self, self._on_alert)

    def _on_alert(self, alert: EndpointAlert) -> None:
        self._last = alert
        self.shown.append(alert)
        if self._tray is not None:
            icon = (QSystemTrayIcon.MessageIcon.Critical if alert.kind == "disabled"
                    else QSystemTrayIcon.MessageIcon.Warning)
            self._tray.showMessage(alert.title, alert.message, icon)
        elif self._fallback is not None:
            self._fallback(alert, lambda: self._open_endpoint(alert.webhook_id))

    def _on_clicked(self) -> None:
        """The OS tells only that *the* message was clicked: it is the latest one shown."""
        if self._last is not None:
            self._open_endpoint(self._last.webhook_id)


def start_desktop_notifications(window: Any, context: Any, *, tray: Any = None) -> DesktopNotifier:
    """The shell's hook: watch this session's endpoints, notify through the tray (or the window's
    strip), and open the endpoint in the webhooks panel on a click. Stop with `notifier.monitor.stop()`."""

    def open_endpoint(webhook_id: str) -> None:
        window.showNormal()
        window.raise_()
        window.activateWindow()
        panel = window.open_module("webhooks")
        select = getattr(panel, "select_endpoint", None)
        if select is not None:
            panel.tabs.setCurrentIndex(0)
            select(webhook_id)

    def in_strip(alert: EndpointAlert, open_it: Callable[[], None]) -> None:
        window.show_notice(f"webhook-alert-{alert.webhook_id}", "warning", f"{alert.title}: {alert.message}",
                           action=("Open endpoint", open_it))

    monitor = AlertMonitor(context.stores.webhooks)
    notifier = DesktopNotifier(monitor, open_endpoint, tray=tray if tray is not None else system_tray(),
                               fallback=in_strip, parent=window)
    monitor.start()
    return notifier


def watch_session(window: Any, previous: DesktopNotifier | None, context: Any) -> DesktopNotifier | None:
    """The shell's call at every session change: stop `previous`, watch the new session's endpoints
    when its platform lists them; None when there is nothing to watch (no client, no loop running:
    a window shown outside the console, as previews and tests do)."""
    if previous is not None:
        previous.monitor.cancel()
        previous.deleteLater()
    if context is None or context.client is None or not context.manifest.supports("webhooks.list"):
        return None
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return None
    return start_desktop_notifications(window, context)
