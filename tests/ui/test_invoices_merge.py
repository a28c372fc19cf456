"""A draft edited at the desk while a colleague changes it through the API (real sandbox).

Fields only one side changed are merged without asking; only a field both changed differently
is put to the operator, and the server ends with each side's changes.
"""

from __future__ import annotations

from datetime import date, timedelta

from app.api import AdminClient, ApiKeyAuth
from tests.ui.test_invoices_derived import open_invoice
from tests.ui.test_invoices_panel import (  # noqa: F401
    click,
    close_invoices_panel,
    make_invoices_panel,
    owner_key,
    us_locale,
)
from tests.waiting import wait_until

LINES = [{"kind": "service", "name": "Workshop", "quantity": 1, "unit_amount_cents": 80_000, "tax_rate_bps": 0},
         {"kind": "fee", "name": "Travel", "quantity": 1, "unit_amount_cents": 12_000, "tax_rate_bps": 0}]


def test_a_colleagues_line_change_is_kept_with_my_notes_without_asking(qtbot, run_async, sandbox, owner_key, tmp_path):
    async def scenario():
        colleague = AdminClient(sandbox.url, ApiKeyAuth(owner_key))
        panel = await make_invoices_panel(qtbot, sandbox.url, owner_key, tmp_path / "c.sqlite")
        try:
            draft = await colleague.invoices.create({"currency": "USD", "line_items": LINES})
            await panel.activate()
            await open_invoice(panel, draft.id)
            panel.editor.notes_edit.setPlainText("Deposit of 50% due on signing.")
            await colleague.invoices.update(draft.id, {"line_items": [LINES[0], {**LINES[1], "quantity": 2}]},
                                            if_match=draft.version)
            click(panel.save_button)
            await wait_until(lambda: panel.banner.kind in ("success", "warning", "error"), 10, panel.banner.plain_text)
            assert panel.banner.kind == "success" and "their change to line items" in panel.banner.plain_text, panel.banner.plain_text
            assert not panel.merge_bar.isVisible(), "nothing both sides changed, so nothing is asked"
            on_server = await colleague.invoices.get(draft.id)
            assert on_server.notes == "Deposit of 50% due on signing."
            assert [item.quantity for item in on_server.line_items] == [1, 2]
            assert on_server.total_cents == 104_000
            assert "matches" in panel.editor.server_totals_label.text(), "the totals compared are those saved"
            assert panel.editor.lines.item(1, 2).text() == "2", "the editor shows the merged lines"
        finally:
            await colleague.aclose()
            await close_invoices_panel(panel)

    run_async(scenario(), timeout=60)


def test_only_the_field_both_changed_is_asked_about(qtbot, run_async, sandbox, owner_key, tmp_path):
    async def scenario():
        colleague = AdminClient(sandbox.url, ApiKeyAuth(owner_key))
        panel = await make_invoices_panel(qtbot, sandbox.url, owner_key, tmp_path / "c.sqlite")
        try:
            draft = await colleague.invoices.create({"currency": "EUR", "line_items": LINES, "notes": "Net 30."})
            await panel.activate()
            await open_invoice(panel, draft.id)
            panel.editor.notes_edit.setPlainText("Net 14.")
            later = (date.today() + timedelta(days=60)).isoformat()
            await colleague.invoices.update(draft.id, {"notes": "Net 45.", "due_date": later}, if_match=draft.version)
            click(panel.save_button)
            await wait_until(panel.merge_bar.isVisible, 10, panel.banner.plain_text)
            assert panel.merge_bar.labels == ["Notes"]
            assert panel.banner.kind == "warning"
            panel.merge_bar.choose("Notes", "mine")
            click(panel.merge_bar.save_button)
            await wait_until(lambda: panel.banner.kind == "success", 10, panel.banner.plain_text)
            assert not panel.merge_bar.isVisible()
            on_server = await colleague.invoices.get(draft.id)
            assert (on_server.notes, on_server.due_date.isoformat()) == ("Net 14.", later)
            assert panel.editor.due_date.date().toString("yyyy-MM-dd") == later
        finally:
            await colleague.aclose()
            await close_invoices_panel(panel)

    run_async(scenario(), timeout=60)
