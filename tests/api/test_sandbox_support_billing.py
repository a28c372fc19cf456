"""Queues, tickets with messages and comments, invoices and payments against the real sandbox."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.api import errors, models
from tests.api.sandbox_clients import owner_client, unique


@pytest.fixture
async def client(sandbox):
    async with owner_client(sandbox) as client:
        yield client


async def test_queues_list_and_create(client):
    key = unique("vip").lower()
    queue = await client.queues.create({"key": key, "name": "VIP desk", "first_response_target_minutes": 30})
    assert queue.id.startswith("queue_") and queue.status == "active"
    assert queue.id in [q.id for q in (await client.queues.list()).items]


async def test_ticket_lifecycle_with_thread_and_notes(client):
    queue = await client.queues.create({"key": unique("q").lower(), "name": "Triage",
                                        "first_response_target_minutes": 60})
    contact = await client.contacts.create({"name": "Ticket Raiser"})
    members = (await client.members.list()).items
    subject = unique("Printer on fire")
    ticket = await client.tickets.create(models.TicketCreate(
        subject=subject, priority="high", queue_id=queue.id, contact_id=contact.id, category="hardware"))
    assert ticket.status == "new" and ticket.first_response_due_at is not None
    assert (await client.tickets.get(ticket.id)).subject == subject

    for filters in ({"query": subject}, {"queue_id": queue.id}, {"contact_id": contact.id},
                    {"priority": "high", "queue_id": queue.id}, {"category": "hardware", "queue_id": queue.id},
                    {"status": "new", "queue_id": queue.id}):
        assert [t.id for t in (await client.tickets.list(**filters)).items] == [ticket.id], filters

    assigned = await client.tickets.update(ticket.id, {"assignee_id": members[0].id, "status": "open"},
                                           if_match=ticket.version)
    assert assigned.assignee_id == members[0].id and assigned.version == ticket.version + 1
    assert [t.id for t in (await client.tickets.list(assignee_id=members[0].id, queue_id=queue.id)).items] == [ticket.id]
    with pytest.raises(errors.PreconditionFailed):
        await client.tickets.update(ticket.id, {"priority": "low"}, if_match=ticket.version)

    inbound = await client.tickets.messages.create(ticket.id, {"direction": "inbound", "body": "It smokes."})
    reply = await client.tickets.messages.create(ticket.id, models.MessageCreate(
        direction="outbound", channel="email", body="Unplug it, please."))
    thread = await client.tickets.messages.list(ticket.id)
    assert {m.id for m in thread.items} == {inbound.id, reply.id}
    assert (await client.tickets.get(ticket.id)).first_responded_at is not None

    note = await client.tickets.comments.create(ticket.id, {"body": "Customer is a VIP", "pinned": True})
    notes = await client.tickets.comments.list(ticket.id)
    assert [c.id for c in notes.items] == [note.id] and notes.items[0].pinned

    closed = await client.tickets.update(ticket.id, {"status": "closed"})
    with pytest.raises(errors.Conflict):
        await client.tickets.update(ticket.id, {"status": "new"}, if_match=closed.version)


async def test_invoice_to_payment(client):
    company = await client.companies.create({"name": unique("Billed Co")})
    invoice = await client.invoices.create(models.InvoiceCreate(
        currency="EUR", company_id=company.id, due_date=date.today() + timedelta(days=30),
        line_items=[models.LineItem(kind="service", name="Consulting", quantity=3, unit_amount_cents=10_000,
                                    tax_rate_bps=1900),
                    models.LineItem(kind="fee", name="Setup", quantity=1, unit_amount_cents=2_501,
                                    tax_rate_bps=1000)]))
    assert invoice.status == "draft"
    assert invoice.subtotal_cents == 32_501
    assert invoice.tax_cents == 5_700 + 250  # 250.1 rounds half-up per line to 250
    assert invoice.total_cents == invoice.amount_due_cents == 38_451
    assert (await client.invoices.get(invoice.id)).invoice_number == invoice.invoice_number
    assert invoice.id in [i.id for i in (await client.invoices.list(company_id=company.id, status="draft")).items]
    due_soon = await client.invoices.list(company_id=company.id, due_before=date.today() + timedelta(days=60))
    assert [i.id for i in due_soon.items] == [invoice.id]

    edited = await client.invoices.update(invoice.id, {"notes": "Thanks!"}, if_match=invoice.version)
    assert edited.notes == "Thanks!"
    sent = await client.invoices.send(invoice.id)
    assert sent.status == "sent"

    with pytest.raises(errors.ValidationFailed):
        await client.payments.create({"invoice_id": invoice.id, "amount_cents": 38_452, "method": "card"})
    paid = await client.payments.create(models.PaymentCreate(invoice_id=invoice.id, amount_cents=8_451,
                                                             method="card"))
    assert paid.amount_cents == 8_451
    partial = await client.invoices.get(invoice.id)
    assert partial.status == "partially_paid" and partial.amount_due_cents == 30_000
    assert [p.id for p in (await client.payments.list(invoice_id=invoice.id)).items] == [paid.id]

    with pytest.raises(errors.Conflict):
        await client.invoices.void(invoice.id)
    unpaid = await client.invoices.create({"currency": "EUR", "company_id": company.id, "line_items": [
        {"kind": "product", "name": "Widget", "quantity": 1, "unit_amount_cents": 999}]})
    voided = await client.invoices.void(unpaid.id)
    assert voided.status == "void"
