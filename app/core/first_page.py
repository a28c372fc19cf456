"""The server's newest contacts, fetched while the console is still importing its client.

A returning user sees their cached contacts at once (`app.ui.shell.cached_preview`), but the live
list needs the client, the keychain, the event loop and the panels: about a third of a second of
imports and set-up before the first request leaves. This fetch does not wait for any of it. From
the first paint on, a thread of its own reads the profile's key from the keychain, sends the one
request the contacts list opens with (`GET /contacts?limit=N`, the contract's newest-first order,
so the rows land where the cached ones were), and hands back the rows and the exchange's masked
exchange; the launcher shows the rows in the preview and the session's request history keeps the
exchange's masked record, so the request log still shows every request the console made.

Only for the platform's own dialect with an API key (other dialects shape their lists, and a login
profile's token comes from its login). It is an opportunity, never a failure: an error, a refusal,
a reply that is not a page or that is larger than `MAX_BODY_BYTES` gives no rows (the real panel
reports what is wrong), and nothing is tried twice. The key is used in the request's header only;
its record is masked like every other (`app.api.redaction`), and no error text carries it.
Qt-free, standard library HTTP (`http.client`): httpx is not imported yet at this point.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from app import __version__

if TYPE_CHECKING:
    from app.api.records import RequestRecord

log = logging.getLogger(__name__)

#: A first page of 60 contacts is ~25 KB; anything far larger is not that page.
MAX_BODY_BYTES = 2 * 1024 * 1024
#: How long the request may take before it is abandoned (the real panel asks again anyway).
REQUEST_TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True)
class Exchange:
    """The early request and its answer as they were on the wire (the key included, so never shown:
    `record()` is what may be kept or shown)."""

    started_at: datetime
    url: str
    duration_ms: float
    status: int
    request_headers: tuple[tuple[str, str], ...] = field(repr=False)
    response_headers: tuple[tuple[str, str], ...]
    body: bytes = field(repr=False)

    def record(self) -> RequestRecord:
        """The exchange as the request history keeps every other one: URL, headers and body masked."""
        from app.api.records import RequestRecord
        from app.api.redaction import mask_body, mask_headers, mask_url

        request_id = next((value for name, value in self.response_headers if name.lower() == "x-request-id"), None)
        return RequestRecord(
            started_at=self.started_at, method="GET", url=mask_url(self.url), status=self.status,
            duration_ms=self.duration_ms, attempt=1, request_id=request_id, idempotency_key=None, request_size=0,
            response_size=len(self.body), request_headers=mask_headers(self.request_headers),
            response_headers=mask_headers(self.response_headers), request_body="", response_body=mask_body(self.body),
        )


@dataclass(frozen=True)
class FirstPage:
    """The rows the server sent (newest first; None when the reply was not such a page) and the
    exchange, kept either way: masking it into a record waits until the history takes it, off the
    way of the first paint."""

    rows: list[dict] | None
    exchange: Exchange


def fetches_first_page(profile) -> bool:
    """True for the profiles this fetch serves: the platform's own API with an API key."""
    return profile.platform == "opsdesk" and profile.auth_kind == "api_key"


class FirstPageFetch:
    """`GET {base_url}/contacts?limit={rows}` in a daemon thread, begun on construction (`rows`: as
    many as the caller shows; the launcher passes its cached preview's count).

    `base_url` and `secret` are called in that thread (a local sandbox's URL is known once the
    sandbox is found; a keychain read can take a while), so nothing here blocks its caller.
    """

    def __init__(self, base_url: Callable[[], str], secret: Callable[[], str | None], rows: int) -> None:
        self._base_url = base_url
        self._secret = secret
        self._rows = rows
        self._result: Future = Future()
        threading.Thread(target=self._run, name="opsdesk-first-page", daemon=True).start()

    @property
    def future(self) -> Future:
        """Resolves to the `FirstPage` (None when there was none: no key, no URL, the request failed)."""
        return self._result

    def wait(self, timeout: float) -> FirstPage | None:
        """The page if it arrived within `timeout` seconds, else None (it is not waited for again)."""
        try:
            return self._result.result(timeout)
        except FutureTimeout:
            return None

    def _run(self) -> None:
        page = None
        try:
            secret = self._secret()
            if secret:
                page = fetch_first_page(self._base_url(), secret, self._rows)
        except Exception as error:  # noqa: BLE001  (an opportunity: the real panel reports what failed)
            log.info("the early first page was skipped (%s)", type(error).__name__)
        self._result.set_result(page)


def fetch_first_page(base_url: str, secret: str, rows: int) -> FirstPage | None:
    """One blocking request for the newest `rows` contacts (None for a URL it cannot be sent to)."""
    import http.client

    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    target = f"{parts.path.rstrip('/')}/contacts?limit={rows}"
    headers = (("Authorization", f"Bearer {secret}"), ("Accept", "application/json"),
               ("User-Agent", f"opsdesk/{__version__}"))
    connection_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection = connection_class(parts.hostname, parts.port, timeout=REQUEST_TIMEOUT_SECONDS)
    started_at = datetime.now(UTC)
    started = time.perf_counter()
    try:
        connection.request("GET", target, headers=dict(headers))
        response = connection.getresponse()
        body = response.read(MAX_BODY_BYTES + 1)
        response_headers = tuple(response.getheaders())
    finally:
        connection.close()
    exchange = Exchange(started_at, f"{parts.scheme}://{parts.netloc}{target}", (time.perf_counter() - started) * 1000,
                        response.status, headers, response_headers, body)
    return FirstPage(_page_rows(response.status, body), exchange)


def _page_rows(status: int, body: bytes) -> list[dict] | None:
    """The page's contacts, or None for a refusal, an oversized reply or anything not a page."""
    if status != 200 or len(body) > MAX_BODY_BYTES:
        return None
    try:
        data = json.loads(body).get("data")
    except (ValueError, AttributeError):
        return None
    if not isinstance(data, list) or not all(isinstance(row, dict) for row in data):
        return None
    return data
