"""`client.webhooks` (with `.deliveries`): endpoints, their signing secrets and delivery history."""

from __future__ import annotations

from typing import Any

from app.api.models import (
    Delivery,
    DeliveryDetail,
    Webhook,
    WebhookCreate,
    WebhookUpdate,
    WebhookWithSecret,
)
from app.api.pagination import CursorPage
from app.api.request_loop import RequestLoop
from app.api.resources.base import Resource, as_body


class WebhookDeliveries(Resource):
    """One endpoint's deliveries: list, inspect with every attempt, send again now."""

    async def list(self, webhook_id: str, status: str | None = None, event_type: str | None = None,
                   limit: int = 20, cursor: str | None = None) -> CursorPage[Delivery]:
        """One page, newest first, filtered by the arguments (`next_page()` walks on)."""
        return await self._page(f"/webhooks/{webhook_id}/deliveries", Delivery, {
            "status": status, "event_type": event_type, "limit": limit, "cursor": cursor})

    async def get(self, webhook_id: str, delivery_id: str) -> DeliveryDetail:
        """One record by id (NotFound if it is not in this workspace)."""
        return await self._item("GET", f"/webhooks/{webhook_id}/deliveries/{delivery_id}", DeliveryDetail)

    async def retry(self, webhook_id: str, delivery_id: str, *, idempotency_key: str | None = None) -> Delivery:
        """Send the delivery again now, whatever its status."""
        return await self._item("POST", f"/webhooks/{webhook_id}/deliveries/{delivery_id}/retry", Delivery,
                                idempotency_key=idempotency_key)


class Webhooks(Resource):
    """Webhook endpoints. The full signing secret comes back only from `create` and `rotate_secret`."""

    def __init__(self, loop: RequestLoop) -> None:
        super().__init__(loop)
        self.deliveries = WebhookDeliveries(loop)

    async def list(self, limit: int = 100, cursor: str | None = None) -> CursorPage[Webhook]:
        """One page, newest first, filtered by the arguments (`next_page()` walks on)."""
        return await self._page("/webhooks", Webhook, {"limit": limit, "cursor": cursor})

    async def get(self, webhook_id: str) -> Webhook:
        """One record by id (NotFound if it is not in this workspace)."""
        return await self._item("GET", f"/webhooks/{webhook_id}", Webhook)

    async def create(self, webhook: WebhookCreate | dict[str, Any], *,
                     idempotency_key: str | None = None) -> WebhookWithSecret:
        """Create it; retries reuse one Idempotency-Key, so it happens once."""
        return await self._item("POST", "/webhooks", WebhookWithSecret, body=as_body(webhook, WebhookCreate),
                                idempotency_key=idempotency_key)

    async def update(self, webhook_id: str, patch: WebhookUpdate | dict[str, Any], *,
                     if_match: int | None = None, idempotency_key: str | None = None) -> Webhook:
        """Change only the fields given; `if_match` (a version) refuses a stale edit."""
        return await self._item("PATCH", f"/webhooks/{webhook_id}", Webhook, body=as_body(patch, WebhookUpdate),
                                if_match=if_match, idempotency_key=idempotency_key)

    async def delete(self, webhook_id: str, *, if_match: int | None = None) -> None:
        """Delete it; `if_match` (a version) refuses a stale delete."""
        await self._none("DELETE", f"/webhooks/{webhook_id}", if_match=if_match)

    async def test(self, webhook_id: str, *, idempotency_key: str | None = None) -> Delivery:
        """Queue a `webhook.test` event for this endpoint only; returns its delivery."""
        return await self._item("POST", f"/webhooks/{webhook_id}/test", Delivery, idempotency_key=idempotency_key)

    async def rotate_secret(self, webhook_id: str, *, idempotency_key: str | None = None) -> WebhookWithSecret:
        """A new signing secret, returned once."""
        return await self._item("POST", f"/webhooks/{webhook_id}/rotate-secret", WebhookWithSecret,
                                idempotency_key=idempotency_key)
