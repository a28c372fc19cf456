"""The workspace's own request log (`/dev/api-requests`): never a secret, header value or body."""

from __future__ import annotations

from datetime import datetime

from app.api.models.base import ApiModel


class ApiRequestLogEntry(ApiModel):
    """One call the platform recorded (never a secret, header value or body)."""

    id: str
    request_id: str | None = None
    method: str
    path: str
    status: int
    duration_ms: float | None = None
    key_id: str | None = None
    idempotency_key: str | None = None
    user_agent: str | None = None
    created_at: datetime
