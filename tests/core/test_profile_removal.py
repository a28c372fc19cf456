"""Deleting a profile removes its settings, keychain entries, cache and drafts."""

from __future__ import annotations

from pathlib import Path

from app.cache import PageCache
from app.core import paths
from app.core.drafts import DraftStore
from app.core.keychain import SecretStore
from app.core.profile_removal import remove_profile
from app.core.profiles import Profile, ProfileStore


def test_delete_removes_keychain_entries_cache_and_drafts(home: Path, memory_keyring) -> None:
    store, secrets = ProfileStore(), SecretStore()
    keep = store.add(Profile(name="Keep", base_url="https://keep.example.com"))
    gone = store.add(Profile(name="Gone", base_url="https://gone.example.com", auth_kind="login",
                             login_email="me@example.com"))
    secrets.set(keep.id, "api_key", "opk_test_keepkeepkeepkeepkeep1234")
    secrets.set(gone.id, "password", "correct horse battery")
    secrets.set(gone.id, "refresh_token", "refresh-token-value")
    with PageCache(paths.profile_cache_file(gone.id)) as cache:
        cache.put_records("contacts", [{"id": "con_1", "name": "Ann"}])
    drafts = DraftStore(paths.drafts_file(gone.id))
    drafts.save("ticket:t1:reply", "half a reply")
    drafts.close()

    remove_profile(store, secrets, "gone")

    assert [p.name for p in ProfileStore().list()] == ["Keep"]
    assert memory_keyring.entries == {("opsdesk", f"{keep.id}:api_key"): "opk_test_keepkeepkeepkeepkeep1234"}
    assert not paths.profile_cache_dir(gone.id).exists()
    assert not paths.profile_data_dir(gone.id).exists()
    secrets.close()
