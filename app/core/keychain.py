"""Secrets of each profile, kept only in the operating system's keychain via `keyring`.

Entries are stored under service "opsdesk" and username "<profile id>:<kind>", so renaming a
profile moves nothing. Where there is no usable keychain (a headless Linux: `fail.Keyring`,
`null.Keyring`, an empty chainer, or only `keyrings.alt` file backends, which write clear or
weakly protected text), secrets are kept in memory for this session only and `session_only`
says so, with `session_reason`, for the UI to show plainly. Nothing is ever written to a file.

Keychain calls can hang (a Secret Service unlock prompt), so every call runs in a daemon thread
of its own and the caller gives up after `timeout` seconds with `KeychainTimeout`. Daemon
threads rather than a `ThreadPoolExecutor`: the pool's workers are joined at interpreter exit,
so one prompt nobody answers would keep the console from quitting. The `a*` methods are the
same calls awaitable from any asyncio loop (qasync included) without blocking it.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Literal, TypeVar

import keyring
from keyring.backend import KeyringBackend
from keyring.errors import KeyringError, PasswordDeleteError

from app.core.keychain_reads import SHARED_READS

SERVICE = "opsdesk"
SecretKind = Literal["api_key", "password", "refresh_token"]
SECRET_KINDS: tuple[str, ...] = ("api_key", "password", "refresh_token")
DEFAULT_TIMEOUT = 10.0

T = TypeVar("T")


class KeychainError(RuntimeError):
    """The keychain refused or failed an operation; the message says what to do."""


class KeychainTimeout(KeychainError):
    """The keychain did not answer in time (often an unlock prompt nobody answered)."""


def why_no_keychain(backend: KeyringBackend) -> str | None:
    """A sentence saying why `backend` cannot keep secrets safely, or None if it can."""
    from keyring.backends import chainer, fail, null

    if isinstance(backend, fail.Keyring):
        return "No system keychain was found (no Secret Service, Keychain or Credential Locker)."
    if isinstance(backend, null.Keyring):
        return "The keychain is switched off (keyring's null backend)."
    if isinstance(backend, chainer.ChainerBackend):
        usable = [b for b in backend.backends if why_no_keychain(b) is None]
        if not usable:
            return "No system keychain was found (no usable keyring backend)."
        return None
    if type(backend).__module__.startswith("keyrings.alt"):
        return "Only a file-based keyring is installed, which would store secrets in a file."
    return None


class SecretStore:
    """Get, set and delete a profile's secrets; falls back to session memory without keychain."""

    def __init__(
        self,
        *,
        service: str = SERVICE,
        timeout: float = DEFAULT_TIMEOUT,
        backend: KeyringBackend | None = None,
    ) -> None:
        self.service = service
        self.timeout = timeout
        self._backend = backend if backend is not None else keyring.get_keyring()
        self.session_reason: str | None = why_no_keychain(self._backend)
        self._session: dict[tuple[str, str], str] = {}
        self._lock = threading.Lock()
        self._closed = False

    @property
    def session_only(self) -> bool:
        """True when secrets live only in memory and are gone when the console quits."""
        return self.session_reason is not None

    def get(self, profile_id: str, kind: SecretKind) -> str | None:
        """The secret, or None if there is none. Blocks up to `timeout` seconds."""
        return self._bounded(lambda: self._get(profile_id, kind))

    def set(self, profile_id: str, kind: SecretKind, secret: str) -> None:
        """Store the secret in the keychain (or the session store). Blocks up to `timeout`."""
        if not secret:
            raise KeychainError("Refusing to store an empty secret.")
        self._bounded(lambda: self._set(profile_id, kind, secret))

    def delete(self, profile_id: str, kind: SecretKind) -> None:
        """Remove one secret; removing a secret that is not there is not an error."""
        self._bounded(lambda: self._delete(profile_id, kind))

    def delete_profile(self, profile_id: str) -> None:
        """Remove every secret of a profile (used when the profile is deleted)."""
        self._bounded(lambda: [self._delete(profile_id, kind) for kind in SECRET_KINDS])

    async def aget(self, profile_id: str, kind: SecretKind) -> str | None:
        return await self._abounded(lambda: self._get(profile_id, kind))

    async def aset(self, profile_id: str, kind: SecretKind, secret: str) -> None:
        if not secret:
            raise KeychainError("Refusing to store an empty secret.")
        await self._abounded(lambda: self._set(profile_id, kind, secret))

    async def adelete(self, profile_id: str, kind: SecretKind) -> None:
        await self._abounded(lambda: self._delete(profile_id, kind))

    async def adelete_profile(self, profile_id: str) -> None:
        await self._abounded(lambda: [self._delete(profile_id, kind) for kind in SECRET_KINDS])

    def close(self) -> None:
        """Refuse further calls (the console is quitting); a hung call is simply abandoned."""
        self._closed = True

    def _username(self, profile_id: str, kind: str) -> str:
        if kind not in SECRET_KINDS:
            raise KeychainError(f"Unknown secret kind {kind!r}; expected one of {', '.join(SECRET_KINDS)}.")
        if not profile_id:
            raise KeychainError("A secret needs the profile's id.")
        return f"{profile_id}:{kind}"

    def _get(self, profile_id: str, kind: str) -> str | None:
        username = self._username(profile_id, kind)
        with self._lock:
            if (profile_id, kind) in self._session:
                return self._session[(profile_id, kind)]
        if self.session_only:
            return None
        try:
            # One OS read per secret at a time (two reads can mean two unlock prompts), see keychain_reads.
            return SHARED_READS.read(self._backend, self.service, username,
                                     lambda: self._backend.get_password(self.service, username))
        except KeyringError as exc:
            raise KeychainError(f"The system keychain could not read the secret: {type(exc).__name__}.") from None

    def _set(self, profile_id: str, kind: str, secret: str) -> None:
        username = self._username(profile_id, kind)
        SHARED_READS.forget(self._backend, self.service, username)
        if not self.session_only:
            try:
                self._backend.set_password(self.service, username, secret)
                SHARED_READS.forget(self._backend, self.service, username)  # a read made meanwhile is old
                return
            except keyring.errors.NoKeyringError:
                # The backend looked usable but has nothing behind it: keep going for this session.
                self.session_reason = "The system keychain is not available in this session."
            except KeyringError as exc:
                raise KeychainError(
                    f"The system keychain refused to store the secret: {type(exc).__name__}."
                ) from None
        with self._lock:
            self._session[(profile_id, kind)] = secret

    def _delete(self, profile_id: str, kind: str) -> None:
        username = self._username(profile_id, kind)
        SHARED_READS.forget(self._backend, self.service, username)
        with self._lock:
            self._session.pop((profile_id, kind), None)
        if self.session_only:
            return
        try:
            self._backend.delete_password(self.service, username)
        except PasswordDeleteError:
            pass
        except KeyringError as exc:
            raise KeychainError(
                f"The system keychain could not delete the secret: {type(exc).__name__}."
            ) from None

    def _submit(self, call: Callable[[], T]) -> Future[T]:
        if self._closed:
            raise KeychainError("The keychain store is closed.")
        future: Future[T] = Future()

        def run() -> None:
            if not future.set_running_or_notify_cancel():
                return
            try:
                future.set_result(call())
            except Exception as exc:  # noqa: BLE001 - re-raised in the caller by the future
                future.set_exception(exc)

        threading.Thread(target=run, name="opsdesk-keychain", daemon=True).start()
        return future

    def _bounded(self, call: Callable[[], T]) -> T:
        future = self._submit(call)
        try:
            return future.result(timeout=self.timeout)
        except FutureTimeout:
            future.cancel()
            raise self._timeout_error() from None

    async def _abounded(self, call: Callable[[], T]) -> T:
        future = asyncio.wrap_future(self._submit(call))
        try:
            return await asyncio.wait_for(future, self.timeout)
        except TimeoutError:
            raise self._timeout_error() from None

    def _timeout_error(self) -> KeychainTimeout:
        return KeychainTimeout(
            f"The system keychain did not answer within {self.timeout:g} s; "
            "it may be waiting for you to unlock it."
        )
