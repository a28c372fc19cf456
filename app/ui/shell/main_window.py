"""The main window: module sidebar, a stack of lazily created panels, environment marking, status bar.

The window is a view. The console controller hands it a `PanelContext` for the active profile
(`set_context`) and the credential's scopes (`set_scopes`); the window creates each module's
panel the first time it is opened, through `panels.registry`, and activates it on every visit.
Window geometry and the open module are kept in a small INI file of non-secret UI state.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.log_names import NOTICES_LOGGER
from app.ui.icons import icon
from app.ui.panels import registry
from app.ui.shell.environment_marker import EnvironmentBar, live_frame_style
from app.ui.shell.module_access import unavailable_modules
from app.ui.shell.placeholder_page import PlaceholderPage
from app.ui.shell.sidebar import ModuleSidebar
from app.ui.shell.status_bar import ShellStatusBar
from app.ui.ui_state import ui_state_settings  # noqa: F401  (the shell's callers import it from here)
from app.ui.widgets.banner import Banner
from app.ui.widgets.message_strip import MessageStrip

if TYPE_CHECKING:  # kept out of the import path of the first paint (start-up speed)
    import asyncio

    from app.api.dialects.manifest import Manifest
    from app.ui.panel_context import PanelContext

log = logging.getLogger(__name__)
#: Warning and error notices are logged here too (the log file; stderr from a terminal).
notices_log = logging.getLogger(NOTICES_LOGGER)

DEFAULT_MODULE = "contacts"
#: A panel shown again within this many seconds is not reloaded: its stores keep it current.
FRESH_SECONDS = 30.0


class MainWindow(QMainWindow):
    """The console's one window. `open_module(name)` is the way in, for users and tests alike."""

    sig_close_requested = Signal()
    """The user closed the window: the console should shut down."""
    sig_profiles_requested = Signal()
    """The user asked for the profiles dialog."""
    sig_palette_requested = Signal()
    """The user pressed Ctrl+K / Cmd+K."""

    def __init__(self, settings: QSettings | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("shell.main_window")
        self.setWindowTitle("Opsdesk")
        self.setWindowIcon(icon("app"))
        self._settings = settings
        self._context: PanelContext | None = None
        self._pages: dict[str, QWidget] = {}
        self._activations: dict[str, asyncio.Task] = {}
        self._webhook_alerts = None  # app.ui.desktop_notifications.DesktopNotifier of the open session
        #: When each panel's latest activation started (monotonic seconds).
        self._activated_at: dict[str, float] = {}
        self._scopes: frozenset[str] | None = None
        self._preview: QWidget | None = None
        self.current_module = ""

        self.environment_bar = EnvironmentBar(self)
        self._notices: dict[str, Banner] = {}
        #: Shell-wide notices share one fixed-height strip: a notice coming or going moves nothing.
        self._notice_area = MessageStrip("shell.notices", self)
        self.sidebar = ModuleSidebar(self)
        self.sidebar.sig_module_chosen.connect(self.open_module)
        self.stack = QStackedWidget(self)
        # An explicit minimum overrides the pages' minimum size hints: a panel whose content grows
        # (a bulk result list, a long column) is squeezed or scrolls inside; it never widens the window.
        self.stack.setMinimumSize(320, 240)
        self.stack.setObjectName("shell.stack")
        self.workarea = QFrame(self)
        self.workarea.setObjectName("shell.workarea")
        work_layout = QVBoxLayout(self.workarea)
        work_layout.setContentsMargins(8, 8, 8, 8)
        work_layout.addWidget(self._notice_area)
        work_layout.addWidget(self.stack, 1)

        body = QWidget(self)
        body_layout = QHBoxLayout(body)
        body_layout.setContentsMargins(0, 0, 0, 0)
        body_layout.setSpacing(0)
        body_layout.addWidget(self.sidebar)
        body_layout.addWidget(self.workarea, 1)
        central = QWidget(self)
        central_layout = QVBoxLayout(central)
        central_layout.setContentsMargins(0, 0, 0, 0)
        central_layout.setSpacing(0)
        central_layout.addWidget(self.environment_bar)
        central_layout.addWidget(body, 1)
        self.setCentralWidget(central)

        self.status = ShellStatusBar(self)
        self.setStatusBar(self.status)
        self._waiting_page = PlaceholderPage("shell", "Opsdesk", "Connecting…", self)
        self._waiting_page.setObjectName("shell.waiting")
        self.stack.addWidget(self._waiting_page)
        self._build_actions()
        self.resize(1200, 760)
        self._restore_geometry()

    # ---- actions and shortcuts -----------------------------------------------------------
    def _build_actions(self) -> None:
        menu = self.menuBar()
        console = menu.addMenu("&Console")
        self.profiles_action = self._action("Profiles…", "shell.action.profiles", QKeySequence.StandardKey.Preferences,
                                            self.sig_profiles_requested.emit)
        console.addAction(self.profiles_action)
        console.addSeparator()
        self.quit_action = self._action("Quit", "shell.action.quit", QKeySequence.StandardKey.Quit, self.close)
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        console.addAction(self.quit_action)

        go = menu.addMenu("&Go")
        self.palette_action = self._action("Command palette…", "shell.action.palette", QKeySequence("Ctrl+K"),
                                           self.sig_palette_requested.emit)
        go.addAction(self.palette_action)
        go.addSeparator()
        for spec in registry.MODULES:
            action = self._action(spec.title, f"shell.action.open.{spec.name}", QKeySequence(f"Ctrl+{spec.digit}"),
                                  lambda name=spec.name: self.open_module(name))
            action.setIcon(icon(spec.name))
            go.addAction(action)

        view = menu.addMenu("&View")
        self.refresh_action = self._action("Refresh", "shell.action.refresh", QKeySequence.StandardKey.Refresh,
                                           self.refresh_current)
        view.addAction(self.refresh_action)
        self.full_screen_action = self._action("Full screen", "shell.action.full_screen",
                                               QKeySequence.StandardKey.FullScreen, self._toggle_full_screen)
        view.addAction(self.full_screen_action)

        help_menu = menu.addMenu("&Help")
        about = self._action("About Opsdesk", "shell.action.about", None, self._show_about)
        about.setMenuRole(QAction.MenuRole.AboutRole)
        help_menu.addAction(about)

    def _action(self, text: str, name: str, keys, slot: Callable[[], None]) -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        if keys is not None:
            action.setShortcut(keys if isinstance(keys, QKeySequence) else QKeySequence(keys))
        action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        action.triggered.connect(lambda checked=False: slot())
        self.addAction(action)
        return action

    def _toggle_full_screen(self) -> None:
        self.setWindowState(self.windowState() ^ Qt.WindowState.WindowFullScreen)

    def _show_about(self) -> None:
        try:
            from app.ui.about_dialog import show_about
        except ImportError:
            from PySide6.QtWidgets import QMessageBox

            from app import __version__

            QMessageBox.about(self, "About Opsdesk", f"Opsdesk {__version__}")
            return
        show_about(self)

    # ---- shell notices ---------------------------------------------------------------------
    def show_notice(self, key: str, kind: str, message: str, *,
                    action: tuple[str, Callable[[], None]] | None = None) -> Banner:
        """Show (or replace) the shell-wide notice `key`; each key is its own strip above the panels."""
        banner = self._notices.get(key)
        if banner is None:
            banner = self._notice_area.channel(f"shell.notice.{key}")
            self._notices[key] = banner
        if kind in ("warning", "error") and (banner.kind, banner.plain_text) != (kind, message):
            notices_log.log(logging.ERROR if kind == "error" else logging.WARNING, "%s", message)
        banner.show_message(kind, message, action=action)
        return banner

    def clear_notice(self, key: str) -> None:
        banner = self._notices.get(key)
        if banner is not None:
            banner.clear()

    def problems(self) -> list[str]:
        """The text of every error or warning notice showing now."""
        return [banner.plain_text for banner in self._notices.values() if banner.kind in ("error", "warning")]

    def notice(self, key: str) -> Banner | None:
        """The notice strip `key` if it is showing."""
        banner = self._notices.get(key)
        return banner if banner is not None and banner.kind else None

    # ---- the active profile ----------------------------------------------------------------
    @property
    def context(self) -> PanelContext | None:
        return self._context

    def show_preview(self, preview: QWidget) -> None:
        """Show a page of cached data until the profile is connected (`set_context` removes it)."""
        self._preview = preview
        self.stack.addWidget(preview)
        self.stack.setCurrentWidget(preview)

    def set_context(self, context: PanelContext | None, *, workspace: str = "") -> None:
        """Show the profile behind `context` (None: not connected); drops every page of the old one."""
        if self._preview is not None and context is not None:
            self.stack.removeWidget(self._preview)
            self._preview.deleteLater()
            self._preview = None
        self._activated_at.clear()
        for task in self._activations.values():
            task.cancel()
        self._activations.clear()
        for page in self._pages.values():
            self.stack.removeWidget(page)
            page.deleteLater()
        self._pages.clear()
        self._context = context
        if context is not None:
            context.message_strip = self._notice_area
        from app.ui.desktop_notifications import watch_session

        self._webhook_alerts = watch_session(self, self._webhook_alerts, context)
        self._scopes = None
        self.sidebar.set_disabled_reasons(unavailable_modules(self._manifest(), None))
        self.status.reset()
        if context is None:
            self.environment_bar.hide()
            self.workarea.setStyleSheet("")
            self.stack.setCurrentWidget(self._preview or self._waiting_page)
            return
        self.mark_profile(getattr(context.profile, "name", ""), context.environment, workspace)

    async def shutdown_panels(self, timeout: float = 15.0) -> None:
        """Await `shutdown()` of every created panel that has one, before the session closes.

        A panel may hold something on the server that must be put back while the client still
        works (the webhooks panel's "Listen locally" restores or deletes its endpoint). A panel
        whose shutdown fails or hangs is logged and skipped: closing the session must go on.
        """
        import asyncio

        alerts = self._webhook_alerts
        if alerts is not None:
            await alerts.monitor.stop()
        for name, page in list(self._pages.items()):
            shutdown = getattr(page, "shutdown", None)
            if shutdown is None:
                continue
            try:
                await asyncio.wait_for(shutdown(), timeout)
            except Exception:
                log.exception("the %s panel did not shut down cleanly", name)

    def mark_profile(self, name: str, environment: str, workspace: str = "") -> None:
        """Show which profile and environment this window works on (banner, frame, title, status)."""
        self.environment_bar.set_environment(environment, name, workspace)
        self.workarea.setStyleSheet(live_frame_style(environment))
        self.status.set_profile(name, environment)
        # Ends with the application's name, so Qt (which appends the display name to any other
        # title) shows it once: "Local sandbox — Opsdesk", not "Opsdesk — Local sandbox — Opsdesk".
        self.setWindowTitle(f"{name}{' (LIVE)' if environment == 'live' else ''} — Opsdesk")

    def set_workspace_name(self, workspace: str) -> None:
        if self._context is not None:
            self.environment_bar.set_environment(
                self._context.environment, getattr(self._context.profile, "name", ""), workspace
            )

    def set_scopes(self, scopes: frozenset[str] | None) -> None:
        """Disable the modules these scopes do not allow (None: not known yet, allow all)."""
        self._scopes = scopes
        reasons = unavailable_modules(self._manifest(), scopes)
        self.sidebar.set_disabled_reasons(reasons)
        for name, page in list(self._pages.items()):
            if name in reasons or isinstance(page, PlaceholderPage):
                self._drop_page(name)
            elif hasattr(page, "on_scopes_changed"):
                page.on_scopes_changed(scopes)
        if self.current_module in reasons:
            self.open_module(self.current_module)

    def _manifest(self) -> Manifest | None:
        return self._context.manifest if self._context is not None else None

    def disabled_reason(self, name: str) -> str | None:
        """Why module `name` is disabled for this credential, or None."""
        return self.sidebar.disabled_reason(name)

    # ---- pages -------------------------------------------------------------------------------
    def open_module(self, name: str, *, refresh: bool = False) -> QWidget:
        """Show module `name` (creating its panel the first time) and activate it.

        A panel seen less than `FRESH_SECONDS` ago is shown as it is (its stores keep it current),
        so switching back and forth paints at once and sends nothing; `refresh` activates anyway.
        """
        registry.spec_of(name)
        page = self._pages.get(name)
        if page is None:
            page = self._create_page(name)
            self._pages[name] = page
            self.stack.addWidget(page)
        self.stack.setCurrentWidget(page)
        self._notice_area.refresh()
        self.current_module = name
        self.sidebar.select(name)
        self._activate(name, page, refresh)
        return page

    def page(self, name: str) -> QWidget | None:
        """The page of module `name` if it has been created."""
        return self._pages.get(name)

    def activation(self, name: str) -> asyncio.Task | None:
        """The task of the module's latest `activate()` (tests and --exit-after-load await it)."""
        return self._activations.get(name)

    def refresh_current(self) -> None:
        """Re-activate the visible panel: cached rows, then a fresh load."""
        if self.current_module:
            self.open_module(self.current_module, refresh=True)

    def _create_page(self, name: str) -> QWidget:
        spec = registry.spec_of(name)
        reason = self.sidebar.disabled_reason(name)
        if reason:
            return PlaceholderPage(name, spec.title, reason, self.stack)
        if self._context is None:
            return PlaceholderPage(name, spec.title, "Not connected yet.", self.stack)
        try:
            panel_class = registry.load_panel_class(name)
        except registry.PanelUnavailable as why:
            return PlaceholderPage(name, spec.title, str(why), self.stack)
        try:
            return panel_class(self._context, self.stack)
        except Exception as error:  # a panel that cannot be built must not take the console down
            log.exception("the %s panel could not be created", name)
            return PlaceholderPage(
                name, spec.title, f"The {spec.title} panel could not start ({type(error).__name__}: {error}).",
                self.stack,
            )

    def _drop_page(self, name: str) -> None:
        task = self._activations.pop(name, None)
        self._activated_at.pop(name, None)
        if task is not None:
            task.cancel()
        page = self._pages.pop(name)
        self.stack.removeWidget(page)
        shutdown = getattr(page, "shutdown", None)
        if shutdown is None or self._context is None:
            page.deleteLater()
            return

        async def shut_down_then_delete() -> None:
            try:
                await shutdown()
            finally:
                page.deleteLater()

        self._context.tasks.spawn(shut_down_then_delete(), name=f"shut down the {name} panel")

    def _activate(self, name: str, page: QWidget, refresh: bool) -> None:
        if self._context is None:
            return
        previous = self._activations.get(name)
        if previous is not None and not previous.done():
            return  # still loading from the previous visit
        recent = time.monotonic() - self._activated_at.get(name, float("-inf")) < FRESH_SECONDS
        if previous is not None and recent and not refresh:
            return
        if hasattr(page, "run"):  # a ModulePanel (placeholders have nothing to load)
            self._activated_at[name] = time.monotonic()
            self._activations[name] = page.run(page.activate(), name=f"activate {name}")

    # ---- window state ------------------------------------------------------------------------
    def _restore_geometry(self) -> None:
        if self._settings is None:
            return
        geometry = self._settings.value("window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)

    def saved_module(self) -> str:
        """The module that was open when the window last closed (else Contacts), or the first one
        the profile's platform has when it lacks that one."""
        name = DEFAULT_MODULE if self._settings is None else self._settings.value("window/module", DEFAULT_MODULE)
        if name not in {spec.name for spec in registry.MODULES}:
            name = DEFAULT_MODULE
        absent = unavailable_modules(self._manifest(), None)
        if name in absent:
            name = next((spec.name for spec in registry.MODULES if spec.name not in absent), name)
        return name

    def save_state(self) -> None:
        if self._settings is None:
            return
        self._settings.setValue("window/geometry", self.saveGeometry())
        if self.current_module:
            self._settings.setValue("window/module", self.current_module)
        self._settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_state()
        event.accept()
        self.sig_close_requested.emit()
