"""Failed deliveries grouped by endpoint and error signature: the list an on-call admin reads first.

After an outage there are hundreds of failed deliveries and a handful of causes. A cause is an
*error signature* read from a delivery's last attempt: the HTTP status and the first line of the
receiver's answer ("HTTP 503 · upstream connect error"), or the kind of connection error
("ConnectError · Connection refused", "Timed out"). Every group counts its deliveries and says
when the cause was first and last seen, so "the receiver is refusing connections since 09:12"
reads at a glance.

The groups cover a window: every failed delivery *created* since a time the admin picks (the same
window a recover takes, so "Recover…" from a group's oldest re-sends what was counted). The
contract has no count or grouping of deliveries, so the log is paged (`CursorPage`, newest first,
stopping at the window's start) and each delivery's last attempt read from its detail. That is a
read per delivery, so it is bounded: at most `MAX_FAILURES` are read (the newest), and the report
says "the newest N of M", M being what the server listed in the window (up to `MAX_LISTED`).

One source of truth: the groups are derived from the server's delivery log, never from a copy the
console keeps. A delivery's detail is read once per attempt count: a failed delivery whose
attempt count has not moved has not changed.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from app.api import errors
from app.api.models import Delivery, DeliveryAttempt, DeliveryDetail
from app.data.observable import Observable
from app.data.webhook_ops import DeliveryRef

#: At most this many of the window's newest failed deliveries are read in detail (a read each) …
MAX_FAILURES = 10_000
#: … of at most this many listed (a read per `PAGE_SIZE`), so "the newest N of M" can name M.
MAX_LISTED = 50_000
PAGE_SIZE = 100
#: The window when none is given.
DEFAULT_WINDOW = timedelta(days=7)
#: Detail reads at once, and how many between two progress reports.
DETAIL_READS_AT_ONCE = 4
DETAIL_BATCH = 100
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
    """The groups of one window, biggest first, and how much of the server's log they cover."""

    groups: tuple[FailureGroup, ...]
    #: The window: failed deliveries created from `since` until the load began.
    since: datetime
    until: datetime
    #: Failed deliveries the server lists in the window; None while listing, or when there are
    #: more than `MAX_LISTED` (then `listed` is a lower bound).
    total: int | None
    #: Failed deliveries listed so far.
    listed: int
    #: Of those, read in detail and grouped.
    read: int
    #: At most this many are read in detail (the newest).
    limit: int
    #: `listing`, `reading`, `done`, `stopped` (by the admin, with what was read by then), or
    #: `interrupted` (a read failed: the error goes to the caller; what was read is kept).
    state: str
    #: How many this load reads in detail (known once listing is over).
    to_read: int = 0

    @property
    def failed(self) -> int:
        return sum(group.count for group in self.groups)

    @property
    def finished(self) -> bool:
        return self.state in ("done", "stopped", "interrupted")

    @property
    def complete(self) -> bool:
        """Every failed delivery of the window is counted in a group."""
        return self.state == "done" and self.total is not None and self.read == self.total

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


def group_failures(failures: Iterable[_Failure]) -> list[FailureGroup]:
    """Group failed deliveries by endpoint and their last attempt's signature; biggest group first,
    then the most recently seen."""
    grouping = _Grouping()
    for failure in failures:
        grouping.add(failure)
    return grouping.groups()


class _Grouping:
    """Deliveries added as their details arrive, grouped on the way in: a report of the groups so
    far costs the number of groups, not of deliveries read (a progress report per batch stays cheap
    at 10,000). Deliveries no longer failed (retried meanwhile) are counted apart."""

    def __init__(self) -> None:
        #: (endpoint, signature) → [delivery ids, first seen, last seen, oldest created]
        self._buckets: dict[tuple[str, ErrorSignature], list[Any]] = {}
        self.failed = 0
        self.moved_on = 0

    def add(self, failure: _Failure) -> None:
        if failure.status != "failed":
            self.moved_on += 1
            return
        self.failed += 1
        bucket = self._buckets.get((failure.webhook_id, failure.signature))
        if bucket is None:
            self._buckets[(failure.webhook_id, failure.signature)] = [
                [failure.id], failure.seen, failure.seen, failure.created_at]
            return
        bucket[0].append(failure.id)
        bucket[1] = min(bucket[1], failure.seen)
        bucket[2] = max(bucket[2], failure.seen)
        bucket[3] = min(bucket[3], failure.created_at)

    def groups(self) -> list[FailureGroup]:
        groups = [FailureGroup(webhook_id, signature, tuple(ids), first, last, began)
                  for (webhook_id, signature), (ids, first, last, began) in self._buckets.items()]
        groups.sort(key=lambda g: (-g.count, -g.last_seen.timestamp()))
        return groups


class FailureLog:
    """Reads the server's failed deliveries of a window and their last attempts, and groups them.

    `changed` hears the report as it grows (listing, then reading), so a view can show progress
    and the groups so far; `last` is the newest report. `stop()` ends the running load early with
    what it has read (its report says so).
    """

    def __init__(self, webhooks: Any) -> None:
        self._webhooks = webhooks  # the WebhookStore: its delivery log and details
        self._seen: dict[tuple[str, int], _Failure] = {}
        self._generation = 0
        self._stop = asyncio.Event()
        self.changed: Observable[FailureReport] = Observable()
        self.last: FailureReport | None = None

    def stop(self) -> None:
        """End the running load with the deliveries read so far."""
        self._stop.set()

    async def load(self, webhook_id: str | None = None, *, since: datetime | None = None, limit: int = MAX_FAILURES,
                   list_cap: int = MAX_LISTED, now: datetime | None = None) -> FailureReport:
        """The failed deliveries created since `since` (one endpoint's, or every endpoint's), grouped:
        every one of them when there are at most `limit`, else the newest `limit` (the report says of
        how many). A later load supersedes this one: its report is then returned but not published."""
        until = now or datetime.now(UTC)
        since = check_since(until - DEFAULT_WINDOW if since is None else since, until)
        self._generation += 1
        generation = self._generation
        self._stop = stop = asyncio.Event()

        def publish(report: FailureReport) -> FailureReport:
            if generation == self._generation:
                self.last = report
                self.changed.emit(report)
            return report

        def stopped() -> bool:
            return stop.is_set() or generation != self._generation

        base = FailureReport((), since, until, None, 0, 0, limit, "listing")
        publish(base)
        listed: list[Delivery] = []
        exhausted = False
        try:
            async for page_items, last_page in self._walk_window(webhook_id, since, list_cap + 1):
                listed.extend(page_items)
                exhausted = last_page
                publish(replace(base, listed=min(len(listed), list_cap)))
                if stopped():
                    return publish(replace(base, listed=len(listed), state="stopped"))
        except Exception:
            publish(replace(base, listed=len(listed), state="interrupted"))
            raise
        total = len(listed) if exhausted and len(listed) <= list_cap else None
        listed = listed[:list_cap]
        wanted = listed[:limit]
        gate = asyncio.Semaphore(DETAIL_READS_AT_ONCE)
        grouping = _Grouping()

        async def failure_of(delivery: Delivery) -> _Failure | None:
            key = (delivery.id, delivery.attempt_count)
            if key not in self._seen:
                async with gate:
                    if stopped():
                        return None
                    try:
                        detail = await self._webhooks.delivery(delivery.webhook_id, delivery.id)
                    except errors.NotFound:  # deleted with its endpoint since it was listed: no longer a failure
                        return replace(_failure_of_listed(delivery), status="gone")
                    self._seen[key] = _failure(detail)
            return self._seen[key]

        def report(state: str) -> FailureReport:
            moved_on = grouping.moved_on
            return FailureReport(tuple(grouping.groups()), since, until,
                                 None if total is None else total - moved_on, len(listed) - moved_on,
                                 grouping.failed, limit, state, to_read=len(wanted) - moved_on)

        for start in range(0, len(wanted), DETAIL_BATCH):
            try:
                batch = await asyncio.gather(*(failure_of(d) for d in wanted[start:start + DETAIL_BATCH]))
            except Exception:
                publish(report("interrupted"))
                raise
            for failure in batch:
                if failure is not None:
                    grouping.add(failure)
            if stopped():
                return publish(report("stopped"))
            publish(report("reading"))
        keep = {(d.id, d.attempt_count) for d in wanted}
        self._seen = {key: value for key, value in self._seen.items() if key in keep}
        return publish(report("done"))

    async def _walk_window(self, webhook_id: str | None, since: datetime,
                           cap: int) -> AsyncIterator[tuple[list[Delivery], bool]]:
        """Pages of failed deliveries created at or after `since`, newest first, up to `cap`; each
        with whether the window has been read to its end."""
        if webhook_id is not None or self._webhooks.supports("dev.webhook_deliveries"):
            async for items, done in self._walk(webhook_id, since, cap):
                yield items, done
            return
        # No workspace-wide log on this platform: each listed endpoint's, newest first overall.
        every: list[Delivery] = []
        done = True
        for webhook in self._webhooks.listed:
            async for items, ended in self._walk(webhook.id, since, cap):
                every.extend(items)
                done = ended
            if not done:
                break
        every.sort(key=lambda d: d.created_at, reverse=True)
        yield every, done

    async def _walk(self, webhook_id: str | None, since: datetime,
                    cap: int) -> AsyncIterator[tuple[list[Delivery], bool]]:
        page = await self._webhooks.deliveries(status="failed", webhook_id=webhook_id, limit=PAGE_SIZE)
        read = 0
        while True:
            inside = [d for d in page.items if _aware(d.created_at) >= since]
            read += len(inside)
            ended = len(inside) < len(page.items) or not page.has_next
            yield inside, ended
            if ended or read >= cap:
                return
            page = await page.next_page()


@dataclass(frozen=True, slots=True)
class _Failure:
    """What grouping needs of one delivery's detail (not its payload)."""

    id: str
    webhook_id: str
    status: str
    signature: ErrorSignature
    seen: datetime
    created_at: datetime


def _failure(detail: DeliveryDetail) -> _Failure:
    last = detail.attempts[-1] if detail.attempts else None
    return _Failure(detail.id, detail.webhook_id, detail.status, error_signature(last),
                    last.attempted_at if last is not None else detail.created_at, detail.created_at)


def _failure_of_listed(delivery: Delivery) -> _Failure:
    return _Failure(delivery.id, delivery.webhook_id, delivery.status, ErrorSignature("unknown"),
                    delivery.created_at, delivery.created_at)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def parse_since(text: str, now: datetime | None = None) -> datetime:
    """The start of a window typed by an admin: `2026-12-02 09:00` (local time) or RFC 3339.
    ValueError with a sentence to show when it is not a time or lies in the future."""
    cleaned = text.strip()
    if not cleaned:
        raise ValueError("Type when the window starts, e.g. 2026-12-02 09:00.")
    try:
        moment = datetime.fromisoformat(cleaned.replace("z", "Z"))
    except ValueError:
        raise ValueError(f"\u201c{cleaned}\u201d is not a time; type e.g. 2026-12-02 09:00 "
                         "(local) or 2026-12-02T08:00:00Z.") from None
    if moment.tzinfo is None:
        moment = moment.astimezone()  # typed as the admin's own clock reads
    return check_since(moment, now or datetime.now(UTC))


def check_since(since: datetime, now: datetime) -> datetime:
    """`since` as an aware UTC time; ValueError when it is after `now`."""
    if since.tzinfo is None:
        raise ValueError("The window's start needs a time zone.")
    if since > now:
        raise ValueError(f"The window starts in the future ({since.astimezone().strftime('%Y-%m-%d %H:%M')});"
                         " pick a time before now.")
    return since.astimezone(UTC)
