"""The panels on every platform's dialect: open, list, edit and save against its sandbox mount.

Each test drives the real panel with a client speaking the dialect to `/dialects/<name>/…` and
checks the change through the contract's own `/v1` (same workspace, same data). Platforms whose
manifest lacks the module are asserted to be refused by the sidebar elsewhere
(tests/ui/test_platform_sidebar.py); here they are skipped.
"""

from __future__ import annotations

import pytest
from PySide6.QtTest import QTest

from app.api import AdminClient, ApiKeyAuth
from app.api.dialects import dialect_class
from app.cache import AsyncPageCache
from app.ui.panel_context import PanelContext
from app.ui.panels.contacts.panel import ContactsPanel
from app.ui.panels.invoices.panel import InvoicesPanel
from app.ui.panels.tickets.panel import TicketsPanel
from app.ui.panels.webhooks.panel import WebhooksPanel
from tests.dialects.conftest import (
    BUILT,
    REFUSING_RECEIVER,
    delete_webhook,
    dialect_client,
)
from tests.ui.test_api_keys import child, confirm_saved_and_close, dialog
from tests.ui.test_contacts_editing import click, replace_text
from tests.ui.test_contacts_panel import record_id, select_row_of, unique
from tests.ui.test_invoices_panel import (
    type_line,
    us_locale,  # noqa: F401  (fixture)
)
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


@pytest.mark.usefixtures("us_locale")
@pytest.mark.parametrize("name", _dialects_with("invoices.create"))
def test_invoices_panel_lists_saves_and_edits_a_draft_on_the_platform(qtbot, run_async, sandbox, tmp_path, name):
    async def scenario():
        contract = _contract(sandbox)
        panel = await _panel(qtbot, InvoicesPanel, sandbox, name, tmp_path / "cache.sqlite")
        try:
            await panel.activate()
            await wait_until(lambda: panel.model.rows, 15, f"no invoices listed: {panel.banner.plain_text}")
            click(panel.new_button)
            type_line(qtbot, panel, 0, "Platform check", "2", "10.00", "0")
            click(panel.save_button)
            await wait_until(lambda: panel.record is not None and panel.banner.kind in ("success", "error"), 15,
                             "the draft was never saved")
            assert panel.banner.kind == "success", panel.banner.plain_text
            saved = await contract.invoices.get(panel.record.id)
            assert saved.total_cents == 2000
            if panel.context.manifest.supports("invoices.send"):  # else the platform issues at once
                assert saved.status == "draft"
            if panel.context.manifest.supports("invoices.update") and saved.status == "draft":
                type_line(qtbot, panel, 0, "Platform check", "3", "10.00", "0")
                click(panel.save_button)
                await wait_until(lambda: panel.record.total_cents == 3000, 15, panel.banner.plain_text)
                assert (await contract.invoices.get(saved.id)).total_cents == 3000
        finally:
            await contract.aclose()
            await _close(panel)

    run_async(scenario(), timeout=90)


@pytest.mark.parametrize("name", _dialects_with("webhooks.create"))
def test_webhooks_panel_lists_and_creates_an_endpoint_on_the_platform(qtbot, run_async, sandbox, tmp_path, name):
    async def scenario():
        contract = _contract(sandbox)
        panel = await _panel(qtbot, WebhooksPanel, sandbox, name, tmp_path / "cache.sqlite")
        try:
            await panel.activate()
            click(panel.new_button)
            form = await dialog("webhooks.endpoint_dialog")
            hook_name = unique("Platform hook ")
            QTest.keyClicks(child(form, "webhooks.endpoint.name"), hook_name)
            child(form, "webhooks.endpoint.url").setText(f"{REFUSING_RECEIVER}/{unique('p')}")
            child(form, "webhooks.endpoint.event.invoice.paid").setChecked(True)
            click(child(form, "webhooks.endpoint.submit"))
            secret = await confirm_saved_and_close(await dialog("secret_reveal"))
            assert secret
            await wait_until(lambda: panel.selected_endpoint() is not None, 10, panel.banner.plain_text)
            created = panel.selected_endpoint()
            listed = [hook async for hook in await contract.webhooks.list(limit=100)]
            try:
                assert any(hook.id == created.id and hook.event_types == ["invoice.paid"] for hook in listed)
                assert secret not in panel.banner.plain_text
            finally:
                await delete_webhook(sandbox, created.id)
        finally:
            await contract.aclose()
            await _close(panel)

    run_async(scenario(), timeout=90)


@pytest.mark.parametrize("name", [n for n in _dialects_with("contacts.create")
                                  if not dialect_class(n).manifest.supports("contacts.update")])
def test_a_platform_that_cannot_change_contacts_keeps_the_form_read_only_and_says_why(qtbot, run_async, sandbox,
                                                                                       tmp_path, name):
    async def scenario():
        panel = await _panel(qtbot, ContactsPanel, sandbox, name, tmp_path / "cache.sqlite")
        try:
            await panel.activate()
            await wait_until(lambda: panel.model.rows, 15, f"no contacts listed: {panel.banner.plain_text}")
            select_row_of(panel, panel.model.record(0)[0])
            await wait_until(lambda: panel.form.record is not None, 10, "the contact did not open")
            assert not panel.save_button.isEnabled() and not panel.delete_button.isEnabled()
            display = panel.context.manifest.display_name
            assert panel.save_button.toolTip() == f"{display} cannot update contacts through its API."
            assert panel.new_button.isEnabled(), "creating contacts is still offered"
        finally:
            await _close(panel)

    run_async(scenario(), timeout=60)


@pytest.mark.usefixtures("us_locale")
@pytest.mark.parametrize("name", [n for n in _dialects_with("invoices.list")
                                  if not dialect_class(n).manifest.supports("invoices.send")])
def test_invoice_actions_the_platform_lacks_are_off_with_its_reason(qtbot, run_async, sandbox, tmp_path, name):
    async def scenario():
        panel = await _panel(qtbot, InvoicesPanel, sandbox, name, tmp_path / "cache.sqlite")
        try:
            await panel.activate()
            await wait_until(lambda: panel.model.rows, 15, f"no invoices listed: {panel.banner.plain_text}")
            panel.table.selectRow(0)
            await wait_until(lambda: panel.record is not None, 10, "the invoice did not open")
            display = panel.context.manifest.display_name
            send = panel.detail.send_button
            assert not send.isEnabled() and send.toolTip() == f"{display} cannot send invoices through its API."
        finally:
            await _close(panel)

    run_async(scenario(), timeout=60)


@pytest.mark.parametrize("name", _dialects_with("tickets.list"))
def test_tickets_panel_lists_and_triages_on_the_platform(qtbot, run_async, sandbox, tmp_path, name):
    async def scenario():
        contract = _contract(sandbox)
        panel = await _panel(qtbot, TicketsPanel, sandbox, name, tmp_path / "cache.sqlite")
        try:
            await panel.activate()
            await wait_until(lambda: panel.tickets.model.rowCount() or panel.banner.kind == "error", 20,
                             "no tickets listed and no error")
            assert panel.banner.kind != "error", panel.banner.plain_text
            assert panel.tickets.model.rowCount() > 0
        finally:
            await contract.aclose()
            await _close(panel)

    run_async(scenario(), timeout=60)


@pytest.mark.parametrize("name", [n for n in BUILT if n != "opsdesk" and {"quota", "keys"} & set(dialect_class(n).manifest.modules)])
def test_quota_and_keys_panels_open_without_an_error_on_the_platform(qtbot, run_async, sandbox, tmp_path, name):
    from app.ui.panels.api_keys.panel import ApiKeysPanel
    from app.ui.panels.quota.panel import QuotaPanel

    async def scenario():
        modules = dialect_class(name).manifest.modules
        for panel_class, module in ((QuotaPanel, "quota"), (ApiKeysPanel, "keys")):
            if module not in modules:
                continue
            panel = await _panel(qtbot, panel_class, sandbox, name, tmp_path / f"{module}.sqlite")
            try:
                await panel.activate()
                assert panel.banner.kind != "error", f"{module}: {panel.banner.plain_text}"
            finally:
                await _close(panel)

    run_async(scenario(), timeout=60)


@pytest.mark.parametrize("name", [n for n in _dialects_with("webhooks.list")
                                  if not dialect_class(n).manifest.supports("events.list")])
def test_webhooks_panel_on_a_platform_without_an_event_log_hides_its_tab_and_shows_no_error(
        qtbot, run_async, sandbox, tmp_path, name):
    async def scenario():
        panel = await _panel(qtbot, WebhooksPanel, sandbox, name, tmp_path / "cache.sqlite")
        try:
            await panel.activate()
            await panel.events.load()
            assert not panel.tabs.isTabVisible(panel.tabs.indexOf(panel.events))
            assert panel.banner.kind != "error", panel.banner.plain_text
        finally:
            await _close(panel)

    run_async(scenario(), timeout=60)
