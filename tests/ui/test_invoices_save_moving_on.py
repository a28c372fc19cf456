"""A save's answer never pulls the editor back: the operator who started a new draft while the save
of another was on its way keeps the new draft and what they chose in it; the saved one is saved."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from PySide6.QtCore import QDate

from app.api import AdminClient, ApiKeyAuth
from tests.ui.test_invoices_panel import (  # noqa: F401  (the locale fixture)
    click,
    close_invoices_panel,
    make_invoices_panel,
    us_locale,
)
from tests.waiting import wait_until


def test_starting_a_new_draft_while_a_save_is_on_its_way_keeps_the_new_draft(
        qtbot, run_async, sandbox, sandbox_credentials, tmp_path):
    key = sandbox_credentials["test"]["owner_key"]
    today = date.today()

    async def scenario():
        colleague = AdminClient(sandbox.url, ApiKeyAuth(key))
        base = await colleague.invoices.create({"currency": "USD", "issue_date": today.isoformat(),
                                                "due_date": (today + timedelta(days=10)).isoformat(),
                                                "line_items": [{"kind": "service", "name": "Audit", "quantity": 1,
                                                                "unit_amount_cents": 9_000, "tax_rate_bps": 0}]})
        panel = await make_invoices_panel(qtbot, sandbox.url, key, tmp_path / "c.sqlite")
        store = panel.saving.store
        slow, update = asyncio.Event(), store.update_draft

        async def update_on_a_slow_line(*args, **kwargs):
            await slow.wait()  # the answer arrives after the operator has moved on
            return await update(*args, **kwargs)

        store.update_draft = update_on_a_slow_line
        try:
            await panel.activate()
            await wait_until(lambda: panel.model.row_of_id(base.id) is not None, 10, "the invoice is not listed")
            panel.table.selectRow(panel.model.row_of_id(base.id))
            await wait_until(lambda: panel.record is not None and panel.record.id == base.id, 5)
            soon = today + timedelta(days=5)
            panel.editor.due_date.setDate(QDate(soon.year, soon.month, soon.day))
            click(panel.save_button)
            await wait_until(lambda: not slow.is_set() and panel.banner.plain_text.startswith("Saving"), 5)

            click(panel.new_button)
            customer = panel.editor.company_combo.itemData(1)
            panel.editor.company_combo.setCurrentIndex(1)
            slow.set()
            await wait_until(lambda: panel.banner.kind == "success", 10, panel.banner.plain_text)

            assert panel.record is None, "the answer pulled the editor back to the saved invoice"
            assert customer and panel.editor.company_combo.currentData() == customer
            assert (await colleague.invoices.get(base.id)).due_date == soon, "the first save was not made"
        finally:
            await colleague.aclose()
            await close_invoices_panel(panel)

    run_async(scenario(), timeout=60)
