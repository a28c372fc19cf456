"""Deleting a profile completely: its keychain entries, its cache, its drafts, its settings.

Blocking (the keychain may take up to its timeout): call it off the UI thread. The UI must
close the profile's open cache and draft store first. The local sandbox's own data dir is left
alone: it is the sandbox server's database, not the profile's.
"""

from __future__ import annotations

import shutil

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
    for directory in (paths.profile_cache_dir(profile.id), paths.profile_data_dir(profile.id)):
        if directory.exists():
            shutil.rmtree(directory)
    return store.delete(profile.name)
