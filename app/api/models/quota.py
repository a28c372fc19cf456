"""Quota usage: current status, its split per key and module, daily history, and consumption."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import Field

from app.api.models.base import ApiModel


class QuotaEntry(ApiModel):
    """One resource's budget; `limit == -1` means unlimited."""

    used: int
    limit: int
    remaining: int
    period: str | None = None
    reset_at: datetime | None = None

    @property
    def unlimited(self) -> bool:
        """True when this resource has no limit."""
        return self.limit == -1


class QuotaStatus(ApiModel):
    """Usage against every quota, keyed by resource (api_calls, ai_calls, storage_bytes, seats)."""

    workspace_id: str
    quotas: dict[str, QuotaEntry] = Field(default_factory=dict)


class QuotaKeyUsage(ApiModel):
    """One credential's share of a resource's usage this period."""

    credential_id: str
    name: str | None = None
    kind: str
    used: int


class QuotaModuleUsage(ApiModel):
    """One module's share of a resource's usage this period."""

    module: str
    used: int


class QuotaBreakdown(ApiModel):
    """One resource's usage this period, split per credential and per module."""

    workspace_id: str
    resource: str
    period: str | None = None
    by_key: list[QuotaKeyUsage] = Field(default_factory=list)
    by_module: list[QuotaModuleUsage] = Field(default_factory=list)


class QuotaDay(ApiModel):
    """Usage of one resource on one UTC day."""

    date: date
    used: int


class QuotaHistory(ApiModel):
    """Daily usage of one resource, oldest first, for charts."""

    workspace_id: str | None = None
    resource: str
    days: list[QuotaDay] = Field(default_factory=list)


class QuotaConsumeResult(ApiModel):
    """The decision on a consumption: over the limit is `allowed=False`, not an error."""

    allowed: bool
    used: int
    limit: int
    remaining: int
    resource: str | None = None
    period: str | None = None
    reset_at: datetime | None = None
