"""Per-request state shared by the middleware, the dependencies and the handlers.

`RequestContextMiddleware` (see `middleware.py`) creates one `RequestContext` per HTTP request and
makes it current (a context variable, which Starlette copies into the thread pool that runs sync
handlers). Auth fills in `caller`, the rate limiter `rate`, the idempotency guard `idempotency`.
Handlers rarely need it directly: `envelope.ok()` reads the request id from here.
"""

from __future__ import annotations

import time
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from app.sandbox.ids import new_id


@dataclass
class RequestContext:
    """What the server knows about the request in flight."""

    request_id: str = field(default_factory=lambda: new_id("req"))
    started: float = field(default_factory=time.perf_counter)
    caller: Any = None          # auth.Caller once authenticated
    rate: Any = None            # ratelimit.RateState once counted
    idempotency: Any = None     # idempotency.Claim when this request owns an Idempotency-Key
    dialect: str | None = None  # the dialect mount serving it (None: the contract's /v1)


_current: ContextVar[RequestContext | None] = ContextVar("sandbox_request", default=None)


def current() -> RequestContext:
    """The request in flight; outside a request (seeding, workers) a fresh throwaway context."""
    ctx = _current.get()
    return ctx if ctx is not None else RequestContext()


def current_request_id() -> str:
    """The `req_…` id of the request in flight (the `X-Request-Id` header and body `request_id`)."""
    return current().request_id


def activate(ctx: RequestContext) -> object:
    """Make `ctx` current; returns the token for `deactivate`."""
    return _current.set(ctx)


def deactivate(token: object) -> None:
    _current.reset(token)  # type: ignore[arg-type]
