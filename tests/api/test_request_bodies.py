"""Request bodies: PATCH sends only what the user changed, and nested items go out whole."""

from app.api import models


def test_an_update_sends_only_the_fields_that_were_set():
    body = models.ContactUpdate(notes=None).to_body()
    assert body == {"notes": None}, "an explicit None clears the field; nothing else is touched"


def test_line_items_carry_their_defaults_so_the_server_accepts_them():
    invoice = models.InvoiceCreate(
        currency="EUR",
        line_items=[models.LineItem(name="Support plan", unit_amount_cents=1999)],
    )
    item = invoice.to_body()["line_items"][0]
    assert item == {"kind": "service", "name": "Support plan", "quantity": 1,
                    "unit_amount_cents": 1999, "tax_rate_bps": 0}


async def test_a_draft_built_from_models_is_accepted_by_the_real_sandbox(sandbox, sandbox_credentials):
    from app.api import AdminClient, ApiKeyAuth

    async with AdminClient(sandbox.url, ApiKeyAuth(sandbox_credentials["test"]["owner_key"])) as client:
        invoice = await client.invoices.create(models.InvoiceCreate(
            currency="EUR",
            line_items=[models.LineItem(name="Setup", quantity=2, unit_amount_cents=1050, tax_rate_bps=1900)],
        ))
    assert invoice.status == "draft"
    assert invoice.subtotal_cents == 2100 and invoice.tax_cents == 399 and invoice.total_cents == 2499
