"""Deleting a profile removes its settings, keychain entries, cache, drafts and own sandbox data."""

from __future__ import annotations

from pathlib import Path

from app.cache import PageCache
from app.core import paths
from app.core.drafts import DraftStore
from app.core.first_run import LIVE_SANDBOX_NAME, first_run
from app.core.keychain import SecretStore
from app.core.profile_removal import remove_profile
from app.core.profiles import Profile, ProfileStore
from tests.core.conftest import files_containing


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


def test_deleting_the_local_sandbox_profile_removes_its_credentials(home: Path, memory_keyring) -> None:
    """The sandbox's credentials.json holds plaintext keys and the user's password: it goes too."""
    store, secrets = ProfileStore(), SecretStore()
    local = first_run(store, secrets, seed_size=5)
    local.process.stop()  # the precondition: the console stops the child before removing
    sandbox_dir = Path(local.profile.sandbox_data_dir)
    credentials = sandbox_dir / "credentials.json"
    assert local.secret in credentials.read_text()

    remove_profile(store, secrets, local.profile.name)
    assert sandbox_dir.exists(), "the live workspace's profile still uses it"
    for other in [p for p in store.list() if p.platform != "opsdesk"]:  # the sandbox in the other dialects
        remove_profile(store, secrets, other.name)
        assert sandbox_dir.exists(), "the live workspace's profile still uses it"
    remove_profile(store, secrets, LIVE_SANDBOX_NAME)

    assert ProfileStore().list() == [] and memory_keyring.entries == {}
    assert not sandbox_dir.exists()
    assert files_containing(home, local.secret) == []
    secrets.close()


def test_a_sandbox_dir_outside_the_consoles_data_dir_is_left_alone(home: Path, memory_keyring) -> None:
    elsewhere = home / "my-sandbox"
    elsewhere.mkdir()
    (elsewhere / "notes.txt").write_text("mine")
    store, secrets = ProfileStore(), SecretStore()
    store.add(Profile(name="Mine", base_url="http://127.0.0.1:9", is_local_sandbox=True,
                      sandbox_data_dir=str(elsewhere)))

    remove_profile(store, secrets, "Mine")

    assert ProfileStore().list() == [] and (elsewhere / "notes.txt").read_text() == "mine"
    secrets.close()
