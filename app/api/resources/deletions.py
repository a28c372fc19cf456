"""`client.deletions`: what was deleted since a time, so a cache can drop it (contract v1.1)."""

from __future__ import annotations

from datetime import datetime

from app.api.models.deletions import Deletion
from app.api.pagination import CursorPage
from app.api.resources.base import Resource


class Deletions(Resource):
    """`GET /deletions`, oldest first; the resource's `:read` scope is needed."""

    async def list(self, resource: str, since: datetime | None = None, limit: int = 100,
                   cursor: str | None = None) -> CursorPage[Deletion]:
        """One page of deletions of `resource` (`contact`, `company`, `ticket`, …) since `since`."""
        return await self._page("/deletions", Deletion, {
            "resource": resource, "since": since, "limit": limit, "cursor": cursor})
