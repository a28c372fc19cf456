"""`GET /workspace`, `GET /members`, `GET /me`: the tenant, its people, and the calling credential.

The workspace also says who it is on paper (`legal_name`, `billing_address`, `tax_id`,
`billing_email`: the issuer block of its invoices) and how its rate limit works
(`rate_limit_per_minute` refills a bucket of `rate_limit_burst` calls). See docs/API.md.
"""

from __future__ import annotations

import json
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from app.sandbox.deps import AppSettings, Caller, Db
from app.sandbox.envelope import Envelope, Page, ok, page
from app.sandbox.ratelimit import bucket_size

router = APIRouter(tags=["workspace"])


class BillingAddress(BaseModel):
    line1: str
    line2: str | None
    city: str
    region: str | None = Field(description="State, province or county, where the country uses one.")
    postal_code: str | None
    country: str = Field(description="ISO 3166-1 alpha-2 code.", pattern="^[A-Z]{2}$")
    formatted: list[str] = Field(description="The address as printed under the name, one line each, in the"
                                             " country's order (country name last).")


class Workspace(BaseModel):
    id: str
    name: str
    plan: str
    environment: Literal["live", "test"]
    enabled_modules: list[str]
    rate_limit_per_minute: int = Field(description="Calls per minute the credential's bucket refills.")
    rate_limit_burst: int = Field(description="The bucket's size: calls a credential may make at once"
                                              " (`X-RateLimit-Burst`).")
    legal_name: str = Field(description="The name invoices are issued under.")
    billing_address: BillingAddress | None
    tax_id: str | None = Field(description="As printed on invoices, e.g. `EIN 12-3456789`.")
    billing_email: str | None


class Member(BaseModel):
    id: str
    name: str
    email: str
    role: Literal["owner", "admin", "agent", "viewer"]
    status: Literal["active", "invited", "disabled"]


class Me(BaseModel):
    kind: Literal["api_key", "user"]
    id: str
    name: str
    scopes: list[str]
    workspace_id: str
    environment: Literal["live", "test"]
    expires_at: str | None


@router.get("/workspace", response_model=Envelope[Workspace], summary="The caller's workspace")
def get_workspace(db: Db, caller: Caller, settings: AppSettings) -> dict:
    row = db.conn().execute("SELECT * FROM workspaces WHERE id = ?", (caller.workspace_id,)).fetchone()
    return ok({
        "id": row["id"], "name": row["name"], "plan": row["plan"], "environment": row["environment"],
        "enabled_modules": json.loads(row["enabled_modules"]),
        "rate_limit_per_minute": settings.rate_limit or row["rate_limit_per_minute"],
        "rate_limit_burst": bucket_size(row["rate_limit_per_minute"], settings.rate_limit),
        "legal_name": row["legal_name"] or row["name"],
        "billing_address": json.loads(row["billing_address"]) if row["billing_address"] else None,
        "tax_id": row["tax_id"], "billing_email": row["billing_email"],
    })


@router.get("/members", response_model=Page[Member], summary="Members of the workspace (ticket assignees)")
def list_members(db: Db, caller: Caller) -> dict:
    rows = db.conn().execute(
        "SELECT id, name, email, role, status FROM members WHERE workspace_id = ? ORDER BY created_at, id",
        (caller.workspace_id,)).fetchall()
    return page([dict(r) for r in rows], None)


@router.get("/me", response_model=Envelope[Me], summary="The calling credential")
def get_me(caller: Caller) -> dict:
    return ok({
        "kind": caller.kind, "id": caller.key_id or caller.member_id, "name": caller.name,
        "scopes": sorted(caller.scopes), "workspace_id": caller.workspace_id,
        "environment": caller.environment, "expires_at": caller.expires_at,
    })
