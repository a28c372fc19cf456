"""Webhook endpoints with their deliveries.

Endpoints are a short list the store holds (`listed`); edits and status changes go through the
base class's three-way merge, since the platform bumps an endpoint's version on its own (it
disables an endpoint after repeated failures). A signing secret is returned once (create, rotate)
as `Revealed`; the store never keeps or caches it. Deliveries are read page by page from the
platform's delivery log; `deliveries_changed` says an endpoint got a new one (a test event), so
a delivery log on screen reloads itself. An endpoint's success over time (`success_history`) is
counted per day from its latest deliveries, so a chart of it shows what the log holds.

The operations after an outage hang off the store, each in its own module: `failures` (failed
deliveries grouped by cause), `recovery` (recover jobs), `events` (the event log, resend,
trigger), `retry_selected` (bulk retry); rotating a secret takes an overlap in which the old one
still signs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from app.api.models import Delivery, DeliveryDetail, Webhook, WebhookUpdate
from app.api.pagination import CursorPage
from app.data.events import EventLog
from app.data.listed_store import ListedStore, Revealed
from app.data.observable import Observable
from app.data.record_store import MergeNeeded, Offline, Saved
from app.data.webhook_failures import FailureLog
from app.data.webhook_ops import DeliveryRef, RecoverJobs, RetryOutcome, retry_selected

#: A rotated secret keeps signing beside the new one this long unless asked otherwise (the contract's default).
DEFAULT_OVERLAP_HOURS = 24
MAX_OVERLAP_HOURS = 168

#: Deliveries per page of the log.
DELIVERY_PAGE = 50
#: An endpoint's success over time is counted from at most this many of its latest deliveries …
SUCCESS_DELIVERIES = 300
#: … made in at most this many days up to today.
SUCCESS_DAYS = 60


@dataclass(frozen=True)
class DeliveryDay:
    """How one day's deliveries to an endpoint ended (the operator's local calendar day)."""

    day: date
    succeeded: int = 0
    failed: int = 0
    waiting: int = 0

    @property
    def finished(self) -> int:
        return self.succeeded + self.failed

    @property
    def success_rate(self) -> float | None:
        """Succeeded of finished; None on a day with nothing finished."""
        return self.succeeded / self.finished if self.finished else None


@dataclass(frozen=True)
class SuccessHistory:
    """One endpoint's deliveries per day, oldest first, from its first counted delivery to today.

    `complete` is False when the endpoint has older deliveries than were counted (past
    `SUCCESS_DELIVERIES` or `SUCCESS_DAYS`): the chart then says where its count starts.
    """

    webhook_id: str
    days: tuple[DeliveryDay, ...]
    complete: bool

    @property
    def succeeded(self) -> int:
        return sum(day.succeeded for day in self.days)

    @property
    def failed(self) -> int:
        return sum(day.failed for day in self.days)

    @property
    def waiting(self) -> int:
        return sum(day.waiting for day in self.days)


def daily_outcomes(deliveries: Iterable[Delivery], today: date, *, days: int = SUCCESS_DAYS) -> list[DeliveryDay]:
    """Deliveries counted per local day, one entry for every day from the first one's to `today`
    (quiet days included, so a chart's spacing is true to time); older than `days` left out."""
    first_allowed = today - timedelta(days=days - 1)
    counts: dict[date, list[int]] = {}
    for delivery in deliveries:
        day = _local_day(delivery.created_at)
        if day < first_allowed or day > today:
            continue
        tally = counts.setdefault(day, [0, 0, 0])
        tally[0 if delivery.status == "succeeded" else 1 if delivery.status == "failed" else 2] += 1
    if not counts:
        return []
    start = min(counts)
    return [DeliveryDay(day, *counts.get(day, (0, 0, 0)))
            for day in (start + timedelta(days=offset) for offset in range((today - start).days + 1))]


def _local_day(moment: datetime) -> date:
    return moment.astimezone().date() if moment.tzinfo else moment.date()


class WebhookStore(ListedStore[Webhook]):
    """Webhook endpoints, cached and on the server, and their delivery log."""

    resource = "webhooks"
    endpoint = "webhooks"
    model = Webhook
    editable = frozenset(WebhookUpdate.model_fields)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.deliveries_changed: Observable[str] = Observable()
        """The id of an endpoint that has a new delivery."""
        self._success: dict[str, SuccessHistory] = {}
        self.failures = FailureLog(self)
        self.recovery = RecoverJobs(self)
        self.events = EventLog(self)

    def keepable(self, record: Webhook) -> Webhook:
        if getattr(record, "signing_secret", None) is None:
            return record
        return Webhook.model_validate(record.model_dump(exclude={"signing_secret"}))

    def name_of(self, webhook_id: str) -> str:
        """The endpoint's name, or its id when it is not listed (deleted, or not loaded yet)."""
        webhook = self.listed_one(webhook_id)
        return webhook.name if webhook is not None else webhook_id

    # ---- endpoints -------------------------------------------------------------------------
    async def create_endpoint(self, fields: Mapping[str, Any]) -> Revealed[Webhook]:
        """Create it; the signing secret comes back once, beside the record that is kept."""
        created = await self.api.create(dict(fields))
        secret = created.signing_secret
        webhook = self.keepable(created)
        del created
        await self.remember([webhook])
        return Revealed(webhook, secret)

    async def set_status(self, webhook: Webhook, status: str) -> Saved[Webhook] | MergeNeeded[Webhook]:
        """Pause, resume, or re-enable a disabled endpoint."""
        return await self.update(webhook, {"status": status})

    async def rotate_secret(self, webhook: Webhook, overlap_hours: float = DEFAULT_OVERLAP_HOURS) -> Revealed[Webhook]:
        """A new signing secret, returned once; the old one signs too for `overlap_hours` (0: stops
        at once), until the kept record's `previous_secret_expires_at`."""
        if not 0 <= overlap_hours <= MAX_OVERLAP_HOURS:
            raise ValueError(f"The overlap is {overlap_hours:g} h; it must be 0 to {MAX_OVERLAP_HOURS} h (a week).")
        rotated = await self.api.rotate_secret(webhook.id, overlap_hours)
        secret = rotated.signing_secret
        kept = self.keepable(rotated)
        del rotated
        await self.remember([kept])
        return Revealed(kept, secret)

    async def point_at(self, webhook_id: str, url: str) -> str:
        """Send this endpoint's deliveries to `url`; returns the URL it had."""
        current = await self.fetch(webhook_id)
        outcome = await self.update(current, {"url": url})
        if isinstance(outcome, MergeNeeded):  # changed again since it was read: listening here is what was asked
            await self.resolve(outcome, {conflict.path: "mine" for conflict in outcome.merge.conflicts})
        return current.url

    async def remove(self, webhook_id: str) -> None:
        """Delete an endpoint whatever its version (one this console made for itself)."""
        await self.api.delete(webhook_id)
        await self.forget(webhook_id)

    # ---- deliveries --------------------------------------------------------------------------
    async def send_test(self, webhook_id: str) -> Delivery:
        """Queue a `webhook.test` event to this endpoint only."""
        delivery = await self.api.test(webhook_id)
        self.deliveries_changed.emit(webhook_id)
        return delivery

    async def deliveries(self, *, status: str | None = None, event_type: str | None = None,
                         webhook_id: str | None = None, limit: int = DELIVERY_PAGE) -> CursorPage[Delivery]:
        """The first page of the delivery log (every endpoint's, or one's), newest first.

        A platform without a workspace-wide delivery log (its manifest says) still lists one
        endpoint's deliveries; across endpoints it has none to show.
        """
        if self.supports("dev.webhook_deliveries"):
            return await self._dev_logs.webhook_deliveries(status=status, event_type=event_type,
                                                           webhook_id=webhook_id, limit=limit)
        if webhook_id and self.supports("deliveries.list"):
            return await self.api.deliveries.list(webhook_id, status=status, event_type=event_type, limit=limit)
        return CursorPage([], None)

    async def more(self, page: CursorPage[Delivery]) -> CursorPage[Delivery] | None:
        """The page after `page`, or None after the last."""
        return await page.next_page()

    async def delivery(self, webhook_id: str, delivery_id: str) -> DeliveryDetail:
        """One delivery with its payload and every attempt."""
        return await self.api.deliveries.get(webhook_id, delivery_id)

    async def retry(self, delivery: Delivery) -> Delivery:
        """Send the delivery again now, whatever its status."""
        return await self.api.deliveries.retry(delivery.webhook_id, delivery.id)

    async def retry_selected(self, deliveries: list[Delivery | DeliveryRef]) -> list[RetryOutcome]:
        """Send every given delivery again now (in bulk where the platform can); a result per delivery."""
        outcomes = await retry_selected(self, deliveries)
        for webhook_id in dict.fromkeys(outcome.webhook_id for outcome in outcomes if outcome.ok):
            self.deliveries_changed.emit(webhook_id)
        return outcomes

    async def load_success_history(self, webhook_id: str, *, today: date | None = None) -> SuccessHistory:
        """Read the endpoint's latest deliveries (newest first, up to `SUCCESS_DELIVERIES` within
        `SUCCESS_DAYS`) and count them per day; kept for `success_history`."""
        today = today or datetime.now().astimezone().date()
        oldest = today - timedelta(days=SUCCESS_DAYS - 1)
        page = await self.api.deliveries.list(webhook_id, limit=100)
        read: list[Delivery] = list(page.items)
        while page.has_next and len(read) < SUCCESS_DELIVERIES and _local_day(read[-1].created_at) >= oldest:
            page = await page.next_page()
            read.extend(page.items)
        left_out = page.has_next or len(read) > SUCCESS_DELIVERIES or (
            bool(read) and _local_day(read[-1].created_at) < oldest)
        read = read[:SUCCESS_DELIVERIES]
        history = SuccessHistory(webhook_id, tuple(daily_outcomes(read, today)), not left_out)
        self._success[webhook_id] = history
        return history

    def success_history(self, webhook_id: str) -> SuccessHistory | None:
        """The endpoint's success per day as last loaded (None before it was)."""
        return self._success.get(webhook_id)

    @property
    def _dev_logs(self) -> Any:
        return self.client_part("dev_logs")

    def client_part(self, name: str) -> Any:
        """The client's resource `name` (`events`, `dev_logs`) for the operations' modules; `Offline` without one."""
        if self._client is None:
            raise Offline()
        return getattr(self._client, name)
