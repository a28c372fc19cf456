"""Deletions, for incremental sync (contract v1.1): which records are gone since a time."""

from __future__ import annotations

from datetime import datetime

from app.api.models.base import ApiModel


class Deletion(ApiModel):
    """One deleted record: its id, its resource (`contact`, `company`, …) and when it went."""

    id: str
    resource: str
    deleted_at: datetime
