"""`Dialect`: how one platform's wire format maps to the contract the rest of the client speaks.

The request loop hands a dialect each contract call (`Call`: operation, contract path, query,
body, keys) and sends the `Wire` request the dialect makes of it through the observed transport,
so the request log, cURL and HAR show what really went over the wire. The dialect then turns the
platform's answer back into a contract-shaped response (`{data, next_cursor, request_id}` or the
error envelope `{error: {code, message, details}}`), so resources, models and typed errors stay
the same for every platform. The base class is the contract itself (the `opsdesk` dialect).

A dialect instance belongs to one client and may keep state (tokens, scopes learned from 403s).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx

from app.api import constants, errors
from app.api.auth import ApiKeyAuth
from app.api.dialects.manifest import Manifest
from app.api.dialects.operations import ALL_OPERATIONS, Operation


@dataclass(frozen=True)
class Call:
    """One contract call, as the resources make it (the path relative to the contract's `/v1`)."""

    method: str
    path: str
    operation: Operation | None  # None: a path outside the contract's operations
    params: dict[str, str]
    body: Any = None
    idempotency_key: str | None = None
    if_match: int | str | None = None


@dataclass
class Wire:
    """The request a dialect sends for a call: relative path, query, JSON body and extra headers."""

    method: str
    path: str
    params: dict[str, str] | None = None
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


class Dialect:
    """The contract dialect (`opsdesk`): requests and answers pass through unchanged.

    Subclasses override `manifest`, `encode` and `decode` (and `auth_for` when the platform's
    credential is not a Bearer key).
    """

    name = "opsdesk"
    manifest = Manifest(platform="opsdesk", display_name="Opsdesk Platform API", operations=ALL_OPERATIONS)
    #: The credentials a profile of this platform holds: (name, label) pairs, in the form's order.
    #: Every value is a secret and lives in the keychain.
    credential_fields: tuple[tuple[str, str], ...] = (("api_key", "API key"),)

    def auth(self, credentials: Mapping[str, str]) -> httpx.Auth:
        """The httpx auth flow for this platform's credentials (ValueError naming a missing one)."""
        return ApiKeyAuth(_credential(credentials, "api_key", self.manifest.display_name))

    def encode(self, call: Call) -> Wire:
        """The wire request for `call`; `errors.NotSupported` when the platform has no such operation."""
        self.require(call)
        headers: dict[str, str] = {}
        if (call.idempotency_key is not None and call.method in constants.IDEMPOTENT_WRITE_METHODS
                and self.manifest.has("idempotency_key")):
            headers[constants.HEADER_IDEMPOTENCY_KEY] = call.idempotency_key
        if call.if_match is not None and self.manifest.has("etag"):
            headers[constants.HEADER_IF_MATCH] = f'"{call.if_match}"'
        return Wire(call.method, call.path, dict(call.params) or None, call.body, headers)

    def decode(self, call: Call, response: httpx.Response) -> httpx.Response:
        """The platform's answer as the contract shapes it (status kept unless the dialect maps it)."""
        return response

    def require(self, call: Call) -> None:
        """Raise `NotSupported` (nothing sent) unless the manifest lists `call`'s operation."""
        if call.operation is None:
            if self.name == "opsdesk":
                return
            raise errors.NotSupported(f"{call.method} {call.path} is not an operation {self.manifest.display_name} has",
                                      platform=self.name, operation=f"{call.method} {call.path}")
        if not self.manifest.supports(call.operation.name):
            module = call.operation.module
            reason = self.manifest.why_absent(module) or (
                f"{self.manifest.display_name} has no {call.operation.name.replace('.', ' ')} operation")
            raise errors.NotSupported(reason, platform=self.name, operation=call.operation.name)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


# -- helpers for dialects that reshape answers ---------------------------------------------------


def reshaped(original: httpx.Response, body: Any, *, status: int | None = None,
             headers: dict[str, str] | None = None) -> httpx.Response:
    """A contract-shaped copy of `original` with `body` as JSON (its headers kept, lengths fixed)."""
    kept = [(name, value) for name, value in original.headers.multi_items()
            if name.lower() not in ("content-length", "content-encoding", "transfer-encoding", "content-type")]
    response = httpx.Response(
        status if status is not None else original.status_code,
        headers=kept + [("Content-Type", "application/json")] + list((headers or {}).items()),
        content=json.dumps(body, separators=(",", ":")).encode("utf-8"),
        request=original.request,
    )
    return response


def contract_item(original: httpx.Response, data: Any, request_id: str | None = None) -> httpx.Response:
    """`{data, request_id}` from a platform's answer."""
    return reshaped(original, {"data": data, "request_id": request_id or _request_id(original)})


def contract_page(original: httpx.Response, items: list[Any], next_cursor: str | None,
                  request_id: str | None = None) -> httpx.Response:
    """`{data: [...], next_cursor, request_id}` from a platform's answer."""
    return reshaped(original, {"data": items, "next_cursor": next_cursor,
                               "request_id": request_id or _request_id(original)})


def contract_error(original: httpx.Response, status: int, code: str, message: str,
                   details: dict[str, Any] | None = None, *, retry_after: float | None = None) -> httpx.Response:
    """The contract's error envelope (and a `Retry-After` header when the platform said when)."""
    extra = {constants.HEADER_RETRY_AFTER: str(retry_after)} if retry_after is not None else None
    return reshaped(original, {"error": {"code": code, "message": message, "details": details or {}},
                               "request_id": _request_id(original)}, status=status, headers=extra)


def json_of(response: httpx.Response) -> Any:
    """The answer's JSON, or None when it is not JSON (a proxy's HTML page stays an error)."""
    try:
        return response.json()
    except ValueError:
        return None


def version_from_timestamp(stamp: str | None) -> int:
    """A record version for a platform without one: its `updated_at` in milliseconds.

    Two reads of an unchanged record agree; any change moves it. The console compares it before a
    write (the emulated If-Match), which is what the manifest's missing "etag" promises.
    """
    if not stamp:
        return 0
    moment = datetime.fromisoformat(stamp)
    return int(moment.timestamp() * 1000)


def _credential(credentials: Mapping[str, str], name: str, platform: str) -> str:
    value = (credentials.get(name) or "").strip()
    if not value:
        raise ValueError(f"{platform} needs a {name.replace('_', ' ')}; none was given")
    return value


def _request_id(response: httpx.Response) -> str | None:
    return response.headers.get(constants.HEADER_REQUEST_ID)
