"""Forward each delivery the local listener received to the operator's own app: `listen --forward-to`.

The listener verifies a delivery, then this sends it on, unchanged (the platform's headers, the
`webhook-*` signature ones included, and the exact body bytes), to a URL such as
`http://localhost:3000/hooks`, so the operator's receiver verifies the real signature itself. The
answer's status and latency come back as a `ForwardResult` to show beside the verdict.

The request runs on a thread of the forwarder's own (a plain `httpx.Client`), never on the UI
thread. No proxy from the environment is used (a `localhost` target must not go through one), and
redirects are not followed: the app's answer is what is shown. Qt-free.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

#: An app that does not answer within this many seconds is reported as timed out (the platform's own limit).
FORWARD_TIMEOUT_SECONDS = 10.0
#: Requests to the app at once; more wait their turn (a burst of a recover job, say).
FORWARD_THREADS = 4
#: Headers that describe the hop to the listener, not the message: httpx writes its own.
_HOP_HEADERS = frozenset({"host", "content-length", "connection", "keep-alive", "transfer-encoding", "te",
                          "trailer", "upgrade", "proxy-connection", "proxy-authorization", "expect"})


class ForwardTargetError(ValueError):
    """The forward-to URL cannot be used; the message names the problem."""


@dataclass(frozen=True)
class ForwardResult:
    """How the operator's app answered one forwarded delivery (`status` None: no answer, see `error`)."""

    url: str
    status: int | None
    latency_ms: float
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def check_forward_url(text: str) -> str:
    """The URL to forward to, cleaned, or `ForwardTargetError` saying what is wrong with it."""
    url = text.strip()
    if not url:
        raise ForwardTargetError("Enter the URL of your app's webhook route, e.g. http://localhost:3000/hooks.")
    if any(ch.isspace() for ch in url):
        raise ForwardTargetError("The forward-to URL contains spaces.")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError on a bad port)
    except ValueError:
        raise ForwardTargetError("The forward-to URL's port is not a number between 0 and 65535.") from None
    if parts.scheme not in ("http", "https"):
        raise ForwardTargetError(f"The forward-to URL must start with http:// or https:// (it starts with "
                                 f"{parts.scheme + '://' if parts.scheme else 'neither'}).")
    if not parts.hostname:
        raise ForwardTargetError("The forward-to URL has no host name (e.g. localhost).")
    return url


def forwarded_headers(headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """The delivery's own headers, in order, without the ones that describe the hop."""
    return [(name, value) for name, value in headers if name.lower() not in _HOP_HEADERS]


class WebhookForwarder:
    """Sends deliveries on to one URL; `close()` when done (it owns a thread pool and a client)."""

    def __init__(self, url: str, *, timeout: float = FORWARD_TIMEOUT_SECONDS) -> None:
        self.url = check_forward_url(url)
        self._timeout = timeout
        self._pool = ThreadPoolExecutor(max_workers=FORWARD_THREADS, thread_name_prefix="webhook-forward")
        self._client = httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False)

    async def forward(self, method: str, headers: Iterable[tuple[str, str]], body: bytes) -> ForwardResult:
        """Send one delivery on; never raises for the app's failure (it is in the result)."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, self._send, method, forwarded_headers(headers), body)

    def _send(self, method: str, headers: list[tuple[str, str]], body: bytes) -> ForwardResult:
        started = time.perf_counter()
        try:
            response = self._client.request(method, self.url, headers=headers, content=body)
        except httpx.TimeoutException:
            return self._failed(started, f"no answer within {self._timeout:.0f} s")
        except httpx.ConnectError as error:
            return self._failed(started, f"cannot connect to {self.url}: {_cause(error)}")
        except httpx.HTTPError as error:
            return self._failed(started, f"{type(error).__name__}: {_cause(error)}")
        return ForwardResult(self.url, response.status_code, _elapsed_ms(started))

    def _failed(self, started: float, error: str) -> ForwardResult:
        return ForwardResult(self.url, None, _elapsed_ms(started), error)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._client.close()


def _elapsed_ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def _cause(error: Exception) -> str:
    cause = error.__cause__ or error.__context__
    text = str(cause or error) or type(error).__name__
    return text[:300]
