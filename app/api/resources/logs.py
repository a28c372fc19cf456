"""`client.dev_logs` (the workspace's request and delivery logs) and `client.events` (the event log)."""

from __future__ import annotations

from app.api.models import (
    ApiRequestLogEntry,
    Delivery,
    Event,
    EventDetail,
    TriggeredEvent,
)
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
    """The event log behind webhooks, newest first; resend one to an endpoint, or fire a fixture
    event in a test workspace."""

    async def list(self, type: str | None = None, limit: int = 20, cursor: str | None = None) -> CursorPage[Event]:
        """One page, newest first, filtered by the arguments (`next_page()` walks on)."""
        return await self._page("/events", Event, {"type": type, "limit": limit, "cursor": cursor})

    async def get(self, event_id: str) -> EventDetail:
        """One event with its payload and the deliveries it caused (NotFound if not in this workspace)."""
        return await self._item("GET", f"/events/{event_id}", EventDetail)

    async def resend(self, event_id: str, webhook_id: str, *, idempotency_key: str | None = None) -> Delivery:
        """A new delivery of this event to that endpoint (whether or not it subscribes to the type,
        whatever its status), with the event's own `webhook-id`."""
        return await self._item("POST", f"/events/{event_id}/resend", Delivery, body={"webhook_id": webhook_id},
                                idempotency_key=idempotency_key)

    async def trigger(self, type: str, *, idempotency_key: str | None = None) -> TriggeredEvent:
        """Make the fixture records an event of `type` needs so the real event fires (test
        workspaces only: a live one answers 403 with `details.reason == "live_workspace"`)."""
        return await self._item("POST", "/events/trigger", TriggeredEvent, body={"type": type},
                                idempotency_key=idempotency_key)
