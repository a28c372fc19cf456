"""Profiles: what a user adds, edits, renames and deletes is what the next start sees."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.core import paths
from app.core.profiles import Profile, ProfileError, ProfileNotFound, ProfileStore


def prod() -> Profile:
    return Profile(name="Prod", base_url="https://api.example.com/v1/", environment="live")


def test_added_profile_is_there_after_restart(home: Path) -> None:
    store = ProfileStore()
    added = store.add(prod())
    assert added.base_url == "https://api.example.com/v1"  # trailing slash trimmed

    reopened = ProfileStore()
    assert reopened.list() == [added]
    assert reopened.default == added
    assert paths.profiles_file().is_relative_to(home)


def test_update_rename_and_delete(home: Path) -> None:
    store = ProfileStore()
    store.add(prod())
    store.add(Profile(name="Staging", base_url="http://localhost:8000/v1", auth_kind="login",
                      login_email="ops@example.com"))
    store.mark_used("Staging")

    store.update("prod", base_url="https://eu.example.com/v1")
    renamed = store.rename("Staging", "Staging EU")
    original_id = store.get("Staging EU").id

    reopened = ProfileStore()
    assert reopened.get("Prod").base_url == "https://eu.example.com/v1"
    assert reopened.last_used == renamed
    assert reopened.get("staging eu").id == original_id
    with pytest.raises(ProfileNotFound, match="Staging"):
        reopened.get("Staging")

    reopened.delete("Prod")
    assert [p.name for p in ProfileStore().list()] == ["Staging EU"]
    assert ProfileStore().default.name == "Staging EU"


def test_choose_prefers_requested_then_last_used_then_default(home: Path) -> None:
    store = ProfileStore()
    assert store.choose() is None
    store.add(prod())
    store.add(Profile(name="Test", base_url="http://127.0.0.1:9/v1"))
    assert store.choose().name == "Prod"
    store.mark_used("Test")
    assert store.choose().name == "Test"
    assert store.choose("prod").name == "Prod"
    with pytest.raises(ProfileNotFound, match="Nope"):
        store.choose("Nope")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": "  "}, "name is empty"),
        ({"name": "x" * 101}, "longer than 100"),
        ({"base_url": "ftp://example.com"}, "not an http"),
        ({"base_url": "example.com/v1"}, "not an http"),
        ({"base_url": "https://"}, "not an http"),
        ({"base_url": "https://u:p@example.com"}, "user name or password"),
        ({"auth_kind": "oauth"}, "auth kind 'oauth'"),
        ({"environment": "prod"}, "environment 'prod'"),
        ({"auth_kind": "login"}, "needs the login email"),
        ({"auth_kind": "login", "login_email": "nobody"}, "not an email"),
        ({"is_local_sandbox": True}, "sandbox data dir"),
        ({"platform": "zendesk"}, "platform 'zendesk' is not one of: opsdesk, platform004"),
    ],
)
def test_invalid_profiles_are_refused_with_the_reason(home: Path, changes: dict, message: str) -> None:
    store = ProfileStore()
    fields = {"name": "Ok", "base_url": "https://api.example.com/v1", **changes}
    with pytest.raises(ProfileError, match=message):
        store.add(Profile(**fields))
    assert store.list() == []
    assert not paths.profiles_file().exists()


def test_duplicate_names_are_refused_case_insensitively(home: Path) -> None:
    store = ProfileStore()
    store.add(prod())
    with pytest.raises(ProfileError, match="already exists"):
        store.add(Profile(name="prod", base_url="https://other.example.com"))
    store.add(Profile(name="Other", base_url="https://other.example.com"))
    with pytest.raises(ProfileError, match="already exists"):
        store.rename("Other", "PROD")
    assert [p.name for p in ProfileStore().list()] == ["Prod", "Other"]


def test_unknown_setting_and_id_change_are_refused(home: Path) -> None:
    store = ProfileStore()
    store.add(prod())
    with pytest.raises(ProfileError, match="Unknown profile setting"):
        store.update("Prod", colour="red")
    with pytest.raises(ProfileError, match="id cannot be changed"):
        store.update("Prod", id="other")


def test_config_file_holds_no_secret_fields_and_is_valid_json(home: Path) -> None:
    ProfileStore().add(Profile(name="Login", base_url="https://a.example.com", auth_kind="login",
                               login_email="me@example.com"))
    data = json.loads(paths.profiles_file().read_text())
    assert set(data["profiles"][0]) == {
        "name", "base_url", "auth_kind", "environment", "login_email", "is_local_sandbox",
        "sandbox_data_dir", "id", "platform",
    }
    assert not list(paths.profiles_file().parent.glob(".*.tmp"))  # no temp file left behind


def test_unreadable_config_is_moved_aside_not_fatal(home: Path) -> None:
    paths.profiles_file().parent.mkdir(parents=True)
    paths.profiles_file().write_text("{ not json")
    store = ProfileStore()
    assert store.list() == []
    assert store.recovered_from is not None and store.recovered_from.read_text() == "{ not json"
    store.add(prod())
    assert ProfileStore().list()[0].name == "Prod"
