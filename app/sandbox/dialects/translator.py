"""`Translator`: one seed vendor's dialect of the API, served over the contract's own handlers.

A dialect mount (`/dialects/<name>/…`) answers in that platform's wire format — its paths,
field names, envelope, error codes, paging and credentials, written from its seed document — over
the same workspaces and data as `/v1`. A translator does that by turning each request into one or
more contract calls (`call` runs them in-process through the very routers `/v1` uses, so every
rule, validation, event and webhook is the contract's) and the contract's answers into the
platform's shapes. The gateway (`gateway.py`) hands requests over; translators never touch the
database for contract resources.

Subclasses set `name` and implement `handle` (most do it with a table of routes) and `openapi`.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import Headers


@dataclass
class DialectRequest:
    """The request as the platform's client sent it (`path` is below the mount, e.g. `/contacts`)."""

    method: str
    path: str
    query: list[tuple[str, str]]
    headers: Headers
    body: bytes
    #: The application's state (`state.db` the sandbox's database, for a dialect's own tables).
    state: Any = None

    def query_value(self, name: str) -> str | None:
        """The last value of query parameter `name`, or None."""
        values = [value for key, value in self.query if key == name]
        return values[-1] if values else None

    def json(self) -> Any:
        """The JSON body (None when empty); ValueError when it is not JSON."""
        if not self.body.strip():
            return None
        return json.loads(self.body)


@dataclass
class ContractCall:
    """A call of the contract (`path` below `/v1`), with the credential the platform's client sent."""

    method: str
    path: str
    query: Mapping[str, Any] | list[tuple[str, str]] | None = None
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class ContractAnswer:
    """The contract's answer to a `ContractCall`: status, headers and the parsed JSON body."""

    status: int
    headers: Headers
    body: Any
    raw: bytes

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def data(self) -> Any:
        """The envelope's `data` (None on an error)."""
        return self.body.get("data") if isinstance(self.body, dict) else None

    @property
    def error(self) -> dict[str, Any]:
        """The envelope's `error` object (`{}` on success)."""
        error = self.body.get("error") if isinstance(self.body, dict) else None
        return error if isinstance(error, dict) else {}


@dataclass
class DialectResponse:
    """What the platform answers: status, JSON body (or raw bytes) and extra headers."""

    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


CallContract = Callable[[ContractCall], Awaitable[ContractAnswer]]

#: Request headers a translator usually passes through to the contract as they are.
PASSED_HEADERS = ("user-agent", "idempotency-key", "if-match")


class Translator:
    """Base of the dialect mounts: `name`, `prefix` (below `/dialects/<name>`), `handle`, `openapi`."""

    name = ""
    #: The platform's API root below the mount, e.g. "/v1" (`/dialects/bi369/v1/...`).
    prefix = "/v1"

    async def handle(self, request: DialectRequest, call: CallContract) -> DialectResponse:
        """Answer `request` in the platform's format, calling the contract as often as needed."""
        raise NotImplementedError

    def mint_credentials(self, conn: Any, workspace: dict[str, Any]) -> dict[str, Any]:
        """Create this dialect's credentials for `workspace` (a credentials.json workspace entry:
        workspace_id, environment, user logins…) with `credentials.insert_dialect_key`; return the
        `credentials.json` section, in the platform's own names (e.g. `{"api_key": "bv_live_sk_…"}`)."""
        raise NotImplementedError

    def openapi(self) -> dict[str, Any]:
        """This platform's own OpenAPI document (served at `<mount>/openapi.json`, no credential)."""
        raise NotImplementedError

    def not_found(self, request: DialectRequest) -> DialectResponse:
        """The platform's answer to a path it does not have."""
        return DialectResponse(404, {"error": {"code": "NOT_FOUND",
                                               "message": f"No route {request.method} {request.path}"}})

    @staticmethod
    def passed_headers(request: DialectRequest, **extra: str) -> dict[str, str]:
        """`PASSED_HEADERS` from the request, plus `extra` (e.g. `authorization`)."""
        headers = {name: request.headers[name] for name in PASSED_HEADERS if name in request.headers}
        headers.update({name.replace("_", "-"): value for name, value in extra.items()})
        return headers
