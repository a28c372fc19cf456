"""The local sandbox offered in every dialect: one profile each, secrets in the keychain only, and
each profile really connects to its mount."""

from __future__ import annotations

import asyncio
from pathlib import Path

from app.api.dialects import dialect_for
from app.core import paths
from app.core.dialect_profiles import offer_dialect_workspaces, profile_url
from app.core.keychain import SecretStore
from app.core.platform_connect import check_platform
from app.core.profiles import Profile, ProfileStore
from tests.core.conftest import files_containing
from tests.dialects.conftest import BUILT


def _local(sandbox, environment: str = "live") -> Profile:
    return Profile(name="Local sandbox", base_url=sandbox.url, environment=environment, is_local_sandbox=True,
                   sandbox_data_dir=str(sandbox.data_dir)).validated()


def test_each_dialect_gets_a_profile_that_connects(home: Path, memory_keyring, sandbox) -> None:
    store, secrets = ProfileStore(), SecretStore()
    local = store.add(_local(sandbox))
    credentials = sandbox.credentials()
    added = offer_dialect_workspaces(store, secrets, local, sandbox.url, credentials)
    expected = {name for name in BUILT if name != "opsdesk"}
    assert {profile.platform for profile in added} == expected
    assert offer_dialect_workspaces(store, secrets, local, sandbox.url, credentials) == []  # once only
    for profile in added:
        assert profile.name == f"Local sandbox · {dialect_for(profile.platform).manifest.display_name}"
        secret = secrets.get(profile.id, "api_key")
        assert secret and not files_containing(paths.config_dir(), secret)
        check = asyncio.run(check_platform(profile.base_url, secret, profile.platform))
        assert check.ok, check.error
        assert check.workspace_id == credentials["live"]["workspace_id"]


def test_a_dialect_profiles_url_follows_the_sandboxs_port(sandbox) -> None:
    credentials = sandbox.credentials()
    for name in BUILT:
        if name == "opsdesk":
            continue
        profile = Profile(name=name, base_url="http://127.0.0.1:1/x", environment="live", platform=name,
                          is_local_sandbox=True, sandbox_data_dir="d")
        moved = profile_url(profile, "http://127.0.0.1:4567/v1", credentials)
        assert moved == "http://127.0.0.1:4567" + credentials["live"]["dialects"][name]["base_url"]
    contract = Profile(name="c", base_url="http://127.0.0.1:1/v1", environment="live")
    assert profile_url(contract, "http://127.0.0.1:4567/v1", credentials) == "http://127.0.0.1:4567/v1"
