"""Quota usage: the status of every resource, one resource's split per key and per module, its
daily history, and the live per-minute rate limit with its burn rate.

The store keeps the latest answer of each kind and derives what a view shows from them (totals,
shares, the history's sum), so the numbers on screen always agree with each other. The rate
limit follows every response the session's client sees (`X-RateLimit-*`), from the session's
start, whether or not a view is open; `rate_limit_changes` tells a gauge to redraw.

The platform's rate limit is a token bucket: `X-RateLimit-Limit` is its refill per minute, but
`-Remaining` may stand above it (a burst of 1000 over a 600/min refill answers `limit: 600,
remaining: 999`). The headers do not name the burst, so `BucketSize` works it out from what they
do say (remaining, and when the bucket is full again at that refill) and names it only when one
of the sizes the contract knows fits every reading; `rate_budget()` gives a gauge all three.
A resource's use this period is one figure (`usage`): the newest of the status's and the
breakdown's, so a card and the breakdown's "this month" never disagree.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from app.api import errors
from app.api.models import QuotaBreakdown, QuotaEntry, QuotaStatus
from app.data.burn_rate import BurnRate
from app.data.observable import Observable
from app.data.record_store import Offline

#: Page cache entry holding the last status (offline starts show it).
_STATUS_CACHE = "quota_status"
#: The burst the contract gives a plan by default ("default 600/min, burst 1000").
CONTRACT_BURST = 1000
#: Slack for the time between the server's answer and this reading, and for clock skew (seconds).
_READING_SLACK_SECONDS = 0.5


class BucketSize:
    """Bounds on the rate-limit bucket's size from successive readings of its headers.

    A reading says `remaining` calls are left (whole calls: the bucket holds up to one more) and
    that the bucket is full again at `reset_at` (whole seconds: up to one earlier), refilling at
    `limit` per minute; so the size lies within `remaining + (reset_at - now) × limit/60`, give
    or take those roundings. The bounds of every reading are intersected; readings that contradict
    the earlier ones (the plan changed) start afresh. `size` is the refill itself or the contract's
    burst when one of them fits the bounds, else None: an unknown size is never guessed.
    """

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._low = 0.0
        self._high = math.inf
        self._limit: int | None = None

    def add(self, limit: int | None, remaining: int, reset_at: datetime | None) -> None:
        if limit != self._limit:
            self._low, self._high, self._limit = 0.0, math.inf, limit
        low, high = float(remaining), math.inf
        if limit and reset_at is not None:
            per_second = limit / 60.0
            until_full = reset_at.timestamp() - self._clock()
            low = max(low, remaining + (until_full - 1.0 - _READING_SLACK_SECONDS) * per_second)
            high = remaining + 1.0 + (max(0.0, until_full) + _READING_SLACK_SECONDS) * per_second
        if low > self._high or high < self._low:
            self._low, self._high = low, high
        else:
            self._low, self._high = max(self._low, low), min(self._high, high)

    @property
    def size(self) -> int | None:
        if math.isinf(self._high):
            return None  # no reset time reported: nothing bounds the size from above
        for candidate in (self._limit, CONTRACT_BURST):
            if candidate and self._low <= candidate <= self._high:
                return candidate
        return None


@dataclass(frozen=True)
class RateBudget:
    """The per-credential rate limit as a gauge shows it: calls left now, the bucket's size (None:
    not known), its refill per minute (None: not reported) and when it is full again."""

    remaining: int
    burst: int | None
    refill_per_minute: int | None
    full_at: datetime | None

    @property
    def capacity(self) -> int:
        """What the gauge measures `remaining` against (the burst, else the most known to fit)."""
        return max(self.burst or 0, self.refill_per_minute or 0, self.remaining, 1)


@dataclass(frozen=True)
class QuotaChange:
    """What the store has anew: the `status`, or `resource`'s breakdown or history."""

    kind: Literal["status", "breakdown", "history"]
    resource: str | None = None
    days: int | None = None


@dataclass(frozen=True)
class UsageTotals:
    """One resource's usage this period, summed per credential and per module."""

    by_key: int = 0
    by_module: int = 0

    def share(self, used: int, split: Literal["key", "module"]) -> float | None:
        """`used` as a fraction of its split's total (None when nothing was used)."""
        total = self.by_key if split == "key" else self.by_module
        return used / total if total else None


class QuotaStore:
    """The workspace's quota, as last answered; `changes` on every new answer."""

    def __init__(self, client: Any, cache: Any, connection: Any) -> None:
        self._client = client
        self._cache = cache
        self.connection = connection
        self.status: QuotaStatus | None = None
        #: How many answers came before each kept one: the newest of two figures wins.
        self._answers = 0
        self._status_answer = 0
        self._breakdown_answers: dict[str, int] = {}
        self._history_answers: dict[tuple[str, int], int] = {}
        self._breakdowns: dict[str, QuotaBreakdown] = {}
        self._histories: dict[tuple[str, int], list[tuple[date, int]]] = {}
        self.changes: Observable[QuotaChange] = Observable()
        self.burn = BurnRate()
        self.bucket = BucketSize()
        #: The client's `RateLimitState` (limit, remaining, reset_at), or None without a client.
        self.rate_limit = client.rate_limit if client is not None else None
        self.rate_limit_changes: Observable[Any] = Observable()
        self._stop = self.rate_limit.subscribe(self._on_rate_limit) if self.rate_limit is not None else (lambda: None)

    @property
    def connected(self) -> bool:
        return self._client is not None

    @property
    def _quota(self) -> Any:
        if self._client is None:
            raise Offline()
        return self._client.quota

    # ---- status ----------------------------------------------------------------------------
    async def load_cached_status(self) -> QuotaStatus | None:
        """The last status this profile saw, when nothing was asked yet this session."""
        if self.status is None and self._cache is not None:
            cached = await self._cache.get_list(_STATUS_CACHE, None)
            if cached is not None and cached.rows:
                self._set_status(QuotaStatus.model_validate(cached.rows[0]))
        return self.status

    async def refresh_status(self) -> QuotaStatus:
        status = await self._quota.status()
        self._set_status(status)
        if self._cache is not None:
            await self._cache.put_list(_STATUS_CACHE, None, [{"id": "status", **status.model_dump(mode="json")}], None)
        return status

    def _set_status(self, status: QuotaStatus) -> None:
        self.status = status
        self._answers += 1
        self._status_answer = self._answers
        self.changes.emit(QuotaChange("status"))

    def usage(self, resource: str) -> QuotaEntry | None:
        """`resource`'s use this period as one figure: the status's entry, with `used` (and
        `remaining`) from whichever answer about this period came last: the status, the
        breakdown (same period) or a daily history that covers the whole period. Every call this
        console makes is metered, so answers a moment apart differ by the calls between them;
        showing the newest everywhere keeps a card, "this month" and the chart the same number."""
        entry = self.status.quotas.get(resource) if self.status is not None else None
        if entry is None:
            return None
        newest, used = self._status_answer, entry.used
        breakdown = self._breakdowns.get(resource)
        same_period = breakdown is not None and (breakdown.period or "none") == (entry.period or "none")
        if same_period and self._breakdown_answers.get(resource, 0) > newest:
            newest, used = self._breakdown_answers[resource], sum(row.used for row in breakdown.by_key)
        for (of, days), series in self._histories.items():
            in_period = _period_total(series, entry.period)
            if of == resource and in_period is not None and self._history_answers[(of, days)] > newest:
                newest, used = self._history_answers[(of, days)], in_period
        if used == entry.used:
            return entry
        remaining = entry.remaining if entry.limit < 0 else max(0, entry.limit - used)
        return entry.model_copy(update={"used": used, "remaining": remaining})

    # ---- breakdown and history ---------------------------------------------------------------
    async def load_breakdown(self, resource: str) -> QuotaBreakdown:
        if not self.supports("quota.breakdown"):
            raise errors.NotSupported(f"{self._client.dialect.manifest.display_name} gives no usage breakdown",
                                      platform=self._client.dialect.name, operation="quota.breakdown")
        breakdown = await self._quota.breakdown(resource)
        self._breakdowns[resource] = breakdown
        self._answers += 1
        self._breakdown_answers[resource] = self._answers
        self.changes.emit(QuotaChange("breakdown", resource))
        return breakdown

    def breakdown(self, resource: str) -> QuotaBreakdown | None:
        return self._breakdowns.get(resource)

    def totals(self, resource: str) -> UsageTotals:
        breakdown = self._breakdowns.get(resource)
        if breakdown is None:
            return UsageTotals()
        return UsageTotals(sum(row.used for row in breakdown.by_key), sum(row.used for row in breakdown.by_module))

    def supports(self, operation: str) -> bool:
        """True unless the profile's platform lacks `operation` ("quota.history"; its manifest)."""
        dialect = getattr(self._client, "dialect", None)
        return dialect is None or dialect.manifest.supports(operation)

    async def load_history(self, resource: str, days: int) -> list[tuple[date, int]]:
        """The daily usage series; empty on a platform that keeps no history (its manifest)."""
        if self.supports("quota.history"):
            history = await self._quota.history(resource, days)
            series = [(_as_date(day.date), day.used) for day in history.days]
        else:
            series = []
        self._histories[(resource, days)] = series
        self._answers += 1
        self._history_answers[(resource, days)] = self._answers
        self.changes.emit(QuotaChange("history", resource, days))
        return series

    def history(self, resource: str, days: int) -> list[tuple[date, int]] | None:
        """(day, used) oldest first, as last loaded; None before it was."""
        return self._histories.get((resource, days))

    def history_total(self, resource: str, days: int) -> int:
        return sum(used for _, used in self._histories.get((resource, days)) or [])

    # ---- rate limit --------------------------------------------------------------------------
    def _on_rate_limit(self, state: Any) -> None:
        if state.remaining is not None:
            self.burn.add(state.remaining, state.reset_at)
            self.bucket.add(state.limit, state.remaining, state.reset_at)
        self.rate_limit_changes.emit(state)

    def rate_budget(self) -> RateBudget | None:
        """The rate limit as last reported, with the bucket's size where it is known (None before
        any answer reported it)."""
        state = self.rate_limit
        if state is None or state.remaining is None:
            return None
        return RateBudget(state.remaining, self.bucket.size, state.limit, state.reset_at)

    def close(self) -> None:
        self._stop()


def _period_total(series: list[tuple[date, int]], period: str | None) -> int | None:
    """The use in the current period (the series' last day is the platform's today), when the
    daily series covers all of it: a month from its first day, or the day itself; else None."""
    if not series:
        return None
    today = series[-1][0]
    start = {"month": today.replace(day=1), "day": today}.get(period or "none")
    if start is None or series[0][0] > start:
        return None
    return sum(used for day, used in series if day >= start)


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
