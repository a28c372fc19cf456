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


class CountingKeyring(keyring.backend.KeyringBackend):
    """An in-memory keychain that counts its reads and can hold one until told (a prompt)."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}
        self.reads = 0
        self.fail_next = False
        self.answer = threading.Event()
        self.answer.set()

    def get_password(self, service, username):
        self.reads += 1
        self.answer.wait(10)
        if self.fail_next:
            self.fail_next = False
            raise keyring.errors.KeyringError("locked")
        return self.entries.get((service, username))

    def set_password(self, service, username, password):
        self.entries[(service, username)] = password

    def delete_password(self, service, username):
        self.entries.pop((service, username), None)


def test_two_reads_of_one_secret_at_once_ask_the_keychain_once() -> None:
    """The start-up's early first page and the console's open read the key a moment apart: one prompt."""
    backend = CountingKeyring()
    SecretStore(backend=backend).set("p1", "api_key", SECRET)
    backend.answer.clear()  # the first read waits, as on an unlock prompt
    got: list = []
    readers = [threading.Thread(target=lambda: got.append(SecretStore(backend=backend).get("p1", "api_key")))
               for _ in range(2)]
    for reader in readers:
        reader.start()
    backend.answer.set()
    for reader in readers:
        reader.join(10)
    assert got == [SECRET, SECRET] and backend.reads == 1


def test_a_read_is_reused_for_a_while_and_a_change_is_read_at_once(monkeypatch) -> None:
    from app.core import keychain_reads

    now = [1000.0]
    monkeypatch.setattr(keychain_reads, "SHARED_READS", keychain_reads.SharedReads(clock=lambda: now[0]))
    monkeypatch.setattr("app.core.keychain.SHARED_READS", keychain_reads.SHARED_READS)
    backend = CountingKeyring()
    first, second = SecretStore(backend=backend), SecretStore(backend=backend)
    first.set("p1", "api_key", SECRET)
    assert first.get("p1", "api_key") == SECRET and second.get("p1", "api_key") == SECRET and backend.reads == 1
    second.set("p1", "api_key", SECRET + "rotated")
    assert first.get("p1", "api_key") == SECRET + "rotated" and backend.reads == 2
    now[0] += keychain_reads.REUSE_SECONDS + 1
    assert first.get("p1", "api_key") == SECRET + "rotated" and backend.reads == 3
    second.delete("p1", "api_key")
    assert first.get("p1", "api_key") is None
    assert SecretStore(backend=CountingKeyring()).get("p1", "api_key") is None, "another keychain shares nothing"


def test_a_failed_read_is_not_reused() -> None:
    backend = CountingKeyring()
    store = SecretStore(backend=backend)
    store.set("p1", "api_key", SECRET)
    backend.fail_next = True
    with pytest.raises(KeychainError, match="could not read"):
        store.get("p1", "api_key")
    assert store.get("p1", "api_key") == SECRET and backend.reads == 2
