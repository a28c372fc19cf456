"""The local sandbox's workspace in every platform's dialect, each as its own profile.

The first-run sandbox serves each seed platform's dialect over the same data
(`/dialects/<name>/…`), with credentials in that platform's own shapes in its credentials.json.
A new user gets one profile per dialect ("Local sandbox · BiVelio"), so each platform can be seen
without any account anywhere. They share the one running sandbox; their URLs follow its port.
"""

from __future__ import annotations

from typing import Any

from app.api.dialects import dialect_class
from app.core.keychain import SecretStore
from app.core.platform_connect import pack_credentials
from app.core.profiles import Profile, ProfileError, ProfileStore

SECRET_KIND = "api_key"


def sandbox_root(process_url: str) -> str:
    """The sandbox's URL without the contract's `/v1`."""
    return process_url.rstrip("/").removesuffix("/v1")


def profile_url(profile: Profile, process_url: str, credentials: dict[str, Any]) -> str:
    """Where `profile` (a local sandbox profile) reaches the sandbox now running at `process_url`."""
    if profile.platform == "opsdesk":
        return process_url
    section = credentials.get(profile.environment, {}).get("dialects", {}).get(profile.platform)
    if not section:
        return process_url
    return sandbox_root(process_url) + section["base_url"]


def dialect_secret(profile: Profile, credentials: dict[str, Any]) -> str:
    """The packed credentials of a dialect profile, read again from the sandbox's credentials.json
    (a session-only secret is gone after a restart); ProfileError when the file has none."""
    section = credentials.get(profile.environment, {}).get("dialects", {}).get(profile.platform) or {}
    fields = [field for field, _ in dialect_class(profile.platform).credential_fields]
    if not all(section.get(field) for field in fields):
        raise ProfileError(f"The sandbox's credentials file has no {profile.platform} credentials.")
    return pack_credentials({field: section[field] for field in fields})


def dialect_profile_name(base: str, display_name: str) -> str:
    return f"{base} · {display_name}"


def offer_dialect_workspaces(store: ProfileStore, secrets: SecretStore, local: Profile, process_url: str,
                             credentials: dict[str, Any]) -> list[Profile]:
    """Add a profile per dialect the sandbox serves, beside `local` (blocking); return those added.

    Nothing is added for a dialect that already has a profile on this sandbox and environment,
    or whose adapter is not installed.
    """
    workspace = credentials.get(local.environment, {})
    added: list[Profile] = []
    existing = {(p.platform, p.environment) for p in store.list()
                if p.is_local_sandbox and p.sandbox_data_dir == local.sandbox_data_dir}
    for name, section in (workspace.get("dialects") or {}).items():
        if (name, local.environment) in existing:
            continue
        try:
            dialect = dialect_class(name)
        except (ImportError, ValueError):
            continue
        fields = [field for field, _ in dialect.credential_fields]
        if not all(section.get(field) for field in fields):
            continue
        profile = Profile(
            name=dialect_profile_name(local.name, dialect.manifest.display_name),
            base_url=sandbox_root(process_url) + section["base_url"], auth_kind="api_key",
            environment=local.environment, is_local_sandbox=True, sandbox_data_dir=local.sandbox_data_dir,
            platform=name).validated()
        if any(p.name.lower() == profile.name.lower() for p in store.list()):
            continue
        secrets.set(profile.id, SECRET_KIND, pack_credentials({field: section[field] for field in fields}))
        try:
            store.add(profile)
        except BaseException:
            secrets.delete_profile(profile.id)
            raise
        added.append(profile)
    return added
