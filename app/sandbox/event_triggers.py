"""`POST /events/trigger`: make the fixture records an event type needs, through the sandbox's own
handlers, so the event fires exactly as a real change fires it (with every event that change
emits beside it: `invoice.paid` comes with `payment.recorded`, as it would).

Each recipe calls the routers' handler functions (the same validation, rules and `emit_event`
calls a client's requests go through) inside one write transaction, so a trigger happens whole or
not at all and the events it caused are the rows added in it. Keys made for the `api_key.*` events
are revoked before the answer, so a trigger never leaves a usable credential behind.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from fastapi import Response

from app.sandbox import support_schemas
from app.sandbox.auth import Principal
from app.sandbox.db import Database
from app.sandbox.events import emit_event
from app.sandbox.routers import (
    api_keys,
    companies,
    contacts,
    invoices,
    payments,
    support,
)
from app.sandbox.settings import SandboxSettings
from app.sandbox.timeutil import utcnow

_NAME = "Trigger fixture"


class _Fixture:
    """One trigger's context: the caller, and the records made so far (`{"invoice": "inv_…"}`)."""

    def __init__(self, db: Database, caller: Principal, settings: SandboxSettings) -> None:
        self.db, self.caller, self.settings = db, caller, settings
        self.records: dict[str, str] = {}

    def made(self, kind: str, answer: dict[str, Any]) -> str:
        self.records[kind] = answer["data"]["id"]
        return self.records[kind]

    def contact(self) -> str:
        body = contacts.ContactCreate(name=_NAME, email=f"trigger-{utcnow().timestamp():.6f}@example.com")
        return self.made("contact", contacts.create_contact(body, self.db, self.caller, Response()))

    def company(self) -> str:
        body = companies.CompanyCreate(name=_NAME)
        return self.made("company", companies.create_company(body, self.db, self.caller, Response()))

    def invoice(self, *, overdue: bool = False) -> str:
        today = utcnow().date()
        dates = {"issue_date": (today - timedelta(days=31)).isoformat(),
                 "due_date": (today - timedelta(days=1)).isoformat()} if overdue else {}
        body = invoices.InvoiceCreate(contact_id=self.contact(), currency="USD", **dates, line_items=[
            invoices.LineItem(kind="service", name="Trigger fixture service", unit_amount_cents=12_000)])
        return self.made("invoice", invoices.create_invoice(body, self.db, self.caller, Response()))

    def sent_invoice(self, *, overdue: bool = False) -> str:
        invoice_id = self.invoice(overdue=overdue)
        invoices.send_invoice(invoice_id, self.db, self.caller, None, Response())
        return invoice_id

    def ticket(self) -> str:
        body = support_schemas.TicketCreate(subject="Trigger fixture ticket", contact_id=self.contact())
        return self.made("ticket", support.create_ticket(body, self.db, self.caller, Response()))

    def api_key(self) -> str:
        scope = sorted(self.caller.scopes)[:1]
        body = api_keys.ApiKeyCreate(name=_NAME, scopes=scope)
        return self.made("api_key", api_keys.create_api_key(body, self.db, self.caller, self.settings, Response()))

    def revoke(self, key_id: str) -> None:
        api_keys.revoke_api_key(key_id, self.db, self.caller)


def _paid(f: _Fixture) -> None:
    invoice_id = f.sent_invoice()
    f.made("payment", payments.record_payment(
        payments.PaymentCreate(invoice_id=invoice_id, amount_cents=12_000), f.db, f.caller))


def _rotated(f: _Fixture) -> None:
    old = f.api_key()
    answer = api_keys.rotate_api_key(old, f.db, f.caller, f.settings, api_keys.ApiKeyRotate(grace_period_hours=0))
    new = f.made("api_key", answer)
    f.records["previous_api_key"] = old
    f.revoke(new)
    f.revoke(old)


def _webhook_test(f: _Fixture) -> None:
    emit_event(f.db.conn(), f.caller.workspace_id, "webhook.test",
               {"message": "A test event fired by POST /events/trigger."})


#: How each contract event type is made to happen.
RECIPES: dict[str, Callable[[_Fixture], Any]] = {
    "contact.created": lambda f: f.contact(),
    "contact.updated": lambda f: contacts.update_contact(
        f.contact(), contacts.ContactUpdate(notes="Updated by a trigger."), f.db, f.caller, None, Response()),
    "contact.deleted": lambda f: contacts.delete_contact(f.contact(), f.db, f.caller, None),
    "company.created": lambda f: f.company(),
    "company.updated": lambda f: companies.update_company(
        f.company(), companies.CompanyUpdate(notes="Updated by a trigger."), f.db, f.caller, None, Response()),
    "ticket.created": lambda f: f.ticket(),
    "ticket.updated": lambda f: support.update_ticket(
        f.ticket(), support_schemas.TicketUpdate(status="open"), f.db, f.caller, None, Response()),
    "ticket.message.created": lambda f: f.made("message", support.create_message(
        f.ticket(), support_schemas.MessageCreate(direction="inbound", body="A message from a trigger."), f.db, f.caller)),
    "invoice.created": lambda f: f.invoice(),
    "invoice.sent": lambda f: f.sent_invoice(),
    "invoice.paid": _paid,
    "invoice.overdue": lambda f: f.sent_invoice(overdue=True),
    "invoice.voided": lambda f: invoices.void_invoice(f.sent_invoice(), f.db, f.caller, None, Response()),
    "payment.recorded": _paid,
    "api_key.created": lambda f: f.revoke(f.api_key()),
    "api_key.rotated": _rotated,
    "api_key.revoked": lambda f: f.revoke(f.api_key()),
    "webhook.test": _webhook_test,
}


def trigger(db: Database, caller: Principal, settings: SandboxSettings, event_type: str) -> dict[str, Any]:
    """Make `event_type` happen in the caller's (test) workspace; return what was made and emitted."""
    fixture = _Fixture(db, caller, settings)
    with db.transaction() as conn:
        (before,) = conn.execute("SELECT coalesce(max(rowid), 0) FROM events").fetchone()
        RECIPES[event_type](fixture)
        emitted = conn.execute("SELECT id, type FROM events WHERE rowid > ? AND workspace_id = ? ORDER BY rowid",
                               (before, caller.workspace_id)).fetchall()
    wanted = [row["id"] for row in emitted if row["type"] == event_type]
    if not wanted:
        raise RuntimeError(f"the {event_type} recipe emitted no {event_type} event")
    return {"type": event_type, "event_id": wanted[-1], "event_ids": [row["id"] for row in emitted],
            "records": fixture.records}
