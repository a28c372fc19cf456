"""When to tell the operator, outside the webhooks panel, that an endpoint is in trouble.

Two things are worth a desktop notification while the console runs: an endpoint *turns* disabled
(the platform gave up on it), or its deliveries of the last hour fail at a rate past a threshold.
`AlertRules.assess` is the pure decision over the endpoints and their recent deliveries: it says
each thing once (an endpoint already disabled when the console started is not news; a failing one
is said again only after it has recovered), so notifications never nag. `AlertMonitor` reads the
platform every minute and tells its listeners each new alert.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from app.api import errors
from app.api.models import Delivery, Webhook
from app.data.observable import Observable

log = logging.getLogger(__name__)

#: Deliveries of the last hour that did not get through, of those that were tried, past which …
FAILURE_RATE_THRESHOLD = 0.5
#: … an endpoint is failing, once at least this many were tried (two failures of two is no trend).
MIN_TRIED = 5
WINDOW = timedelta(hours=1)
#: How often the monitor reads the platform.
POLL_SECONDS = 60.0
#: At most this many of the last hour's deliveries are read per look.
MAX_RECENT = 1000


@dataclass(frozen=True)
class EndpointAlert:
    """One notification: which endpoint, why (`disabled` or `failing`), and what to say."""

    webhook_id: str
    kind: str
    title: str
    message: str


def recent_failure_rate(deliveries: Iterable[Delivery], now: datetime,
                        window: timedelta = WINDOW) -> tuple[int, int]:
    """`(not delivered, tried)` among deliveries created in the window: failed or still retrying
    count as not delivered, succeeded as delivered; pending ones were not tried yet."""
    failing = tried = 0
    for delivery in deliveries:
        if delivery.created_at < now - window or delivery.status == "pending":
            continue
        tried += 1
        failing += delivery.status in ("failed", "retrying")
    return failing, tried


@dataclass
class AlertRules:
    """Remembers what was said, so each state change is said once."""

    threshold: float = FAILURE_RATE_THRESHOLD
    min_tried: int = MIN_TRIED
    _disabled: set[str] | None = field(default=None, repr=False)
    _failing: set[str] = field(default_factory=set, repr=False)

    def assess(self, webhooks: Sequence[Webhook], recent: Mapping[str, Sequence[Delivery]],
               now: datetime) -> list[EndpointAlert]:
        """The alerts that are new since the last look (the first look only learns who is disabled)."""
        alerts: list[EndpointAlert] = []
        disabled = {w.id for w in webhooks if w.status == "disabled"}
        if self._disabled is not None:
            for webhook in webhooks:
                if webhook.id in disabled and webhook.id not in self._disabled:
                    alerts.append(EndpointAlert(webhook.id, "disabled", f"Webhook endpoint “{webhook.name}” disabled",
                                                webhook.disabled_reason or "The platform stopped sending to it."))
        self._disabled = disabled
        for webhook in webhooks:
            failing, tried = recent_failure_rate(recent.get(webhook.id, ()), now)
            bad = webhook.id not in disabled and tried >= self.min_tried and failing / tried > self.threshold
            if bad and webhook.id not in self._failing:
                alerts.append(EndpointAlert(
                    webhook.id, "failing", f"Webhook endpoint “{webhook.name}” failing",
                    f"{failing} of {tried} deliveries in the last hour did not get through "
                    f"({failing / tried:.0%}; alert above {self.threshold:.0%})."))
            if bad:
                self._failing.add(webhook.id)
            else:
                self._failing.discard(webhook.id)
        return alerts


class AlertMonitor:
    """Reads the endpoints and the last hour's deliveries every `POLL_SECONDS`; `alerts` hears each new one."""

    def __init__(self, webhooks: Any, rules: AlertRules | None = None, *, poll_seconds: float = POLL_SECONDS) -> None:
        self._webhooks = webhooks  # the WebhookStore
        self.rules = rules or AlertRules()
        self.poll_seconds = poll_seconds
        self.alerts: Observable[EndpointAlert] = Observable()
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="webhook-alerts")

    def cancel(self) -> None:
        """Stop looking (from code that cannot await; `stop` also waits for the task to end)."""
        if self._task is not None:
            self._task.cancel()
            self._task = None

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def look(self, now: datetime | None = None) -> list[EndpointAlert]:
        """Read once, decide, tell the listeners; returns the new alerts."""
        now = now or datetime.now(UTC)
        webhooks = await self._webhooks.reload()
        recent: dict[str, list[Delivery]] = {}
        # Without a workspace-wide delivery log, each active endpoint's own.
        scopes = [None] if self._webhooks.supports("dev.webhook_deliveries") else [
            w.id for w in webhooks if w.status == "active"]
        for webhook_id in scopes:
            for delivery in await self._recent(webhook_id, now):
                recent.setdefault(delivery.webhook_id, []).append(delivery)
        alerts = self.rules.assess(webhooks, recent, now)
        for alert in alerts:
            self.alerts.emit(alert)
        return alerts

    async def _recent(self, webhook_id: str | None, now: datetime) -> list[Delivery]:
        page = await self._webhooks.deliveries(webhook_id=webhook_id, limit=100)
        read = list(page.items)
        while page.has_next and len(read) < MAX_RECENT and read and read[-1].created_at >= now - WINDOW:
            page = await page.next_page()
            read.extend(page.items)
        return read

    async def _run(self) -> None:
        # The first look waits one period: nothing at start-up competes with the first paint.
        while True:
            await asyncio.sleep(self.poll_seconds)
            try:
                await self.look()
            except errors.ApiError as error:  # offline or refused: look again next time
                log.info("webhook alerts: could not read the platform: %s", error)
