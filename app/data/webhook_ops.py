"""Webhook operations after an outage: retry a selection in bulk, recover an endpoint's window.

`retry_selected` sends the chosen deliveries again through the bulk retry (≤ 100 ids per call,
one call per endpoint) and gives a result per delivery, refused ones with the platform's reason; a
platform without the bulk call gets one retry per delivery, with the same results.

`RecoverJobs` runs the platform's recover jobs: a dry run counts what a window holds, a start
queues it, and watching reads the job's progress (queued / succeeded / failed) until it is done,
telling listeners each time it moves. Watching is the console's; the job is the server's: stopping
the watch leaves the job running, and only `cancel` (where the platform offers it) stops it. The
jobs seen stay in `jobs()` (with the server's own list where it keeps one), so a result outlives
its dialog.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

from app.api import errors
from app.api.models import Delivery, RecoverJob, RecoverStatus
from app.api.models.webhook_ops import RETRY_MANY_LIMIT
from app.data.observable import Observable

#: How often a watched job's progress is read.
WATCH_INTERVAL_SECONDS = 0.5


@dataclass(frozen=True)
class RetryOutcome:
    """One selected delivery after Retry selected: queued again (its status now), or why not."""

    delivery_id: str
    webhook_id: str
    ok: bool
    #: The delivery's status once queued (`retrying`, `pending`); None when refused.
    status: str | None = None
    #: Why it was refused, in the platform's words.
    reason: str | None = None


class DeliveryRef(NamedTuple):
    """A delivery known only by its id and endpoint (a failure group's members)."""

    id: str
    webhook_id: str


def _chunks(ids: Sequence[str], size: int) -> list[list[str]]:
    return [list(ids[start:start + size]) for start in range(0, len(ids), size)]


async def retry_selected(webhooks: Any, deliveries: Iterable[Delivery | DeliveryRef]) -> list[RetryOutcome]:
    """Queue every given delivery again now; a result per delivery, in the order given."""
    by_endpoint: dict[str, list[str]] = {}
    for delivery in deliveries:
        ids = by_endpoint.setdefault(delivery.webhook_id, [])
        if delivery.id not in ids:
            ids.append(delivery.id)
    outcomes: dict[str, RetryOutcome] = {}
    bulk = webhooks.supports("deliveries.retry_many")
    for webhook_id, ids in by_endpoint.items():
        for chunk in _chunks(ids, RETRY_MANY_LIMIT if bulk else 1):
            for outcome in await _retry_chunk(webhooks, webhook_id, chunk, bulk):
                outcomes[outcome.delivery_id] = outcome
    order = [i for ids in by_endpoint.values() for i in ids]
    return [outcomes[i] for i in order]


async def _retry_chunk(webhooks: Any, webhook_id: str, ids: list[str], bulk: bool) -> list[RetryOutcome]:
    try:
        if bulk:
            answer = await webhooks.api.deliveries.retry_many(webhook_id, ids)
            return [RetryOutcome(r.delivery_id, webhook_id, r.ok, r.delivery.status if r.delivery else None,
                                 None if r.ok else (r.error.message if r.error else "Refused by the platform."))
                    for r in answer.results]
        [delivery_id] = ids
        queued = await webhooks.api.deliveries.retry(webhook_id, delivery_id)
        return [RetryOutcome(delivery_id, webhook_id, True, queued.status)]
    except errors.ApiConnectionError:
        raise  # offline: the panel's offline strip says it, not a row per delivery
    except errors.ApiError as error:
        reason = getattr(error, "message", None) or str(error)
        return [RetryOutcome(delivery_id, webhook_id, False, None, reason) for delivery_id in ids]


class RecoverJobs:
    """The recover jobs of this session's endpoints; `changed` hears each job as it moves."""

    def __init__(self, webhooks: Any) -> None:
        self._webhooks = webhooks
        self._jobs: dict[str, RecoverStatus] = {}
        self._stops: dict[str, asyncio.Event] = {}
        self.changed: Observable[RecoverStatus] = Observable()

    @property
    def can_cancel(self) -> bool:
        """The platform can stop a running job (not every one can: the contract has no cancel)."""
        return self._webhooks.supports("webhooks.recover_cancel")

    def jobs(self, webhook_id: str | None = None) -> list[RecoverStatus]:
        """Jobs seen this session (and those the server lists), newest first."""
        chosen = [job for job in self._jobs.values() if webhook_id is None or job.webhook_id == webhook_id]
        return sorted(chosen, key=lambda job: job.created_at or datetime.min.replace(tzinfo=UTC), reverse=True)

    def job(self, job_id: str) -> RecoverStatus | None:
        return self._jobs.get(job_id)

    def watching(self, job_id: str) -> bool:
        return job_id in self._stops

    async def load_jobs(self, webhook_id: str) -> list[RecoverStatus]:
        """The endpoint's jobs as the server keeps them (where it does), merged into `jobs()`."""
        if self._webhooks.supports("webhooks.recover_jobs"):
            page = await self._webhooks.api.recover_jobs(webhook_id)
            for job in page.items:
                self._keep(job.model_copy(update={"webhook_id": job.webhook_id or webhook_id}))
        return self.jobs(webhook_id)

    async def count(self, webhook_id: str, since: datetime, until: datetime | None = None,
                    statuses: Sequence[str] = ("failed",)) -> int:
        """The dry run: how many deliveries a recover of this window would queue (nothing is sent)."""
        answer = await self._webhooks.api.recover(webhook_id, since, until, list(statuses), dry_run=True)
        return answer.matched

    async def start(self, webhook_id: str, since: datetime, until: datetime | None = None,
                    statuses: Sequence[str] = ("failed",)) -> RecoverStatus:
        """Start the job; returns it as it stands (everything matched still queued)."""
        answer: RecoverJob = await self._webhooks.api.recover(webhook_id, since, until, list(statuses))
        job = RecoverStatus(status="running" if answer.matched else "done", matched=answer.matched,
                            queued=answer.matched, succeeded=0, failed=0, job_id=answer.job_id,
                            webhook_id=webhook_id, since=since, until=until, statuses=list(statuses),
                            created_at=datetime.now(UTC))
        self._keep(job)
        self._webhooks.deliveries_changed.emit(webhook_id)
        return job

    async def watch(self, job_id: str, *, interval: float = WATCH_INTERVAL_SECONDS) -> RecoverStatus:
        """Read the job's progress until it has finished or `stop_watching`; returns the last read."""
        job = self._jobs[job_id]
        stop = self._stops.setdefault(job_id, asyncio.Event())
        try:
            while not job.finished and not stop.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), interval)
                if stop.is_set():
                    break
                job = await self.refresh(job_id)
        finally:
            if self._stops.get(job_id) is stop:
                del self._stops[job_id]
        return job

    async def refresh(self, job_id: str) -> RecoverStatus:
        """Read the job once."""
        known = self._jobs[job_id]
        fresh = await self._webhooks.api.recover_status(known.webhook_id, job_id)
        return self._keep(fresh.model_copy(update={
            "job_id": job_id, "webhook_id": known.webhook_id,
            "created_at": fresh.created_at or known.created_at, "since": fresh.since or known.since,
            "until": fresh.until or known.until, "statuses": fresh.statuses or known.statuses}))

    def stop_watching(self, job_id: str) -> None:
        """Stop reading the job's progress; the server's job goes on."""
        stop = self._stops.get(job_id)
        if stop is not None:
            stop.set()

    async def cancel(self, job_id: str) -> RecoverStatus:
        """Stop the job on the server (deliveries not yet sent stay as they were)."""
        self.stop_watching(job_id)
        known = self._jobs[job_id]
        try:
            stopped = await self._webhooks.api.recover_cancel(known.webhook_id, job_id)
        except errors.Conflict:  # it finished meanwhile: that is its result
            return await self.refresh(job_id)
        return self._keep(stopped.model_copy(update={"job_id": job_id, "webhook_id": known.webhook_id,
                                                     "created_at": stopped.created_at or known.created_at}))

    def _keep(self, job: RecoverStatus) -> RecoverStatus:
        assert job.job_id is not None
        if self._jobs.get(job.job_id) != job:
            self._jobs[job.job_id] = job
            self.changed.emit(job)
        return job
