"""Building the Contacts panel is silent: no exception escapes a slot, nothing is logged."""

from __future__ import annotations

import logging
import sys

import pytest

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
        try:
            panel = ContactsPanel(PanelContext(client=None, cache=cache, profile=None, scopes=scopes))
            qtbot.addWidget(panel)
            panel.show()
            qtbot.waitExposed(panel)
            assert panel.new_button.isEnabled() == ("crm:write" in scopes or not scopes)
        finally:
            await cache.close()

    try:
        run_async(scenario(), 30)
    finally:
        sys.excepthook = previous_hook
    assert escaped == [], f"building the panel raised {escaped!r}"
    assert [r.getMessage() for r in caplog.records] == [], "building the panel logged warnings or errors"
