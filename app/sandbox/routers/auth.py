"""User sign-in: `POST /auth/token` (email + password) and `POST /auth/refresh` (rotating refresh tokens).

Access tokens live 15 minutes, refresh tokens 30 days (both divided by the time scale). A refresh
token works once: refreshing spends it and returns a new pair in the same family. Presenting a
spent one again means it leaked, so the whole family (every refresh and access token of that
sign-in) is revoked and the answer is 401 `revoked`. Failed attempts are limited per client
address and per email (`signin_throttle.py`): past the limit the answer is 429 RATE_LIMITED.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field, StrictStr

from app.sandbox.auth import (
    ACCESS_TOKEN_SECONDS,
    REFRESH_TOKEN_SECONDS,
    expiry,
    hash_secret,
    new_access_token,
    new_refresh_token,
    unauthorized,
    verify_password,
)
from app.sandbox.deps import AppSettings, Db
from app.sandbox.envelope import Envelope, ok
from app.sandbox.errors import ApiProblem
from app.sandbox.ids import new_id
from app.sandbox.settings import SandboxSettings
from app.sandbox.signin_throttle import SignInThrottle
from app.sandbox.timeutil import parse_rfc3339, to_rfc3339, utcnow
from app.sandbox.validation import STRICT_BODY

router = APIRouter(prefix="/auth", tags=["auth"])


class TokenRequest(BaseModel):
    model_config = STRICT_BODY
    email: Annotated[StrictStr, Field(min_length=1, max_length=254)]
    password: Annotated[StrictStr, Field(min_length=1, max_length=1024)]
    workspace_id: Annotated[StrictStr | None, Field(max_length=64, description="Only when one email belongs to several workspaces")] = None


class RefreshRequest(BaseModel):
    model_config = STRICT_BODY
    refresh_token: Annotated[StrictStr, Field(min_length=1, max_length=512)]


class TokenUser(BaseModel):
    id: str
    name: str
    email: str
    role: str
    workspace_id: str


class TokenPair(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int = Field(description="Seconds the access token lives (900, divided by the time scale)")
    refresh_token: str
    user: TokenUser


def _issue(conn: sqlite3.Connection, member: sqlite3.Row, family_id: str, settings: SandboxSettings) -> dict:
    now = utcnow()
    access, refresh = new_access_token(), new_refresh_token()
    access_seconds = settings.scaled(ACCESS_TOKEN_SECONDS)
    conn.execute(
        "INSERT INTO access_tokens (token_hash, family_id, member_id, workspace_id, created_at, expires_at)"
        " VALUES (?,?,?,?,?,?)",
        (hash_secret(access), family_id, member["id"], member["workspace_id"], to_rfc3339(now),
         expiry(now, access_seconds)))
    conn.execute(
        "INSERT INTO refresh_tokens (token_hash, family_id, member_id, workspace_id, created_at, expires_at)"
        " VALUES (?,?,?,?,?,?)",
        (hash_secret(refresh), family_id, member["id"], member["workspace_id"], to_rfc3339(now),
         expiry(now, settings.scaled(REFRESH_TOKEN_SECONDS))))
    return {
        "access_token": access, "token_type": "bearer", "expires_in": max(1, round(access_seconds)),
        "refresh_token": refresh,
        "user": {"id": member["id"], "name": member["name"], "email": member["email"], "role": member["role"],
                 "workspace_id": member["workspace_id"]},
    }


@router.post("/token", response_model=Envelope[TokenPair], summary="Sign in with email and password")
def create_token(body: TokenRequest, db: Db, settings: AppSettings, request: Request) -> dict:
    throttle: SignInThrottle = request.app.state.signin_throttle
    attempt = throttle.keys(request.client.host if request.client else None, body.email)
    throttle.acquire(attempt)
    sql = "SELECT * FROM members WHERE email = ? COLLATE NOCASE AND status = 'active'"
    args: list[str] = [body.email]
    if body.workspace_id is not None:
        sql += " AND workspace_id = ?"
        args.append(body.workspace_id)
    candidates = db.conn().execute(sql, args).fetchall()
    member = next((m for m in candidates if verify_password(body.password, m["password_hash"])), None)
    if member is None:
        raise unauthorized("invalid", "The email or password is wrong.")
    with db.transaction() as conn:
        pair = _issue(conn, member, new_id("fam"), settings)
    throttle.refund(attempt)
    return ok(pair)


@router.post("/refresh", response_model=Envelope[TokenPair], summary="Trade a refresh token for a new pair")
def refresh_token(body: RefreshRequest, db: Db, settings: AppSettings, request: Request) -> dict:
    throttle: SignInThrottle = request.app.state.signin_throttle
    attempt = throttle.keys(request.client.host if request.client else None)
    throttle.acquire(attempt)
    now = utcnow()
    # The family's revocation must commit although the answer is an error, so problems are
    # raised after the transaction.
    with db.transaction() as conn:
        problem, pair = _refresh(conn, hash_secret(body.refresh_token), now, settings)
    if problem is not None:
        raise problem
    throttle.refund(attempt)
    return ok(pair)


def _refresh(conn: sqlite3.Connection, token_hash: str, now: datetime,
             settings: SandboxSettings) -> tuple[ApiProblem | None, dict | None]:
    token = conn.execute("SELECT * FROM refresh_tokens WHERE token_hash = ?", (token_hash,)).fetchone()
    if token is None:
        return unauthorized("invalid", "The refresh token is not valid."), None
    if token["revoked_at"]:
        return unauthorized("revoked", "The refresh token has been revoked; sign in again."), None
    if token["spent_at"]:
        stamp = to_rfc3339(now)
        for table in ("refresh_tokens", "access_tokens"):
            conn.execute(f"UPDATE {table} SET revoked_at = ? WHERE family_id = ? AND revoked_at IS NULL",
                         (stamp, token["family_id"]))
        return unauthorized("revoked", "This refresh token was already used, so it may have leaked: every"
                                       " token of this sign-in is now revoked. Sign in again."), None
    if parse_rfc3339(token["expires_at"]) <= now:
        return unauthorized("expired", "The refresh token has expired; sign in again."), None
    member = conn.execute("SELECT * FROM members WHERE id = ? AND status = 'active'",
                          (token["member_id"],)).fetchone()
    if member is None:
        return unauthorized("revoked", "The member can no longer sign in."), None
    conn.execute("UPDATE refresh_tokens SET spent_at = ? WHERE token_hash = ?", (to_rfc3339(now), token_hash))
    return None, _issue(conn, member, token["family_id"], settings)
