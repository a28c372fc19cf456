"""A local HTTP receiver for webhook deliveries: the console's `stripe listen`.

It listens on 127.0.0.1 only (never another interface: it is for the platform running on this
machine, i.e. the sandbox, or a tunnel the user set up), accepts POSTs on any path, checks each
message's signature against the endpoint's secret with the verifier of the profile's platform
(`webhook_verifiers`: Standard Webhooks, or BiVelio's `X-BiVelio-Signature`) and reports every delivery
(headers, body, verdict) to a plain callback. It can be told to answer with an error status, so a
user can watch the platform's retries against a failing receiver and then "fix" it.

After a rotation with an overlap (`accept_rotation`) it accepts the new and the previous secret
until the overlap ends, and each verdict says which one matched; afterwards the previous one is a
rotated-out secret, named as such. With a `forwarder` (`webhook_forwarder`) every verified
delivery is also sent on to the operator's own app: the callback hears the delivery at once
(`forward_pending`) and again, under the same `sequence`, with the app's answer in `forward`.

Qt-free and dependency-free (asyncio streams): the UI adapts the callback to a signal.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from http import HTTPStatus

from app.core.signature_check import SignatureVerdict
from app.core.webhook_forwarder import ForwardResult, WebhookForwarder
from app.core.webhook_verifiers import CONTRACT_PLATFORM, verifier_for, verify_accepting

log = logging.getLogger(__name__)

LOOPBACK_HOST = "127.0.0.1"
#: Bodies larger than this are refused with 413 (the platform's events are a few KiB).
MAX_BODY_BYTES = 1024 * 1024
#: A client that stalls mid-request longer than this is dropped.
READ_TIMEOUT_SECONDS = 10.0
_MAX_HEADER_LINES = 100
_MAX_LINE_BYTES = 16 * 1024


class ListenerError(RuntimeError):
    """The receiver could not start (e.g. the port is taken); the message says why."""


@dataclass(frozen=True)
class ReceivedDelivery:
    """One request the receiver got, with the answer it gave and the signature verdict."""

    received_at: datetime
    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    response_status: int
    #: None when no secret was known to check against.
    verdict: SignatureVerdict | None
    #: The receiver's count of requests: the same delivery reported again (forwarded) keeps it.
    sequence: int = 0
    #: True while it is being forwarded to the operator's app; `forward` holds the app's answer.
    forward_pending: bool = False
    forward: ForwardResult | None = None

    def header(self, name: str) -> str | None:
        """The first value of header `name` (case-insensitive), or None."""
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)

    @property
    def event_type(self) -> str | None:
        """The event's name in a JSON body: `type` (the contract) or `event` (BiVelio), if there is one."""
        try:
            parsed = json.loads(self.body)
        except ValueError:
            return None
        if not isinstance(parsed, dict):
            return None
        name = parsed.get("type", parsed.get("event"))
        return name if isinstance(name, str) else None


class WebhookListener:
    """An asyncio HTTP/1.1 server on 127.0.0.1 that verifies and reports webhook deliveries.

    `secret` is the endpoint's signing secret (held in memory only); `earlier_secrets` the ones it
    replaced, so a message signed with a rotated-out secret is named as such; `previous_secret` is
    still accepted until `previous_valid_until` (a rotation's overlap). `response_status`
    is what every request is answered with (200 normally; 500 to simulate a broken receiver).
    `platform` (a dialect name) picks the signature scheme; the contract's by default.
    """

    def __init__(
        self,
        on_delivery: Callable[[ReceivedDelivery], None],
        *,
        port: int = 0,
        secret: str | None = None,
        response_status: int = 200,
        platform: str = CONTRACT_PLATFORM,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._on_delivery = on_delivery
        self._port = port
        self.secret = secret
        self.earlier_secrets: Sequence[str] = ()
        self.previous_secret: str | None = None
        self.previous_valid_until: datetime | None = None
        self.response_status = response_status
        self.verifier = verifier_for(platform)
        #: Where verified deliveries are sent on (None: not forwarded).
        self.forwarder: WebhookForwarder | None = None
        self._now = now
        self._server: asyncio.AbstractServer | None = None
        self._connections: set[asyncio.Task] = set()
        self._forwards: set[asyncio.Task] = set()
        self._sequence = itertools.count(1)

    def accept_rotation(self, new_secret: str, previous_valid_until: datetime | None) -> None:
        """The endpoint's secret was rotated: verify with `new_secret`, and with the one it replaces
        until `previous_valid_until` (None or past: no overlap, the old one is rotated out)."""
        old = self.secret
        if self.previous_secret is not None:  # a second rotation retires the oldest at once
            self.earlier_secrets = (self.previous_secret, *self.earlier_secrets)
        self.secret, self.previous_secret, self.previous_valid_until = new_secret, None, None
        if old is None:
            return
        if previous_valid_until is not None and previous_valid_until > self._now():
            self.previous_secret, self.previous_valid_until = old, previous_valid_until
        else:
            self.earlier_secrets = (old, *self.earlier_secrets)

    def accepted_secrets(self) -> list[tuple[str, str]]:
        """`(label, secret)` each verified against, the current first; the previous one only in its overlap."""
        if self.secret is None:
            return []
        if self.previous_secret is not None and self.previous_valid_until is not None:
            if self._now() < self.previous_valid_until:
                return [("new secret", self.secret), ("previous secret", self.previous_secret)]
            self.earlier_secrets = (self.previous_secret, *self.earlier_secrets)  # the overlap is over
            self.previous_secret, self.previous_valid_until = None, None
        return [("current secret", self.secret)]

    def set_platform(self, platform: str) -> None:
        """Verify what arrives from now on with `platform`'s scheme (the profile's platform changed)."""
        self.verifier = verifier_for(platform)

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def url(self) -> str:
        """`http://127.0.0.1:<port>/webhooks` once started."""
        if self._server is None:
            raise ListenerError("The listener is not running.")
        port = self._server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        return f"http://{LOOPBACK_HOST}:{port}/webhooks"

    async def start(self) -> str:
        """Bind and start serving; returns the URL to register as the endpoint's URL."""
        if self._server is not None:
            return self.url
        try:
            self._server = await asyncio.start_server(self._serve, LOOPBACK_HOST, self._port)
        except OSError as error:
            raise ListenerError(f"Cannot listen on {LOOPBACK_HOST}:{self._port}: {error.strerror}.") from error
        return self.url

    async def stop(self) -> None:
        """Stop accepting, drop open connections and wait for them to end."""
        server, self._server = self._server, None
        if server is None:
            return
        server.close()
        for task in list(self._connections):
            task.cancel()
        if self._connections:
            await asyncio.gather(*self._connections, return_exceptions=True)
        for task in list(self._forwards):
            task.cancel()
        if self._forwards:
            await asyncio.gather(*self._forwards, return_exceptions=True)
        with contextlib.suppress(Exception):
            await server.wait_closed()
        if self.forwarder is not None:
            self.forwarder.close()
            self.forwarder = None
        self.secret = None
        self.earlier_secrets = ()
        self.previous_secret, self.previous_valid_until = None, None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._connections.add(task)
        try:
            await self._handle_one(reader, writer)
        except (TimeoutError, asyncio.IncompleteReadError, ConnectionError):
            pass
        except asyncio.CancelledError:
            raise
        except Exception:  # a malformed request must never take the receiver down
            log.exception("webhook listener failed to handle a request")
        finally:
            if task is not None:
                self._connections.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _handle_one(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        request_line = await asyncio.wait_for(reader.readline(), READ_TIMEOUT_SECONDS)
        if not request_line:
            return
        parts = request_line.decode("latin-1").split()
        if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
            await _respond(writer, 400, "malformed request line")
            return
        method, path, _ = parts
        headers: list[tuple[str, str]] = []
        while True:
            line = await asyncio.wait_for(reader.readline(), READ_TIMEOUT_SECONDS)
            if line in (b"\r\n", b"\n", b""):
                break
            if len(headers) >= _MAX_HEADER_LINES or len(line) > _MAX_LINE_BYTES:
                await _respond(writer, 431, "headers too large")
                return
            name, colon, value = line.decode("latin-1").partition(":")
            if colon:
                headers.append((name.strip(), value.strip()))
        lookup = {name.lower(): value for name, value in headers}
        if "chunked" in lookup.get("transfer-encoding", "").lower():
            try:
                body = await self._read_chunked(reader)
            except ValueError:
                await _respond(writer, 400, "bad chunk size")
                return
        else:
            try:
                length = int(lookup.get("content-length", "0"))
            except ValueError:
                await _respond(writer, 400, "bad content-length")
                return
            if length > MAX_BODY_BYTES:
                await _respond(writer, 413, "body too large")
                return
            body = await asyncio.wait_for(reader.readexactly(length), READ_TIMEOUT_SECONDS) if length else b""
        if body is None:
            await _respond(writer, 413, "body too large")
            return
        status = self.response_status if method == "POST" else 405
        verdict = None
        accepted = self.accepted_secrets()
        if accepted and method == "POST":
            verdict = verify_accepting(self.verifier, body, lookup, accepted, secret_is_current=True,
                                       earlier_secrets=self.earlier_secrets)
        await _respond(writer, status, "ok" if 200 <= status < 300 else f"listener answered {status}")
        forwarder = self.forwarder if method == "POST" else None
        delivery = ReceivedDelivery(self._now(), method, path, tuple(headers), body, status, verdict,
                                    next(self._sequence), forward_pending=forwarder is not None)
        self._on_delivery(delivery)
        if forwarder is not None:
            task = asyncio.create_task(self._forward(forwarder, delivery))
            self._forwards.add(task)
            task.add_done_callback(self._forwards.discard)

    async def _forward(self, forwarder: WebhookForwarder, delivery: ReceivedDelivery) -> None:
        """Send the delivery on to the operator's app and report it again with the answer."""
        result = await forwarder.forward(delivery.method, delivery.headers, delivery.body)
        self._on_delivery(replace(delivery, forward_pending=False, forward=result))

    async def _read_chunked(self, reader: asyncio.StreamReader) -> bytes | None:
        chunks: list[bytes] = []
        total = 0
        while True:
            size_line = await asyncio.wait_for(reader.readline(), READ_TIMEOUT_SECONDS)
            size = int(size_line.split(b";")[0].strip() or b"0", 16)
            if size == 0:
                await asyncio.wait_for(reader.readline(), READ_TIMEOUT_SECONDS)
                return b"".join(chunks)
            total += size
            if total > MAX_BODY_BYTES:
                return None
            chunks.append(await asyncio.wait_for(reader.readexactly(size), READ_TIMEOUT_SECONDS))
            await asyncio.wait_for(reader.readline(), READ_TIMEOUT_SECONDS)


async def _respond(writer: asyncio.StreamWriter, status: int, text: str) -> None:
    body = text.encode("utf-8")
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = "Status"
    writer.write(
        f"HTTP/1.1 {status} {reason}\r\ncontent-type: text/plain; charset=utf-8\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n\r\n".encode("latin-1") + body)
    await writer.drain()
