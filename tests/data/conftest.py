"""Fixtures of the store tests: a session's stores over the shared sandbox, and a colleague."""

from __future__ import annotations

import pytest

from app.api import AdminClient, ApiKeyAuth
from app.cache import AsyncPageCache
from app.data.stores import Stores


@pytest.fixture
async def stores(sandbox, sandbox_credentials, tmp_path):
    """The stores of one session: a client on the sandbox's test workspace and a page cache of its own."""
    client = AdminClient(sandbox.url, ApiKeyAuth(sandbox_credentials["test"]["owner_key"]))
    cache = await AsyncPageCache.open(tmp_path / "cache.sqlite3")
    made = Stores(client, cache)
    yield made
    made.close()
    await cache.close()
    await client.aclose()


@pytest.fixture
async def colleague(sandbox, sandbox_credentials):
    """A second client changing the same workspace meanwhile."""
    async with AdminClient(sandbox.url, ApiKeyAuth(sandbox_credentials["test"]["owner_key"])) as client:
        yield client


@pytest.fixture
def session(stores, colleague):
    """(stores, colleague)."""
    return stores, colleague
