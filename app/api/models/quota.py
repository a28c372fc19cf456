"""Quota usage: current status, its split per key and module, daily history, and consumption."""

from __future__ import annotations

from datetime import datetime
from typing import Any

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
        return self.limit == -1


class QuotaStatus(ApiModel):
    workspace_id: str
    quotas: dict[str, QuotaEntry] = Field(default_factory=dict)


class QuotaBreakdown(ApiModel):
    """Usage split per API key and per module; the exact shape is the server's (extras kept)."""

    workspace_id: str | None = None


class QuotaHistory(ApiModel):
    """Daily usage of one resource, oldest first, for charts."""

    resource: str | None = None
    days: list[dict[str, Any]] | int | None = None


class QuotaConsumeResult(ApiModel):
    allowed: bool
    used: int
    limit: int
    remaining: int
    resource: str | None = None
    period: str | None = None
    reset_at: datetime | None = None
