"""Webhook operations after an outage (contract v1.1): recover a window of one endpoint's
deliveries as a durable job (`webhook_recovery.py`), follow, list and cancel jobs, and retry up
to 100 deliveries at once with a result per id. Sending stays the worker's job."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from app.sandbox import webhook_recovery as recovery
from app.sandbox.deps import Db, Scoped
from app.sandbox.envelope import Envelope, Page, ok, page
from app.sandbox.errors import ApiProblem, not_found, validation_failed
from app.sandbox.pagination import PageParams, fetch_page
from app.sandbox.routers.webhooks import (
    Delivery,
    WebhookIdPath,
    delivery_out,
    load_webhook,
    queue_retry,
    wake_worker,
)
from app.sandbox.timeutil import now_rfc3339, to_rfc3339, utcnow
from app.sandbox.validation import DateTime

router = APIRouter(tags=["webhooks"])

JobIdPath = Annotated[str, Path(max_length=64)]
RecoverableStatus = Literal[recovery.RECOVERABLE_STATUSES]  # type: ignore[valid-type]
#: The most ids one bulk retry takes.
RETRY_MANY_LIMIT = 100


class RecoverRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    since: DateTime = Field(description="Deliveries created at or after this moment (RFC 3339 with an offset).")
    until: DateTime | None = Field(default=None, description="Created before this moment; default now. "
                                                             f"At most {recovery.MAX_WINDOW_DAYS} days after since.")
    statuses: list[RecoverableStatus] = Field(default=["failed"], min_length=1, max_length=3,
                                              description="Delivery statuses to recover.")
    dry_run: bool = Field(default=False, description="Only count the matches; queue nothing.")


class RecoverCounted(BaseModel):
    model_config = ConfigDict(extra="forbid")
    matched: int


class RecoverStarted(BaseModel):
    model_config = ConfigDict(extra="forbid")
    job_id: str
    matched: int


class RecoverJob(BaseModel):
    job_id: str
    webhook_id: str
    status: Literal["running", "done", "cancelled"]
    matched: int
    queued: int = Field(description="Still to be sent (waiting or in flight).")
    succeeded: int
    failed: int
    cancelled: int = Field(description="Left unsent because the job was cancelled.")
    since: str
    until: str
    statuses: list[str]
    created_at: str
    finished_at: str | None


class RetryMany(BaseModel):
    model_config = ConfigDict(extra="forbid")
    delivery_ids: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(
        min_length=1, max_length=RETRY_MANY_LIMIT)


class RetryError(BaseModel):
    code: str
    message: str


class RetryResult(BaseModel):
    delivery_id: str
    ok: bool
    delivery: Delivery | None
    error: RetryError | None


class RetryManyResult(BaseModel):
    results: list[RetryResult]




def _window(body: RecoverRequest) -> tuple[str, str]:
    now = utcnow()
    until = body.until or now
    if until <= body.since:
        raise validation_failed([("until", "must be later than since")])
    if until - body.since > timedelta(days=recovery.MAX_WINDOW_DAYS):
        raise validation_failed([("since", f"the window is at most {recovery.MAX_WINDOW_DAYS} days")])
    return to_rfc3339(body.since), to_rfc3339(until)


def _load_job(conn, workspace_id: str, webhook_id: str, job_id: str):
    row = conn.execute("SELECT * FROM webhook_recover_jobs WHERE id = ? AND webhook_id = ? AND workspace_id = ?",
                       (job_id, webhook_id, workspace_id)).fetchone()
    if row is None:
        raise not_found("recover job", job_id)
    return row


@router.post("/webhooks/{webhook_id}/recover", response_model=Envelope[RecoverStarted | RecoverCounted],
             status_code=202, responses={200: {"model": Envelope[RecoverCounted], "description": "A dry run's count"}},
             summary="Queue again every matching delivery of this endpoint created in a window (a job)")
def recover_webhook_deliveries(webhook_id: WebhookIdPath, body: RecoverRequest, request: Request, db: Db,
                               caller: Scoped("integrations:write"), response: Response) -> dict:
    since, until = _window(body)
    statuses = list(dict.fromkeys(body.statuses))
    if body.dry_run:
        conn = db.conn()
        load_webhook(conn, caller.workspace_id, webhook_id)
        response.status_code = 200
        return ok({"matched": recovery.count_matching(conn, webhook_id, since, until, statuses)})
    with db.transaction() as conn:
        load_webhook(conn, caller.workspace_id, webhook_id)
        running = recovery.running_job(conn, webhook_id)
        if running is not None:
            raise ApiProblem(409, "CONFLICT", f"Recover job {running} is still running on this endpoint;"
                             " wait for it or cancel it first.", {"job_id": running})
        matched = recovery.count_matching(conn, webhook_id, since, until, statuses)
        if matched > recovery.MAX_JOB_DELIVERIES:
            limit = recovery.MAX_JOB_DELIVERIES
            raise validation_failed([("since", f"{matched} deliveries match; a job recovers {limit} at most")])
        job_id, matched = recovery.start_job(conn, caller.workspace_id, webhook_id, since, until, statuses)
    wake_worker(request)
    return ok({"job_id": job_id, "matched": matched})


@router.get("/webhooks/{webhook_id}/recover", response_model=Page[RecoverJob],
            summary="This endpoint's recover jobs, newest first")
def list_recover_jobs(webhook_id: WebhookIdPath, db: Db, caller: Scoped("integrations:read"),
                      params: PageParams) -> dict:
    conn = db.conn()
    load_webhook(conn, caller.workspace_id, webhook_id)
    rows, cursor = fetch_page(conn, "webhook_recover_jobs", caller.workspace_id, params,
                              where=["webhook_id = ?"], params=[webhook_id])
    return page([recovery.job_out(conn, r) for r in rows], cursor)


@router.get("/webhooks/{webhook_id}/recover/{job_id}", response_model=Envelope[RecoverJob],
            summary="Where a recover job stands")
def get_recover_job(webhook_id: WebhookIdPath, job_id: JobIdPath, db: Db, caller: Scoped("integrations:read")) -> dict:
    conn = db.conn()
    return ok(recovery.job_out(conn, _load_job(conn, caller.workspace_id, webhook_id, job_id)))


@router.post("/webhooks/{webhook_id}/recover/{job_id}/cancel", response_model=Envelope[RecoverJob],
             summary="Stop a running recover job (deliveries not yet sent keep their old status)")
def cancel_recover_job(webhook_id: WebhookIdPath, job_id: JobIdPath, db: Db,
                       caller: Scoped("integrations:write")) -> dict:
    with db.transaction() as conn:
        row = _load_job(conn, caller.workspace_id, webhook_id, job_id)
        if row["status"] != "running":
            raise ApiProblem(409, "CONFLICT", f"Recover job {job_id} is {row['status']}; only a running job"
                             " can be cancelled.", {"status": row["status"]})
        recovery.cancel_job(conn, job_id)
        return ok(recovery.job_out(conn, _load_job(conn, caller.workspace_id, webhook_id, job_id)))


@router.post("/webhooks/{webhook_id}/deliveries/retry", response_model=Envelope[RetryManyResult],
             summary="Send up to 100 of this endpoint's deliveries again now, a result per id")
def retry_webhook_deliveries(webhook_id: WebhookIdPath, body: RetryMany, request: Request, db: Db,
                             caller: Scoped("integrations:write")) -> dict:
    stamp = now_rfc3339()
    results = []
    with db.transaction() as conn:
        load_webhook(conn, caller.workspace_id, webhook_id)
        for delivery_id in dict.fromkeys(body.delivery_ids):
            found = conn.execute("SELECT 1 FROM webhook_deliveries WHERE id = ? AND webhook_id = ?"
                                 " AND workspace_id = ?", (delivery_id, webhook_id, caller.workspace_id)).fetchone()
            if found is None:
                results.append({"delivery_id": delivery_id, "ok": False, "delivery": None, "error": {
                    "code": "NOT_FOUND", "message": f"No delivery {delivery_id!r} of this endpoint."}})
                continue
            queue_retry(conn, delivery_id, stamp)
            row = conn.execute("SELECT * FROM webhook_deliveries WHERE id = ?", (delivery_id,)).fetchone()
            results.append({"delivery_id": delivery_id, "ok": True, "delivery": delivery_out(row), "error": None})
    wake_worker(request)
    return ok({"results": results})
