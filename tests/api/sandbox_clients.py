"""Building clients against a real sandbox process, for the integration tests."""

from __future__ import annotations

import uuid

from app.api import AdminClient, ApiKeyAuth, UserLoginAuth
from app.core.sandbox_process import SandboxProcess


def owner_client(sandbox: SandboxProcess, environment: str = "live", **kwargs) -> AdminClient:
    """A client with the environment's owner key (every scope)."""
    return AdminClient(sandbox.url, ApiKeyAuth(sandbox.credentials()[environment]["owner_key"]), **kwargs)


def readonly_client(sandbox: SandboxProcess, environment: str = "live", **kwargs) -> AdminClient:
    return AdminClient(sandbox.url, ApiKeyAuth(sandbox.credentials()[environment]["readonly_key"]), **kwargs)


def user_client(sandbox: SandboxProcess, environment: str = "live", **kwargs) -> AdminClient:
    """A client signed in as the environment's owner user (email and password)."""
    user = sandbox.credentials()[environment]["user"]
    return AdminClient(sandbox.url, UserLoginAuth(user["email"], user["password"]), **kwargs)


def unique(label: str) -> str:
    """A value no other test (or earlier run on the same data) uses."""
    return f"{label}-{uuid.uuid4().hex[:10]}"
