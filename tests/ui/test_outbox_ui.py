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


def test_a_contact_edited_offline_in_the_panel_is_marked_pending_and_sent_on_reconnect(
        console, qtbot, run_async, sandbox, sandbox_credentials, monkeypatch):
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
            panel = window.page("contacts")
            first_id = panel.model.record(0)[0]
            panel.table.selectRow(0)
            await wait_until(lambda: panel.form.record is not None and panel.form.record.id == first_id, 10)
            proxy.down = True
            panel.stores.connection.mark_offline("ConnectError")  # as the next failed request would
            assert panel.offline_banner.kind == "warning" and "wait in the outbox" in panel.offline_banner.plain_text
            assert not panel.form.phone_edit.isReadOnly(), "offline, an existing contact can still be edited"
            assert not panel.new_button.isEnabled() and not panel.delete_button.isEnabled()
            panel.form.phone_edit.setText("+1 555 0177")
            qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
            await wait_until(lambda: console.session.outbox.waiting == 1, 10, panel.banner.plain_text)
            await wait_until(lambda: "waits" in panel.banner.plain_text, 5, panel.banner.plain_text)
            row = panel.model.row_of_id(first_id)
            assert panel.model.index(row, 0).data().startswith("⇪ "), "the row carries the pending mark"
            assert "1 change waiting" in window.status.outbox_badge.text()

            proxy.down = False
            await wait_until(lambda: console.session.outbox.waiting == 0, 20, "not sent on reconnect")
            assert (await panel.stores.contacts.api.get(first_id)).phone == "+1 555 0177"
            await wait_until(lambda: not panel.model.index(panel.model.row_of_id(first_id), 0).data().startswith("⇪"),
                             5, "the pending mark stayed after the change was sent")
            await console.shutdown()
        finally:
            await proxy.stop()

    run_async(scenario(), timeout=90)
