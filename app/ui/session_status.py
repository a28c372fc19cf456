"""The status bar follows one session: connection, rate-limit budget, last request, the record sync.

The console hands each session it opens to `follow`; the connections die with the session (a
closed session is deleted), so a switch never leaves the old profile's exchanges in the bar.
The "last request" text and the rate-limit budget change at most ten times a second
(`LastRequestShown`, `RateLimitShown`): a burst of exchanges would otherwise re-lay out both
labels for each of them (the budget's label alone costs ~75 µs an update), faster than anyone
reads, and inside each request of the burst.
`sync_records` runs the data layer's `RecordSync` and shows its progress, adapted to Qt once
through `app.ui.store_binding.bind`.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from PySide6.QtCore import QObject, QTimer

from app.api import RequestRecord, errors
from app.data.outbox_replay import STORES
from app.data.sync import RecordSync, SyncProgress
from app.ui.error_messages import describe
from app.ui.outbox_dialog import OutboxDialog
from app.ui.session import Session
from app.ui.shell.status_bar import ShellStatusBar
from app.ui.store_binding import bind


def follow(status: ShellStatusBar, session: Session) -> None:
    """Show `session`'s connection state, rate-limit budget, last exchange and outbox in `status`."""
    status.set_connection("connecting")
    follow_outbox(status, session)
    session.sig_connection.connect(lambda state, detail: status.set_connection(state, detail))
    session.sig_rate_limit.connect(RateLimitShown(status, session).take)
    session.follow_requests(LastRequestShown(status, session).take)


class _AtMostEvery(QObject):
    """Shows the latest of a stream of values in the status bar, at most once per `INTERVAL_MS`.

    The first value after a quiet spell shows at once; those arriving in the next interval only
    replace the one waiting, and the latest of them shows when the interval ends, so the bar
    always ends on the last value. A child of the session: it goes when the session does.
    """

    INTERVAL_MS = 100

    def __init__(self, status: ShellStatusBar, session: Session) -> None:
        super().__init__(session)
        self._status = status
        self._waiting: tuple | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(self.INTERVAL_MS)
        self._timer.timeout.connect(self._show_waiting)

    def take(self, *value: object) -> None:
        """A new value: show it now, or when the current interval ends."""
        if self._timer.isActive():
            self._waiting = value
            return
        self._show_now(value)

    def _show_waiting(self) -> None:
        value, self._waiting = self._waiting, None
        if value is not None:
            self._show_now(value)

    def _show_now(self, value: tuple) -> None:
        self._show(*value)
        self._timer.start()

    def _show(self, *value: object) -> None:
        raise NotImplementedError


class LastRequestShown(_AtMostEvery):
    """The session's latest exchange (`take(record)`), shown at most once per interval."""

    def _show(self, record: RequestRecord) -> None:
        self._status.show_request(record.method, urlsplit(record.url).path, record.status,
                                  record.duration_ms, record.error)


class RateLimitShown(_AtMostEvery):
    """The rate-limit budget (`take(limit, remaining, reset_at)`), shown at most once per interval."""

    def _show(self, limit: int | None, remaining: int | None, reset_at: datetime | None) -> None:
        self._status.set_rate_limit(limit, remaining, reset_at)


async def sync_records(status: ShellStatusBar, session: Session) -> None:
    """Bring the session's cached contacts and tickets up to date (palette search, offline use)."""
    sync = RecordSync(session.context.stores, session.scopes)

    def show(progress: SyncProgress) -> None:
        status.showMessage(f"Caching {progress.resource} for search and offline use: {progress.count:,}")

    bind(sync.progress, session, show)
    try:
        stored = await sync.run()
    except errors.ApiError as error:
        status.showMessage(f"Caching for offline use stopped: {describe(error)}", 10_000)
        return
    if stored == 0 and session.connection_state == "offline":
        return  # the status bar already says offline; "nothing new" would claim the server was asked
    status.showMessage(synced_text(stored), 5_000)


def synced_text(stored: int) -> str:
    """The word on a finished sync that fetched and cached `stored` records.

    "Cached 0 records" read as if the cache were empty, after every start with nothing new.
    """
    if stored == 0:
        return "Nothing new to cache for search and offline use."
    return f"Cached {stored:,} record{'' if stored == 1 else 's'} for search and offline use."


def follow_outbox(status: ShellStatusBar, session: Session) -> None:
    """The "n changes waiting" badge follows the session's outbox; a click opens it."""
    outbox = session.outbox
    if outbox is None:
        status.set_outbox(0, 0)
        return

    def show(items) -> None:
        status.set_outbox(len(items), sum(1 for item in items if not item.waiting))

    show(outbox.items)
    bind(outbox.changes, session, show)
    dialog: list[OutboxDialog] = []

    async def refetch(item) -> None:
        store = getattr(session.context.stores, STORES.get(item.resource, ""), None)
        if store is not None and item.record_id and store.online:
            try:
                await store.fetch(item.record_id)
            except errors.ApiError:
                pass  # offline or gone: the next sync corrects the cached copy

    def open_outbox() -> None:
        if not dialog:
            dialog.append(OutboxDialog(outbox, session.outbox_sender.kick, status.window(), refetch=refetch))
            session.destroyed.connect(dialog[0].deleteLater)
        dialog[0].reload()
        dialog[0].show()
        dialog[0].raise_()

    status.sig_outbox_requested.connect(open_outbox)
    session.destroyed.connect(lambda: _disconnect(status, open_outbox))


def _disconnect(status: ShellStatusBar, slot) -> None:
    try:
        status.sig_outbox_requested.disconnect(slot)
    except (RuntimeError, TypeError):
        pass  # the window went first
