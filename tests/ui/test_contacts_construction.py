"""Building the Contacts panel is silent: no exception escapes a slot, nothing is logged."""

from __future__ import annotations

import logging
import sys

import pytest

from app.api import AdminClient, ApiKeyAuth
from app.cache import AsyncPageCache
from app.ui.panel_context import PanelContext
from app.ui.panels.contacts.panel import ContactsPanel


@pytest.mark.parametrize("scopes", [frozenset(), frozenset({"crm:read"}), frozenset({"crm:read", "crm:write"})],
                         ids=["scopes-unknown", "read-only", "read-write"])
def test_building_and_showing_the_panel_logs_and_raises_nothing(qtbot, run_async, caplog, tmp_path, scopes):
    escaped: list[BaseException] = []
    previous_hook = sys.excepthook
    # Qt reports an exception raised in a slot through sys.excepthook and carries on building.
    sys.excepthook = lambda kind, error, trace: escaped.append(error)
    caplog.set_level(logging.WARNING)

    async def scenario():
        cache = await AsyncPageCache.open(tmp_path / "cache.sqlite")
        # A client that is never asked anything: with no client at all the panel is offline, and
        # this test is about what the scopes allow.
        client = AdminClient("http://127.0.0.1:9", ApiKeyAuth("opk_test_never_sent"))
        try:
            panel = ContactsPanel(PanelContext(client=client, cache=cache, profile=None, scopes=scopes))
            qtbot.addWidget(panel)
            panel.show()
            qtbot.waitExposed(panel)
            assert panel.new_button.isEnabled() == ("crm:write" in scopes or not scopes)
        finally:
            await client.aclose()
            await cache.close()

    try:
        run_async(scenario(), 30)
    finally:
        sys.excepthook = previous_hook
    assert escaped == [], f"building the panel raised {escaped!r}"
    assert [r.getMessage() for r in caplog.records] == [], "building the panel logged warnings or errors"
