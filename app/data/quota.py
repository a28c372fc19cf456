"""Quota usage: the status of every resource, one resource's split per key and per module, its
daily history, and the live per-minute rate limit with its burn rate.

The store keeps the latest answer of each kind and derives what a view shows from them (totals,
shares, the history's sum), so the numbers on screen always agree with each other. The rate
limit follows every response the session's client sees (`X-RateLimit-*`), from the session's
start, whether or not a view is open; `rate_limit_changes` tells a gauge to redraw.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from app.api.models import QuotaBreakdown, QuotaStatus
from app.data.burn_rate import BurnRate
from app.data.observable import Observable
from app.data.record_store import Offline

#: Page cache entry holding the last status (offline starts show it).
_STATUS_CACHE = "quota_status"


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
        self._breakdowns: dict[str, QuotaBreakdown] = {}
        self._histories: dict[tuple[str, int], list[tuple[date, int]]] = {}
        self.changes: Observable[QuotaChange] = Observable()
        self.burn = BurnRate()
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
        self.changes.emit(QuotaChange("status"))

    # ---- breakdown and history ---------------------------------------------------------------
    async def load_breakdown(self, resource: str) -> QuotaBreakdown:
        breakdown = await self._quota.breakdown(resource)
        self._breakdowns[resource] = breakdown
        self.changes.emit(QuotaChange("breakdown", resource))
        return breakdown

    def breakdown(self, resource: str) -> QuotaBreakdown | None:
        return self._breakdowns.get(resource)

    def totals(self, resource: str) -> UsageTotals:
        breakdown = self._breakdowns.get(resource)
        if breakdown is None:
            return UsageTotals()
        return UsageTotals(sum(row.used for row in breakdown.by_key), sum(row.used for row in breakdown.by_module))

    async def load_history(self, resource: str, days: int) -> list[tuple[date, int]]:
        history = await self._quota.history(resource, days)
        series = [(_as_date(day.date), day.used) for day in history.days]
        self._histories[(resource, days)] = series
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
        self.rate_limit_changes.emit(state)

    def close(self) -> None:
        self._stop()


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
