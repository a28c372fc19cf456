"""Offline: with the server gone the panel keeps its cached contacts, read-only, and says so."""

from __future__ import annotations

from app.core.sandbox_process import SandboxProcess
from app.ui.panels.contacts.contact_rows import (  # noqa: F401
    COMPANY_NAME,
    EMAIL,
    ID,
    NAME,
    PHONE,
    TAGS,
)
from app.ui.panels.contacts.panel import ContactsPanel
from tests.ui.test_contacts_panel import close_panel, make_panel
from tests.waiting import wait_until


def test_offline_shows_cached_rows_read_only_with_a_banner(qtbot, run_async, tmp_path):
    server = SandboxProcess.start(tmp_path / "sandbox", seed_size=40)
    key = server.credentials()["test"]["owner_key"]

    async def scenario():
        panel = await make_panel(qtbot, server.url, key, tmp_path / "cache.sqlite")
        try:
            await panel.activate()
            online_ids = [row[ID] for row in panel.model.rows]
            assert online_ids and panel.new_button.isEnabled()
        finally:
            await close_panel(panel)
        server.stop()
        offline = await make_panel(qtbot, server.url, key, tmp_path / "cache.sqlite")
        try:
            await offline.activate()
            assert [row[ID] for row in offline.model.rows] == online_ids, "cached rows still shown"
            assert offline.offline_banner.isVisible() and "Offline" in offline.offline_banner.plain_text
            assert ContactsPanel.offline_text in offline.offline_banner.plain_text
            assert not offline.new_button.isEnabled() and not offline.companies.new_button.isEnabled()
            # The detail still opens from the cache, read-only.
            await offline.open_contact(online_ids[0])
            assert offline.form.record.id == online_ids[0]
            assert offline.form.name_edit.isReadOnly() and not offline.save_button.isEnabled()
            # Local search works without the server.
            word = offline.model.rows[0][NAME].split()[0]
            offline.search.setText(word)
            await wait_until(lambda: offline.list.query.text == word and offline.model.rowCount() > 0, 5)
        finally:
            await close_panel(offline)

    try:
        run_async(scenario(), timeout=90)
    finally:
        server.stop()
