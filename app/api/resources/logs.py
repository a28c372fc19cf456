"""`client.dev_logs` (the workspace's request and delivery logs) and `client.events` (the event log)."""

from __future__ import annotations

from app.api.models import ApiRequestLogEntry, Delivery, Event
from app.api.pagination import CursorPage
from app.api.resources.base import Resource


class DevLogs(Resource):
    """What the platform recorded about calls and webhook deliveries in this workspace."""

    async def api_requests(self, status: int | None = None, method: str | None = None,
                           key_id: str | None = None, limit: int = 20,
                           cursor: str | None = None) -> CursorPage[ApiRequestLogEntry]:
        """One page of the calls the platform recorded in this workspace, newest first."""
        return await self._page("/dev/api-requests", ApiRequestLogEntry, {
            "status": status, "method": method, "key_id": key_id, "limit": limit, "cursor": cursor})

    async def webhook_deliveries(self, status: str | None = None, event_type: str | None = None,
                                 webhook_id: str | None = None, limit: int = 20,
                                 cursor: str | None = None) -> CursorPage[Delivery]:
        """One page of every endpoint's deliveries, newest first."""
        return await self._page("/dev/webhook-deliveries", Delivery, {
            "status": status, "event_type": event_type, "webhook_id": webhook_id, "limit": limit,
            "cursor": cursor})


class Events(Resource):
    """The event log behind webhooks, newest first."""

    async def list(self, type: str | None = None, limit: int = 20, cursor: str | None = None) -> CursorPage[Event]:
        """One page, newest first, filtered by the arguments (`next_page()` walks on)."""
        return await self._page("/events", Event, {"type": type, "limit": limit, "cursor": cursor})

    async def get(self, event_id: str) -> Event:
        """One record by id (NotFound if it is not in this workspace)."""
        return await self._item("GET", f"/events/{event_id}", Event)
