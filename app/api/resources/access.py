"""`client.workspace`, `client.members`, `client.me` and `client.api_keys`: who calls, and with what."""

from __future__ import annotations

from typing import Any

from app.api.models import ApiKey, ApiKeyCreate, ApiKeyWithSecret, Me, Member, Workspace
from app.api.pagination import CursorPage
from app.api.resources.base import Resource, as_body


class WorkspaceResource(Resource):
    """The workspace the credential belongs to."""

    async def get(self) -> Workspace:
        """One record by id (NotFound if it is not in this workspace)."""
        return await self._item("GET", "/workspace", Workspace)


class Members(Resource):
    """The workspace's people (ticket assignees)."""

    async def list(self, limit: int = 100, cursor: str | None = None) -> CursorPage[Member]:
        """One page, newest first, filtered by the arguments (`next_page()` walks on)."""
        return await self._page("/members", Member, {"limit": limit, "cursor": cursor})


class MeResource(Resource):
    """The calling credential: kind, scopes, expiry."""

    async def get(self) -> Me:
        """One record by id (NotFound if it is not in this workspace)."""
        return await self._item("GET", "/me", Me)


class ApiKeys(Resource):
    """API keys: list, create and rotate (the secret is returned once), revoke."""

    async def list(self, limit: int = 100, cursor: str | None = None) -> CursorPage[ApiKey]:
        """One page, newest first, filtered by the arguments (`next_page()` walks on)."""
        return await self._page("/api-keys", ApiKey, {"limit": limit, "cursor": cursor})

    async def get(self, key_id: str) -> ApiKey:
        """One record by id (NotFound if it is not in this workspace)."""
        return await self._item("GET", f"/api-keys/{key_id}", ApiKey)

    async def create(self, key: ApiKeyCreate | dict[str, Any], *,
                     idempotency_key: str | None = None) -> ApiKeyWithSecret:
        """Create it; retries reuse one Idempotency-Key, so it happens once."""
        return await self._item("POST", "/api-keys", ApiKeyWithSecret, body=as_body(key, ApiKeyCreate),
                                idempotency_key=idempotency_key)

    async def rotate(self, key_id: str, grace_period_hours: int = 24, *,
                     idempotency_key: str | None = None) -> ApiKeyWithSecret:
        """A new key (new id, same name and scopes); the old one keeps working for the grace period."""
        if not 0 <= grace_period_hours <= 168:
            raise ValueError(f"grace_period_hours must be 0–168, not {grace_period_hours}")
        return await self._item("POST", f"/api-keys/{key_id}/rotate", ApiKeyWithSecret,
                                body={"grace_period_hours": grace_period_hours}, idempotency_key=idempotency_key)

    async def revoke(self, key_id: str, *, idempotency_key: str | None = None) -> ApiKey:
        """Stop the key at once: its next call is 401 `revoked`."""
        return await self._item("POST", f"/api-keys/{key_id}/revoke", ApiKey, idempotency_key=idempotency_key)
