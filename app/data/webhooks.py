"""Webhook endpoints with their deliveries."""

from __future__ import annotations

from app.api.models import Webhook, WebhookUpdate
from app.data.record_store import RecordStore


class WebhookStore(RecordStore[Webhook]):
    """Webhook endpoints, cached and on the server."""

    resource = "webhooks"
    endpoint = "webhooks"
    model = Webhook
    editable = frozenset(WebhookUpdate.model_fields)
