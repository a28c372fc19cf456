"""The bundled sandbox for the console: first run, and every run on a sandbox profile.

First run (no profile at all): a "Local sandbox" profile (test environment) is created, the
sandbox is started detached on 127.0.0.1 with port 0 and its data dir under the user data dir,
and the test workspace's owner key goes to the keychain (or the session store). Later runs on
a local-sandbox profile use the sandbox still running from an earlier run (found through its
state file: no wait), or start it again, and update the profile's URL if its port changed.

Everything here may block (starting a sandbox takes a second or more, the keychain may prompt):
call `start_for_console`, `first_run` and `open_local_sandbox` from a worker thread, as
`app.core.sandbox_supervisor.SandboxSupervisor` does for the console, which also watches the
sandbox while the console uses it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from app.core import paths
from app.core.dialect_profiles import (
    dialect_secret,
    offer_dialect_workspaces,
    profile_url,
)
from app.core.keychain import SecretStore
from app.core.profiles import Profile, ProfileError, ProfileStore
from app.core.sandbox_process import SandboxProcess

LOCAL_SANDBOX_NAME = "Local sandbox"
SANDBOX_ENVIRONMENT = "test"
#: The sandbox's live workspace, offered as a profile of its own beside the test one.
LIVE_SANDBOX_NAME = "Local sandbox (live)"
SECRET_KIND = "api_key"

#: Finds or starts the sandbox of a data dir (tests hand in their own).
Starter = Callable[..., SandboxProcess]


@dataclass
class LocalSandbox:
    """What the UI needs to open a local sandbox profile."""

    profile: Profile
    url: str
    secret: str = field(repr=False)
    """The owner key: kept out of repr, so printing or logging this never shows it."""
    process: SandboxProcess
    created: bool
    """True on first run, when the profile was just created."""
    secret_session_only: bool
    """True when the key is kept for this session only (no keychain): the UI says so."""


def start_for_console(
    store: ProfileStore, secrets: SecretStore, requested: str | None = None, **start_options
) -> LocalSandbox | None:
    """The start-up decision: first run, a sandbox profile's sandbox, or None for a remote one.

    `requested` is `--profile NAME`; otherwise the last used or default profile is opened.
    Blocking; see the module docstring.
    """
    if requested is None and not store.list():
        return first_run(store, secrets, **start_options)
    profile = store.choose(requested)
    if profile is None or not profile.is_local_sandbox:
        return None
    return open_local_sandbox(store, secrets, profile.name, **start_options)


def first_run(
    store: ProfileStore,
    secrets: SecretStore,
    *,
    data_dir: Path | None = None,
    start: Starter = SandboxProcess.find_or_start,
    **start_options,
) -> LocalSandbox:
    """Create the "Local sandbox" profile on its server (found running, or started). Blocking."""
    data_dir = data_dir or paths.local_sandbox_data_dir()
    process = start(data_dir, port=0, **start_options)
    try:
        secret = _owner_key(process)
        profile = Profile(
            name=LOCAL_SANDBOX_NAME,
            base_url=process.url,
            auth_kind="api_key",
            environment=SANDBOX_ENVIRONMENT,
            is_local_sandbox=True,
            sandbox_data_dir=str(data_dir),
        ).validated()
        secrets.set(profile.id, SECRET_KIND, secret)
        try:
            store.add(profile)
            store.mark_used(profile.name)
        except BaseException:
            secrets.delete_profile(profile.id)
            raise
        offer_live_workspace(store, secrets, profile, process)
        _offer_dialects(store, secrets, profile, process)
    except BaseException:
        _stop_if_started(process)
        raise
    return LocalSandbox(profile, process.url, secret, process, True, secrets.session_only)


def offer_live_workspace(store: ProfileStore, secrets: SecretStore, local: Profile, process: SandboxProcess) -> None:
    """Add the "Local sandbox (live)" profile beside a local sandbox profile that has none (blocking).

    It shares the sandbox (same data dir, same running server): the live workspace's owner key is
    read from the sandbox's credentials.json. Nothing happens when the profile exists already or
    the sandbox has no live workspace.
    """
    if any(p.is_local_sandbox and p.environment == "live" and p.sandbox_data_dir == local.sandbox_data_dir
           for p in store.list()):
        return
    try:
        secret = _owner_key(process, "live")
    except ProfileError:
        return
    live = Profile(name=LIVE_SANDBOX_NAME, base_url=process.url, auth_kind="api_key", environment="live",
                   is_local_sandbox=True, sandbox_data_dir=local.sandbox_data_dir).validated()
    secrets.set(live.id, SECRET_KIND, secret)
    try:
        store.add(live)
    except BaseException:
        secrets.delete_profile(live.id)
        raise


def open_local_sandbox(
    store: ProfileStore,
    secrets: SecretStore,
    name: str,
    *,
    start: Starter = SandboxProcess.find_or_start,
    **start_options,
) -> LocalSandbox:
    """The sandbox of an existing local-sandbox profile: the one running, else a new one. Blocking.

    Also used after the sandbox crashed (its stale state file leads to a new one). If the key is
    missing from the keychain (a session-only key from an earlier run), it is read again from the
    sandbox's credentials.json and stored.
    """
    profile = store.get(name)
    if not profile.is_local_sandbox or not profile.sandbox_data_dir:
        raise ProfileError(f"The profile {profile.name!r} is not a local sandbox profile.")
    process = start(Path(profile.sandbox_data_dir), port=0, **start_options)
    try:
        credentials = _credentials(process)
        secret = secrets.get(profile.id, SECRET_KIND)
        if secret is None:
            secret = (_owner_key(process, profile.environment) if profile.platform == "opsdesk"
                      else dialect_secret(profile, credentials))
            secrets.set(profile.id, SECRET_KIND, secret)
        url = profile_url(profile, process.url, credentials)
        if profile.base_url != url:
            profile = store.update(profile.name, base_url=url)
        store.mark_used(profile.name)
        if profile.platform == "opsdesk":
            offer_live_workspace(store, secrets, profile, process)
            _offer_dialects(store, secrets, profile, process)
    except BaseException:
        _stop_if_started(process)
        raise
    return LocalSandbox(profile, url, secret, process, False, secrets.session_only)


def _credentials(process: SandboxProcess) -> dict:
    try:
        return process.credentials()
    except (OSError, ValueError):
        return {}


def _offer_dialects(store: ProfileStore, secrets: SecretStore, local: Profile, process: SandboxProcess) -> None:
    """The sandbox's workspace in every other platform's dialect, a profile each (once)."""
    offer_dialect_workspaces(store, secrets, local, process.url, _credentials(process))


def _stop_if_started(process: SandboxProcess) -> None:
    """Undo a start that failed half way; a sandbox found running serves others and stays."""
    if process.started_here:
        process.stop()


def _owner_key(process: SandboxProcess, environment: str = SANDBOX_ENVIRONMENT) -> str:
    try:
        return process.credentials()[environment]["owner_key"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ProfileError(
            f"The sandbox's credentials file {process.credentials_path} has no "
            f"{environment} owner key ({type(exc).__name__})."
        ) from None
