"""Where Opsdesk keeps its files on this machine: the one place that asks platformdirs.

Every module that writes a file asks here, so the layout is the same on Windows, macOS and
Linux and tests can redirect all of it by pointing the XDG_* variables at a temporary home.
Per-profile files live under the profile's stable `id`, so renaming a profile moves nothing.
"""

from __future__ import annotations

from pathlib import Path

from platformdirs import PlatformDirs

APP_NAME = "Opsdesk"


def _dirs() -> PlatformDirs:
    # Built per call: platformdirs reads the environment each time, which tests rely on.
    return PlatformDirs(APP_NAME, appauthor=False)


def config_dir() -> Path:
    """Non-secret settings (profiles.json)."""
    return Path(_dirs().user_config_dir)


def cache_dir() -> Path:
    """Disposable data: page caches, one directory per profile."""
    return Path(_dirs().user_cache_dir)


def data_dir() -> Path:
    """Data worth keeping: drafts, the local sandbox's database."""
    return Path(_dirs().user_data_dir)


def log_dir() -> Path:
    """The rotating application log."""
    return Path(_dirs().user_log_dir)


def profiles_file() -> Path:
    """The one config file holding every profile's non-secret settings."""
    return config_dir() / "profiles.json"


def profile_cache_dir(profile_id: str) -> Path:
    """A profile's cache directory; deleting the profile deletes it whole."""
    return cache_dir() / "profiles" / profile_id


def profile_cache_file(profile_id: str) -> Path:
    """The SQLite page cache of one profile."""
    return profile_cache_dir(profile_id) / "cache.sqlite3"


def profile_data_dir(profile_id: str) -> Path:
    """A profile's kept data (drafts); deleting the profile deletes it whole."""
    return data_dir() / "profiles" / profile_id


def drafts_file(profile_id: str) -> Path:
    """The draft store of one profile."""
    return profile_data_dir(profile_id) / "drafts.sqlite3"


def outbox_file(profile_id: str) -> Path:
    """The outbox of one profile: writes made offline, kept until the server took them."""
    return profile_data_dir(profile_id) / "outbox.sqlite3"


def local_sandbox_data_dir() -> Path:
    """The bundled sandbox's data dir (its database and credentials.json)."""
    return data_dir() / "sandbox"
