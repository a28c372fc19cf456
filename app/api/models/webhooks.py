"""Webhook endpoints, their deliveries and attempts, and the event log behind them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from app.api.models.base import ApiModel

#: The contract's webhook event types, in the order the console lists them (the endpoint form's
#: checkboxes, the deliveries filter, the listener's temporary endpoint subscribing to all).
EVENT_TYPES: tuple[str, ...] = (
    "contact.created", "contact.updated", "contact.deleted",
    "company.created", "company.updated",
    "ticket.created", "ticket.updated", "ticket.message.created",
    "invoice.created", "invoice.sent", "invoice.paid", "invoice.overdue", "invoice.voided",
    "payment.recorded",
    "api_key.created", "api_key.rotated", "api_key.revoked",
    "webhook.test",
)


class Webhook(ApiModel):
    """A webhook endpoint; only a preview of its signing secret."""

    id: str
    name: str
    url: str
    description: str | None = None
    event_types: list[str] = Field(default_factory=list)
    status: str
    disabled_reason: str | None = None
    signing_secret_preview: str | None = None
    #: Until then deliveries carry the previous secret's signature too (after a rotation with an overlap).
    previous_secret_expires_at: datetime | None = None
    success_rate: float | None = None
    last_delivery_at: datetime | None = None
    created_at: datetime


class WebhookWithSecret(Webhook):
    """Returned once, on create and on rotate-secret: the full `whsec_…` signing secret."""

    signing_secret: str = Field(repr=False)


class WebhookCreate(ApiModel):
    """A new endpoint: where to send which events."""

    name: str
    url: str
    event_types: list[str]
    description: str | None = None


class WebhookUpdate(ApiModel):
    """Only the fields set are sent."""

    name: str | None = None
    url: str | None = None
    description: str | None = None
    event_types: list[str] | None = None
    status: str | None = None


class Delivery(ApiModel):
    """One event's delivery to one endpoint and where it stands."""

    id: str
    webhook_id: str
    event_id: str
    event_type: str
    status: str
    attempt_count: int = 0
    next_attempt_at: datetime | None = None
    created_at: datetime


class DeliveryAttempt(ApiModel):
    """One try at a delivery: status, first 4 KiB of the answer, duration, error."""

    attempted_at: datetime
    response_status: int | None = None
    response_body: str | None = None
    duration_ms: float | None = None
    error: str | None = None


class DeliveryDetail(Delivery):
    """A delivery with the payload sent and every attempt."""

    payload: Any = None
    attempts: list[DeliveryAttempt] = Field(default_factory=list)


class Event(ApiModel):
    """One entry of the event log behind webhooks."""

    id: str
    type: str
    created_at: datetime
    data: dict[str, Any] = Field(default_factory=dict)
