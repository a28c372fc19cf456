"""The invoice editor checks the contract's rules before sending, in the server's words (issue 14).

Before: a quantity of 2,000,000, a unit price above the platform's maximum, a due date before the
issue date or a 51-character number went to the server and came back as "Please fix:
line_items[0].quantity: Input should be less than or equal to 1000000" (a round trip, with
pydantic's wording); sending a draft with a zero total did the same. Now each is refused beside
the field it is about, nothing is sent (no request id, nothing new on the server), and the text
says the rule as the server's own refusal does.
"""

from __future__ import annotations

import uuid

from app.api import AdminClient, ApiKeyAuth
from app.api.models import Invoice
from tests.ui.test_invoices_panel import (  # noqa: F401
    click,
    close_invoices_panel,
    make_invoices_panel,
    owner_key,
    type_line,
    us_locale,
)
from tests.waiting import wait_until


async def invoices_noted(client: AdminClient, tag: str) -> list:
    """The server's invoices whose notes are `tag` (this test's drafts)."""
    return [invoice async for invoice in client.invoices.iterate(limit=100) if invoice.notes == tag]


def test_rules_are_checked_beside_the_field_before_anything_is_sent(qtbot, run_async, sandbox, owner_key, tmp_path):
    async def scenario():
        other = AdminClient(sandbox.url, ApiKeyAuth(owner_key))
        panel = await make_invoices_panel(qtbot, sandbox.url, owner_key, tmp_path / "c.sqlite")
        tag = f"rules-{uuid.uuid4().hex[:8]}"
        editor, form = panel.editor, panel.editor.form
        try:
            await panel.activate()
            click(panel.new_button)
            editor.notes_edit.setPlainText(tag)

            async def refused_here(where, text: str) -> None:
                """`where()` says `text` (the save or send runs as a task), and nothing reached the server."""
                await wait_until(lambda: text in where(), 5, f"{text!r} not in {where()!r}")
                assert "req_" not in panel.banner.text, f"it went to the server: {panel.banner.plain_text}"
                assert "Value error" not in where() and "Input should" not in where()

            type_line(qtbot, panel, 0, "Audit", "2000000", "10.00", "0")
            click(panel.save_button)
            await refused_here(editor.lines_error.text, "Line 1: quantity must be a whole number from 1 to 1,000,000.")
            assert editor.totals_label.text() == "Total: —"

            type_line(qtbot, panel, 0, "Audit", "2", "1,000,000,000.01", "0")
            click(panel.save_button)
            await refused_here(editor.lines_error.text, "Line 1: unit price must be at most $1,000,000,000.00.")

            type_line(qtbot, panel, 0, "Audit", "2", "10.00", "0")
            editor.due_date.setDate(editor.issue_date.date().addDays(-1))
            editor.number_edit.setText("N" * 51)
            click(panel.save_button)
            await refused_here(lambda: form.error_text("due_date"), "must be on or after the issue date")
            await refused_here(lambda: form.error_text("invoice_number"), "must have at most 50 characters")
            assert panel.banner.kind == "warning" and "Fix the fields marked" in panel.banner.plain_text
            assert await invoices_noted(other, tag) == [], "nothing was sent"

            editor.number_edit.clear()
            assert form.error_text("due_date") == "" and not panel.banner.isVisible(), "the complaint outlived its values"
            editor.due_date.setDate(editor.issue_date.date().addDays(14))
            type_line(qtbot, panel, 0, "Audit", "2", "0", "0")
            click(panel.save_button)
            await wait_until(lambda: panel.record is not None and panel.banner.kind == "success", 10,
                             panel.banner.plain_text)
            (saved,) = await invoices_noted(other, tag)
            assert saved.total_cents == 0

            click(panel.send_button)
            await refused_here(lambda: panel.banner.plain_text, "An invoice needs at least one line and a total above 0 to be sent.")
            assert panel.banner.kind == "warning" and (await other.invoices.get(saved.id)).status == "draft"
        finally:
            await other.aclose()
            await close_invoices_panel(panel)

    run_async(scenario(), timeout=60)


def test_a_payment_above_the_platforms_largest_is_refused_before_sending():
    from app.ui.panels.invoices.payment_box import payment_problem

    huge = Invoice.model_construct(id="inv_1", status="sent", currency="USD", amount_due_cents=10**15)
    assert payment_problem(huge, 10**14) == ""
    assert payment_problem(huge, 10**14 + 1).startswith("One payment may be at most $1,000,000,000,000.00")
