"""Secrets live in the OS keychain, or for the session only; never in a file."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
from pathlib import Path

import keyring
import pytest
from keyring.backends import chainer, fail, null

from app.core.keychain import (
    KeychainError,
    KeychainTimeout,
    SecretStore,
    why_no_keychain,
)
from tests.core.conftest import files_containing

SECRET = "opk_test_RoundTrip0123456789abcdefXYZ"


def test_round_trip_through_the_keychain(memory_keyring) -> None:
    store = SecretStore()
    assert not store.session_only
    store.set("prof1", "api_key", SECRET)
    assert memory_keyring.entries == {("opsdesk", "prof1:api_key"): SECRET}
    assert SecretStore().get("prof1", "api_key") == SECRET  # a new session finds it
    store.delete("prof1", "api_key")
    assert store.get("prof1", "api_key") is None
    store.delete("prof1", "api_key")  # deleting twice is not an error
    store.close()


def test_async_calls_round_trip(memory_keyring) -> None:
    store = SecretStore()

    async def scenario() -> str | None:
        await store.aset("prof2", "password", "hunter2-long-password")
        got = await store.aget("prof2", "password")
        await store.adelete_profile("prof2")
        assert await store.aget("prof2", "password") is None
        return got

    assert asyncio.run(scenario()) == "hunter2-long-password"
    assert memory_keyring.entries == {}
    store.close()


@pytest.mark.parametrize("backend", [fail.Keyring(), null.Keyring()])
def test_no_keychain_keeps_the_secret_for_the_session_only(home: Path, backend) -> None:
    keyring.set_keyring(backend)
    store = SecretStore()
    assert store.session_only
    assert "keychain" in store.session_reason.lower()
    store.set("prof3", "api_key", SECRET)
    assert store.get("prof3", "api_key") == SECRET
    assert SecretStore().get("prof3", "api_key") is None  # gone with the session
    assert files_containing(home, SECRET) == []
    store.close()


def test_empty_chainer_and_file_keyrings_count_as_no_keychain(memory_keyring) -> None:
    class EmptyChainer(chainer.ChainerBackend):
        @property
        def backends(self):
            return []

    assert why_no_keychain(EmptyChainer()) is not None
    assert why_no_keychain(memory_keyring) is None


def test_backend_that_fails_at_use_falls_back_to_session(memory_keyring) -> None:
    class Broken(type(memory_keyring)):
        def set_password(self, service, username, password):
            raise keyring.errors.NoKeyringError("no backend behind this")

    store = SecretStore(backend=Broken())
    assert not store.session_only
    store.set("prof4", "api_key", SECRET)
    assert store.session_only and store.get("prof4", "api_key") == SECRET
    store.close()


def test_a_hanging_keychain_times_out_with_a_clear_error(memory_keyring) -> None:
    release = threading.Event()

    class Hanging(type(memory_keyring)):
        def get_password(self, service, username):
            release.wait(10)

    store = SecretStore(backend=Hanging(), timeout=0.2)
    try:
        with pytest.raises(KeychainTimeout, match="did not answer within 0.2 s"):
            store.get("prof5", "api_key")

        async def scenario() -> None:
            with pytest.raises(KeychainTimeout):
                await store.aget("prof5", "api_key")

        asyncio.run(scenario())
    finally:
        release.set()
        store.close()


def test_bad_arguments_are_refused(memory_keyring) -> None:
    store = SecretStore()
    with pytest.raises(KeychainError, match="empty secret"):
        store.set("p", "api_key", "")
    with pytest.raises(KeychainError, match="Unknown secret kind"):
        store.set("p", "cookie", "x")
    store.close()


def test_a_hung_keychain_call_does_not_keep_the_process_alive() -> None:
    """Quitting must not wait for an unlock prompt nobody answers."""
    code = (
        "import threading, keyring\n"
        "from keyring.backend import KeyringBackend\n"
        "from app.core.keychain import SecretStore, KeychainTimeout\n"
        "class Hanging(KeyringBackend):\n"
        "    priority = 1\n"
        "    def get_password(self, s, u): threading.Event().wait()\n"
        "    def set_password(self, s, u, p): pass\n"
        "    def delete_password(self, s, u): pass\n"
        "store = SecretStore(backend=Hanging(), timeout=0.2)\n"
        "try:\n"
        "    store.get('p', 'api_key')\n"
        "except KeychainTimeout:\n"
        "    print('timed out')\n"
        "store.close()\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30,
                            cwd=Path(__file__).parents[2], check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "timed out"
