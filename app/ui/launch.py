"""`opsdesk` / `python -m app`: one QApplication, a qasync loop, the console, a clean shutdown.

Shutdown follows what NOTES.md measured as clean: the last window closing does not quit Qt; the
window's close sets an asyncio.Event, the main coroutine then closes the session (tasks, client,
cache), releases the local sandbox (it keeps running for the next start) and returns, and only
then does the loop stop. Unexpected exceptions go to the rotating log file and are shown once,
non-modally.

While the client and panels import, the server's newest contacts are fetched by a thread of
their own (`app.core.first_page`) and shown in the preview the moment they arrive within
`FIRST_PAGE_WAIT_SECONDS`; the exchange joins the session's request history.

With `--exit-after-load` the console prints one line when the cached preview is painted, one when
the preview shows the server's rows, and another, distinct one when the contacts panel (the real,
interactive one) shows rows the server sent in this run; the start-up benchmark and the smoke test
stop their clocks at them (match whole lines: the words differ, but all say "contacts shown").
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

# After the import hooks are made cheap:
from app.ui.runtime_tuning import paint_fills_on_the_ui_thread
from app.ui.theme import MODES, apply_theme, fusion_application

log = logging.getLogger(__name__)

#: How long --exit-after-load waits for the contacts panel's rows before giving up.
LOAD_TIMEOUT_SECONDS = 90.0
#: Printed (with --exit-after-load) once the window shows the cached preview, before any connection.
CACHED_ROWS_LINE = "opsdesk: cached contacts shown ({rows} rows)"
#: Printed (with --exit-after-load) once the preview shows the rows of the early first page.
LIVE_PREVIEW_LINE = "opsdesk: server's contacts shown in the preview ({rows} rows)"
#: Printed (with --exit-after-load) once the contacts panel shows rows the server sent in this run.
LIVE_ROWS_LINE = "opsdesk: live contacts shown ({rows} rows)"
#: How long the launcher waits, with the window painted, for the early first page before it goes
#: on importing. A local server answers in a few ms; a far one is shown by the panel instead.
FIRST_PAGE_WAIT_SECONDS = 0.1


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
    app = QApplication.instance() or fusion_application(sys.argv[0])
    app.setApplicationName("Opsdesk")
    app.setApplicationDisplayName("Opsdesk")
    app.setDesktopFileName("opsdesk")
    app.setQuitOnLastWindowClosed(False)
    _route_qt_messages()
    apply_theme(app, options.theme)
    from app.ui.icons import icon

    app.setWindowIcon(icon("app"))
    profile = _chosen_profile(options)
    window, preview = _show_window(options, profile)
    early = None
    if profile is not None and profile.is_local_sandbox and profile.sandbox_data_dir:
        from app.ui.early_sandbox import EarlySandbox

        early = EarlySandbox(profile.sandbox_data_dir)  # the child boots while this process imports
    first_page = _first_page(profile, early)
    shown = False
    if first_page is not None and _answers_at_once(profile):
        page = first_page.wait(FIRST_PAGE_WAIT_SECONDS)
        shown = page is not None and _show_first_page(options, window, preview, page)
    import qasync

    return qasync.run(run_console(options, window, early, first_page, preview, first_page_shown=shown))


def show_window_with_cached_rows(options: argparse.Namespace):
    """Paint the main window at once, with the profile's cached contacts if it has some.

    Runs before the networking, keychain and panel code is even imported: a returning user sees
    their data while the console connects.
    """
    return _show_window(options, _chosen_profile(options))[0]


def _chosen_profile(options: argparse.Namespace):
    """The profile this run opens (`--profile`, else the last used), None when there is none yet."""
    from app.core.profiles import ProfileError, ProfileStore

    try:
        return ProfileStore().choose(options.profile)
    except (ProfileError, OSError):
        return None


def _show_window(options: argparse.Namespace, profile):
    """`show_window_with_cached_rows` for `profile`, and the preview it shows (None when there is none)."""
    from app.core import paths
    from app.ui.shell.cached_preview import CachedPreview, read_cached_contacts
    from app.ui.shell.main_window import MainWindow, ui_state_settings

    window = MainWindow(ui_state_settings())
    cached = read_cached_contacts(paths.profile_cache_file(profile.id)) if profile is not None else None
    if profile is not None:
        window.mark_profile(profile.name, profile.environment)
        window.status.set_connection("connecting")
    preview = None
    if cached is not None:
        window.sidebar.select("contacts")
        preview = CachedPreview(cached, window)
        window.show_preview(preview)
    window.show()
    QApplication.processEvents()  # the window is exposed and painted now, before the loop exists
    if cached is not None and options.exit_after_load:
        print(CACHED_ROWS_LINE.format(rows=len(cached.rows)), flush=True)
    return window, preview


def _first_page(profile, early_sandbox):
    """The early fetch of the server's newest contacts for `profile` (None where it does not apply)."""
    from app.core.first_page import FirstPageFetch, fetches_first_page
    from app.ui.shell.cached_preview import PREVIEW_ROWS

    if profile is None or not fetches_first_page(profile):
        return None

    def base_url() -> str:
        return early_sandbox.found().url if early_sandbox is not None else profile.base_url

    def secret() -> str | None:
        from app.core.keychain import SecretStore

        key = SecretStore().get(profile.id, "api_key")
        if key is None and early_sandbox is not None:
            # As the console does for a local sandbox whose key was kept for one session only
            # (`first_run.open_local_sandbox`): the sandbox's own credentials file has it.
            key = early_sandbox.found().credentials().get(profile.environment, {}).get("owner_key")
        return key

    return FirstPageFetch(base_url, secret, PREVIEW_ROWS)


def _answers_at_once(profile) -> bool:
    """True when the profile's server is a local sandbox already running (its state file names a live
    process): only then is the first page worth waiting for before going on. A sandbox about to be
    started, or a remote server, would make the wait a loss; their page is shown when it comes."""
    if not (profile.is_local_sandbox and profile.sandbox_data_dir):
        return False
    from app.core import sandbox_state

    state = sandbox_state.read_state(Path(profile.sandbox_data_dir))
    return state is not None and sandbox_state.pid_alive(state.pid)


def _show_first_page(options: argparse.Namespace, window, preview, page, *, loop_running: bool = False) -> bool:
    """The early first page's rows in the preview (one made for them when nothing was cached), painted
    now; False (nothing shown) when the page has no rows or the real panels have taken over.

    Before the event loop exists the window is painted by processing Qt's events; inside the running
    loop (`loop_running`) it is repainted directly, since processing events there would run other
    callbacks of the loop in the middle of this one."""
    from app.ui.shell.cached_preview import PREVIEW_ROWS, CachedContacts, CachedPreview

    if not page.rows or window.context is not None:
        return False
    if preview is None:
        window.sidebar.select("contacts")
        window.show_preview(CachedPreview(CachedContacts(page.rows), window, live=True))
    else:
        preview.show_server_rows(page.rows)
    if loop_running:
        window.repaint()
    else:
        QApplication.processEvents()
    if options.exit_after_load:
        print(LIVE_PREVIEW_LINE.format(rows=min(len(page.rows), PREVIEW_ROWS)), flush=True)
    return True


async def run_console(options: argparse.Namespace, window=None, early_sandbox=None, first_page=None,
                      preview=None, *, first_page_shown: bool = False) -> int:
    """The main coroutine: start the console, wait for its window to close, shut down in order.

    `early_sandbox` (an `EarlySandbox`) is the opening profile's sandbox, already being found or started;
    `first_page` (a `FirstPageFetch`) the early request for its newest contacts, whose record the
    session's request history keeps, and whose rows go to `preview` (the window's cached preview, if
    any) when they arrive, unless the launcher has shown them (`first_page_shown`).
    """
    from app.core import app_log
    from app.ui.console import Console

    _install_logging(app_log)
    console = Console(window=window, sandbox_options={"start": early_sandbox.start} if early_sandbox else None)
    previous_hook = sys.excepthook
    sys.excepthook = _excepthook(console, app_log)
    signal_watch = _quit_on_signals(console)
    if first_page is not None and not first_page_shown:
        _show_first_page_when_it_comes(options, console.window, preview, first_page)
    try:
        opened = await console.start(options.profile)
        if opened and first_page is not None:
            console.session.tasks.spawn(_keep_first_page_record(console.session, first_page), name="first page")
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


def _show_first_page_when_it_comes(options: argparse.Namespace, window, preview, first_page) -> None:
    """The early first page the launcher did not wait for: shown when it arrives, if the preview is still up."""
    import asyncio

    loop = asyncio.get_running_loop()

    def arrived(page) -> None:
        if page is not None:
            _show_first_page(options, window, preview, page, loop_running=True)

    first_page.future.add_done_callback(lambda done: loop.call_soon_threadsafe(arrived, done.result()))


async def _keep_first_page_record(session, first_page) -> None:
    """The early exchange joins the first session's request history (the request log shows every request)."""
    import asyncio

    page = await asyncio.wrap_future(first_page.future)
    if page is not None:
        session.history.add(page.exchange.record())


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
