"""`opsdesk` / `python -m app`: one QApplication, a qasync loop, the console, a clean shutdown.

Shutdown follows what NOTES.md measured as clean: the last window closing does not quit Qt; the
window's close sets an asyncio.Event, the main coroutine then closes the session (tasks, client,
cache), releases the local sandbox (it keeps running for the next start) and returns, and only
then does the loop stop. Unexpected exceptions go to the rotating log file and are shown once,
non-modally.

With `--exit-after-load` the console prints one line when the cached preview is painted and
another, distinct one when the contacts panel shows rows the server sent in this run; the
start-up benchmark and the smoke test stop their clocks at them (match whole lines: the words
differ, but both say "contacts shown").
"""

from __future__ import annotations

import argparse
import gc
import logging
import sys
import time
from pathlib import Path

from PySide6.QtWidgets import QApplication

from app.ui import startup_imports

# Before anything else is imported: every later import is cheaper (see startup_imports).
startup_imports.cheap_pyside_feature_scan()

from app.ui.runtime_tuning import paint_fills_on_the_ui_thread
from app.ui.theme import MODES, apply_theme  # after the import hooks are made cheap

log = logging.getLogger(__name__)

#: How long --exit-after-load waits for the contacts panel's rows before giving up.
LOAD_TIMEOUT_SECONDS = 90.0
#: Printed (with --exit-after-load) once the window shows the cached preview, before any connection.
CACHED_ROWS_LINE = "opsdesk: cached contacts shown ({rows} rows)"
#: Printed (with --exit-after-load) once the contacts panel shows rows the server sent in this run.
LIVE_ROWS_LINE = "opsdesk: live contacts shown ({rows} rows)"


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="opsdesk", description="Opsdesk admin console")
    parser.add_argument("--profile", metavar="NAME", help="open this profile instead of the last used one")
    parser.add_argument("--exit-after-load", action="store_true",
                        help="open, load the contacts panel's data from the server, then quit (exit 0 when "
                             "live rows were shown)")
    parser.add_argument("--screenshot", metavar="PATH", type=Path,
                        help="with --exit-after-load: save a picture of the window before quitting")
    parser.add_argument("--theme", choices=MODES, default="system", help="light, dark, or follow the OS (default)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the console until its window is closed; returns the process exit code."""
    # No cyclic collection until the console has started (Console.start freezes the start-up
    # objects and hands collection to the main thread, see runtime_tuning): a full pass amid the
    # start-up imports paused the first paint and the loop for 20-40 ms (measured).
    gc.disable()
    paint_fills_on_the_ui_thread()  # before the first paint (see runtime_tuning)
    options = parse_args(list(sys.argv[1:] if argv is None else argv))
    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setApplicationName("Opsdesk")
    app.setApplicationDisplayName("Opsdesk")
    app.setDesktopFileName("opsdesk")
    app.setQuitOnLastWindowClosed(False)
    _route_qt_messages()
    apply_theme(app, options.theme)
    from app.ui.icons import icon

    app.setWindowIcon(icon("app"))
    window, profile = _show_window(options)
    early = None
    if profile is not None and profile.is_local_sandbox and profile.sandbox_data_dir:
        from app.ui.early_sandbox import EarlySandbox

        early = EarlySandbox(profile.sandbox_data_dir)  # the child boots while this process imports
    import qasync

    return qasync.run(run_console(options, window, early))


def show_window_with_cached_rows(options: argparse.Namespace):
    """Paint the main window at once, with the profile's cached contacts if it has some.

    Runs before the networking, keychain and panel code is even imported: a returning user sees
    their data while the console connects.
    """
    return _show_window(options)[0]


def _show_window(options: argparse.Namespace):
    """`show_window_with_cached_rows`, and the profile it chose (None when there is none)."""
    from app.core import paths
    from app.core.profiles import ProfileError, ProfileStore
    from app.ui.shell.cached_preview import CachedPreview, read_cached_contacts
    from app.ui.shell.main_window import MainWindow, ui_state_settings

    window = MainWindow(ui_state_settings())
    try:
        profile = ProfileStore().choose(options.profile)
    except (ProfileError, OSError):
        profile = None
    cached = read_cached_contacts(paths.profile_cache_file(profile.id)) if profile is not None else None
    if profile is not None:
        window.mark_profile(profile.name, profile.environment)
        window.status.set_connection("connecting")
    if cached is not None:
        window.sidebar.select("contacts")
        window.show_preview(CachedPreview(cached, window))
    window.show()
    QApplication.processEvents()  # the window is exposed and painted now, before the loop exists
    if cached is not None and options.exit_after_load:
        print(CACHED_ROWS_LINE.format(rows=len(cached.rows)), flush=True)
    return window, profile


async def run_console(options: argparse.Namespace, window=None, early_sandbox=None) -> int:
    """The main coroutine: start the console, wait for its window to close, shut down in order.

    `early_sandbox` (an `EarlySandbox`) is the opening profile's sandbox, already being found or started.
    """
    from app.core import app_log
    from app.ui.console import Console

    _install_logging(app_log)
    console = Console(window=window, sandbox_options={"start": early_sandbox.start} if early_sandbox else None)
    previous_hook = sys.excepthook
    sys.excepthook = _excepthook(console, app_log)
    signal_watch = _quit_on_signals(console)
    try:
        opened = await console.start(options.profile)
        if options.exit_after_load:
            loaded = opened and await wait_for_contacts(console, LOAD_TIMEOUT_SECONDS)
            if options.screenshot is not None:
                options.screenshot.parent.mkdir(parents=True, exist_ok=True)
                console.window.grab().save(str(options.screenshot))
            if not loaded:
                for problem in console.window.problems():
                    print(f"opsdesk: {problem}", file=sys.stderr)
                print("opsdesk: the contacts panel did not show data", file=sys.stderr)
            return 0 if loaded else 1
        await console.closed.wait()
        return 0
    finally:
        signal_watch.stop()
        await console.shutdown()
        sys.excepthook = previous_hook


async def wait_for_contacts(console, timeout: float) -> bool:
    """True once the contacts panel shows rows the server sent in this run, within `timeout`.

    Live means: the panel's latest activation (cached rows, then the sync with the server) finished
    without an error while the session's last exchange was answered, and the table has rows.
    Cached rows alone, in the preview or in the panel before its sync, do not count.
    """
    import asyncio

    from PySide6.QtWidgets import QAbstractItemView

    window = console.window
    page = window.open_module("contacts")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        table = page.findChild(QAbstractItemView, "contacts.table")
        if table is None and console.session is not None:
            # The contacts panel is not built (its scope is missing): its data is still proven reachable.
            page_of_contacts = await console.session.client.contacts.list(limit=20)
            return bool(page_of_contacts.items)
        if _live_rows(console, table):
            window.repaint()
            print(LIVE_ROWS_LINE.format(rows=table.model().rowCount()), flush=True)
            return True
        await asyncio.sleep(0.01)
    return False


def _live_rows(console, table) -> bool:
    activation = console.window.activation("contacts")
    session = console.session
    return (activation is not None and activation.done() and not activation.cancelled()
            and activation.exception() is None and session is not None and session.connection_state == "online"
            and table is not None and table.model() is not None and table.model().rowCount() > 0)


#: Qt messages that say nothing to a user (the offscreen platform cannot resize native windows).
_QT_NOISE = ("propagateSizeHints",)


def _route_qt_messages() -> None:
    """Qt's own warnings go to the application log, not to the terminal as noise."""
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    qt_log = logging.getLogger("app.qt")
    levels = {QtMsgType.QtDebugMsg: logging.DEBUG, QtMsgType.QtInfoMsg: logging.INFO,
              QtMsgType.QtWarningMsg: logging.WARNING, QtMsgType.QtCriticalMsg: logging.ERROR,
              QtMsgType.QtFatalMsg: logging.CRITICAL}

    def handler(kind, _context, message: str) -> None:
        if any(noise in message for noise in _QT_NOISE):
            return
        qt_log.log(levels.get(kind, logging.WARNING), "%s", message)

    qInstallMessageHandler(handler)


def _quit_on_signals(console):
    """SIGTERM/SIGINT (logout, Ctrl+C) close the console the clean way (the local sandbox keeps running).

    Python runs signal handlers only between bytecodes; while Qt idles in C++ none run, so a
    light timer gives the interpreter a turn a few times a second.
    """
    import signal

    from PySide6.QtCore import QTimer

    def request_close(_signum, _frame) -> None:
        console.closed.set()

    for name in ("SIGTERM", "SIGINT"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), request_close)
    timer = QTimer()
    timer.setInterval(250)
    timer.timeout.connect(lambda: None)
    timer.start()
    return timer


def _install_logging(app_log) -> None:
    masking = app_log.install_app_log()
    opsdesk = logging.getLogger(app_log.LOGGER_NAME)
    # Module loggers are named after their modules (`app.…`): send them to the same masked file.
    application = logging.getLogger("app")
    for handler in opsdesk.handlers:
        if handler not in application.handlers:
            application.addHandler(handler)
    application.setLevel(logging.INFO)
    del masking


def _excepthook(console, app_log):
    def hook(exc_type, exc, tb) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            console.closed.set()
            return
        summary = app_log.log_unexpected(exc_type, exc, tb)
        try:
            console.report_unexpected(summary, app_log.log_file())
        except RuntimeError:  # the window is already gone at shutdown
            pass

    return hook
