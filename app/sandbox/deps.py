"""FastAPI dependencies as `Annotated` aliases: the way every router gets the database, the caller
and its scopes.

    from app.sandbox.deps import Caller, Db, Scoped, AppSettings

    @router.get("", response_model=Page[Contact])
    def list_contacts(db: Db, caller: Scoped("crm:read"), page: PageParams) -> dict: ...

- `Caller`: the authenticated `auth.Principal` (401 UNAUTHORIZED with `details.reason` otherwise);
  also counts the call against the credential's rate limit (429 RATE_LIMITED).
- `Scoped("crm:write")`: the same caller, 403 FORBIDDEN with `details.required_scope` unless it
  holds every scope named.
- `Db`: the `db.Database` (`db.conn()` to read, `with db.transaction() as conn:` to write).
- `AppSettings`: the `settings.SandboxSettings` the process runs with.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer, SecurityScopes

from app.sandbox.auth import Principal, resolve_secret, unauthorized
from app.sandbox.credential_cache import cached_resolve
from app.sandbox.db import Database
from app.sandbox.errors import ApiProblem
from app.sandbox.request_context import current
from app.sandbox.settings import SandboxSettings
from app.sandbox.timeutil import utcnow

# Declares the scheme in the OpenAPI document; the header itself is parsed below, so a missing,
# malformed or non-Bearer value gets the contract's 401 rather than FastAPI's 403.
_bearer = HTTPBearer(auto_error=False, description="An API key (opk_…) or a user access token (opat_…).")


# Cheap dependencies are `async def` on purpose: FastAPI runs a sync dependency in the thread
# pool, and each hop costs more than the work itself.
async def get_db(request: Request) -> Database:
    return request.app.state.db


async def get_settings(request: Request) -> SandboxSettings:
    return request.app.state.settings


Db = Annotated[Database, Depends(get_db)]
AppSettings = Annotated[SandboxSettings, Depends(get_settings)]


async def authenticate(
    request: Request,
    _scheme: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """Resolve the Bearer credential once per request, then count the call against its rate limit."""
    return resolve_caller(request.app.state, request.headers.get("authorization"))


def resolve_caller(app_state: Any, header: str | None) -> Principal:
    """`authenticate` given the app's state and the Authorization header (the hot path calls it too)."""
    ctx = current()
    if ctx.caller is not None:
        return ctx.caller
    if not header:
        raise unauthorized("missing", "Send an API key or access token as `Authorization: Bearer <secret>`.")
    scheme, _, secret = header.partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret:
        raise unauthorized("invalid", "The Authorization header must be `Bearer <secret>`.")
    caller = cached_resolve(app_state.db.conn(), secret, utcnow(), resolve_secret)
    ctx.caller = caller
    ctx.rate = app_state.rate_limiter.hit(caller.credential_id, caller.rate_limit_per_minute)
    return caller


Caller = Annotated[Principal, Depends(authenticate)]


async def require_scopes(security_scopes: SecurityScopes, caller: Caller) -> Principal:
    """403 FORBIDDEN naming the first scope the caller lacks."""
    return check_scopes(caller, security_scopes.scopes)


def check_scopes(caller: Principal, scopes: Iterable[str]) -> Principal:
    """`caller`, or 403 FORBIDDEN naming the first of `scopes` it lacks (the hot path calls it too)."""
    for scope in scopes:
        if not caller.has(scope):
            raise ApiProblem(403, "FORBIDDEN", f"This credential lacks the {scope!r} scope.",
                             {"required_scope": scope})
    return caller


def Scoped(*scopes: str) -> Any:  # noqa: N802 - reads as a type in signatures
    """`caller: Scoped("crm:write")`: the caller, refused with 403 unless it holds every scope."""
    return Annotated[Principal, Security(require_scopes, scopes=list(scopes))]
