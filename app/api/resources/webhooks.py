"""`client.webhooks` (with `.deliveries`): endpoints, their signing secrets, delivery history, and
the operations after an outage (recover a window, retry in bulk, rotate a secret with an overlap)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from app.api.models import (
    Delivery,
    DeliveryDetail,
    RecoverJob,
    RecoverMatched,
    RecoverRequest,
    RecoverStatus,
    RetryManyResult,
    Webhook,
    WebhookCreate,
    WebhookUpdate,
    WebhookWithSecret,
)
from app.api.models.webhook_ops import RETRY_MANY_LIMIT
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

    async def retry_many(self, webhook_id: str, delivery_ids: Iterable[str], *,
                         idempotency_key: str | None = None) -> RetryManyResult:
        """Send up to 100 deliveries of this endpoint again now; a result per id, in order (an id
        that is not this endpoint's is refused on its own, the others still go)."""
        ids = list(dict.fromkeys(delivery_ids))
        if not ids:
            raise ValueError("delivery_ids is empty: pick at least one delivery to retry")
        if len(ids) > RETRY_MANY_LIMIT:
            raise ValueError(f"delivery_ids has {len(ids)} ids; one bulk retry takes at most {RETRY_MANY_LIMIT}")
        return await self._item("POST", f"/webhooks/{webhook_id}/deliveries/retry", RetryManyResult,
                                body={"delivery_ids": ids}, idempotency_key=idempotency_key)


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

    async def rotate_secret(self, webhook_id: str, overlap_hours: float = 24, *,
                            idempotency_key: str | None = None) -> WebhookWithSecret:
        """A new signing secret, returned once. For `overlap_hours` (0–168) deliveries carry the old
        secret's signature too (`previous_secret_expires_at` says until when), so receivers switch
        at their own pace; 0 retires the old secret at once."""
        if not 0 <= overlap_hours <= 168:
            raise ValueError(f"overlap_hours is {overlap_hours}; it must be between 0 and 168 (a week)")
        return await self._item("POST", f"/webhooks/{webhook_id}/rotate-secret", WebhookWithSecret,
                                body={"overlap_hours": overlap_hours}, idempotency_key=idempotency_key)

    async def recover(self, webhook_id: str, since: datetime, until: datetime | None = None,
                      statuses: Iterable[str] | None = None, dry_run: bool = False, *,
                      idempotency_key: str | None = None) -> RecoverJob | RecoverMatched:
        """Queue again every delivery of this endpoint created in `[since, until)` whose status is one
        of `statuses` (the server's default: failed), each with its original `webhook-id`. A dry run
        only counts them (`RecoverMatched`); otherwise a job starts (`RecoverJob`). Works on paused
        and disabled endpoints, which stay as they are."""
        for name, moment in (("since", since), ("until", until)):
            if moment is not None and moment.tzinfo is None:
                raise ValueError(f"{name} has no time zone; pass an aware datetime (e.g. in UTC)")
        if until is not None and until <= since:
            raise ValueError("until must be later than since")
        request = RecoverRequest(since=since, until=until, dry_run=dry_run,
                                 statuses=None if statuses is None else list(statuses))
        body = request.model_dump(mode="json", exclude_none=True)
        model = RecoverMatched if dry_run else RecoverJob
        return await self._item("POST", f"/webhooks/{webhook_id}/recover", model, body=body,
                                idempotency_key=idempotency_key)

    async def recover_status(self, webhook_id: str, job_id: str) -> RecoverStatus:
        """Where a recover job stands: matched, queued, succeeded, failed, running or done."""
        return await self._item("GET", f"/webhooks/{webhook_id}/recover/{job_id}", RecoverStatus)

    async def recover_jobs(self, webhook_id: str, limit: int = 20,
                           cursor: str | None = None) -> CursorPage[RecoverStatus]:
        """This endpoint's recover jobs, newest first (a sandbox addition to the contract)."""
        return await self._page(f"/webhooks/{webhook_id}/recover", RecoverStatus, {"limit": limit, "cursor": cursor})

    async def recover_cancel(self, webhook_id: str, job_id: str) -> RecoverStatus:
        """Stop a running recover job: deliveries not yet sent again are left as they were;
        attempts in flight finish (a sandbox addition to the contract)."""
        return await self._item("POST", f"/webhooks/{webhook_id}/recover/{job_id}/cancel", RecoverStatus)
