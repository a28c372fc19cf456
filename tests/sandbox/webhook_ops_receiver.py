"""A receiver of the webhook-operations tests' own on 127.0.0.1: answers each POST with what the
test's `answer(body)` says, records every delivery it *accepted* (answered 2xx) by `webhook-id`,
and can hold requests open (`hold()`), never accepting them, to stage a crash mid-delivery."""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self

from tests.waiting import wait_until_sync


@dataclass(frozen=True)
class Accepted:
    """One delivery the receiver answered 2xx."""

    webhook_id: str
    headers: dict[str, str]
    body: bytes

    @property
    def event(self) -> dict:
        return json.loads(self.body)


class OpsReceiver:
    """`with OpsReceiver() as receiver:` … `receiver.answer = lambda body: 500`, `receiver.accepted`."""

    def __init__(self) -> None:
        self.answer: Callable[[dict], int] = lambda _body: 200
        self.accepted: list[Accepted] = []
        self.arrived: list[str] = []  # the webhook-id of every POST, accepted or not
        self.held = 0
        self.accept_limit: int | None = None  # beyond this many accepted, hold every request
        self._release = threading.Event()
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body leave at once, not 40 ms apart

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                headers = {k.lower(): v for k, v in self.headers.items()}
                with receiver._lock:
                    receiver.arrived.append(headers["webhook-id"])
                    hold = receiver.accept_limit is not None and len(receiver.accepted) >= receiver.accept_limit
                    status = 503 if hold else receiver.answer(json.loads(body))
                    if hold:
                        receiver.held += 1
                    elif 200 <= status < 300:
                        receiver.accepted.append(Accepted(headers["webhook-id"], headers, body))
                if hold:
                    # Never answered while the sender lives: the delivery is not accepted.
                    receiver._release.wait(30)
                try:
                    self.send_response(status)
                    self.send_header("content-length", "2")
                    self.end_headers()
                    self.wfile.write(b"{}")
                except OSError:
                    pass

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/hooks"

    def accepted_ids(self) -> Counter:
        """How many times each `webhook-id` was accepted."""
        with self._lock:
            return Counter(a.webhook_id for a in self.accepted)

    def wait_accepted(self, count: int, timeout: float = 60.0) -> list[Accepted]:
        wait_until_sync(lambda: len(self.accepted) >= count, timeout,
                        f"expected {count} accepted deliveries, got {len(self.accepted)}")
        with self._lock:
            return list(self.accepted)

    def release_held(self) -> None:
        """Let held requests go (answered 503, never accepted) and accept normally again."""
        with self._lock:
            self.accept_limit = None
        self._release.set()

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._release.set()
        self._server.shutdown()
        self._server.server_close()
