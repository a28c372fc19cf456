"""One open profile: its client, cache, drafts, request history, and what the credential may do.

`Session.open` builds the `AdminClient` for the profile's secret, opens the profile's page cache
and draft store, and adapts the client's plain callbacks to the UI: the rate-limit state to a
Qt signal, the request listener to the history and to plain followers (`follow_requests`). `PanelContext` for the panels comes from here. `close` cancels the
session's tasks, persists the request log, and closes the client, the cache and the drafts, so
switching profiles leaves nothing of the old one running.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from PySide6.QtCore import QObject, Signal

from app.api import AdminClient, RequestRecord, errors
from app.api.dialects import dialect_for
from app.cache import AsyncPageCache
from app.core import paths
from app.core.drafts import DraftStore
from app.core.platform_connect import platform_auth
from app.core.profiles import Profile
from app.data.connection import CANCELLED
from app.data.identity import Identity
from app.data.outbox import Outbox
from app.data.outbox_replay import OutboxSender
from app.data.stores import Stores
from app.ui.panel_context import PanelContext
from app.ui.request_history import RequestHistory
from app.ui.task_set import TaskSet

log = logging.getLogger(__name__)


@cache
def _shared_executor() -> ThreadPoolExecutor:
    """A worker of our own for sessions built without one (qasync's default executor is avoided)."""
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="opsdesk-session")


def _build_client(base_url: str, auth: Any, options: dict[str, Any]) -> AdminClient:
    if "transport" not in options and urlsplit(base_url).scheme.lower() == "http":
        options = {**options, "transport": _plain_http_transport()}
    client = AdminClient(base_url, auth, **options)
    # httpcore imports its async networking lazily, on the first request; doing it here keeps
    # that import (tens of ms) off the UI thread.
    import anyio._backends._asyncio
    import anyio.streams.tls  # noqa: F401
    import h11  # noqa: F401
    import httpcore._async.http11  # noqa: F401
    return client


def _plain_http_transport() -> Any:
    """The client's own default transport (same pool limits) for a plain-HTTP profile, minus the CA bundle.

    Loading the bundle costs 15-45 ms of the way to live rows (measured; it holds the GIL). A
    plain-HTTP profile never speaks TLS (the client follows no redirects), so its context trusts
    no certificate at all: an https request through it would fail verification, never go unverified.
    """
    import ssl

    import httpx

    from app.api import constants

    return httpx.AsyncHTTPTransport(
        verify=ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT),
        limits=httpx.Limits(max_connections=constants.MAX_CONNECTIONS,
                            max_keepalive_connections=constants.MAX_KEEPALIVE_CONNECTIONS))


def _open_drafts(profile_id: str) -> DraftStore | None:
    try:
        return DraftStore(paths.drafts_file(profile_id))
    except Exception:  # drafts are a convenience: a broken drafts file must not block the profile
        log.exception("could not open the drafts of profile %s", profile_id)
        return None


def _open_outbox(profile_id: str) -> Outbox | None:
    try:
        return Outbox(paths.outbox_file(profile_id))
    except Exception:  # without an outbox, offline edits are refused as before; the rest still works
        log.exception("could not open the outbox of profile %s", profile_id)
        return None


class Session(QObject):
    """The services of one connected profile, and signals the shell's status bar listens to."""

    sig_rate_limit = Signal(object, object, object)
    """The rate-limit budget changed: limit, remaining, reset_at (datetime)."""
    sig_connection = Signal(str, str)
    """Connection state changed: "online" or "offline", and a detail sentence."""
    sig_identity = Signal(object, str)
    """The credential's scopes (frozenset) and the workspace's name are known."""

    def __init__(self, profile: Profile, client: AdminClient, cache: AsyncPageCache | None,
                 drafts: DraftStore | None, parent: QObject | None = None, outbox: Outbox | None = None) -> None:
        super().__init__(parent)
        self.profile = profile
        self.client = client
        self.cache = cache
        self.drafts = drafts
        #: Offline edits of this profile, and what sends them once the server answers again.
        self.outbox = outbox
        stores = Stores(client, cache, outbox)
        self.history = RequestHistory(stores.request_history, self)
        # Bound once: `_on_record` runs in every exchange, and each attribute looked up on a
        # QObject goes through shiboken's slower lookup.
        self._add_record = self.history.store.add
        self.tasks = TaskSet(on_error=self._on_task_error)
        self.connection_state = "connecting"
        self.scopes: frozenset[str] | None = None
        self.workspace_name = ""
        self.environment = profile.environment
        self._executor: Executor = _shared_executor()
        self._record_followers: list[Callable[[RequestRecord], None]] = []
        #: The background task caching contacts and tickets (started once the scopes are known).
        self.sync_task: asyncio.Task | None = None
        self._unsubscribe = [
            client.add_request_listener(self._on_record),
            client.rate_limit.subscribe(self._on_rate_limit),
        ]
        self.context = PanelContext(
            client=client, cache=cache, profile=profile, scopes=frozenset(), drafts=drafts,
            tasks=self.tasks, environment=profile.environment, request_history=self.history,
            stores=stores,
        )
        self.outbox_sender = OutboxSender(outbox, stores, self.tasks.spawn) if outbox is not None else None

    @classmethod
    async def open(cls, profile: Profile, secret: str, *, parent: QObject | None = None,
                   client_options: dict[str, Any] | None = None,
                   on_refresh_token: Callable[[str], None] | None = None,
                   executor: Executor | None = None) -> Session:
        """Connect to `profile` with `secret` (its API key, or its login password)."""
        dialect = dialect_for(profile.platform)
        auth = platform_auth(profile.platform, profile.auth_kind, secret, login_email=profile.login_email,
                             on_refresh_token=on_refresh_token, dialect=dialect)
        client_options = {**(client_options or {}), "dialect": dialect}
        loop = asyncio.get_running_loop()
        # Building the client loads CA certificates (tens of ms) and opening the drafts may
        # checkpoint a WAL file: both happen in a worker thread, never on the UI thread.
        work = executor or _shared_executor()
        client = await loop.run_in_executor(work, _build_client, profile.base_url, auth, client_options)
        cache = await AsyncPageCache.open(paths.profile_cache_file(profile.id))
        drafts = await loop.run_in_executor(work, _open_drafts, profile.id)
        outbox = await loop.run_in_executor(work, _open_outbox, profile.id)
        session = cls(profile, client, cache, drafts, parent, outbox)
        session._executor = work
        if session.outbox_sender is not None:
            session.outbox_sender.kick()  # changes left from the last run go as soon as the server answers
        return session

    # ---- identity: what this credential may do ---------------------------------------------
    async def load_identity(self) -> None:
        """Ask the identity store once (GET /me, /workspace); offline it applies the last known answer."""
        self._unsubscribe.append(self.context.stores.identity.changes.subscribe(self._apply_identity))
        await self.context.stores.identity.load()

    def _apply_identity(self, identity: Identity) -> None:
        self.scopes = identity.scopes
        self.context.scopes = self.scopes
        self.workspace_name = identity.workspace
        # The server's word wins when it says live: a profile mislabelled "test" must still look live.
        if identity.environment == "live":
            self.environment = "live"
            self.context.environment = "live"
        self.sig_identity.emit(self.scopes, identity.workspace)

    # ---- client callbacks -> signals -------------------------------------------------------
    def follow_requests(self, follower: Callable[[RequestRecord], None]) -> Callable[[], None]:
        """Call `follower(record)` as each of this session's exchanges ends; returns a remover.

        A plain call on the event loop's (UI) thread, where the client's listener runs, rather
        than a Qt signal: it runs once per request, in the middle of the caller's own request,
        and a signal's emit and dispatch cost several times the call.
        """
        self._record_followers.append(follower)

        def remove() -> None:
            if follower in self._record_followers:
                self._record_followers.remove(follower)

        return remove

    def _on_record(self, record: RequestRecord) -> None:
        self._add_record(record)
        if record.status is not None:
            if self.connection_state != "online":  # nearly always online already: no call made
                self._set_connection("online", "")
        elif record.error and record.error != CANCELLED:
            self._set_connection("offline", f"{urlsplit(record.url).netloc}: {record.error}")
        for follower in self._record_followers:
            follower(record)

    def _on_rate_limit(self, state: Any) -> None:
        self.sig_rate_limit.emit(state.limit, state.remaining, state.reset_at)

    def _set_connection(self, state: str, detail: str) -> None:
        if state != self.connection_state:
            self.connection_state = state
            self.sig_connection.emit(state, detail)

    def _on_task_error(self, error: BaseException) -> None:
        if not isinstance(error, errors.ApiError):
            log.error("a background task failed", exc_info=error)

    # ---- closing -----------------------------------------------------------------------------
    async def close(self) -> None:
        """Stop everything of this profile: tasks, request log (persisted first), client, cache, drafts."""
        await self.tasks.cancel_all()
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        if self.outbox_sender is not None:
            self.outbox_sender.close()
        self.context.stores.close()
        await self.history.close()
        try:
            await self.client.aclose()
        finally:
            if self.cache is not None:
                await self.cache.close()
            if self.drafts is not None:
                await asyncio.get_running_loop().run_in_executor(self._executor, self.drafts.close)
            if self.outbox is not None:
                await self.outbox.close()
