"""The outbox as the operator meets it: a badge while changes wait, a list to edit or drop them."""

from __future__ import annotations

import httpx
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from app.data.outbox_replay import OutboxSender
from app.ui.outbox_dialog import OutboxDialog
from tests.api.fault_proxy import FaultProxy
from tests.ui.shell_harness import (  # noqa: F401  (the console fixtures)
    add_profile,
    console_factory_fixture,
    console_fixture,
    wait_for_rows,
)
from tests.waiting import wait_until


def test_changes_made_offline_wait_under_a_badge_and_go_when_the_server_is_back(console, qtbot, run_async, sandbox,
                                                                               sandbox_credentials, monkeypatch):
    monkeypatch.setattr(OutboxSender, "PROBE_SECONDS", 0.1)
    upstream = httpx.URL(sandbox.url)
    proxy = FaultProxy(upstream.host, upstream.port, fault_rate=0.0)

    async def scenario():
        port = await proxy.start()
        try:
            add_profile(console, "Via proxy", f"http://127.0.0.1:{port}/v1", sandbox_credentials["test"]["owner_key"])
            assert await console.start()
            window = console.window
            await wait_for_rows(window)
            stores = console.session.context.stores
            contact = (await stores.contacts.cached_where(limit=1))[0]
            badge = window.status.outbox_badge
            assert not badge.isVisible()

            proxy.down = True
            queued = await stores.contacts.update(contact, {"notes": "typed on the train"})
            assert queued.item is not None
            await wait_until(lambda: badge.isVisible() and "1 change waiting" in badge.text(), 5, badge.text())

            qtbot.mouseClick(badge, Qt.MouseButton.LeftButton)
            dialog = window.findChild(OutboxDialog, "outbox.dialog")
            assert dialog.isVisible() and dialog.list.count() == 1
            assert "notes" in dialog.list.item(0).text() and "waiting" in dialog.list.item(0).text()
            dialog.findChild(QLineEdit, "outbox.field.notes").setText("typed on the train, fixed")
            qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
            await wait_until(lambda: console.session.outbox.items[0].fields["notes"].endswith("fixed"), 5)

            proxy.down = False
            await wait_until(lambda: not badge.isVisible(), 20, "the change was not sent once the server was back")
            assert (await stores.contacts.api.get(contact.id)).notes == "typed on the train, fixed"
            assert dialog.list.count() == 0
            await console.shutdown()
        finally:
            await proxy.stop()

    run_async(scenario(), timeout=90)
