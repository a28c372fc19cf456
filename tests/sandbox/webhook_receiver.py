"""A real HTTP receiver on 127.0.0.1 for webhook tests: records every POST (arrival time, headers,
body) and answers with whatever status the test sets, optionally holding a request open."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self

from tests.waiting import wait_until_sync


@dataclass(frozen=True)
class Received:
    """One POST as the receiver saw it."""

    at: float                     # time.monotonic() on arrival
    headers: dict[str, str]       # lower-cased names
    body: bytes


class WebhookReceiver:
    """`with WebhookReceiver() as receiver:` … `receiver.url`, `receiver.status = 500`,
    `receiver.script = [500, 500]`, `receiver.wait_for(3)`."""

    def __init__(self) -> None:
        self.status = 200
        self.script: list[int] = []  # statuses for the next requests, in order; then `status`
        self.reply = b'{"received": true}'
        self.hold: threading.Event | None = None  # when set, requests wait on it before answering
        self.received: list[Received] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                with receiver._lock:
                    receiver.received.append(Received(time.monotonic(), {k.lower(): v for k, v in self.headers.items()}, body))
                    status = receiver.script.pop(0) if receiver.script else receiver.status
                if receiver.hold is not None:
                    receiver.hold.wait(30)
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(receiver.reply)))
                self.end_headers()
                self.wfile.write(receiver.reply)

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/hooks"

    def wait_for(self, count: int, timeout: float = 15.0) -> list[Received]:
        """Block until at least `count` requests arrived; return them all."""
        wait_until_sync(lambda: len(self.received) >= count, timeout,
                        f"expected {count} webhook POSTs, got {len(self.received)}")
        with self._lock:
            return list(self.received)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.hold is not None:
            self.hold.set()
        self._server.shutdown()
        self._server.server_close()
