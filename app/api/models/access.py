"""Who is calling and where: the workspace, its members, the calling credential, API keys."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from app.api.models.base import ApiModel


class Workspace(ApiModel):
    """The tenant every credential belongs to: plan, environment, enabled modules, rate limit."""

    id: str
    name: str
    plan: str | None = None
    environment: str
    enabled_modules: list[str] = Field(default_factory=list)
    rate_limit_per_minute: int | None = None


class Member(ApiModel):
    """A person in the workspace (a ticket assignee)."""

    id: str
    name: str
    email: str
    role: str
    status: str


class Me(ApiModel):
    """The calling credential: an API key or a signed-in user, with its scopes."""

    kind: str
    id: str
    name: str | None = None
    scopes: list[str] = Field(default_factory=list)
    workspace_id: str
    expires_at: datetime | None = None


class ApiKey(ApiModel):
    """An API key as listed: prefix and last four characters only, never the secret."""

    id: str
    name: str
    prefix: str
    last4: str
    environment: str
    scopes: list[str] = Field(default_factory=list)
    status: str
    created_at: datetime
    created_by: str | None = None
    last_used_at: datetime | None = None
    expires_at: datetime | None = None


class ApiKeyWithSecret(ApiKey):
    """Returned once, on create and on rotate: the full `opk_…` secret. Store it, never log it."""

    secret: str = Field(repr=False)
    previous_key: ApiKey | None = None


class ApiKeyCreate(ApiModel):
    """What a new key is called, what it may do, and when it lapses."""

    name: str
    scopes: list[str]
    expires_in_days: int | None = None
