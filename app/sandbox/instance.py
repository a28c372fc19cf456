"""Two requests outside the Platform API, for the console that started (or found) this sandbox.

- `GET /_sandbox/instance` with `X-Sandbox-Nonce: <the state file's nonce>`: 200 `{"pid"}` when
  the nonce is this process's, else 403. A console checks it before trusting a state file, so a
  port reused by another program (or another sandbox) is never mistaken for this one.
- `POST /_sandbox/shutdown` with the same header: 202, then the same clean stop SIGTERM gives
  (in-flight requests finish, the state file goes). It works the same on every OS, where a
  signal to a process that is not one's own child does not (Windows).

Only who can read the data dir knows the nonce. The layer sits outside FastAPI and the
request log: these calls belong to no workspace. Anything else passes through untouched.
"""

from __future__ import annotations

import hmac
import json
import os
from collections.abc import Callable

from starlette.types import ASGIApp, Receive, Scope, Send

PREFIX = "/_sandbox/"
INSTANCE_PATH = "/_sandbox/instance"
SHUTDOWN_PATH = "/_sandbox/shutdown"
NONCE_HEADER = b"x-sandbox-nonce"


class InstanceLayer:
    """Answers the two `/_sandbox/` requests; passes every other request to `app`."""

    def __init__(self, app: ASGIApp, nonce: str, on_shutdown: Callable[[], None]) -> None:
        self.app = app
        self._nonce = nonce.encode()
        self._on_shutdown = on_shutdown

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(PREFIX):
            await self.app(scope, receive, send)
            return
        route = (scope["method"], scope["path"])
        if route not in (("GET", INSTANCE_PATH), ("POST", SHUTDOWN_PATH)):
            await _answer(send, 404, {"error": "unknown sandbox request"})
            return
        given = dict(scope["headers"]).get(NONCE_HEADER, b"")
        if not hmac.compare_digest(given, self._nonce):
            await _answer(send, 403, {"error": "not this sandbox's nonce"})
            return
        if route[1] == SHUTDOWN_PATH:
            await _answer(send, 202, {"pid": os.getpid(), "stopping": True})
            self._on_shutdown()
            return
        await _answer(send, 200, {"pid": os.getpid()})


async def _answer(send: Send, status: int, body: dict) -> None:
    data = json.dumps(body).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]})
    await send({"type": "http.response.body", "body": data})
