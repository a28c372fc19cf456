"""First run against the real sandbox: a working profile whose key is in the keychain; later runs use the
sandbox still running."""

from __future__ import annotations

from pathlib import Path

import httpx
import keyring
import pytest
from keyring.backends import fail

from app.core import paths
from app.core.first_run import LIVE_SANDBOX_NAME, LOCAL_SANDBOX_NAME, start_for_console
from app.core.keychain import SecretStore
from app.core.profiles import Profile, ProfileStore
from tests.core.conftest import files_containing
from tests.core.sandbox_cleanup import no_sandbox_left_fixture  # noqa: F401  (fixture)
from tests.dialects.conftest import BUILT

SEED = {"seed_size": 20}


def contacts_status(url: str, secret: str) -> int:
    return httpx.get(f"{url}/contacts", params={"limit": 1},
                     headers={"Authorization": f"Bearer {secret}"}, timeout=10).status_code


def secret_files(secret: str) -> list[Path]:
    """Files holding the secret in the console's own dirs (the sandbox's data dir is its own)."""
    return [f for d in (paths.config_dir(), paths.cache_dir(), paths.log_dir()) if d.exists()
            for f in files_containing(d, secret)]


def test_first_run_creates_the_profile_and_keeps_the_key_in_the_keychain(home: Path, memory_keyring,
                                                                        no_sandbox_left) -> None:
    store, secrets = ProfileStore(), SecretStore()
    first = start_for_console(store, secrets, **SEED)
    try:
        assert first is not None and first.created and not first.secret_session_only
        assert first.profile.name == LOCAL_SANDBOX_NAME and first.profile.environment == "test"
        assert first.url.startswith("http://127.0.0.1:") and first.profile.base_url == first.url
        assert first.secret.startswith("opk_test_")
        assert memory_keyring.entries[("opsdesk", f"{first.profile.id}:api_key")] == first.secret
        assert contacts_status(first.url, first.secret) == 200
        assert Path(first.profile.sandbox_data_dir).is_relative_to(paths.data_dir())
        profiles = ProfileStore().list()
        assert profiles[0] == first.profile
        assert [p.name for p in profiles if p.platform == "opsdesk"] == [LOCAL_SANDBOX_NAME, LIVE_SANDBOX_NAME]
        # Every other dialect the sandbox serves is a profile of its own, on the same sandbox.
        dialects = [p for p in profiles if p.platform != "opsdesk"]
        assert {p.platform for p in dialects} == {name for name in BUILT if name != "opsdesk"}
        assert all(p.sandbox_data_dir == first.profile.sandbox_data_dir and p.name.startswith(LOCAL_SANDBOX_NAME + " · ")
                   for p in dialects)
        live = profiles[1]
        assert live.environment == "live" and live.sandbox_data_dir == first.profile.sandbox_data_dir
        live_key = memory_keyring.entries[("opsdesk", f"{live.id}:api_key")]
        assert live_key.startswith("opk_live_") and contacts_status(first.url, live_key) == 200
        assert secret_files(first.secret) == [] and secret_files(live_key) == []
        assert first.secret not in repr(first) and first.url in repr(first)  # printing it shows no key
        assert first.process.detached and first.process.started_here

        # The next run finds the sandbox still running: the same server, nothing started.
        running = start_for_console(ProfileStore(), secrets, **SEED)
        assert running is not None and not running.created and not running.process.started_here
        assert running.process.pid == first.process.pid and running.url == first.url
        assert running.secret == first.secret
    finally:
        first.process.stop()
    assert not first.process.running()

    again = start_for_console(ProfileStore(), secrets, **SEED)
    try:
        assert again is not None and not again.created and again.process.started_here
        assert again.profile.id == first.profile.id and again.secret == first.secret
        assert ProfileStore().get(LOCAL_SANDBOX_NAME).base_url == again.url
        assert contacts_status(again.url, again.secret) == 200
    finally:
        again.process.stop()
    secrets.close()


def test_first_run_without_keychain_keeps_the_key_for_the_session(home: Path, no_sandbox_left) -> None:
    keyring.set_keyring(fail.Keyring())
    secrets = SecretStore()
    first = start_for_console(ProfileStore(), secrets, **SEED)
    try:
        assert first.secret_session_only
        assert secrets.get(first.profile.id, "api_key") == first.secret
        assert contacts_status(first.url, first.secret) == 200
        assert secret_files(first.secret) == []
    finally:
        first.process.stop()

    # The next session has no key in memory: it is read again from the sandbox's own file.
    later = SecretStore()
    again = start_for_console(ProfileStore(), later, **SEED)
    try:
        assert again.secret == first.secret
    finally:
        again.process.stop()
    secrets.close()
    later.close()


def test_a_remote_profile_starts_no_sandbox(home: Path) -> None:
    store = ProfileStore()
    store.add(Profile(name="Prod", base_url="https://api.example.com/v1", environment="live"))
    assert start_for_console(store, SecretStore()) is None
    with pytest.raises(LookupError, match="Nope"):
        start_for_console(store, SecretStore(), "Nope")
