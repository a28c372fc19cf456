"""The panels on every platform's dialect: open, list, edit and save against its sandbox mount.

Each test drives the real panel with a client speaking the dialect to `/dialects/<name>/…` and
checks the change through the contract's own `/v1` (same workspace, same data). Platforms whose
manifest lacks the module are asserted to be refused by the sidebar elsewhere
(tests/ui/test_platform_sidebar.py); here they are skipped.
"""

from __future__ import annotations

import pytest

from app.api import AdminClient, ApiKeyAuth
from app.api.dialects import dialect_class
from app.cache import AsyncPageCache
from app.ui.panel_context import PanelContext
from app.ui.panels.contacts.panel import ContactsPanel
from tests.dialects.conftest import BUILT, dialect_client
from tests.ui.test_contacts_editing import click, replace_text
from tests.ui.test_contacts_panel import record_id, select_row_of, unique
from tests.waiting import wait_until

ALL_SCOPES = frozenset({"crm:read", "crm:write", "support:read", "billing:read", "billing:write",
                        "integrations:read", "integrations:write"})


def _dialects_with(operation: str) -> list[str]:
    return [name for name in BUILT if name != "opsdesk" and dialect_class(name).manifest.supports(operation)]


async def _panel(qtbot, panel_class, sandbox, name: str, cache_path):
    client = dialect_client(sandbox, name)
    cache = await AsyncPageCache.open(cache_path)
    panel = panel_class(PanelContext(client=client, cache=cache, profile=None, scopes=ALL_SCOPES))
    qtbot.addWidget(panel)
    panel.resize(1200, 760)
    panel.show()
    return panel


async def _close(panel) -> None:
    await panel.context.tasks.cancel_all()
    await panel.context.client.aclose()
    await panel.context.cache.close()


def _contract(sandbox) -> AdminClient:
    return AdminClient(sandbox.url, ApiKeyAuth(sandbox.credentials()["live"]["owner_key"]))


@pytest.mark.parametrize("name", _dialects_with("contacts.update"))
def test_contacts_panel_lists_edits_and_saves_on_the_platform(qtbot, run_async, sandbox, tmp_path, name):
    async def scenario():
        contract = _contract(sandbox)
        panel = await _panel(qtbot, ContactsPanel, sandbox, name, tmp_path / "cache.sqlite")
        try:
            contact = await contract.contacts.create({"name": unique("Platform "), "notes": "old"})
            await panel.activate()
            await wait_until(lambda: panel.model.row_of_id(contact.id) is not None, 15,
                             f"the new contact is not listed: {panel.banner.plain_text}")
            select_row_of(panel, contact.id)
            await wait_until(lambda: record_id(panel) == contact.id, 10, "the contact did not open")
            replace_text(qtbot, panel.form.notes_edit, f"called back via {name}")
            click(panel.save_button)
            await wait_until(lambda: panel.banner.kind in ("success", "error"), 15, "the save never finished")
            assert panel.banner.kind == "success", panel.banner.plain_text
            saved = await contract.contacts.get(contact.id)
            assert saved.notes == f"called back via {name}"
            manifest = panel.context.manifest
            if not manifest.has("etag"):
                assert "compares update times" in panel.platform_banner.plain_text
        finally:
            await contract.aclose()
            await _close(panel)

    run_async(scenario(), timeout=90)
