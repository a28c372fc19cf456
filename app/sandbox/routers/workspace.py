"""`GET /workspace`, `GET /members`, `GET /me`: the tenant, its people, and the calling credential."""

from __future__ import annotations

import json
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel

from app.sandbox.deps import AppSettings, Caller, Db
from app.sandbox.envelope import Envelope, Page, ok, page

router = APIRouter(tags=["workspace"])


class Workspace(BaseModel):
    id: str
    name: str
    plan: str
    environment: Literal["live", "test"]
    enabled_modules: list[str]
    rate_limit_per_minute: int


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
