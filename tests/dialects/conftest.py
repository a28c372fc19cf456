"""Clients of every dialect against the shared sandbox's mounts (`/dialects/<name>/…`).

`credentials.json` lists each dialect's credentials per workspace under `dialects`, in that
platform's own names (the names of its `Dialect.credential_fields`), beside `base_url` (a path
below the sandbox root) and an optional `readonly` set.
"""

from __future__ import annotations

import importlib.util

import pytest

from app.api import AdminClient, ApiKeyAuth
from app.api.dialects import DIALECTS, dialect_for
from app.core.sandbox_process import SandboxProcess
from app.sandbox.dialects.registry import MOUNTS

#: Dialects with both halves built: the client's adapter and the sandbox's mount.
BUILT = [name for name, (module, _) in DIALECTS.items() if importlib.util.find_spec(module) is not None
         and (name == "opsdesk" or importlib.util.find_spec(MOUNTS[name][0]) is not None)]


def sandbox_root(sandbox: SandboxProcess) -> str:
    """The sandbox's URL without the contract's `/v1`."""
    return sandbox.url.rstrip("/").removesuffix("/v1")


def dialect_section(sandbox: SandboxProcess, name: str, environment: str = "live") -> dict:
    """The credentials.json section of dialect `name` (the contract's own keys for `opsdesk`)."""
    workspace = sandbox.credentials()[environment]
    if name == "opsdesk":
        return {"base_url": "/v1", "api_key": workspace["owner_key"],
                "readonly": {"api_key": workspace["readonly_key"]}}
    return workspace["dialects"][name]


def dialect_client(sandbox: SandboxProcess, name: str, *, readonly: bool = False,
                   environment: str = "live", **kwargs) -> AdminClient:
    """An `AdminClient` speaking dialect `name` to its mount, with its full (or read-only) credentials."""
    section = dialect_section(sandbox, name, environment)
    dialect = dialect_for(name)
    credentials = section.get("readonly", section) if readonly else section
    return AdminClient(sandbox_root(sandbox) + section["base_url"], dialect.auth(credentials),
                       dialect=dialect, **kwargs)


#: Where test endpoints point: a port that refuses at once, so deliveries to it never hold the
#: shared sandbox's worker (an unreachable host would, for its whole connect timeout).
REFUSING_RECEIVER = "http://127.0.0.1:9/hooks"


async def delete_webhook(sandbox: SandboxProcess, webhook_id: str) -> None:
    """Remove an endpoint a test made (through the contract: some platforms cannot delete)."""
    async with AdminClient(sandbox.url, ApiKeyAuth(sandbox.credentials()["live"]["owner_key"])) as contract:
        await contract.webhooks.delete(webhook_id)


@pytest.fixture(params=BUILT)
def dialect_name(request: pytest.FixtureRequest) -> str:
    """Each dialect whose client adapter exists."""
    return request.param
