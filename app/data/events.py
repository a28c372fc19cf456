"""The event log behind webhooks: browse it, see what one event sent and to whom, resend it, and
fire a fixture event in a test workspace.

An event (`contact.created`, `invoice.paid` …) is what the platform delivers; its detail holds the
exact JSON body its deliveries carry and every delivery it caused. *Resend to…* makes a new
delivery of that event to one endpoint (with the event's own `webhook-id`, so a receiver that
already has it can de-duplicate). *Trigger* asks the platform to make whatever records an event
needs through its own rules, so the real event fires: only in a test workspace, never a live one.
"""

from __future__ import annotations

from typing import Any

from app.api import errors
from app.api.models import Delivery, Event, EventDetail, TriggeredEvent
from app.api.pagination import CursorPage

#: Events per page of the log.
EVENT_PAGE = 50


class TriggerRefused(Exception):
    """The platform will not make fixture events here; the message says why."""


def trigger_block_reason(*, live: bool, supported: bool) -> str | None:
    """Why Trigger is off for this profile, or None when it can be used."""
    if not supported:
        return "This platform cannot make fixture events."
    if live:
        return ("Trigger makes fixture records (contacts, invoices, payments) to fire a real event: "
                "test workspaces only, and this profile is live.")
    return None


class EventLog:
    """Reads and acts on the event log through the webhook store's client."""

    def __init__(self, webhooks: Any) -> None:
        self._webhooks = webhooks  # the WebhookStore: its client, its delivery-changed signal

    @property
    def _api(self) -> Any:
        return self._webhooks.client_part("events")

    def supports(self, operation: str) -> bool:
        return self._webhooks.supports(operation)

    async def page(self, *, type: str | None = None, limit: int = EVENT_PAGE) -> CursorPage[Event]:
        """The newest events (of one type, or all)."""
        return await self._api.list(type=type, limit=limit)

    async def more(self, page: CursorPage[Event]) -> CursorPage[Event] | None:
        return await page.next_page()

    async def detail(self, event_id: str) -> EventDetail:
        """The event with its payload and the deliveries it caused."""
        return await self._api.get(event_id)

    async def resend(self, event_id: str, webhook_id: str) -> Delivery:
        """A new delivery of the event to that endpoint (whatever its subscriptions or status)."""
        delivery = await self._api.resend(event_id, webhook_id)
        self._webhooks.deliveries_changed.emit(webhook_id)
        return delivery

    async def trigger(self, event_type: str, *, live: bool) -> TriggeredEvent:
        """Make a fixture `event_type` event; `TriggerRefused` in a live workspace."""
        reason = trigger_block_reason(live=live, supported=self.supports("events.trigger"))
        if reason:
            raise TriggerRefused(reason)
        try:
            return await self._api.trigger(event_type)
        except errors.Forbidden as error:
            if error.details.get("reason") == "live_workspace":
                raise TriggerRefused(trigger_block_reason(live=True, supported=True)) from None
            raise
