"""The console: the window, the session of the open profile, and an orderly shutdown.

Which profile opens, what a switch means for the local sandbox and where secrets go is
decided by the Qt-free `app.core.profile_service.ProfileService`; the console is its host. It
builds a `Session` for the profile the service opens and hands its `PanelContext` to the window,
switches cleanly (the old session's tasks cancelled, its client and cache closed first), lets the
status bar follow the session (`session_status`), shows the service's notices and shuts down in order.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QSettings
from PySide6.QtWidgets import QApplication

from app.api import ApiKeyAuth, errors
from app.core.keychain import SecretStore
from app.core.profile_service import PROFILES, RESTART, Notice, ProfileService
from app.core.profiles import Profile, ProfileStore
from app.core.secret_masking import mask_secrets
from app.ui import sandbox_menu, session_status
from app.ui.error_messages import describe
from app.ui.runtime_tuning import tune_for_interaction
from app.ui.session import Session
from app.ui.shell.main_window import MainWindow, ui_state_settings
from app.ui.task_set import TaskSet

log = logging.getLogger(__name__)

#: The longest the background record sync waits for the first panel's own data at start-up.
FIRST_PANEL_WAIT_SECONDS = 5.0


class Console(QObject):
    """Owns the window and everything behind it for one run of the application."""

    def __init__(self, *, store: ProfileStore | None = None, secrets: SecretStore | None = None,
                 settings: QSettings | None = None, sandbox_options: dict[str, Any] | None = None,
                 client_options: dict[str, Any] | None = None, window: MainWindow | None = None) -> None:
        super().__init__()
        # Closing the window must not stop the loop under us: shutdown is the main coroutine's job.
        QApplication.instance().setQuitOnLastWindowClosed(False)
        self.window = window or MainWindow(settings if settings is not None else ui_state_settings())
        self.profiles = ProfileService(self, store, secrets, sandbox_options=sandbox_options,
                                       client_options=client_options)
        self.session: Session | None = None
        self.closed = asyncio.Event()
        self._switching = asyncio.Lock()
        self._profiles_dialog = None
        self._palette = None
        self._shown_unexpected = False
        #: Console actions started from Qt slots (sign out, restart): held until they finish.
        self._actions = TaskSet(on_error=self._action_failed)
        self._shut_down = False
        self.window.sig_close_requested.connect(self.closed.set)
        self.window.sig_profiles_requested.connect(self.show_profiles)
        self.window.sig_palette_requested.connect(self.show_palette)
        self.stop_sandbox_action = sandbox_menu.install(self.window, self._stop_sandbox_confirmed)

    store = property(lambda self: self.profiles.store, doc="The profiles file.")
    secrets = property(lambda self: self.profiles.secrets, doc="The keychain (or the session-only store).")
    local_sandbox = property(lambda self: self.profiles.sandbox.local,
                             doc="The local sandbox this console uses, if any (it outlives the console).")

    async def start(self, requested: str | None = None) -> bool:
        """Open the profile to use now; False (with a notice saying why) if none could be opened."""
        # No cyclic collection until the first panel is shown (see runtime_tuning).
        gc.disable()
        try:
            self.window.show()
            return await self.profiles.start(requested)
        finally:
            tune_for_interaction(QApplication.instance())

    async def switch_profile(self, name: str) -> bool:
        """Switch to the profile called `name` (starting its local sandbox if it is one)."""
        return await self.profiles.switch(name)

    # ---- sessions (the profile service's host) ---------------------------------------------------
    async def open_profile(self, profile: Profile, secret: str | None = None) -> bool:
        """Make `profile` the active one (closing the previous session first)."""
        async with self._switching:
            await self._close_session()
            secret = await self.profiles.secret_for(profile, secret)
            if not secret:
                return False
            try:
                session = await Session.open(
                    profile, secret, parent=self, client_options=self.profiles.client_options,
                    on_refresh_token=partial(self._keep_refresh_token, profile), executor=self.profiles.executor,
                )
            except ValueError as error:
                self.show_notice(Notice("secret", "error", f"The profile {profile.name!r} cannot connect: {error}"))
                return False
            self.session = session
            self._wire(session)
            self.window.set_context(session.context)
            first = self.window.saved_module()
            self.window.open_module(first)
            session.tasks.spawn(self._load_identity(session, self.window.activation(first)), name="identity")
        await self.profiles.opened(profile, session.cache)
        return True

    async def close_session(self) -> None:
        """Close the open session, if any (the window then shows no profile)."""
        async with self._switching:
            await self._close_session()

    async def sign_out(self, reason: str) -> None:
        """End the session (e.g. the console's own key was revoked); the profile stays."""
        await self.close_session()
        self.show_status("signed_out", reason)
        self.show_notice(Notice("signed_out", "warning", f"Signed out: {reason}", PROFILES))

    def show_notice(self, notice: Notice) -> None:
        """Show (or, without a kind, take down) one of the window's notice strips."""
        if not notice.kind:
            self.window.clear_notice(notice.key)
            return
        actions = {PROFILES: self.show_profiles, RESTART: self._restart_clicked}
        action = (notice.action, actions[notice.action]) if notice.action else None
        self.window.show_notice(notice.key, notice.kind, notice.text, action=action)

    def show_status(self, state: str, detail: str = "") -> None:
        self.window.status.set_connection(state, detail)

    def _wire(self, session: Session) -> None:
        session.context.open_request_log = self.open_request_log
        session.context.credential_changed = partial(self._credential_changed, session)
        session.context.sign_out = lambda reason: self._actions.spawn(self.sign_out(reason), name="sign out")
        session_status.follow(self.window.status, session)
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
        """The profile's own API key was rotated in a panel: use it at once, keep it in the background."""
        session.client.set_auth(ApiKeyAuth(secret))
        session.tasks.spawn(self.profiles.keep_rotated_key(session.profile, secret), name="store rotated key")

    def _keep_refresh_token(self, profile: Profile, token: str) -> None:
        if self.session is not None:
            self.session.tasks.spawn(self.profiles.keep_refresh_token(profile, token), name="store refresh token")

    def _on_identity(self, scopes: frozenset, workspace: str) -> None:
        if self.session is None:
            return
        if self.session.environment != getattr(self.window.context, "environment", None):
            self.window.set_context(self.session.context, workspace=workspace)
            self.window.open_module(self.window.saved_module())
        self.window.set_workspace_name(workspace)
        self.window.set_scopes(scopes)

    async def _load_identity(self, session: Session, first_panel: asyncio.Task | None = None) -> None:
        try:
            await session.load_identity()
        except errors.ApiConnectionError:
            self.show_status("offline", "The server cannot be reached; showing cached data.")
            return
        except errors.ApiError as error:
            self.show_notice(Notice("identity", "error", describe(error)))
            return
        if first_panel is not None:
            # The record sync (every contact and ticket into the cache) would compete with the
            # panel shown at start-up for the UI thread: it starts once that panel has its rows.
            await asyncio.wait([first_panel], timeout=FIRST_PANEL_WAIT_SECONDS)
        session.sync_task = session.tasks.spawn(session_status.sync_records(self.window.status, session),
                                                name="sync records")

    async def _close_session(self) -> None:
        session, self.session = self.session, None
        if session is None:
            return
        self.profiles.closed()
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

    def _restart_clicked(self) -> None:
        self._actions.spawn(self.profiles.restart_sandbox(), name="restart sandbox")

    def _stop_sandbox_confirmed(self) -> None:
        self._actions.spawn(self._stop_sandbox(), name="stop sandbox")

    async def _stop_sandbox(self) -> None:
        if not await self.profiles.stop_sandbox():
            self.show_notice(Notice("sandbox", "info", "No local sandbox is running."))

    # ---- dialogs -----------------------------------------------------------------------------------
    def show_profiles(self) -> None:
        from app.ui.profiles.profiles_dialog import ProfilesDialog

        if self._profiles_dialog is None:
            self._profiles_dialog = ProfilesDialog(self.profiles, self.window)
        self._profiles_dialog.reload()
        self._profiles_dialog.show()
        self._profiles_dialog.raise_()
        self._profiles_dialog.activateWindow()

    def show_palette(self) -> None:
        from app.ui.shell.command_palette import CommandPalette

        if self._palette is None:
            self._palette = CommandPalette(
                self.window, profiles=lambda: [profile.name for profile in self.store.list()],
                open_profile=lambda name: self._actions.spawn(self.switch_profile(name), name="switch profile"))
        self._palette.popup()

    # ---- unexpected errors and shutdown -----------------------------------------------------------
    def report_unexpected(self, summary: str, log_path: Path) -> None:
        """Tell the user once per run that something unexpected happened and where it was written."""
        if not self._shown_unexpected:
            self._shown_unexpected = True
            self.show_notice(Notice("unexpected", "error", f"Something unexpected went wrong ({summary}). "
                                    f"The details were written to {log_path}."))

    def _action_failed(self, error: BaseException) -> None:
        log.error("a console action failed", exc_info=error)
        # Text of a non-API error can quote what it was handed (a URL with a key, a header).
        self.show_notice(Notice("action", "error", describe(error) if isinstance(error, errors.ApiError)
                                else mask_secrets(str(error))))

    async def shutdown(self) -> None:
        """Close the session, release the local sandbox (it keeps running) and the worker threads (once)."""
        if self._shut_down:
            return
        self._shut_down = True
        await self._actions.cancel_all()
        self.window.save_state()
        for dialog in (self._profiles_dialog, self._palette):
            if dialog is not None:
                dialog.close()
        await self.close_session()
        await self.profiles.close()
        self.window.hide()
