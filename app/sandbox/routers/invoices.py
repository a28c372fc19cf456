"""Invoices: drafts with line items and server-computed totals in integer cents, send, void, and
overdue detection (`invoice.overdue` emitted once per invoice).

The arithmetic lives in `billing_rules.py`; row shaping and the overdue sweep in
`invoice_records.py` (shared with payments and the webhook worker).
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from app.sandbox.billing_rules import MAX_TOTAL_CENTS, Totals, invoice_totals
from app.sandbox.deps import Db, Scoped
from app.sandbox.envelope import Envelope, Page, ok, page
from app.sandbox.errors import ApiProblem, invalid_request, not_found, validation_failed
from app.sandbox.etag import IfMatch, check_if_match, set_etag
from app.sandbox.events import emit_event
from app.sandbox.ids import new_id
from app.sandbox.invoice_records import has_newly_overdue, invoice_from_row, mark_overdue
from app.sandbox.pagination import PageParams, fetch_page
from app.sandbox.references import check_references
from app.sandbox.timeutil import now_rfc3339, utcnow
from app.sandbox.validation import Date, NotNull, parse_date, unset, whole

router = APIRouter(tags=["billing"])

InvoiceStatus = Literal["draft", "sent", "partially_paid", "paid", "void", "overdue"]
Id = Annotated[str, Field(min_length=1, max_length=64)]
IdQuery = Annotated[str | None, Query(max_length=64)]
InvoiceIdPath = Annotated[str, Path(max_length=64)]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217, e.g. USD.")]
NET_DAYS = 30
MAX_LINE_ITEMS = 100


class LineItem(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["service", "product", "fee"]
    name: str = Field(min_length=1, max_length=200)
    quantity: whole(ge=1, le=1_000_000) = 1
    unit_amount_cents: whole(ge=0, le=100_000_000_000)
    tax_rate_bps: whole(ge=0, le=10_000) = Field(default=0, description="Tax rate in basis points (1900 = 19 %).")


LineItems = Annotated[list[LineItem], Field(max_length=MAX_LINE_ITEMS)]
InvoiceNumber = Annotated[str, Field(min_length=1, max_length=50)]


class Invoice(BaseModel):
    id: str
    invoice_number: str
    status: InvoiceStatus
    contact_id: str | None
    company_id: str | None
    currency: str
    issue_date: str | None
    due_date: str | None
    line_items: list[LineItem]
    subtotal_cents: int
    tax_cents: int
    total_cents: int
    amount_paid_cents: int
    amount_due_cents: int
    notes: str | None
    version: int
    created_at: str
    updated_at: str


class InvoiceCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    invoice_number: InvoiceNumber | None = Field(
        default=None, description="Unique in the workspace; generated (INV-1001 …) when absent.")
    contact_id: Id | None = None
    company_id: Id | None = None
    currency: Currency = "USD"
    issue_date: Date | None = None
    due_date: Date | None = None
    line_items: LineItems = Field(default_factory=list)
    notes: str | None = Field(default=None, max_length=5_000)


class InvoiceUpdate(BaseModel):
    """Only the fields sent change (`invoice_number`, `currency` and `line_items` cannot be null).
    A sent invoice only takes `notes` and `due_date`."""

    model_config = ConfigDict(extra="forbid")
    invoice_number: InvoiceNumber | NotNull = unset()
    contact_id: Id | None = None
    company_id: Id | None = None
    currency: Currency | NotNull = unset()
    issue_date: Date | None = None
    due_date: Date | None = None
    line_items: LineItems | NotNull = unset()
    notes: str | None = Field(default=None, max_length=5_000)


_AFTER_DRAFT_FIELDS = {"notes", "due_date"}


def _today() -> date:
    return utcnow().date()


def _refresh_overdue(db: Any, workspace_id: str) -> None:
    """Detect newly overdue invoices before answering, so reads and events agree at once."""
    today = _today()
    if has_newly_overdue(db.conn(), today, workspace_id):
        with db.transaction() as conn:
            mark_overdue(conn, today, workspace_id)


def _load(conn: sqlite3.Connection, workspace_id: str, invoice_id: str) -> sqlite3.Row:
    row = conn.execute("SELECT * FROM invoices WHERE id = ? AND workspace_id = ?",
                       (invoice_id, workspace_id)).fetchone()
    if row is None:
        raise not_found("invoice", invoice_id)
    return row


def _next_number(conn: sqlite3.Connection, workspace_id: str) -> str:
    row = conn.execute(
        "SELECT max(CAST(substr(invoice_number, 5) AS INTEGER)) FROM invoices"
        " WHERE workspace_id = ? AND invoice_number GLOB 'INV-[0-9]*'", (workspace_id,)).fetchone()
    return f"INV-{max(row[0] or 1000, 1000) + 1}"


def _number_free(conn: sqlite3.Connection, workspace_id: str, number: str) -> None:
    if conn.execute("SELECT 1 FROM invoices WHERE workspace_id = ? AND invoice_number = ?",
                    (workspace_id, number)).fetchone():
        raise ApiProblem(409, "CONFLICT", f"Invoice number {number!r} is already used.",
                         {"field": "invoice_number"})


def _totals(lines: list[dict[str, Any]]) -> Totals:
    totals = invoice_totals(lines)
    if totals.total_cents > MAX_TOTAL_CENTS:
        raise validation_failed([("line_items", f"the total may be at most {MAX_TOTAL_CENTS} cents")])
    return totals


def _check_dates(issue: str | None, due: str | None) -> None:
    if issue and due and due < issue:
        raise validation_failed([("due_date", "must be on or after issue_date")])


@router.get("/invoices", response_model=Page[Invoice], summary="List invoices")
def list_invoices(
    db: Db, caller: Scoped("crm:read"), params: PageParams,
    status: InvoiceStatus | None = None,
    company_id: IdQuery = None,
    contact_id: IdQuery = None,
    due_before: Annotated[str | None, Query(max_length=10, json_schema_extra={"format": "date"},
                                            description="YYYY-MM-DD: due strictly before this day.")] = None,
    query: Annotated[str | None, Query(max_length=200, description="Text in the invoice number or notes.")] = None,
) -> dict:
    _refresh_overdue(db, caller.workspace_id)
    where: list[str] = []
    args: list[Any] = []
    if status is not None:
        # Stored statuses lag the calendar after a payment on a late invoice: filter as clients read them.
        late = "(coalesce(due_date < ?, 0) AND total_cents > amount_paid_cents)"
        if status == "overdue":
            where.append(f"status IN ('sent', 'partially_paid', 'overdue') AND {late}")
            args.append(_today().isoformat())
        elif status in ("sent", "partially_paid"):
            where.append(f"status = ? AND NOT {late}")
            args += [status, _today().isoformat()]
        else:
            where.append("status = ?")
            args.append(status)
    for column, value in (("company_id", company_id), ("contact_id", contact_id)):
        if value is not None:
            where.append(f"{column} = ?")
            args.append(value)
    if due_before is not None:
        try:
            args.append(parse_date(due_before).isoformat())
        except ValueError:
            raise invalid_request("due_before", "not a date like 2026-04-30") from None
        where.append("due_date < ?")
    if query:
        where.append("(instr(lower(invoice_number), lower(?)) > 0 OR instr(lower(coalesce(notes, '')), lower(?)) > 0)")
        args += [query, query]
    rows, cursor = fetch_page(db.conn(), "invoices", caller.workspace_id, params, where=where, params=args)
    today = _today()
    return page([invoice_from_row(r, today) for r in rows], cursor)


@router.post("/invoices", response_model=Envelope[Invoice], status_code=201, summary="Create a draft invoice")
def create_invoice(body: InvoiceCreate, db: Db, caller: Scoped("crm:write"), response: Response) -> dict:
    lines = [line.model_dump() for line in body.line_items]
    totals = _totals(lines)
    issue = body.issue_date.isoformat() if body.issue_date else None
    due = body.due_date.isoformat() if body.due_date else None
    _check_dates(issue, due)
    stamp = now_rfc3339()
    invoice_id = new_id("inv")
    with db.transaction() as conn:
        check_references(conn, caller.workspace_id, body.model_dump(), ("contact_id", "company_id"))
        if body.invoice_number is not None:
            _number_free(conn, caller.workspace_id, body.invoice_number)
        number = body.invoice_number or _next_number(conn, caller.workspace_id)
        conn.execute(
            "INSERT INTO invoices (id, workspace_id, invoice_number, status, contact_id, company_id, currency,"
            " issue_date, due_date, line_items, subtotal_cents, tax_cents, total_cents, notes, created_at,"
            " updated_at) VALUES (?, ?, ?, 'draft', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (invoice_id, caller.workspace_id, number, body.contact_id, body.company_id, body.currency,
             issue, due, json.dumps(lines), totals.subtotal_cents, totals.tax_cents, totals.total_cents,
             body.notes, stamp, stamp))
        invoice = invoice_from_row(_load(conn, caller.workspace_id, invoice_id), _today())
        emit_event(conn, caller.workspace_id, "invoice.created", invoice)
    set_etag(response, invoice["version"])
    return ok(invoice)


@router.get("/invoices/{invoice_id}", response_model=Envelope[Invoice], summary="Get an invoice")
def get_invoice(invoice_id: InvoiceIdPath, db: Db, caller: Scoped("crm:read"), response: Response) -> dict:
    _refresh_overdue(db, caller.workspace_id)
    row = _load(db.conn(), caller.workspace_id, invoice_id)
    set_etag(response, row["version"])
    return ok(invoice_from_row(row, _today()))


@router.patch("/invoices/{invoice_id}", response_model=Envelope[Invoice],
              summary="Update an invoice (line items only while it is a draft)")
def update_invoice(invoice_id: InvoiceIdPath, body: InvoiceUpdate, db: Db, caller: Scoped("crm:write"),
                   if_match: IfMatch, response: Response) -> dict:
    sent = body.model_dump(include=body.model_fields_set, mode="json")
    for required in ("invoice_number", "currency", "line_items"):
        if required in sent and sent[required] is None:
            raise validation_failed([(required, "cannot be null")])
    with db.transaction() as conn:
        row = _load(conn, caller.workspace_id, invoice_id)
        check_if_match(if_match, row["version"])
        if row["status"] != "draft":
            locked = sorted(set(sent) - _AFTER_DRAFT_FIELDS)
            if locked or row["status"] in ("void", "paid"):
                raise ApiProblem(409, "CONFLICT",
                                 f"A {row['status']} invoice cannot change"
                                 f" {', '.join(locked) if locked else 'any more'}; only drafts change line items.",
                                 {"field": locked[0] if locked else "status", "status": row["status"]})
        check_references(conn, caller.workspace_id, sent, [f for f in ("contact_id", "company_id") if f in sent])
        if "invoice_number" in sent and sent["invoice_number"] != row["invoice_number"]:
            _number_free(conn, caller.workspace_id, sent["invoice_number"])
        _check_dates(sent.get("issue_date", row["issue_date"]), sent.get("due_date", row["due_date"]))
        changes = dict(sent)
        if "line_items" in changes:
            totals = _totals(changes["line_items"])
            changes.update(line_items=json.dumps(changes["line_items"]), subtotal_cents=totals.subtotal_cents,
                           tax_cents=totals.tax_cents, total_cents=totals.total_cents)
        if "due_date" in changes and row["status"] != "draft":
            # A new due date is a new chance to be overdue (and to say so once).
            changes["overdue_emitted"] = 0
        if changes:
            assignments = ", ".join(f"{k} = ?" for k in changes)
            conn.execute(f"UPDATE invoices SET {assignments}, version = version + 1, updated_at = ? WHERE id = ?",
                         (*changes.values(), now_rfc3339(), invoice_id))
            if row["status"] == "overdue" and "due_date" in changes:
                conn.execute("UPDATE invoices SET status = CASE WHEN amount_paid_cents > 0 THEN 'partially_paid'"
                             " ELSE 'sent' END WHERE id = ?", (invoice_id,))
            mark_overdue(conn, _today(), caller.workspace_id)
        row = _load(conn, caller.workspace_id, invoice_id)
    set_etag(response, row["version"])
    return ok(invoice_from_row(row, _today()))


@router.post("/invoices/{invoice_id}/send", response_model=Envelope[Invoice], summary="Send a draft invoice")
def send_invoice(invoice_id: InvoiceIdPath, db: Db, caller: Scoped("crm:write"), if_match: IfMatch,
                 response: Response) -> dict:
    today = _today()
    with db.transaction() as conn:
        row = _load(conn, caller.workspace_id, invoice_id)
        check_if_match(if_match, row["version"])
        if row["status"] != "draft":
            raise ApiProblem(409, "CONFLICT", f"Only a draft can be sent; this invoice is {row['status']}.",
                             {"field": "status", "status": row["status"]})
        if not json.loads(row["line_items"]) or row["total_cents"] <= 0:
            raise validation_failed([("line_items", "an invoice needs at least one line and a total above 0 to be sent")])
        issue = row["issue_date"] or today.isoformat()
        due = row["due_date"] or (date.fromisoformat(issue) + timedelta(days=NET_DAYS)).isoformat()
        conn.execute("UPDATE invoices SET status = 'sent', issue_date = ?, due_date = ?, version = version + 1,"
                     " updated_at = ? WHERE id = ?", (issue, due, now_rfc3339(), invoice_id))
        invoice = invoice_from_row(_load(conn, caller.workspace_id, invoice_id), today)
        emit_event(conn, caller.workspace_id, "invoice.sent", invoice)
        if mark_overdue(conn, today, caller.workspace_id):
            invoice = invoice_from_row(_load(conn, caller.workspace_id, invoice_id), today)
    set_etag(response, invoice["version"])
    return ok(invoice)


@router.post("/invoices/{invoice_id}/void", response_model=Envelope[Invoice], summary="Void an invoice")
def void_invoice(invoice_id: InvoiceIdPath, db: Db, caller: Scoped("crm:write"), if_match: IfMatch,
                 response: Response) -> dict:
    with db.transaction() as conn:
        row = _load(conn, caller.workspace_id, invoice_id)
        check_if_match(if_match, row["version"])
        if row["status"] == "void":
            raise ApiProblem(409, "CONFLICT", "The invoice is already void.", {"field": "status", "status": "void"})
        if row["amount_paid_cents"] > 0:
            raise ApiProblem(409, "CONFLICT", "Payments were recorded on this invoice; it cannot be voided.",
                             {"field": "status", "status": row["status"],
                              "amount_paid_cents": row["amount_paid_cents"]})
        conn.execute("UPDATE invoices SET status = 'void', version = version + 1, updated_at = ? WHERE id = ?",
                     (now_rfc3339(), invoice_id))
        invoice = invoice_from_row(_load(conn, caller.workspace_id, invoice_id), _today())
        emit_event(conn, caller.workspace_id, "invoice.voided", invoice)
    set_etag(response, invoice["version"])
    return ok(invoice)
