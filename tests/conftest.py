"""Fixtures every test shares: isolated user dirs, an in-memory keychain, a real sandbox process."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend

# Tests never touch the real user's config, cache, data or log dirs (platformdirs honours XDG_*).
_USER_DIRS = Path(tempfile.mkdtemp(prefix="opsdesk-test-home-"))
for _name in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"):
    os.environ[_name] = str(_USER_DIRS / _name.lower())
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app.core.sandbox_process import SandboxProcess


class MemoryKeyring(KeyringBackend):
    """An OS keychain stand-in: the one thing tests cannot have for real here."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        from keyring.errors import PasswordDeleteError

        if self.entries.pop((service, username), None) is None:
            raise PasswordDeleteError(username)


@pytest.fixture(autouse=True)
def memory_keyring() -> MemoryKeyring:
    """Every test gets an empty in-memory keychain; tests of no-keychain mode replace it."""
    backend = MemoryKeyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture(scope="session")
def user_dirs() -> Path:
    """The temporary home that stands in for the user's config/cache/data/log dirs."""
    return _USER_DIRS


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> SandboxProcess:
    """One real sandbox server process on 127.0.0.1 for the whole run, with demo data.

    Tests that change shared state create their own records; tests that need special flags
    (time scale, rate limit, kill -9) start their own with `SandboxProcess.start`.
    """
    process = SandboxProcess.start(tmp_path_factory.mktemp("sandbox"), seed_size=300)
    yield process
    process.stop()


@pytest.fixture(scope="session")
def sandbox_credentials(sandbox: SandboxProcess) -> dict:
    """credentials.json of the shared sandbox: per environment, owner/read-only keys and logins."""
    return sandbox.credentials()
