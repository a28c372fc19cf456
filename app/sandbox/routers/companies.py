"""Companies: `GET|POST /companies`, `GET|PATCH /companies/{company_id}` (scopes crm:read/crm:write).

PATCH merges (only the fields sent; null clears an optional field), bumps `version` and honours If-Match.
"""

from __future__ import annotations

import sqlite3
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response, status
from pydantic import BaseModel

from app.sandbox.deps import Db, Scoped
from app.sandbox.envelope import Envelope, Page, ok, page
from app.sandbox.errors import not_found, validation_failed
from app.sandbox.etag import IfMatch, check_if_match, set_etag
from app.sandbox.events import emit_event
from app.sandbox.ids import new_id
from app.sandbox.pagination import PageParams, fetch_page
from app.sandbox.timeutil import now_rfc3339
from app.sandbox.validation import STRICT_BODY, Domain, Name, Notes, NotNull, SearchText, Url, like_pattern, unset

router = APIRouter(prefix="/companies", tags=["companies"])

CompanyId = Annotated[str, Path(max_length=64, description="A company id, `com_…`")]
_FIELDS = ("id", "name", "domain", "website", "notes", "version", "created_at", "updated_at")


class CompanyCreate(BaseModel):
    model_config = STRICT_BODY
    name: Name
    domain: Domain | None = None
    website: Url | None = None
    notes: Notes | None = None


class CompanyUpdate(BaseModel):
    """Only the fields sent change; null clears an optional field (`name` cannot be cleared)."""

    model_config = STRICT_BODY
    name: Name | NotNull = unset()
    domain: Domain | None = None
    website: Url | None = None
    notes: Notes | None = None


class Company(BaseModel):
    id: str
    name: str
    domain: str | None
    website: str | None
    notes: str | None
    version: int
    created_at: str
    updated_at: str


def company_out(row: sqlite3.Row) -> dict[str, Any]:
    return {field: row[field] for field in _FIELDS}


def _load(conn: sqlite3.Connection, workspace_id: str, company_id: str) -> sqlite3.Row:
    row = conn.execute("SELECT * FROM companies WHERE id = ? AND workspace_id = ?",
                       (company_id, workspace_id)).fetchone()
    if row is None:
        raise not_found("company", company_id)
    return row


@router.get("", response_model=Page[Company], summary="List companies, newest first")
def list_companies(
    db: Db,
    caller: Scoped("crm:read"),
    params: PageParams,
    query: Annotated[SearchText | None, Query(description="Search name and domain")] = None,
    domain: Annotated[str | None, Query(max_length=253)] = None,
) -> dict:
    where: list[str] = []
    args: list[Any] = []
    if query:
        pattern = like_pattern(query)
        where.append("(name LIKE ? ESCAPE '\\' OR domain LIKE ? ESCAPE '\\')")
        args += [pattern, pattern]
    if domain is not None:
        where.append("domain = ? COLLATE NOCASE")
        args.append(domain)
    rows, next_cursor = fetch_page(db.conn(), "companies", caller.workspace_id, params, where=where, params=args)
    return page([company_out(r) for r in rows], next_cursor)


@router.post("", response_model=Envelope[Company], status_code=status.HTTP_201_CREATED, summary="Create a company")
def create_company(body: CompanyCreate, db: Db, caller: Scoped("crm:write"), response: Response) -> dict:
    stamp = now_rfc3339()
    company_id = new_id("com")
    with db.transaction() as conn:
        conn.execute(
            "INSERT INTO companies (id, workspace_id, name, domain, website, notes, version, created_at, updated_at)"
            " VALUES (?,?,?,?,?,?,1,?,?)",
            (company_id, caller.workspace_id, body.name, body.domain, body.website, body.notes, stamp, stamp))
        company = company_out(_load(conn, caller.workspace_id, company_id))
        emit_event(conn, caller.workspace_id, "company.created", company)
    set_etag(response, 1)
    response.headers["Location"] = f"/v1/companies/{company_id}"
    return ok(company)


@router.get("/{company_id}", response_model=Envelope[Company], summary="Get a company")
def get_company(company_id: CompanyId, db: Db, caller: Scoped("crm:read"), response: Response) -> dict:
    company = company_out(_load(db.conn(), caller.workspace_id, company_id))
    set_etag(response, company["version"])
    return ok(company)


@router.patch("/{company_id}", response_model=Envelope[Company], summary="Update a company (merge)")
def update_company(company_id: CompanyId, body: CompanyUpdate, db: Db, caller: Scoped("crm:write"),
                   if_match: IfMatch, response: Response) -> dict:
    changes = body.model_dump(include=body.model_fields_set)
    if "name" in changes and changes["name"] is None:
        raise validation_failed([("name", "cannot be cleared; a company needs a name")])
    with db.transaction() as conn:
        current = _load(conn, caller.workspace_id, company_id)
        check_if_match(if_match, current["version"])
        assignments = "".join(f"{field} = ?, " for field in changes)
        conn.execute(f"UPDATE companies SET {assignments}version = version + 1, updated_at = ? WHERE id = ?",
                     (*changes.values(), now_rfc3339(), company_id))
        company = company_out(_load(conn, caller.workspace_id, company_id))
        emit_event(conn, caller.workspace_id, "company.updated", company)
    set_etag(response, company["version"])
    return ok(company)
