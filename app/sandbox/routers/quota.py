"""Quota (seed 003): status per resource, breakdown per API key and module, daily history, and
`POST /quota/consume` (200 with `allowed: false` when over the limit, never 429).

Every API call is metered into `api_calls` by the request log (per credential and module); the
log is flushed before these answers so they include every call answered before them. `seats` is
the number of active or invited members plus any consumed seats. `limit = -1` means unlimited.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime, timedelta, timezone
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field, StrictStr

from app.sandbox.auth import Principal
from app.sandbox.deps import Db, Scoped
from app.sandbox.envelope import Envelope, ok
from app.sandbox.timeutil import now_rfc3339, to_rfc3339, utcnow
from app.sandbox.validation import STRICT_BODY, whole

router = APIRouter(prefix="/quota", tags=["quota"])

Resource = Literal["api_calls", "ai_calls", "storage_bytes", "seats"]
RESOURCES: tuple[str, ...] = ("api_calls", "ai_calls", "storage_bytes", "seats")


class QuotaFigure(BaseModel):
    used: int
    limit: int = Field(description="-1: unlimited")
    remaining: int = Field(description="-1: unlimited")
    period: Literal["month", "day", "none"]
    reset_at: str | None


class QuotaStatus(BaseModel):
    workspace_id: str
    quotas: dict[Resource, QuotaFigure]


class UsageByKey(BaseModel):
    credential_id: str
    name: str | None
    kind: Literal["api_key", "user", "other"]
    used: int


class UsageByModule(BaseModel):
    module: str
    used: int


class QuotaBreakdown(BaseModel):
    workspace_id: str
    resource: Resource
    period: Literal["month", "day", "none"]
    by_key: list[UsageByKey]
    by_module: list[UsageByModule]


class UsageDay(BaseModel):
    date: str
    used: int


class QuotaHistory(BaseModel):
    workspace_id: str
    resource: Resource
    days: list[UsageDay]


class QuotaConsume(BaseModel):
    model_config = STRICT_BODY
    resource: Resource
    amount: whole(ge=1, le=1_000_000_000) = 1
    module: Annotated[StrictStr | None, Field(min_length=1, max_length=64)] = None
    idempotency_key: Annotated[StrictStr | None, Field(min_length=1, max_length=255)] = None


class QuotaDecision(BaseModel):
    allowed: bool
    resource: Resource
    used: int
    limit: int
    remaining: int
    period: Literal["month", "day", "none"]
    reset_at: str | None


def _period_bounds(period: str, now: datetime) -> tuple[str, str | None]:
    """First day counted (YYYY-MM-DD) and when the period resets (None: never)."""
    today = now.date()
    if period == "day":
        nxt = today + timedelta(days=1)
        return today.isoformat(), to_rfc3339(datetime(nxt.year, nxt.month, nxt.day, tzinfo=timezone.utc))
    if period == "month":
        start = today.replace(day=1)
        nxt = date(start.year + (start.month == 12), start.month % 12 + 1, 1)
        return start.isoformat(), to_rfc3339(datetime(nxt.year, nxt.month, nxt.day, tzinfo=timezone.utc))
    return "0000-00-00", None


def _limits(conn: sqlite3.Connection, workspace_id: str) -> dict[str, tuple[int, str]]:
    rows = conn.execute('SELECT resource, "limit", period FROM quota_limits WHERE workspace_id = ?', (workspace_id,))
    found = {r["resource"]: (r["limit"], r["period"]) for r in rows}
    return {res: found.get(res, (-1, "none")) for res in RESOURCES}


def _figure(conn: sqlite3.Connection, workspace_id: str, resource: str, limit: int, period: str,
            now: datetime) -> dict[str, Any]:
    first_day, reset_at = _period_bounds(period, now)
    used = conn.execute("SELECT COALESCE(SUM(amount), 0) FROM quota_usage WHERE workspace_id = ? AND resource = ?"
                        " AND day >= ?", (workspace_id, resource, first_day)).fetchone()[0]
    if resource == "seats":
        used += conn.execute("SELECT count(*) FROM members WHERE workspace_id = ? AND status IN ('active', 'invited')",
                             (workspace_id,)).fetchone()[0]
    remaining = -1 if limit < 0 else max(0, limit - used)
    return {"used": used, "limit": limit, "remaining": remaining, "period": period, "reset_at": reset_at}


@router.get("/status", response_model=Envelope[QuotaStatus], summary="Usage against every quota")
def get_quota_status(request: Request, db: Db, caller: Scoped("quota:read")) -> dict:
    request.app.state.request_log.flush()
    conn, now = db.conn(), utcnow()
    quotas = {res: _figure(conn, caller.workspace_id, res, limit, period, now)
              for res, (limit, period) in _limits(conn, caller.workspace_id).items()}
    return ok({"workspace_id": caller.workspace_id, "quotas": quotas})


@router.get("/breakdown", response_model=Envelope[QuotaBreakdown], summary="Usage per API key and per module")
def get_quota_breakdown(request: Request, db: Db, caller: Scoped("quota:read"),
                        resource: Annotated[Resource, Query()] = "api_calls") -> dict:
    request.app.state.request_log.flush()
    conn = db.conn()
    _, period = _limits(conn, caller.workspace_id)[resource]
    first_day, _ = _period_bounds(period, utcnow())
    args = (caller.workspace_id, resource, first_day)
    by_key = conn.execute(
        "SELECT u.credential_id, SUM(u.amount) AS used, k.name AS key_name, m.name AS member_name"
        " FROM quota_usage u LEFT JOIN api_keys k ON k.id = u.credential_id"
        " LEFT JOIN members m ON m.id = u.credential_id"
        " WHERE u.workspace_id = ? AND u.resource = ? AND u.day >= ? GROUP BY u.credential_id ORDER BY used DESC",
        args).fetchall()
    by_module = conn.execute(
        "SELECT module, SUM(amount) AS used FROM quota_usage WHERE workspace_id = ? AND resource = ? AND day >= ?"
        " GROUP BY module ORDER BY used DESC", args).fetchall()
    return ok({
        "workspace_id": caller.workspace_id, "resource": resource, "period": period,
        "by_key": [{"credential_id": r["credential_id"], "name": r["key_name"] or r["member_name"],
                    "kind": "api_key" if r["key_name"] else "user" if r["member_name"] else "other",
                    "used": r["used"]} for r in by_key],
        "by_module": [{"module": r["module"] or "other", "used": r["used"]} for r in by_module],
    })


@router.get("/history", response_model=Envelope[QuotaHistory], summary="Daily usage, oldest first")
def get_quota_history(request: Request, db: Db, caller: Scoped("quota:read"),
                      resource: Annotated[Resource, Query()] = "api_calls",
                      days: Annotated[int, Query(ge=1, le=365)] = 30) -> dict:
    request.app.state.request_log.flush()
    today = utcnow().date()
    first = today - timedelta(days=days - 1)
    rows = db.conn().execute(
        "SELECT day, SUM(amount) AS used FROM quota_usage WHERE workspace_id = ? AND resource = ? AND day >= ?"
        " GROUP BY day", (caller.workspace_id, resource, first.isoformat())).fetchall()
    used = {r["day"]: r["used"] for r in rows}
    series = [{"date": (first + timedelta(days=i)).isoformat(), "used": used.get((first + timedelta(days=i)).isoformat(), 0)}
              for i in range(days)]
    return ok({"workspace_id": caller.workspace_id, "resource": resource, "days": series})


@router.post("/consume", response_model=Envelope[QuotaDecision],
             summary="Atomically consume quota (over the limit: 200 with allowed=false)")
def consume_quota(body: QuotaConsume, db: Db, caller: Scoped("quota:read")) -> dict:
    with db.transaction() as conn:
        if body.idempotency_key is not None:
            done = conn.execute("SELECT response FROM quota_consumptions WHERE workspace_id = ? AND idempotency_key = ?",
                                (caller.workspace_id, body.idempotency_key)).fetchone()
            if done is not None:
                return ok(json.loads(done["response"]))
        decision = _consume(conn, caller, body)
        if body.idempotency_key is not None:
            conn.execute("INSERT INTO quota_consumptions (workspace_id, idempotency_key, response, created_at)"
                         " VALUES (?,?,?,?)", (caller.workspace_id, body.idempotency_key, json.dumps(decision),
                                               now_rfc3339()))
    return ok(decision)


def _consume(conn: sqlite3.Connection, caller: Principal, body: QuotaConsume) -> dict[str, Any]:
    now = utcnow()
    limit, period = _limits(conn, caller.workspace_id)[body.resource]
    figure = _figure(conn, caller.workspace_id, body.resource, limit, period, now)
    allowed = limit < 0 or figure["used"] + body.amount <= limit
    if allowed:
        conn.execute(
            "INSERT INTO quota_usage (workspace_id, resource, credential_id, module, day, amount) VALUES (?,?,?,?,?,?)"
            " ON CONFLICT (workspace_id, resource, credential_id, module, day) DO UPDATE SET amount = amount + excluded.amount",
            (caller.workspace_id, body.resource, caller.credential_id, body.module or "", now.date().isoformat(),
             body.amount))
        figure = _figure(conn, caller.workspace_id, body.resource, limit, period, now)
    return {"allowed": allowed, "resource": body.resource, **figure}
