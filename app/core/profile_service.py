"""Profiles for the console: which one opens, save, delete, test, switch; the local sandbox behind them.

Qt-free. The service makes the decisions (first run → a local sandbox; `--profile NAME`; what a
switch means for the local sandbox; which keychain entry holds a secret; where a key is kept) and
does the blocking work (profile file, keychain, finding, starting and stopping the sandbox) in a
worker thread it owns. The local sandbox outlives the console and serves every profile on its
data dir: no switch and no shutdown stops it; the operator's "Stop local sandbox", deleting the
data it serves, or its own idle shutdown do. The window side implements `ProfileHost`: it opens and closes the session of a profile
and shows the service's notices and connection status; the console is that host, the profiles
dialog calls the service.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Protocol, TypeVar

from app.api import errors
from app.core.dialect_profiles import profile_url
from app.core.keychain import KeychainError, SecretStore
from app.core.platform_connect import DEFAULT_PLATFORM, check_platform
from app.core.profile_removal import remove_profile
from app.core.profiles import Profile, ProfileError, ProfileStore
from app.core.sandbox_process import SandboxStartError
from app.core.sandbox_supervisor import SandboxExit, SandboxSupervisor

log = logging.getLogger(__name__)
T = TypeVar("T")

NO_KEYCHAIN_NOTICE = "No system keychain found: your key is kept for this session only."
#: Notice actions, named by the label of the strip's button; the host maps them to what they do.
PROFILES = "Profiles…"
RESTART = "Restart"
#: Why the local sandbox could not start (a profile problem is reported as itself).
_SANDBOX_FAILURES = (SandboxStartError, OSError, KeychainError)


def secret_kind(profile: Profile) -> str:
    """Which keychain entry holds the profile's secret."""
    return "password" if profile.auth_kind == "login" else "api_key"


@dataclass(frozen=True)
class Notice:
    """A sentence for the window's notice strip `key`; an empty `kind` takes the strip down."""

    key: str
    kind: str = ""
    text: str = ""
    action: str | None = None
    """`PROFILES` or `RESTART`: the strip's button."""


@dataclass(frozen=True)
class ConnectionCheck:
    """What a connection test found: the workspace and the key's scopes, or the error."""

    workspace: str = ""
    environment: str = ""
    scopes: frozenset[str] = frozenset()
    error: errors.ApiError | None = None
    secret_missing: bool = False
    """No secret was typed or stored: nothing was tried."""
    platform: str = ""
    """The platform (dialect) that answered."""
    platform_name: str = ""
    missing: dict[str, str] = field(default_factory=dict)
    """Guarantees that platform lacks (etag, idempotency_key…) → the console's sentence."""
    absent: dict[str, str] = field(default_factory=dict)
    """Modules it lacks → why ("BizBasics has no ticketing API")."""


class ProfileHost(Protocol):
    """What the service asks of the window side."""

    async def open_profile(self, profile: Profile, secret: str | None = None) -> bool:
        """Close the open session and open `profile`'s (its secret from `secret_for`); False if it could not."""

    async def close_session(self) -> None:
        """Close the open session, if any; the window then shows no profile."""

    def show_notice(self, notice: Notice) -> None: ...

    def show_status(self, state: str, detail: str = "") -> None:
        """The status bar's connection state: connecting, signed_out or sandbox_down."""


class ProfileService:
    """The console's profiles, their secrets, and the local sandbox supervisor (`sandbox`)."""

    def __init__(self, host: ProfileHost, store: ProfileStore | None = None, secrets: SecretStore | None = None, *,
                 sandbox_options: dict[str, Any] | None = None, client_options: dict[str, Any] | None = None) -> None:
        self.host = host
        self.store = store if store is not None else ProfileStore()
        self.secrets = secrets if secrets is not None else SecretStore()
        #: Options for every `AdminClient` the console builds (tests pin timeouts, transports).
        self.client_options = dict(client_options or {})
        #: The worker thread for blocking work: profile file, child process, the session's set-up.
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="opsdesk-profiles")
        self.sandbox = SandboxSupervisor(self.store, self.secrets, self.executor, start_options=sandbox_options,
                                         on_exit=self._on_sandbox_exit)
        #: The profile whose session is open (the host says so through `opened` / `closed`).
        self.active: Profile | None = None

    async def blocking(self, call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run `call` in the service's worker thread."""
        return await asyncio.get_running_loop().run_in_executor(self.executor, partial(call, *args, **kwargs))

    # ---- reading ---------------------------------------------------------------------------
    def list(self) -> list[Profile]:
        return self.store.list()

    def get(self, name: str) -> Profile:
        return self.store.get(name)

    @property
    def session_only(self) -> bool:
        """True when there is no system keychain: secrets live for this run only."""
        return self.secrets.session_only

    @property
    def where_kept(self) -> str:
        """Where a stored secret lives, as the end of a sentence."""
        return "for this session only" if self.session_only else "in the system keychain"

    # ---- start and switch ------------------------------------------------------------------
    async def start(self, requested: str | None = None) -> bool:
        """Open the profile to use now; False (with a notice saying why) if none could be opened.

        First run (no profile, none requested) creates the "Local sandbox" profile and starts its
        sandbox; a sandbox profile opens on its running sandbox (or starts it); `requested` is `--profile NAME`.
        """
        if self.store.recovered_from is not None:
            self._notify("profiles", "warning", f"The profiles file could not be read; it was kept as "
                         f"{self.store.recovered_from.name} and the console started without profiles.")
        if requested is None and not self.store.list():
            self.host.show_status("connecting", "Starting the local sandbox…")
            self._notify("startup", "info", "First run: starting a local sandbox with demo data…")
        try:
            local = await self.sandbox.start_for_console(requested)
        except ProfileError as error:
            self._notify("startup", "error", str(error), PROFILES)
            return False
        except _SANDBOX_FAILURES as error:
            self._sandbox_failed(f"The local sandbox could not start: {error}")
            return False
        self._notify("startup")
        if local is not None:
            self._notify("sandbox")
            return await self.host.open_profile(local.profile, local.secret)
        profile = self.store.choose(requested)
        if profile is None:
            self._notify("startup", "info", "No profile yet: add one to connect.", PROFILES)
            return False
        return await self.host.open_profile(profile)

    async def switch(self, name: str) -> bool:
        """Open profile `name`. A local sandbox profile whose sandbox is watched already (the test and live
        workspaces share one) opens on it at once; another local sandbox profile opens on its own sandbox
        (running, else started); a remote profile only releases the local sandbox, which keeps serving
        its other profiles and the next start."""
        profile = self.store.get(name)
        running = self.sandbox.local
        if profile.is_local_sandbox and running is not None and running.process.running() \
                and profile.sandbox_data_dir == running.profile.sandbox_data_dir:
            await self.host.close_session()
            url = await self.blocking(lambda: profile_url(profile, running.url, running.process.credentials()))
            if profile.base_url != url:
                profile = await self.blocking(self.store.update, profile.name, base_url=url)
            return await self.host.open_profile(profile)
        if profile.is_local_sandbox:
            return await self.restart_sandbox(name)
        self.sandbox.release()
        return await self.host.open_profile(profile)

    async def restart_sandbox(self, name: str | None = None) -> bool:
        """Open the local sandbox of profile `name` (default: the one that ran, e.g. the Restart after a crash):
        the running one, else a new one."""
        if name is None and self.sandbox.local is not None:
            name = self.sandbox.local.profile.name
        self.sandbox.release()
        self._notify("sandbox", "info", "Starting the local sandbox…")
        try:
            local = await (self.sandbox.start(name) if name is not None else self.sandbox.start_for_console(None))
        except (ProfileError, *_SANDBOX_FAILURES) as error:
            self._sandbox_failed(f"The local sandbox could not start: {error}")
            return False
        self._notify("sandbox")
        if local is None:
            return False
        return await self.host.open_profile(local.profile, local.secret)

    async def stop_sandbox(self) -> bool:
        """Stop the local sandbox (the operator's "Stop local sandbox"), closing the session on it first.

        Stops the sandbox of every local sandbox profile's data dir, whichever console started it;
        False when none was running.
        """
        directories = self._sandbox_dirs()
        if self.active is not None and self.active.is_local_sandbox:
            await self.host.close_session()
        stopped = False
        for directory in directories:
            stopped = await self.sandbox.stop(directory) or stopped
        if stopped:
            self.host.show_status("sandbox_down", "Stopped from the Console menu.")
            self._notify("sandbox", "info", "The local sandbox was stopped. Restart it, or open a local sandbox "
                         "profile, to start it again.", RESTART)
        return stopped

    def _sandbox_dirs(self) -> list[str]:
        """The data dirs of the local sandboxes: the watched one first, then every local profile's."""
        local = self.sandbox.local
        found = [local.profile.sandbox_data_dir] if local is not None and local.profile.sandbox_data_dir else []
        for profile in self.store.list():
            if profile.is_local_sandbox and profile.sandbox_data_dir and profile.sandbox_data_dir not in found:
                found.append(profile.sandbox_data_dir)
        return found

    def _on_sandbox_exit(self, exit: SandboxExit) -> None:
        code = f"exit code {exit.code}" if exit.code is not None else ""
        self.host.show_status("sandbox_down", exit.log_tail or code or "no log")
        self._sandbox_failed(f"The local sandbox stopped unexpectedly{f' ({code})' if code else ''}.")

    def _sandbox_failed(self, message: str) -> None:
        self._notify("sandbox", "error", message, RESTART)

    # ---- the open profile ------------------------------------------------------------------
    async def secret_for(self, profile: Profile, secret: str | None = None) -> str | None:
        """The secret to open `profile` with: `secret`, else the stored one; None, with a notice, if none."""
        if not secret:
            try:
                secret = await self.secrets.aget(profile.id, secret_kind(profile))
            except KeychainError as error:
                self._notify("secret", "error", str(error), PROFILES)
                return None
        if not secret:
            self._notify("secret", "warning", f"No key is stored for the profile {profile.name!r} (a key kept for "
                         "one session only is gone after a restart). Enter it in Profiles.", PROFILES)
            return None
        self._notify("secret")
        return secret

    async def opened(self, profile: Profile, cache: Any) -> None:
        """The host opened `profile` on `cache`: say what is degraded, remember it as last used."""
        self.active = profile
        if self.session_only:
            self._notify("keychain", "warning", NO_KEYCHAIN_NOTICE)
        else:
            self._notify("keychain")
        recovered = getattr(cache, "recovered_from", None)
        if recovered is not None:
            self._notify("cache", "warning", f"The cache of this profile was damaged; it was moved aside "
                         f"({Path(recovered).name}) and rebuilt. Data will be fetched again.")
        elif getattr(cache, "in_memory", False):
            self._notify("cache", "warning",
                         "The cache file cannot be used; cached data is kept in memory for this session.")
        else:
            self._notify("cache")
        try:
            await self.blocking(self.store.mark_used, profile.name)
        except ProfileError:
            log.warning("could not remember the last used profile")

    def closed(self) -> None:
        """The host closed the open profile's session."""
        self.active = None

    async def keep_rotated_key(self, profile: Profile, secret: str) -> None:
        """Keep the profile's new API key (rotated in a panel, already in use) and say where it is kept."""
        try:
            await self.secrets.aset(profile.id, "api_key", secret)
        except KeychainError as error:
            self._notify("secret", "error", f"The new key is in use but could not be stored: {error}")
            return
        self._notify("secret", "success", f"The console now uses the new key, kept {self.where_kept}.")

    async def keep_refresh_token(self, profile: Profile, token: str) -> None:
        """Keep a login profile's new refresh token, so the next run signs in without the password."""
        await self.secrets.aset(profile.id, "refresh_token", token)

    # ---- editing ---------------------------------------------------------------------------
    async def save(self, profile: Profile, secret: str | None, *, original_name: str | None = None) -> Profile:
        """Add (or, with `original_name`, update) a profile; a non-empty `secret` goes to the keychain.

        A new profile whose secret the keychain refuses is not kept; the open profile, saved, is reopened.
        """
        profile = profile.validated()
        if original_name is None:
            saved = await self.blocking(self.store.add, profile)
        else:
            changes = {k: getattr(profile, k) for k in ("name", "base_url", "auth_kind", "environment", "login_email")}
            saved = await self.blocking(self.store.update, original_name, **changes)
        if secret:
            try:
                await self.secrets.aset(saved.id, secret_kind(saved), secret)
            except KeychainError:
                if original_name is None:
                    await self.blocking(self.store.delete, saved.name)
                raise
        if self.active is not None and self.active.id == saved.id:
            await self.host.open_profile(saved)
        return saved

    async def delete(self, name: str) -> None:
        """Delete a profile with its keychain entries, cache and drafts (closing it if open). Its local
        sandbox is stopped when no other profile uses that data, which then goes too."""
        profile = self.store.get(name)
        was_open = self.active is not None and self.active.id == profile.id
        if was_open:
            await self.host.close_session()
        if profile.is_local_sandbox and profile.sandbox_data_dir:
            shared = any(other.id != profile.id and other.sandbox_data_dir == profile.sandbox_data_dir
                         for other in self.store.list())
            if not shared:
                await self.sandbox.stop(profile.sandbox_data_dir)
            elif was_open:
                self.sandbox.release()
        await self.blocking(remove_profile, self.store, self.secrets, name)
        if was_open:
            self.host.show_status("signed_out", "No profile is open.")
            self._notify("startup", "info", f"{profile.name!r} was deleted. Open or add a profile.", PROFILES)

    async def test_connection(self, profile: Profile, secret: str | None) -> ConnectionCheck:
        """Try the profile's URL and secret (typed, else stored) in the profile's platform dialect.

        A profile still on the default platform is detected (the key's shape first, then each
        dialect in turn); one whose named platform does not answer is tried against the others, so
        the result can say which platform the URL really speaks.
        """
        profile = profile.validated()
        if not secret:
            secret = await self.secrets.aget(profile.id, secret_kind(profile))
        if not secret:
            return ConnectionCheck(secret_missing=True)
        named = None if profile.platform == DEFAULT_PLATFORM else profile.platform
        options = {**self.client_options}
        found = await check_platform(profile.base_url, secret, named, auth_kind=profile.auth_kind,
                                     login_email=profile.login_email, **options)
        if not found.ok and named is not None:
            other = await check_platform(profile.base_url, secret, None, auth_kind=profile.auth_kind,
                                         login_email=profile.login_email, **options)
            if other.ok:
                found = other
        if not found.ok:
            return ConnectionCheck(error=found.error or errors.ApiError("no platform answered"))
        return ConnectionCheck(found.workspace or found.workspace_id, found.environment, found.scopes,
                               platform=found.platform, platform_name=found.display_name,
                               missing=dict(found.manifest.get("missing_guarantees", {})),
                               absent=dict(found.manifest.get("absent_modules", {})))

    # ---- shutdown --------------------------------------------------------------------------
    async def close(self) -> None:
        """Release the local sandbox (it keeps running for the next start), the keychain and the worker
        thread (at shutdown)."""
        self.sandbox.release()
        self.secrets.close()
        self.executor.shutdown(wait=True)

    def _notify(self, key: str, kind: str = "", text: str = "", action: str | None = None) -> None:
        self.host.show_notice(Notice(key, kind, text, action))
