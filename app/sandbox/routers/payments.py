"""Payments against sent invoices: never more than what is due (422), never on a draft or a void
invoice (409). Recording one moves the invoice to partially paid or paid and emits
`payment.recorded` (and `invoice.paid` when nothing is left to pay), in one transaction."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from app.sandbox.billing_rules import amount_due_cents, status_after_payment
from app.sandbox.deps import Db, Scoped
from app.sandbox.envelope import Envelope, Page, ok, page
from app.sandbox.errors import ApiProblem, validation_failed
from app.sandbox.events import emit_event
from app.sandbox.ids import new_id
from app.sandbox.invoice_records import invoice_from_row, mark_overdue, payment_from_row
from app.sandbox.pagination import PageParams, fetch_page
from app.sandbox.references import check_references
from app.sandbox.timeutil import now_rfc3339, to_rfc3339, utcnow
from app.sandbox.validation import DateTime, whole

router = APIRouter(tags=["billing"])

PaymentMethod = Literal["bank_transfer", "card", "cash", "check", "other"]


class Payment(BaseModel):
    id: str
    invoice_id: str
    amount_cents: int
    currency: str
    method: PaymentMethod
    paid_at: str
    created_at: str


class PaymentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    invoice_id: str = Field(min_length=1, max_length=64)
    amount_cents: whole(ge=1, le=100_000_000_000_000)
    method: PaymentMethod = "bank_transfer"
    paid_at: DateTime | None = Field(default=None, description="RFC 3339 with an offset; defaults to now.")
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$",
                                 description="Must match the invoice's currency when given.")


@router.post("/payments", response_model=Envelope[Payment], status_code=201,
             summary="Record a payment against an invoice")
def record_payment(body: PaymentCreate, db: Db, caller: Scoped("crm:write")) -> dict:
    today = utcnow().date()
    stamp = now_rfc3339()
    payment_id = new_id("pay")
    with db.transaction() as conn:
        check_references(conn, caller.workspace_id, {"invoice_id": body.invoice_id}, ("invoice_id",))
        mark_overdue(conn, today, caller.workspace_id)
        row = conn.execute("SELECT * FROM invoices WHERE id = ?", (body.invoice_id,)).fetchone()
        if row["status"] in ("draft", "void"):
            action = "send it first" if row["status"] == "draft" else "it no longer asks for money"
            raise ApiProblem(409, "CONFLICT", f"The invoice is {row['status']}: {action}.",
                             {"field": "invoice_id", "status": row["status"]})
        if body.currency is not None and body.currency != row["currency"]:
            raise validation_failed([("currency", f"the invoice is in {row['currency']}")])
        due = amount_due_cents(row["total_cents"], row["amount_paid_cents"], row["status"])
        if body.amount_cents > due:
            raise ApiProblem(422, "VALIDATION_ERROR",
                             f"amount_cents: {body.amount_cents} is more than the {due} still due.",
                             {"fields": [{"field": "amount_cents", "message": f"at most {due} (amount due)"}],
                              "amount_due_cents": due})
        paid_at = to_rfc3339(body.paid_at) if body.paid_at else stamp
        conn.execute(
            "INSERT INTO payments (id, workspace_id, invoice_id, amount_cents, currency, method, paid_at,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (payment_id, caller.workspace_id, body.invoice_id, body.amount_cents, row["currency"],
             body.method, paid_at, stamp))
        paid = row["amount_paid_cents"] + body.amount_cents
        conn.execute("UPDATE invoices SET amount_paid_cents = ?, status = ?, version = version + 1, updated_at = ?"
                     " WHERE id = ?", (paid, status_after_payment(row["total_cents"], paid), stamp, body.invoice_id))
        payment = payment_from_row(conn.execute("SELECT * FROM payments WHERE id = ?", (payment_id,)).fetchone())
        invoice = invoice_from_row(conn.execute("SELECT * FROM invoices WHERE id = ?", (body.invoice_id,)).fetchone(),
                                   today)
        emit_event(conn, caller.workspace_id, "payment.recorded", {**payment, "invoice": invoice})
        if invoice["status"] == "paid":
            emit_event(conn, caller.workspace_id, "invoice.paid", invoice)
    return ok(payment)


@router.get("/payments", response_model=Page[Payment], summary="List payments, newest first")
def list_payments(db: Db, caller: Scoped("crm:read"), params: PageParams,
                  invoice_id: Annotated[str | None, Query(max_length=64)] = None) -> dict:
    where, args = [], []
    if invoice_id is not None:
        where.append("invoice_id = ?")
        args.append(invoice_id)
    rows, cursor = fetch_page(db.conn(), "payments", caller.workspace_id, params, where=where, params=args,
                              updated_column="created_at")
    return page([payment_from_row(r) for r in rows], cursor)
