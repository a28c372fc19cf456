"""Contacts: `GET|POST /contacts`, `GET|PATCH|DELETE /contacts/{contact_id}` (scopes crm:read/crm:write).

Email is unique per workspace (case-insensitive): a taken one is 409 CONFLICT with
`details.field = "email"` and the existing contact's id. PATCH merges (only the fields sent; null
clears an optional field) and bumps `version`; PATCH and DELETE honour If-Match.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response, status
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from app.sandbox.auth import Principal
from app.sandbox.db import Database
from app.sandbox.deletions import record_deletion
from app.sandbox.deps import Db, Scoped
from app.sandbox.envelope import Envelope, Page, json_page, json_page_bytes, ok
from app.sandbox.errors import ApiProblem, not_found, validation_failed
from app.sandbox.etag import IfMatch, check_if_match, set_etag
from app.sandbox.events import emit_event
from app.sandbox.ids import new_id
from app.sandbox.pagination import PageParams, PageQuery, fetch_page, fetch_page_text
from app.sandbox.references import check_references
from app.sandbox.test_hooks import hold_for_test, hooks_enabled
from app.sandbox.timeutil import now_rfc3339
from app.sandbox.validation import (
    STRICT_BODY,
    CustomFields,
    Email,
    IdFilter,
    Name,
    Notes,
    NotNull,
    Phone,
    ResourceId,
    SearchText,
    Tags,
    like_pattern,
    unset,
)

router = APIRouter(prefix="/contacts", tags=["contacts"])

ContactId = Annotated[str, Path(max_length=64, description="A contact id, `con_…`")]
_SELECT = "c.*, co.name AS company_name"
_SOURCE = "contacts c LEFT JOIN companies co ON co.id = c.company_id"
# The list is the hot path (the console pages through 100k contacts): each row's JSON, company
# name included, is stored pre-rendered in `contacts.document` (schema.sql's triggers keep it
# current on every write to the contact and on a company's rename), and a page is the documents
# joined by SQLite (pagination.fetch_page_text), read in order from the covering index
# contacts_listed. Keep the triggers' json_object in step with `contact_out` (tests compare a
# listed contact with the same contact fetched alone).
_LISTED_SOURCE = "contacts c"
_LISTED = "c.document"
# A filtered list may scan many rows for few matches: it reads them once, joined in Python,
# rather than once for the page and again for fetch_page_text's boundary probes.
_LIST_COLUMNS = f"c.created_at, c.id, {_LISTED} AS listed"


class ContactCreate(BaseModel):
    model_config = STRICT_BODY
    name: Name
    email: Email | None = None
    phone: Phone | None = None
    company_id: ResourceId | None = None
    tags: Tags = []
    custom_fields: CustomFields = {}
    notes: Notes | None = None


class ContactUpdate(BaseModel):
    """Only the fields sent change; null clears an optional field (`name` cannot be cleared)."""

    model_config = STRICT_BODY
    name: Name | NotNull = unset()
    email: Email | None = None
    phone: Phone | None = None
    company_id: ResourceId | None = None
    tags: Tags | None = None
    custom_fields: CustomFields | None = None
    notes: Notes | None = None


class Contact(BaseModel):
    id: str
    name: str
    email: str | None
    phone: str | None
    company_id: str | None
    company_name: str | None
    tags: list[str]
    custom_fields: dict[str, bool | int | float | str]
    notes: str | None
    version: int
    created_at: str
    updated_at: str


class Deleted(BaseModel):
    id: str
    deleted: bool


def contact_out(row: sqlite3.Row) -> dict[str, Any]:
    """A contacts row (joined with the company name) as the API shows it."""
    return {
        "id": row["id"], "name": row["name"], "email": row["email"], "phone": row["phone"],
        "company_id": row["company_id"], "company_name": row["company_name"],
        "tags": json.loads(row["tags"]), "custom_fields": json.loads(row["custom_fields"]),
        "notes": row["notes"], "version": row["version"], "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


def _load(conn: sqlite3.Connection, workspace_id: str, contact_id: str) -> sqlite3.Row:
    row = conn.execute(f"SELECT {_SELECT} FROM {_SOURCE} WHERE c.id = ? AND c.workspace_id = ?",
                       (contact_id, workspace_id)).fetchone()
    if row is None:
        raise not_found("contact", contact_id)
    return row


def _email_free(conn: sqlite3.Connection, workspace_id: str, email: str | None, own_id: str | None) -> None:
    if email is None:
        return
    row = conn.execute("SELECT id FROM contacts WHERE workspace_id = ? AND email = ? COLLATE NOCASE",
                       (workspace_id, email)).fetchone()
    if row is not None and row["id"] != own_id:
        raise ApiProblem(409, "CONFLICT", f"Another contact already uses {email!r}.",
                         {"field": "email", "existing_id": row["id"]})


@router.get("", response_model=Page[Contact], summary="List contacts, newest first")
async def list_contacts(
    request: Request,
    db: Db,
    caller: Scoped("crm:read"),
    params: PageParams,
    query: Annotated[SearchText | None, Query(description="Search name, email and phone")] = None,
    company_id: Annotated[IdFilter | None, Query()] = None,
    tag: Annotated[str | None, Query(max_length=50, description="Contacts carrying this tag")] = None,
    email: Annotated[str | None, Query(max_length=254)] = None,
) -> Response:
    if query is None and company_id is None and tag is None and email is None:
        # An index seek: quicker than the hop to a worker thread.
        return contacts_page(db, caller, params)
    # A text search or tag filter may scan every contact of the workspace: it runs on a worker
    # thread (its own connection), so the event loop keeps answering other requests meanwhile.
    hold = hooks_enabled() and request.headers.get("x-test-hold") == "search"
    return await run_in_threadpool(contacts_page, db, caller, params, query=query, company_id=company_id,
                                   tag=tag, email=email, hold=hold)


def contacts_page(db: Database, caller: Principal, params: PageQuery, *, query: str | None = None,
                  company_id: str | None = None, tag: str | None = None, email: str | None = None,
                  hold: bool = False) -> Response:
    """One page of the caller's contacts as the list answer.

    `hold` (test hook, see the README) keeps this call busy for OPSDESK_SANDBOX_TEST_HOLD_SECONDS,
    standing in for a long scan, and says so on stderr.
    """
    if hold:
        hold_for_test("search")
    where: list[str] = []
    args: list[Any] = []
    if query:
        pattern = like_pattern(query)
        where.append("(c.name LIKE ? ESCAPE '\\' OR c.email LIKE ? ESCAPE '\\' OR c.phone LIKE ? ESCAPE '\\')")
        args += [pattern, pattern, pattern]
    if company_id is not None:
        where.append("c.company_id = ?")
        args.append(company_id)
    if tag is not None:
        where.append("EXISTS (SELECT 1 FROM json_each(c.tags) WHERE json_each.value = ?)")
        args.append(tag)
    if email is not None:
        where.append("c.email = ? COLLATE NOCASE")
        args.append(email)
    if where:
        rows, next_cursor = fetch_page(db.conn(), _LISTED_SOURCE, caller.workspace_id, params,
                                       where=where, params=args, alias="c", columns=_LIST_COLUMNS)
        return json_page([r[2] for r in rows], next_cursor)
    joined, next_cursor = plain_contacts_page(db, caller, params)
    return json_page_bytes(joined, next_cursor)


def plain_contacts_page(db: Database, caller: Principal, params: PageQuery) -> tuple[bytes, str | None]:
    """The unfiltered page's documents joined with commas, and the next cursor (`hot_path` calls it too)."""
    return fetch_page_text(db.conn(), _LISTED_SOURCE, caller.workspace_id, params, listed=_LISTED, alias="c")


@router.post("", response_model=Envelope[Contact], status_code=status.HTTP_201_CREATED, summary="Create a contact")
def create_contact(body: ContactCreate, db: Db, caller: Scoped("crm:write"), response: Response) -> dict:
    stamp = now_rfc3339()
    contact_id = new_id("con")
    with db.transaction() as conn:
        check_references(conn, caller.workspace_id, {"company_id": body.company_id}, ("company_id",))
        _email_free(conn, caller.workspace_id, body.email, None)
        conn.execute(
            "INSERT INTO contacts (id, workspace_id, name, email, phone, company_id, tags, custom_fields, notes,"
            " version, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,1,?,?)",
            (contact_id, caller.workspace_id, body.name, body.email, body.phone, body.company_id,
             json.dumps(body.tags), json.dumps(body.custom_fields), body.notes, stamp, stamp))
        contact = contact_out(_load(conn, caller.workspace_id, contact_id))
        emit_event(conn, caller.workspace_id, "contact.created", contact)
    set_etag(response, 1)
    response.headers["Location"] = f"/v1/contacts/{contact_id}"
    return ok(contact)


@router.get("/{contact_id}", response_model=Envelope[Contact], summary="Get a contact")
def get_contact(contact_id: ContactId, db: Db, caller: Scoped("crm:read"), response: Response) -> dict:
    contact = contact_out(_load(db.conn(), caller.workspace_id, contact_id))
    set_etag(response, contact["version"])
    return ok(contact)


@router.patch("/{contact_id}", response_model=Envelope[Contact], summary="Update a contact (merge)")
def update_contact(contact_id: ContactId, body: ContactUpdate, db: Db, caller: Scoped("crm:write"),
                   if_match: IfMatch, response: Response) -> dict:
    changes = body.model_dump(include=body.model_fields_set)
    if "name" in changes and changes["name"] is None:
        raise validation_failed([("name", "cannot be cleared; a contact needs a name")])
    with db.transaction() as conn:
        current = _load(conn, caller.workspace_id, contact_id)
        check_if_match(if_match, current["version"])
        check_references(conn, caller.workspace_id, changes, ("company_id",) if "company_id" in changes else ())
        if "email" in changes:
            _email_free(conn, caller.workspace_id, changes["email"], contact_id)
        for field in ("tags", "custom_fields"):
            if field in changes:
                changes[field] = json.dumps(changes[field] if changes[field] is not None else
                                            ([] if field == "tags" else {}))
        assignments = "".join(f"{field} = ?, " for field in changes)
        conn.execute(
            f"UPDATE contacts SET {assignments}version = version + 1, updated_at = ? WHERE id = ?",
            (*changes.values(), now_rfc3339(), contact_id))
        contact = contact_out(_load(conn, caller.workspace_id, contact_id))
        emit_event(conn, caller.workspace_id, "contact.updated", contact)
    set_etag(response, contact["version"])
    return ok(contact)


@router.delete("/{contact_id}", response_model=Envelope[Deleted], summary="Delete a contact")
def delete_contact(contact_id: ContactId, db: Db, caller: Scoped("crm:write"), if_match: IfMatch) -> dict:
    with db.transaction() as conn:
        current = _load(conn, caller.workspace_id, contact_id)
        check_if_match(if_match, current["version"])
        tickets = conn.execute("SELECT count(*) FROM tickets WHERE workspace_id = ? AND contact_id = ?",
                               (caller.workspace_id, contact_id)).fetchone()[0]
        invoices = conn.execute("SELECT count(*) FROM invoices WHERE workspace_id = ? AND contact_id = ?",
                                (caller.workspace_id, contact_id)).fetchone()[0]
        if tickets or invoices:
            raise ApiProblem(409, "CONFLICT",
                             f"The contact is referenced by {tickets} ticket(s) and {invoices} invoice(s);"
                             " reassign or remove those first.",
                             {"field": "id", "tickets": tickets, "invoices": invoices})
        contact = contact_out(current)
        conn.execute("DELETE FROM contacts WHERE id = ?", (contact_id,))
        record_deletion(conn, caller.workspace_id, "contact", contact_id)
        emit_event(conn, caller.workspace_id, "contact.deleted", contact)
    return ok({"id": contact_id, "deleted": True})
