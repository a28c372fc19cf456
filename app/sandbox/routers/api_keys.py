"""API keys: list, create, rotate with a grace period, revoke (scopes keys:read / keys:write).

The full secret appears once, in the answer to create or rotate; only its sha256 is stored. A
credential can never mint a key with a scope it does not hold itself (403 naming the scope).
Durations (grace period, `expires_in_days`) are divided by the time scale.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Request, Response, status
from pydantic import BaseModel, Field

from app.sandbox.auth import Principal, api_key_status
from app.sandbox.bootstrap import insert_api_key
from app.sandbox.deps import AppSettings, Db, Scoped
from app.sandbox.envelope import Envelope, Page, ok, page
from app.sandbox.errors import ApiProblem, not_found
from app.sandbox.events import emit_event
from app.sandbox.pagination import PageParams, fetch_page
from app.sandbox.scopes import ALL_SCOPES
from app.sandbox.timeutil import now_rfc3339, to_rfc3339, utcnow
from app.sandbox.validation import STRICT_BODY, Name, whole

router = APIRouter(prefix="/api-keys", tags=["api-keys"])

KeyId = Annotated[str, Path(max_length=64, description="An API key id, `key_…`")]
Scope = Literal[ALL_SCOPES]  # type: ignore[valid-type]


class ApiKeyCreate(BaseModel):
    model_config = STRICT_BODY
    name: Name
    scopes: Annotated[list[Scope], Field(min_length=1, max_length=len(ALL_SCOPES))]
    expires_in_days: whole(ge=1, le=3650) | None = None


class ApiKeyRotate(BaseModel):
    model_config = STRICT_BODY
    grace_period_hours: whole(ge=0, le=168) = 24


class ApiKey(BaseModel):
    id: str
    name: str
    prefix: str
    last4: str
    environment: Literal["live", "test"]
    scopes: list[str]
    status: Literal["active", "expiring", "expired", "revoked"]
    created_at: str
    created_by: str | None
    last_used_at: str | None
    expires_at: str | None
    revoked_at: str | None
    rotated_to: str | None


class ApiKeyWithSecret(ApiKey):
    secret: str = Field(description="The full key. Shown once: store it now.")


class ApiKeyRotated(ApiKeyWithSecret):
    previous_key: ApiKey = Field(description="The rotated key, working until its `expires_at`.")


def key_out(row: sqlite3.Row) -> dict[str, Any]:
    """A key as lists show it: prefix and last4, never the secret or its hash."""
    return {
        "id": row["id"], "name": row["name"], "prefix": row["prefix"], "last4": row["last4"],
        "environment": row["environment"], "scopes": json.loads(row["scopes"]),
        "status": api_key_status(row, utcnow()), "created_at": row["created_at"],
        "created_by": row["created_by"], "last_used_at": row["last_used_at"], "expires_at": row["expires_at"],
        "revoked_at": row["revoked_at"], "rotated_to": row["rotated_to"],
    }


def _load(conn: sqlite3.Connection, workspace_id: str, key_id: str) -> sqlite3.Row:
    row = conn.execute("SELECT * FROM api_keys WHERE id = ? AND workspace_id = ?", (key_id, workspace_id)).fetchone()
    if row is None:
        raise not_found("API key", key_id)
    return row


def _require_held(caller: Principal, scopes: list[str]) -> None:
    for scope in scopes:
        if not caller.has(scope):
            raise ApiProblem(403, "FORBIDDEN", f"A key cannot be given the {scope!r} scope by a credential"
                                               " that does not hold it.", {"required_scope": scope})


@router.get("", response_model=Page[ApiKey], summary="List API keys, newest first")
def list_api_keys(request: Request, db: Db, caller: Scoped("keys:read"), params: PageParams) -> dict:
    request.app.state.request_log.flush()  # last_used_at is written with the request log
    rows, next_cursor = fetch_page(db.conn(), "api_keys", caller.workspace_id, params, updated_column="created_at")
    return page([key_out(r) for r in rows], next_cursor)


@router.get("/{key_id}", response_model=Envelope[ApiKey], summary="Get an API key")
def get_api_key(request: Request, key_id: KeyId, db: Db, caller: Scoped("keys:read")) -> dict:
    request.app.state.request_log.flush()
    return ok(key_out(_load(db.conn(), caller.workspace_id, key_id)))


@router.post("", response_model=Envelope[ApiKeyWithSecret], status_code=status.HTTP_201_CREATED,
             summary="Create an API key (the secret is shown once)")
def create_api_key(body: ApiKeyCreate, db: Db, caller: Scoped("keys:write"), settings: AppSettings,
                         response: Response) -> dict:
    scopes = sorted(set(body.scopes), key=ALL_SCOPES.index)
    _require_held(caller, scopes)
    expires_at = None
    if body.expires_in_days is not None:
        expires_at = to_rfc3339(utcnow() + settings.scaled_delta(timedelta(days=body.expires_in_days)))
    with db.transaction() as conn:
        key_id, secret = insert_api_key(conn, caller.workspace_id, caller.environment, body.name, scopes,
                                        caller.key_id or caller.member_id, expires_at=expires_at)
        key = key_out(_load(conn, caller.workspace_id, key_id))
        emit_event(conn, caller.workspace_id, "api_key.created", key)
    response.headers["Location"] = f"/v1/api-keys/{key_id}"
    return ok({**key, "secret": secret})


@router.post("/{key_id}/rotate", response_model=Envelope[ApiKeyRotated], status_code=status.HTTP_201_CREATED,
             summary="Replace a key; the old one keeps working for the grace period")
def rotate_api_key(key_id: KeyId, db: Db, caller: Scoped("keys:write"), settings: AppSettings,
                   body: ApiKeyRotate | None = None) -> dict:
    grace = (body or ApiKeyRotate()).grace_period_hours
    now = utcnow()
    with db.transaction() as conn:
        old = _load(conn, caller.workspace_id, key_id)
        state = api_key_status(old, now)
        if state in ("revoked", "expired") or old["rotated_to"]:
            raise ApiProblem(409, "CONFLICT", f"This key is {state if not old['rotated_to'] else 'already rotated'};"
                                              " only a current key can be rotated.",
                             {"field": "id", "status": state})
        scopes = json.loads(old["scopes"])
        _require_held(caller, scopes)
        new_id_, secret = insert_api_key(conn, caller.workspace_id, old["environment"], old["name"], scopes,
                                         caller.key_id or caller.member_id, expires_at=old["expires_at"])
        old_expires = to_rfc3339(now + settings.scaled_delta(timedelta(hours=grace)))
        if old["expires_at"] and old["expires_at"] < old_expires:
            old_expires = old["expires_at"]
        conn.execute("UPDATE api_keys SET expires_at = ?, rotated_to = ? WHERE id = ?", (old_expires, new_id_, key_id))
        new_key = key_out(_load(conn, caller.workspace_id, new_id_))
        previous = key_out(_load(conn, caller.workspace_id, key_id))
        emit_event(conn, caller.workspace_id, "api_key.rotated", {**new_key, "previous_key": previous})
    return ok({**new_key, "secret": secret, "previous_key": previous})


@router.post("/{key_id}/revoke", response_model=Envelope[ApiKey], summary="Revoke a key at once")
def revoke_api_key(key_id: KeyId, db: Db, caller: Scoped("keys:write")) -> dict:
    with db.transaction() as conn:
        row = _load(conn, caller.workspace_id, key_id)
        if row["revoked_at"] is None:
            conn.execute("UPDATE api_keys SET revoked_at = ? WHERE id = ?", (now_rfc3339(), key_id))
            key = key_out(_load(conn, caller.workspace_id, key_id))
            emit_event(conn, caller.workspace_id, "api_key.revoked", key)
        else:
            key = key_out(row)
    return ok(key)
