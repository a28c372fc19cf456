"""What the Invoices panel says follows its state: the footer every change, messages their reason.

Issue 12, defect 3: the footer ("N invoices — due … · paid …") did not change after a payment
or a new draft until a restart. Defect 4: a new draft inherited the previous invoice's payment
amount and its error. Both against a real sandbox, with the server's figures as the reference.
"""

from __future__ import annotations

from app.api import AdminClient, ApiKeyAuth
from app.ui.money import format_money
from tests.ui.test_invoices_panel import (  # noqa: F401
    click,
    close_invoices_panel,
    make_invoices_panel,
    owner_key,
    type_line,
    us_locale,
)
from tests.waiting import wait_until


async def server_footer(client: AdminClient) -> str:
    """The footer as the server's own figures write it: every invoice, money per currency."""
    due: dict[str, int] = {}
    paid: dict[str, int] = {}
    count = 0
    async for invoice in client.invoices.iterate(limit=100):
        count += 1
        due[invoice.currency] = due.get(invoice.currency, 0) + invoice.amount_due_cents
        paid[invoice.currency] = paid.get(invoice.currency, 0) + invoice.amount_paid_cents
    currencies = sorted(set(due) | set(paid))
    return (f"{count} invoices — due " + ", ".join(format_money(due[c], c) for c in currencies)
            + " · paid " + ", ".join(format_money(paid[c], c) for c in currencies))


async def open_invoice(panel, invoice_id: str) -> None:
    await wait_until(lambda: panel.model.row_of_id(invoice_id) is not None, 10, f"{invoice_id} is not listed")
    panel.table.setCurrentIndex(panel.model.index(panel.model.row_of_id(invoice_id), 0))


async def an_open_invoice(client: AdminClient, cents: int):
    """A sent invoice with `cents` due, made for the test (the demo data's may be paid by others)."""
    draft = await client.invoices.create({"currency": "USD", "line_items": [
        {"kind": "service", "name": "Retainer", "quantity": 1, "unit_amount_cents": cents}]})
    return await client.invoices.send(draft.id)


def test_the_footer_follows_a_new_draft_a_payment_and_a_void(qtbot, run_async, sandbox, owner_key, tmp_path):
    async def scenario():
        other = AdminClient(sandbox.url, ApiKeyAuth(owner_key))
        panel = await make_invoices_panel(qtbot, sandbox.url, owner_key, tmp_path / "c.sqlite")
        try:
            await panel.activate()
            assert panel.totals.text() == await server_footer(other)

            async def footer_follows(step: str) -> None:
                expected = await server_footer(other)
                assert expected != shown[-1], f"{step} changes the server's figures"
                await wait_until(lambda: panel.totals.text() == expected, 5,
                                 f"after {step} the footer says {panel.totals.text()!r}, the server {expected!r}")
                shown.append(expected)

            shown = [panel.totals.text()]
            click(panel.new_button)
            type_line(qtbot, panel, 0, "Audit", "2", "150.00", "0")
            click(panel.save_button)
            await wait_until(lambda: panel.banner.kind == "success", 10, panel.banner.plain_text)
            await footer_follows("a new draft")

            click(panel.send_button)
            await wait_until(lambda: "Sent" in panel.banner.plain_text, 10, panel.banner.plain_text)
            panel.payments.amount.setText("100.00")
            click(panel.payments.record_button)
            await wait_until(lambda: "Recorded" in panel.banner.plain_text, 10, panel.banner.plain_text)
            await footer_follows("a payment")

            click(panel.new_button)
            type_line(qtbot, panel, 0, "Mistake", "1", "75.00", "0")
            click(panel.save_button)
            await wait_until(lambda: "Saved" in panel.banner.plain_text, 10, panel.banner.plain_text)
            await footer_follows("a second draft")
            click(panel.void_button)
            await wait_until(lambda: panel.confirm.confirm_button.width() > 0, 5, "the confirm bar was not laid out")
            click(panel.confirm.confirm_button)
            await wait_until(lambda: "Voided" in panel.banner.plain_text, 10, panel.banner.plain_text)
            await footer_follows("a void")
        finally:
            await other.aclose()
            await close_invoices_panel(panel)

    run_async(scenario(), timeout=60)


def test_a_new_draft_starts_with_an_empty_payment_box(qtbot, run_async, sandbox, owner_key, tmp_path):
    async def scenario():
        other = AdminClient(sandbox.url, ApiKeyAuth(owner_key))
        panel = await make_invoices_panel(qtbot, sandbox.url, owner_key, tmp_path / "c.sqlite")
        try:
            invoice = await an_open_invoice(other, 50_000)
            await panel.activate()
            await open_invoice(panel, invoice.id)
            await wait_until(panel.payments.record_button.isEnabled, 5, "the sent invoice takes no payment")
            qtbot.keyClicks(panel.payments.amount, "99999")
            click(panel.payments.record_button)
            await wait_until(lambda: "more than" in panel.payments.error.text(), 5, "the over-payment was not refused")

            click(panel.new_button)
            assert panel.payments.amount.text() == "", "the new draft inherited the payment amount"
            assert panel.payments.error.text() == "", "the new draft inherited the payment error"

            # Back on the invoice, the box starts empty too: nothing was paid and nothing is wrong.
            await open_invoice(panel, invoice.id)
            await wait_until(panel.payments.record_button.isEnabled, 5)
            assert panel.payments.amount.text() == "" and panel.payments.error.text() == ""
        finally:
            await other.aclose()
            await close_invoices_panel(panel)

    run_async(scenario(), timeout=60)


def test_a_refusal_lasts_as_long_as_its_amount_and_its_invoice(qtbot, run_async, sandbox, owner_key, tmp_path):
    async def scenario():
        other = AdminClient(sandbox.url, ApiKeyAuth(owner_key))
        panel = await make_invoices_panel(qtbot, sandbox.url, owner_key, tmp_path / "c.sqlite")
        try:
            invoice = await an_open_invoice(other, 50_000)
            second = await an_open_invoice(other, 20_000)
            await panel.activate()
            await open_invoice(panel, invoice.id)
            await wait_until(panel.payments.record_button.isEnabled, 5)
            # A colleague pays all but a cent; the panel's 500.00 is then refused by the server.
            await other.payments.create({"invoice_id": invoice.id, "amount_cents": 49_999, "method": "card"})
            panel.payments.amount.setText("500.00")
            click(panel.payments.record_button)
            await wait_until(lambda: panel.banner.kind == "error", 10, "the server's refusal was not shown")
            refusal = panel.banner.plain_text
            assert panel.payments.error.text() and "req_" in panel.banner.text

            panel.payments.amount.setText("0.01")
            assert panel.payments.error.text() == "", "the complaint outlived the amount it was about"
            assert panel.banner.plain_text == refusal, "the refusal of this invoice's payment is still true"

            await open_invoice(panel, second.id)
            await wait_until(lambda: panel.payments.record_button.isEnabled() and not panel.banner.isVisible(), 5,
                             f"the refusal outlived its invoice: {panel.banner.plain_text!r}")
            assert panel.payments.amount.text() == ""
        finally:
            await other.aclose()
            await close_invoices_panel(panel)

    run_async(scenario(), timeout=60)


def test_draft_messages_go_when_their_reason_does(qtbot, run_async, sandbox, owner_key, tmp_path):
    async def scenario():
        panel = await make_invoices_panel(qtbot, sandbox.url, owner_key, tmp_path / "c.sqlite")
        try:
            await panel.activate()
            click(panel.new_button)
            type_line(qtbot, panel, 0, "Unsaved", "1", "10.00", "0")
            panel.table.setCurrentIndex(panel.model.index(0, 0))
            assert "Save the draft you are editing first" in panel.banner.plain_text
            click(panel.new_button)  # drops the unsaved draft: nothing is left to save first
            assert not panel.banner.isVisible(), panel.banner.plain_text

            # The server's complaint about a field stays until that draft is edited.
            type_line(qtbot, panel, 0, "Backdated", "1", "10.00", "0")
            panel.editor.due_date.setDate(panel.editor.issue_date.date().addDays(-1))
            click(panel.save_button)
            form = panel.editor.form
            await wait_until(lambda: form.error_text("due_date"), 10, panel.banner.plain_text)
            panel.editor.due_date.setDate(panel.editor.issue_date.date().addDays(14))
            assert form.error_text("due_date") == "", "the complaint outlived the due date it was about"
            assert not panel.banner.isVisible(), f"the refusal outlived its values: {panel.banner.plain_text!r}"

            # The server's totals line compares what was saved: it goes when the lines change.
            click(panel.save_button)
            await wait_until(lambda: "matches" in panel.editor.server_totals_label.text(), 10, panel.banner.plain_text)
            type_line(qtbot, panel, 0, "Backdated", "3", "10.00", "0")
            assert panel.editor.server_totals_label.text() == "", "the comparison outlived the lines it compared"
        finally:
            await close_invoices_panel(panel)

    run_async(scenario(), timeout=60)
