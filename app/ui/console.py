"""The console controller: profiles, the active session, the local sandbox child, the window.

It decides what opens at start (first run → local sandbox; `--profile NAME`; last used), builds
a `Session` for the active profile and hands its `PanelContext` to the window, switches profiles
cleanly (the old session's tasks cancelled, its client and cache closed first), watches the
local sandbox child and offers a restart when it dies, and shuts everything down in order.
Blocking work (profile file, keychain, starting/stopping the child) runs in executors it owns.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QSettings
from PySide6.QtWidgets import QApplication

from app.api import errors
from app.core import first_run
from app.core.keychain import KeychainError, SecretStore
from app.core.profile_removal import remove_profile
from app.core.profiles import Profile, ProfileError, ProfileStore
from app.core.sandbox_process import SandboxStartError
from app.core.secret_masking import mask_secrets
from app.ui.error_messages import describe
from app.ui.record_sync import RecordSync
from app.ui.runtime_tuning import tune_for_interaction
from app.ui.sandbox_watch import SandboxWatch, read_tail
from app.ui.session import Session
from app.ui.shell.main_window import MainWindow, ui_state_settings
from app.ui.task_set import TaskSet

log = logging.getLogger(__name__)
T = TypeVar("T")

#: How much of a crashed sandbox child's log the status bar shows.
SANDBOX_LOG_TAIL_CHARS = 600

NO_KEYCHAIN_NOTICE = "No system keychain found: your key is kept for this session only."


def secret_kind(profile: Profile) -> str:
    """Which keychain entry holds the profile's secret."""
    return "password" if profile.auth_kind == "login" else "api_key"


class Console(QObject):
    """Owns the window and everything behind it for one run of the application."""

    def __init__(
        self,
        *,
        store: ProfileStore | None = None,
        secrets: SecretStore | None = None,
        settings: QSettings | None = None,
        sandbox_options: dict[str, Any] | None = None,
        client_options: dict[str, Any] | None = None,
        window: MainWindow | None = None,
    ) -> None:
        super().__init__()
        # Closing the window must not stop the loop under us: shutdown is the main coroutine's job.
        QApplication.instance().setQuitOnLastWindowClosed(False)
        self.store = store if store is not None else ProfileStore()
        self.secrets = secrets if secrets is not None else SecretStore()
        self.sandbox_options = dict(sandbox_options or {})
        self.client_options = dict(client_options or {})
        self.window = window or MainWindow(settings if settings is not None else ui_state_settings())
        self.session: Session | None = None
        self.local_sandbox: first_run.LocalSandbox | None = None
        self._watch: SandboxWatch | None = None
        self.closed = asyncio.Event()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="opsdesk-shell")
        self._switching = asyncio.Lock()
        self._profiles_dialog = None
        self._palette = None
        self._shown_unexpected = False
        #: Console actions started from Qt slots (sign out, restart): held until they finish.
        self._actions = TaskSet()
        self._shut_down = False
        self.window.sig_close_requested.connect(self.closed.set)
        self.window.sig_profiles_requested.connect(self.show_profiles)
        self.window.sig_palette_requested.connect(self.show_palette)
        if self.store.recovered_from is not None:
            self.window.show_notice(
                "profiles", "warning",
                f"The profiles file could not be read; it was kept as {self.store.recovered_from.name} "
                "and the console started without profiles.",
            )

    # ---- blocking work off the UI thread -------------------------------------------------------
    async def blocking(self, call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run `call` in the shell's worker thread (profile file, child process)."""
        return await asyncio.get_running_loop().run_in_executor(self._executor, partial(call, *args, **kwargs))

    # ---- start -------------------------------------------------------------------------------------
    async def start(self, requested: str | None = None) -> bool:
        """Open the profile to use now; False (with a notice saying why) if none could be opened."""
        # No cyclic collection until the first panel is shown (see runtime_tuning).
        gc.disable()
        try:
            return await self._start(requested)
        finally:
            tune_for_interaction(QApplication.instance())

    async def _start(self, requested: str | None) -> bool:
        self.window.show()
        if requested is None and not self.store.list():
            self.window.status.set_connection("connecting", "Starting the local sandbox…")
            self.window.show_notice("startup", "info", "First run: starting a local sandbox with demo data…")
        try:
            local = await self.blocking(
                first_run.start_for_console, self.store, self.secrets, requested, **self.sandbox_options
            )
        except ProfileError as error:
            self.window.show_notice("startup", "error", str(error), action=("Profiles…", self.show_profiles))
            return False
        except (SandboxStartError, OSError, KeychainError) as error:
            self._show_sandbox_failure(f"The local sandbox could not start: {error}")
            return False
        self.window.clear_notice("startup")
        if local is not None:
            self._adopt_sandbox(local)
            opened = await self.open_profile(local.profile, local.secret)
        else:
            profile = self.store.choose(requested)
            if profile is None:
                self.window.show_notice("startup", "info", "No profile yet: add one to connect.",
                                        action=("Profiles…", self.show_profiles))
                return False
            opened = await self.open_profile(profile)
        return opened

    # ---- sessions ------------------------------------------------------------------------------------
    async def open_profile(self, profile: Profile, secret: str | None = None) -> bool:
        """Make `profile` the active one (closing the previous session first)."""
        async with self._switching:
            await self._close_session()
            if secret is None:
                try:
                    secret = await self.secrets.aget(profile.id, secret_kind(profile))
                except KeychainError as error:
                    self.window.show_notice("secret", "error", str(error), action=("Profiles…", self.show_profiles))
                    return False
            if not secret:
                self.window.show_notice(
                    "secret", "warning",
                    f"No key is stored for the profile {profile.name!r} (a key kept for one session only is "
                    "gone after a restart). Enter it in Profiles.",
                    action=("Profiles…", self.show_profiles),
                )
                return False
            self.window.clear_notice("secret")
            try:
                session = await Session.open(
                    profile, secret, parent=self, client_options=self.client_options,
                    on_refresh_token=partial(self._store_refresh_token, profile),
                    executor=self._executor,
                )
            except ValueError as error:
                self.window.show_notice("secret", "error", f"The profile {profile.name!r} cannot connect: {error}")
                return False
            self.session = session
            self._wire(session)
            self.window.set_context(session.context)
            self._show_profile_notices(session)
            self.window.open_module(self.window.saved_module())
            session.tasks.spawn(self._load_identity(session), name="identity")
        try:
            await self.blocking(self.store.mark_used, profile.name)
        except ProfileError:
            log.warning("could not remember the last used profile")
        return True

    async def switch_profile(self, name: str) -> bool:
        """Switch to the profile called `name` (starting its local sandbox if it is one)."""
        profile = self.store.get(name)
        if profile.is_local_sandbox:
            return await self.restart_sandbox(name)
        await self._stop_sandbox()
        return await self.open_profile(profile)

    def _wire(self, session: Session) -> None:
        session.context.open_request_log = self.open_request_log
        session.context.credential_changed = partial(self._credential_changed, session)
        session.context.sign_out = self._sign_out_requested
        status = self.window.status
        status.set_connection("connecting")
        session.sig_connection.connect(lambda state, detail: status.set_connection(state, detail))
        session.sig_rate_limit.connect(status.set_rate_limit)
        session.sig_request.connect(self._on_request)
        session.sig_identity.connect(self._on_identity)

    def open_request_log(self, request_id: str) -> None:
        """Show the request log at the exchange with `request_id` (from an error banner's link)."""
        page = self.window.open_module("request_log")
        task = self.window.activation("request_log")

        async def select() -> None:
            if task is not None:
                await asyncio.shield(task)
            if hasattr(page, "select_request"):
                page.select_request(request_id)

        if self.session is not None:
            self.session.tasks.spawn(select(), name="open request log")

    def _credential_changed(self, session: Session, secret: str) -> None:
        """The profile's own API key was rotated in a panel: use and keep the new one."""
        from app.api import ApiKeyAuth

        session.client.set_auth(ApiKeyAuth(secret))
        session.tasks.spawn(self._store_new_key(session.profile, secret), name="store rotated key")

    async def _store_new_key(self, profile: Profile, secret: str) -> None:
        try:
            await self.secrets.aset(profile.id, "api_key", secret)
        except KeychainError as error:
            self.window.show_notice("secret", "error", f"The new key is in use but could not be stored: {error}")
            return
        where = "for this session only" if self.secrets.session_only else "in the system keychain"
        self.window.show_notice("secret", "success", f"The console now uses the new key, kept {where}.")

    def _sign_out_requested(self, reason: str) -> None:
        self._actions.spawn(self._guard(self.sign_out(reason)), name="sign out")

    async def sign_out(self, reason: str) -> None:
        """End the session (e.g. the console's own key was revoked); the profile stays."""
        async with self._switching:
            await self._close_session()
        self.window.status.set_connection("signed_out", reason)
        self.window.show_notice("signed_out", "warning", f"Signed out: {reason}",
                                action=("Profiles…", self.show_profiles))

    def _on_request(self, record) -> None:
        from urllib.parse import urlsplit

        self.window.status.show_request(record.method, urlsplit(record.url).path, record.status,
                                        record.duration_ms, record.error)

    def _on_identity(self, scopes: frozenset, workspace: str) -> None:
        if self.session is None:
            return
        if self.session.environment != getattr(self.window.context, "environment", None):
            self.window.set_context(self.session.context, workspace=workspace)
            self.window.open_module(self.window.saved_module())
        self.window.set_workspace_name(workspace)
        self.window.set_scopes(scopes)

    async def _load_identity(self, session: Session) -> None:
        try:
            await session.load_identity()
        except errors.ApiConnectionError:
            self.window.status.set_connection("offline", "The server cannot be reached; showing cached data.")
            return
        except errors.ApiError as error:
            self.window.show_notice("identity", "error", describe(error))
            return
        session.sync_task = session.tasks.spawn(self._sync_records(session), name="sync records")

    async def _sync_records(self, session: Session) -> None:
        """Bring the cached contacts and tickets up to date (palette search, offline use)."""
        sync = RecordSync(session.client, session.cache, session.scopes, session)
        status = self.window.status
        sync.sig_progress.connect(
            lambda resource, count: status.showMessage(f"Caching {resource} for search and offline use: {count:,}")
        )
        try:
            stored = await sync.run()
        except errors.ApiError as error:
            status.showMessage(f"Caching for offline use stopped: {describe(error)}", 10_000)
            return
        status.showMessage(f"Cached {stored:,} records for search and offline use.", 5_000)

    def _show_profile_notices(self, session: Session) -> None:
        if self.secrets.session_only:
            self.window.show_notice("keychain", "warning", NO_KEYCHAIN_NOTICE)
        else:
            self.window.clear_notice("keychain")
        recovered = getattr(session.cache, "recovered_from", None)
        if recovered is not None:
            self.window.show_notice(
                "cache", "warning",
                f"The cache of this profile was damaged; it was moved aside ({Path(recovered).name}) and rebuilt. "
                "Data will be fetched again.",
            )
        elif getattr(session.cache, "in_memory", False):
            self.window.show_notice("cache", "warning",
                                    "The cache file cannot be used; cached data is kept in memory for this session.")
        else:
            self.window.clear_notice("cache")

    def _store_refresh_token(self, profile: Profile, token: str) -> None:
        if self.session is not None:
            self.session.tasks.spawn(self.secrets.aset(profile.id, "refresh_token", token), name="store refresh token")

    async def _close_session(self) -> None:
        session, self.session = self.session, None
        if session is None:
            return
        # Panels put back what they hold on the server (a listening webhook endpoint) while the
        # client still works; then tasks: a panel's task must never run on after its widgets go.
        await self.window.shutdown_panels()
        await session.tasks.cancel_all()
        self.window.set_context(None)
        try:
            await session.close()
        except Exception:
            log.exception("closing the session of %s failed", session.profile.name)
        session.deleteLater()

    # ---- the local sandbox child ------------------------------------------------------------------
    def _adopt_sandbox(self, local: first_run.LocalSandbox) -> None:
        self.local_sandbox = local
        self.window.clear_notice("sandbox")
        self._watch = SandboxWatch(local.process, self)
        self._watch.sig_exited.connect(self._on_sandbox_exited)

    def _on_sandbox_exited(self, code: int) -> None:
        self.window.status.set_connection("sandbox_down", f"exit code {code}")
        self._show_sandbox_failure(f"The local sandbox stopped unexpectedly (exit code {code}).")
        if self._watch is not None:
            self._actions.spawn(self._show_sandbox_log_tail(self._watch), name="sandbox log tail")

    async def _show_sandbox_log_tail(self, watch: SandboxWatch) -> None:
        """The end of the dead child's log as the status detail (read in the worker thread)."""
        tail = await self.blocking(read_tail, watch.process.stderr_path, SANDBOX_LOG_TAIL_CHARS)
        if tail and self._watch is watch:
            self.window.status.set_connection("sandbox_down", mask_secrets(tail))

    def _show_sandbox_failure(self, message: str) -> None:
        self.window.show_notice("sandbox", "error", message, action=("Restart", self._restart_clicked))

    def _restart_clicked(self) -> None:
        name = self.local_sandbox.profile.name if self.local_sandbox else None
        self._actions.spawn(self._guard(self.restart_sandbox(name)), name="restart sandbox")

    async def restart_sandbox(self, name: str | None = None) -> bool:
        """(Re)start the local sandbox of profile `name` (default: the one that was running)."""
        await self._stop_sandbox()
        self.window.show_notice("sandbox", "info", "Starting the local sandbox…")
        try:
            if name is None:
                local = await self.blocking(first_run.start_for_console, self.store, self.secrets, None,
                                            **self.sandbox_options)
            else:
                local = await self.blocking(first_run.restart_local_sandbox, self.store, self.secrets, name,
                                            **self.sandbox_options)
        except (SandboxStartError, OSError, KeychainError, ProfileError) as error:
            self._show_sandbox_failure(f"The local sandbox could not start: {error}")
            return False
        if local is None:
            self.window.clear_notice("sandbox")
            return False
        self._adopt_sandbox(local)
        return await self.open_profile(local.profile, local.secret)

    async def _stop_sandbox(self) -> None:
        local, self.local_sandbox = self.local_sandbox, None
        if self._watch is not None:
            self._watch.stop_watching()
            self._watch.deleteLater()
            self._watch = None
        if local is not None:
            await self._close_session()
            await self.blocking(local.process.stop)

    # ---- profiles --------------------------------------------------------------------------------------
    async def save_profile(self, profile: Profile, secret: str | None, *, original_name: str | None = None) -> Profile:
        """Add (or, with `original_name`, update) a profile; a non-empty `secret` goes to the keychain."""
        profile = profile.validated()
        if original_name is None:
            saved = await self.blocking(self.store.add, profile)
        else:
            changes = {k: getattr(profile, k) for k in
                       ("name", "base_url", "auth_kind", "environment", "login_email")}
            saved = await self.blocking(self.store.update, original_name, **changes)
        if secret:
            try:
                await self.secrets.aset(saved.id, secret_kind(saved), secret)
            except KeychainError:
                if original_name is None:
                    await self.blocking(self.store.delete, saved.name)
                raise
        if self.session is not None and self.session.profile.id == saved.id:
            await self.open_profile(saved)
        return saved

    async def delete_profile(self, name: str) -> None:
        """Delete a profile with its keychain entries, cache and drafts (closing it first if open)."""
        profile = self.store.get(name)
        was_open = self.session is not None and self.session.profile.id == profile.id
        if was_open:
            if self.local_sandbox is not None:
                await self._stop_sandbox()
            await self._close_session()
        await self.blocking(remove_profile, self.store, self.secrets, name)
        if was_open:
            self.window.status.set_connection("signed_out", "No profile is open.")
            self.window.show_notice("startup", "info", f"{profile.name!r} was deleted. Open or add a profile.",
                                    action=("Profiles…", self.show_profiles))

    async def test_connection(self, profile: Profile, secret: str | None) -> str:
        """Try the profile's URL and secret with GET /me; returns a sentence saying what happened."""
        from app.api import AdminClient, ApiKeyAuth, UserLoginAuth

        profile = profile.validated()
        if not secret:
            secret = await self.secrets.aget(profile.id, secret_kind(profile))
        if not secret:
            return "Enter the key (or password) to test the connection."
        auth: Any = (UserLoginAuth(profile.login_email or "", secret) if profile.auth_kind == "login"
                     else ApiKeyAuth(secret))
        async with AdminClient(profile.base_url, auth, max_retries=0, **self.client_options) as client:
            try:
                me = await client.me.get()
                workspace = await client.workspace.get()
            except errors.ApiError as error:
                return f"Connection failed: {describe(error)}"
        scopes = ", ".join(sorted(me.scopes)) or "no scopes"
        return f"Connected to workspace {workspace.name} ({workspace.environment}). Scopes: {scopes}."

    def show_profiles(self) -> None:
        from app.ui.profiles.profiles_dialog import ProfilesDialog

        if self._profiles_dialog is None:
            self._profiles_dialog = ProfilesDialog(self, self.window)
        self._profiles_dialog.reload()
        self._profiles_dialog.show()
        self._profiles_dialog.raise_()
        self._profiles_dialog.activateWindow()

    def show_palette(self) -> None:
        from app.ui.shell.command_palette import CommandPalette

        if self._palette is None:
            self._palette = CommandPalette(self.window)
        self._palette.popup()

    # ---- unexpected errors -------------------------------------------------------------------------
    def report_unexpected(self, summary: str, log_path: Path) -> None:
        """Tell the user once per run that something unexpected happened and where it was written."""
        if self._shown_unexpected:
            return
        self._shown_unexpected = True
        self.window.show_notice(
            "unexpected", "error",
            f"Something unexpected went wrong ({summary}). The details were written to {log_path}.",
        )

    async def _guard(self, coro) -> None:
        try:
            await coro
        except Exception as error:
            log.exception("a console action failed")
            # Text of a non-API error can quote what it was handed (a URL with a key, a header).
            self.window.show_notice("action", "error", describe(error) if isinstance(error, errors.ApiError)
                                    else mask_secrets(str(error)))

    # ---- shutdown ----------------------------------------------------------------------------------
    async def shutdown(self) -> None:
        """Close the session, stop the local sandbox child, release the worker threads (once)."""
        if self._shut_down:
            return
        self._shut_down = True
        await self._actions.cancel_all()
        self.window.save_state()
        for dialog in (self._profiles_dialog, self._palette):
            if dialog is not None:
                dialog.close()
        await self._close_session()
        await self._stop_sandbox()
        self.secrets.close()
        self._executor.shutdown(wait=True)
        self.window.hide()
