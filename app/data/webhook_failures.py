"""Failed deliveries grouped by endpoint and error signature: the list an on-call admin reads first.

After an outage there are hundreds of failed deliveries and a handful of causes. A cause is an
*error signature* read from a delivery's last attempt: the HTTP status and the first line of the
receiver's answer ("HTTP 503 · upstream connect error"), or the kind of connection error
("ConnectError · Connection refused", "Timed out"). Every group counts its deliveries and says
when the cause was first and last seen, so "the receiver is refusing connections since 09:12"
reads at a glance.

One source of truth: the groups are derived from the server's delivery log (its failed deliveries,
then each one's attempts), never from a copy the console keeps. A delivery's detail is read once
per attempt count: a failed delivery whose attempt count has not moved has not changed.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.api.models import Delivery, DeliveryAttempt, DeliveryDetail
from app.data.webhook_ops import DeliveryRef

#: At most this many of the latest failed deliveries are read (across endpoints) …
MAX_FAILURES = 500
#: … with this many detail reads at once.
DETAIL_READS_AT_ONCE = 4
#: The first line of an answer is cut to this many characters in a signature.
FIRST_LINE_CHARS = 120
_ERRNO = re.compile(r"^\[Errno -?\d+\]\s*")
_KIND = re.compile(r"^([A-Z][A-Za-z]+(?:Error|Exception|Timeout)):\s*(.*)$", re.DOTALL)


@dataclass(frozen=True)
class ErrorSignature:
    """What went wrong in an attempt, reduced to what several deliveries share."""

    #: `http` (the receiver answered non-2xx), `connection`, `timeout`, or `unknown` (no attempt).
    kind: str
    status: int | None = None
    #: The answer's first line (http), or the connection error's kind and words.
    detail: str = ""

    @property
    def text(self) -> str:
        """`HTTP 503 · upstream connect error`, `ConnectError · Connection refused`, `Timed out`."""
        if self.kind == "http":
            return f"HTTP {self.status}" + (f" · {self.detail}" if self.detail else "")
        if self.kind == "timeout":
            return "Timed out" + (f" · {self.detail}" if self.detail else "")
        if self.kind == "connection":
            return self.detail or "Connection error"
        return "No attempt recorded"


@dataclass(frozen=True)
class FailureGroup:
    """Failed deliveries of one endpoint that share one error signature."""

    webhook_id: str
    signature: ErrorSignature
    delivery_ids: tuple[str, ...]
    first_seen: datetime
    last_seen: datetime
    #: When its oldest delivery was made: a recover window from here holds every one of them.
    began: datetime

    @property
    def count(self) -> int:
        return len(self.delivery_ids)

    def deliveries(self) -> list[DeliveryRef]:
        """The group's deliveries, to retry them."""
        return [DeliveryRef(delivery_id, self.webhook_id) for delivery_id in self.delivery_ids]

    @property
    def id(self) -> str:
        """Stable across reloads (a table keeps its selection on it)."""
        return f"{self.webhook_id}|{self.signature.kind}|{self.signature.status}|{self.signature.detail}"


@dataclass(frozen=True)
class FailureReport:
    """The groups, biggest first, and how much of the log they cover."""

    groups: tuple[FailureGroup, ...]
    #: Failed deliveries read.
    read: int
    #: False when there were more failed deliveries than `MAX_FAILURES` (the oldest were not read).
    complete: bool

    @property
    def failed(self) -> int:
        return sum(group.count for group in self.groups)


def first_line(text: str | None) -> str:
    """The first non-blank line of `text`, trimmed to `FIRST_LINE_CHARS`."""
    for line in (text or "").splitlines():
        if line.strip():
            cleaned = " ".join(line.split())
            return cleaned if len(cleaned) <= FIRST_LINE_CHARS else cleaned[:FIRST_LINE_CHARS - 1] + "…"
    return ""


def error_signature(attempt: DeliveryAttempt | None) -> ErrorSignature:
    """The signature of one attempt (the delivery's last)."""
    if attempt is None:
        return ErrorSignature("unknown")
    if attempt.response_status is not None:
        return ErrorSignature("http", attempt.response_status, first_line(attempt.response_body))
    error = first_line(attempt.error)
    if error.lower().startswith("timed out") or "timeout" in error.split(":", 1)[0].lower():
        return ErrorSignature("timeout")
    matched = _KIND.match(error)
    if matched:
        kind, words = matched.group(1), _ERRNO.sub("", matched.group(2)).strip()
        return ErrorSignature("connection", None, f"{kind} · {words}" if words else kind)
    return ErrorSignature("connection", None, _ERRNO.sub("", error))


def group_failures(details: Iterable[DeliveryDetail]) -> list[FailureGroup]:
    """Group failed deliveries by endpoint and their last attempt's signature; biggest group first,
    then the most recently seen."""
    buckets: dict[tuple[str, ErrorSignature], list[tuple[str, datetime, datetime]]] = {}
    for detail in details:
        last = detail.attempts[-1] if detail.attempts else None
        seen = last.attempted_at if last is not None else detail.created_at
        buckets.setdefault((detail.webhook_id, error_signature(last)), []).append(
            (detail.id, seen, detail.created_at))
    groups = [FailureGroup(webhook_id, signature, tuple(m[0] for m in members), min(m[1] for m in members),
                           max(m[1] for m in members), min(m[2] for m in members))
              for (webhook_id, signature), members in buckets.items()]
    groups.sort(key=lambda g: (-g.count, -g.last_seen.timestamp()))
    return groups


class FailureLog:
    """Reads the server's failed deliveries and their last attempts, and groups them."""

    def __init__(self, webhooks: Any) -> None:
        self._webhooks = webhooks  # the WebhookStore: its delivery log and details
        self._details: dict[tuple[str, int], DeliveryDetail] = {}
        self.last: FailureReport | None = None

    async def load(self, webhook_id: str | None = None, *, limit: int = MAX_FAILURES) -> FailureReport:
        """The latest `limit` failed deliveries (one endpoint's, or every endpoint's) grouped."""
        failed = await self._failed_deliveries(webhook_id, limit + 1)
        complete = len(failed) <= limit
        failed = failed[:limit]
        gate = asyncio.Semaphore(DETAIL_READS_AT_ONCE)

        async def detail_of(delivery: Delivery) -> DeliveryDetail:
            key = (delivery.id, delivery.attempt_count)
            if key not in self._details:
                async with gate:
                    self._details[key] = await self._webhooks.delivery(delivery.webhook_id, delivery.id)
            return self._details[key]

        details = await asyncio.gather(*(detail_of(delivery) for delivery in failed))
        wanted = {(d.id, d.attempt_count) for d in failed}
        self._details = {key: value for key, value in self._details.items() if key in wanted}
        self.last = FailureReport(tuple(group_failures(d for d in details if d.status == "failed")),
                                  len(failed), complete)
        return self.last

    async def _failed_deliveries(self, webhook_id: str | None, limit: int) -> list[Delivery]:
        if webhook_id is not None or self._webhooks.supports("dev.webhook_deliveries"):
            return await self._walk(webhook_id, limit)
        # No workspace-wide log on this platform: each listed endpoint's, newest first overall.
        every: list[Delivery] = []
        for webhook in self._webhooks.listed:
            every.extend(await self._walk(webhook.id, limit))
        every.sort(key=lambda d: d.created_at, reverse=True)
        return every[:limit]

    async def _walk(self, webhook_id: str | None, limit: int) -> list[Delivery]:
        page = await self._webhooks.deliveries(status="failed", webhook_id=webhook_id, limit=min(limit, 100))
        read = list(page.items)
        while page.has_next and len(read) < limit:
            page = await page.next_page()
            read.extend(page.items)
        return read[:limit]
