"""Deleting a profile completely: its keychain entries, its cache, its drafts, its settings.

Blocking (the keychain may take up to its timeout): call it off the UI thread. The profile's
open cache and draft store must be closed first (`ProfileService.delete` closes its session).

A local-sandbox profile's sandbox data dir goes too: it holds the sandbox's database and its
plaintext credentials.json (owner keys, the user's password), which must not outlive the
profile. Precondition: the sandbox child serving that dir is stopped first (the profile
service stops it before removal); a running child would keep writing into a deleted dir. The dir is removed
only when it lies inside the console's own data dir and no other profile uses it: a dir the
user chose elsewhere is theirs.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from app.core import paths
from app.core.keychain import SecretStore
from app.core.profiles import Profile, ProfileStore


def remove_profile(store: ProfileStore, secrets: SecretStore, name: str) -> Profile:
    """Delete profile `name` and everything kept for it; returns the removed profile.

    Secrets go first: if the keychain refuses, nothing else is removed and the error says why,
    so the user can retry instead of being left with orphaned secrets.
    """
    profile = store.get(name)
    secrets.delete_profile(profile.id)
    directories = [paths.profile_cache_dir(profile.id), paths.profile_data_dir(profile.id)]
    sandbox_dir = _own_sandbox_dir(store, profile)
    if sandbox_dir is not None:
        directories.append(sandbox_dir)
    for directory in directories:
        if directory.exists():
            shutil.rmtree(directory)
    return store.delete(profile.name)


def _own_sandbox_dir(store: ProfileStore, profile: Profile) -> Path | None:
    """The profile's sandbox data dir when it is the console's to delete, else None."""
    if not profile.is_local_sandbox or not profile.sandbox_data_dir:
        return None
    directory = Path(profile.sandbox_data_dir).resolve()
    if not directory.is_relative_to(paths.data_dir().resolve()):
        return None
    shared = any(other.id != profile.id and other.sandbox_data_dir
                 and Path(other.sandbox_data_dir).resolve() == directory for other in store.list())
    return None if shared else directory
