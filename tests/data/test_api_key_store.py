"""The API key store against the real sandbox: the console's own key comes from the session's
identity (asked once), the usable count follows every write, and a rotation keeps its new secret
even when a later step fails."""

from __future__ import annotations

import pytest

from app.api import AdminClient, ApiKeyAuth, errors
from app.api.models import ApiKeyCreate
from app.cache import AsyncPageCache
from app.data.stores import Stores


@pytest.fixture
async def session(sandbox, sandbox_credentials, tmp_path):
    client = AdminClient(sandbox.url, ApiKeyAuth(sandbox_credentials["test"]["owner_key"]))
    cache = await AsyncPageCache.open(tmp_path / "cache.sqlite3")
    paths: list[str] = []
    client.add_request_listener(lambda record: paths.append(record.url.rsplit("/v1", 1)[1]))
    yield Stores(client, cache), paths
    await cache.close()
    await client.aclose()


async def test_the_own_key_comes_from_the_identity_asked_once(session) -> None:
    stores, paths = session
    await stores.api_keys.reload()
    await stores.api_keys.reload()
    assert paths.count("/me") == 1
    own = stores.api_keys.own_key_id
    assert own is not None and own == stores.identity.current.credential_id
    assert stores.api_keys.listed_one(own) is not None


async def test_the_usable_count_follows_create_and_revoke_and_no_secret_is_kept(session, tmp_path) -> None:
    stores, _paths = session
    store = stores.api_keys
    await store.reload()
    before = store.usable_count()
    revealed = await store.create_key(ApiKeyCreate(name="Counted", scopes=["crm:read"]))
    assert store.usable_count() == before + 1 and store.listed[0].id == revealed.record.id
    assert store.creator_name(revealed.record.id) == "key “Counted”"
    await store.revoke(revealed.record)
    assert store.usable_count() == before and store.listed_one(revealed.record.id).status == "revoked"
    for path in tmp_path.iterdir():
        assert revealed.secret.encode() not in path.read_bytes(), path


async def test_a_rotation_whose_switch_fails_keeps_the_new_secret_and_the_old_key(session, sandbox) -> None:
    stores, _paths = session
    store = stores.api_keys
    old = (await store.create_key(ApiKeyCreate(name="Rotated", scopes=["crm:read"]))).record
    rotation = store.rotation(old)
    rotation.is_own = True  # as if it were the console's key: the switch is checked against the identity
    steps: list[str] = []
    await store.rotate(rotation, 0, switch_credential=lambda secret: None, progress=steps.append)
    assert rotation.rehearsal.ok and not rotation.switched and not rotation.revoked_old
    assert steps[-1] == "Switching the console to the new key…"
    assert rotation.secret.startswith("opk_test_") and store.listed[0].id == rotation.new_key.id
    async with AdminClient(sandbox.url, ApiKeyAuth(rotation.secret)) as fresh:
        assert (await fresh.me.get()).id == rotation.new_key.id
    with pytest.raises(RuntimeError):
        await store.rotate(rotation, 0, switch_credential=lambda secret: None, progress=steps.append)


async def test_offline_the_cached_keys_are_shown_and_a_reload_says_offline(session) -> None:
    stores, _paths = session
    await stores.api_keys.reload()
    offline = Stores(None, stores.cache).api_keys
    assert {k.id for k in await offline.load_cached()} == {k.id for k in stores.api_keys.listed}
    with pytest.raises(errors.ApiConnectionError):
        await offline.reload()
