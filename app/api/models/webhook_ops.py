"""Webhook operations after an outage (contract v1.1): recover jobs, bulk retry, event detail and
resend, secret rotation with an overlap, and fixture events in test workspaces."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from app.api.models.base import ApiModel
from app.api.models.webhooks import Delivery, Event

#: The most delivery ids one bulk retry takes (the server refuses more with 422).
RETRY_MANY_LIMIT = 100
#: The statuses a recover job may pick; the contract's default is `["failed"]`.
RECOVER_STATUSES: tuple[str, ...] = ("failed", "retrying", "succeeded")


class RecoverRequest(ApiModel):
    """`POST /webhooks/{id}/recover`: deliveries of the endpoint created in `[since, until)`."""

    since: datetime
    until: datetime | None = None
    statuses: list[str] | None = None
    dry_run: bool = False


class RecoverMatched(ApiModel):
    """A dry run's answer: how many deliveries a recover would queue again (nothing is queued)."""

    matched: int


class RecoverJob(RecoverMatched):
    """A recover job that started: its id and how many deliveries it queues again."""

    job_id: str


class RecoverStatus(ApiModel):
    """Where a recover job stands; `queued` have been put back on the queue, `succeeded` and
    `failed` are those whose one new attempt has finished. `cancelled` is a sandbox addition."""

    status: str
    matched: int
    queued: int
    succeeded: int
    failed: int
    job_id: str | None = None
    webhook_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    statuses: list[str] = Field(default_factory=list)
    created_at: datetime | None = None
    finished_at: datetime | None = None

    @property
    def finished(self) -> bool:
        """True once nothing more will be sent for this job (done or cancelled)."""
        return self.status != "running"


class RetryError(ApiModel):
    """Why one id of a bulk retry was not queued (`code` as in the error envelope)."""

    code: str
    message: str


class RetryResult(ApiModel):
    """One id of a bulk retry: queued (with the delivery as it is now) or refused with a reason."""

    delivery_id: str
    ok: bool
    delivery: Delivery | None = None
    error: RetryError | None = None


class RetryManyResult(ApiModel):
    """`POST /webhooks/{id}/deliveries/retry`: a result per id, in the order they were given."""

    results: list[RetryResult] = Field(default_factory=list)


class EventDetail(Event):
    """An event with the exact JSON body its deliveries carry and every delivery it caused."""

    payload: dict[str, Any] = Field(default_factory=dict)
    deliveries: list[Delivery] = Field(default_factory=list)


class TriggeredEvent(ApiModel):
    """`POST /events/trigger`: the fixture records made (`{"invoice": "inv_…"}`), the id of the
    event of the type asked for, and every event the change emitted (in order)."""

    type: str
    event_id: str
    event_ids: list[str] = Field(default_factory=list)
    records: dict[str, str] = Field(default_factory=dict)
