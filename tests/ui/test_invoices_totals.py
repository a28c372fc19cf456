"""Property: for random drafts, the console's live totals equal the server's (real sandbox)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.api import AdminClient, ApiKeyAuth
from app.api.models import Invoice, LineItem
from app.ui.money import invoice_totals
from app.ui.panels.invoices.invoice_editor import InvoiceEditor

lines = st.lists(
    st.fixed_dictionaries({
        "kind": st.sampled_from(["service", "product", "fee"]),
        "name": st.text("abcdefghij ", min_size=1, max_size=12).filter(str.strip),
        "quantity": st.integers(1, 1000),
        "unit_amount_cents": st.integers(0, 10_000_000),
        "tax_rate_bps": st.one_of(st.integers(0, 10_000), st.sampled_from([0, 1, 5, 50, 333, 725, 825, 1999, 2000])),
    }),
    min_size=1, max_size=8,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(line_items=lines)
def test_live_totals_equal_the_servers(qtbot, run_async, sandbox, sandbox_credentials, line_items):
    editor = InvoiceEditor()
    qtbot.addWidget(editor)
    editor.set_lines([LineItem(**line) for line in line_items])  # the cells show the lines as a person reads them; totals are read back
    local = editor.local_totals()
    assert local == invoice_totals(line_items)

    async def scenario():
        async with AdminClient(sandbox.url, ApiKeyAuth(sandbox_credentials["test"]["owner_key"])) as client:
            invoice = await client.invoices.create({"currency": "USD", "line_items": line_items})
        assert (local.subtotal_cents, local.tax_cents, local.total_cents) == (
            invoice.subtotal_cents, invoice.tax_cents, invoice.total_cents)

    run_async(scenario(), timeout=30)


def test_a_server_total_that_differs_is_reported_not_hidden(qtbot):
    editor = InvoiceEditor()
    qtbot.addWidget(editor)
    lines = [{"name": "x", "quantity": 3, "unit_amount_cents": 333, "tax_rate_bps": 1500}]
    editor.set_lines([LineItem(**line) for line in lines])
    local = editor.local_totals()
    server = Invoice.model_construct(id="inv_1", currency="USD", subtotal_cents=999, tax_cents=149, total_cents=1148)
    assert local.tax_cents == 150
    assert editor.show_server_totals(server, local) is False
    assert "differs" in editor.server_totals_label.text()
