"""`create_app(settings)`: the sandbox's FastAPI application, everything under `/v1`.

Routers are modules in `app/sandbox/routers/` exposing `router` (an `APIRouter` with its own
prefix, e.g. `/contacts`); the factory mounts each under `/v1`, documents the error envelope on
every operation, and applies the Idempotency-Key guard to every router except `auth` (which has
no credential yet). The webhook worker, if `app/sandbox/webhook_worker.py` exposes
`start_worker(app_state)`, runs for the app's lifetime (it reads `app_state.db` and
`app_state.settings`); the object it returns is stopped with its `stop()` at shutdown.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI

from app.sandbox import deletions, idempotency
from app.sandbox.db import Database
from app.sandbox.dialects.gateway import DialectGateway
from app.sandbox.errors import ERROR_RESPONSES, install_exception_handlers
from app.sandbox.middleware import RequestContextMiddleware
from app.sandbox.pagination import CursorCodec
from app.sandbox.ratelimit import RateLimiter
from app.sandbox.request_log import RequestLog
from app.sandbox.settings import SandboxSettings
from app.sandbox.signin_throttle import SignInThrottle

log = logging.getLogger("app.sandbox")

#: Mounted in this order when the module exists (the domain routers arrive separately).
ROUTER_MODULES: tuple[str, ...] = (
    "auth", "workspace", "contacts", "companies", "support", "invoices", "payments",
    "webhooks", "webhook_ops", "events", "api_keys", "quota", "dev", "deletions",
)
_NO_CREDENTIAL_ROUTERS = {"auth"}


def cursor_key(db: Database) -> bytes:
    """The per-database HMAC key for pagination cursors (created once, kept in `meta`)."""
    with db.transaction() as conn:
        row = conn.execute("SELECT value FROM meta WHERE key = 'cursor_key'").fetchone()
        if row is None:
            value = secrets.token_hex(32)
            conn.execute("INSERT INTO meta (key, value) VALUES ('cursor_key', ?)", (value,))
            return bytes.fromhex(value)
    return bytes.fromhex(row["value"])


def _router_module(name: str):
    full = f"app.sandbox.routers.{name}"
    if importlib.util.find_spec(full) is None:
        return None
    return importlib.import_module(full)


def create_app(settings: SandboxSettings, db: Database | None = None) -> FastAPI:
    """Build the application over `settings.database_path` (or the given `db`)."""
    db = db or Database(settings.database_path)
    request_log = RequestLog(db)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        request_log.start()
        worker = None
        if importlib.util.find_spec("app.sandbox.webhook_worker") is not None:
            worker = importlib.import_module("app.sandbox.webhook_worker").start_worker(app.state)
        try:
            yield
        finally:
            if worker is not None:
                worker.stop()
            request_log.stop()

    app = FastAPI(
        title="Opsdesk Platform API (sandbox)",
        version="1.0.0",
        description="The local reference implementation of the Opsdesk Platform API v1.",
        openapi_url="/v1/openapi.json",
        docs_url="/v1/docs",
        redoc_url=None,
        lifespan=lifespan,
        # operationIds are the handler names (list_contacts, create_contact …): stable and readable.
        generate_unique_id_function=lambda route: route.name,
    )
    app.state.settings = settings
    app.state.db = db
    app.state.request_log = request_log
    app.state.rate_limiter = RateLimiter(settings)
    app.state.signin_throttle = SignInThrottle(settings)
    app.state.cursor_codec = CursorCodec(cursor_key(db))
    app.state.deletions_tracked_since = deletions.start_tracking(db)
    install_exception_handlers(app)
    idempotency.install(app)
    # The dialect mounts translate into contract calls that pass the routers.
    app.add_middleware(DialectGateway)
    app.add_middleware(RequestContextMiddleware, db=db, request_log=request_log,
                       max_body_bytes=settings.max_body_bytes)
    unguarded: list[str] = []
    for name in ROUTER_MODULES:
        module = _router_module(name)
        if module is None:
            continue
        guard = [] if name in _NO_CREDENTIAL_ROUTERS else [Depends(idempotency.idempotency_guard)]
        if not guard:
            unguarded.append("/v1" + module.router.prefix + ("" if module.router.prefix else f"/{name}"))
        app.include_router(module.router, prefix="/v1", responses=ERROR_RESPONSES, dependencies=guard)

    build_openapi = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            idempotency.document(build_openapi(), tuple(unguarded))
        return app.openapi_schema  # type: ignore[return-value]

    app.openapi = openapi  # type: ignore[method-assign]
    return app
