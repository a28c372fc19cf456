"""The `bizbasics` dialect: seed 003, the BizBasics platform API (quota, debugging, webhooks).

What is its own (all from the seed):
- bare JSON: objects and arrays with no envelope; errors are `{"detail": …}` (the seed shows none;
  its tables are "generated from the platform's live API schema", FastAPI's error shape), a 403
  adds `required_scope`, a 429 `retry_after` beside the `Retry-After` header;
- two credentials: `Authorization: Bearer bbk_…` (read/write scopes) on every call, and the SSO
  secret as `X-Internal-Key: bbas_…` on the two internal endpoints (quota consume, webhook
  registration) — `BizBasicsAuth` picks by path, so each secret only goes where it belongs;
- only quota (`/v1/quota/status|breakdown|consume`), debugging (`/v1/dev/api-requests|
  webhook-deliveries`, `limit` only: one page) and webhook registration (`POST /v1/webhooks`
  `{url, event_types}`: the webhook is bound to the credential's product, so the console's name
  for it is not sent). No contacts, tickets, invoices, keys or workspace API; its
  workspace-records, catalog and org/retrieve have no contract counterpart;
- identity: no /me; `GET /v1/quota/status` names the org (`org_id`, the contract's workspace_id),
  which quota consume then needs in its body;
- over the limit, consume is 200 with `allowed: false`, never 429; its body's `idempotency_key`
  prevents a double count, but there is no Idempotency-Key header, so a lost POST is never re-sent.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from typing import Any

import httpx

from app.api import errors
from app.api.auth import ApiKeyAuth
from app.api.dialects.base import (
    Call,
    Dialect,
    Wire,
    contract_error,
    contract_item,
    contract_page,
    json_of,
)
from app.api.dialects.manifest import Manifest

NAME = "bizbasics"
DISPLAY_NAME = "BizBasics"
#: (method, wire path) of the endpoints that authenticate with X-Internal-Key, per the seed.
INTERNAL = frozenset({("POST", "/v1/quota/consume"), ("POST", "/v1/webhooks")})
_PATHS: dict[str, tuple[str, str]] = {
    "me.get": ("GET", "/v1/quota/status"),
    "quota.status": ("GET", "/v1/quota/status"),
    "quota.breakdown": ("GET", "/v1/quota/breakdown"),
    "quota.consume": ("POST", "/v1/quota/consume"),
    "dev.api_requests": ("GET", "/v1/dev/api-requests"),
    "dev.webhook_deliveries": ("GET", "/v1/dev/webhook-deliveries"),
    "webhooks.create": ("POST", "/v1/webhooks"),
}
_CODES = {400: "INVALID_REQUEST", 401: "UNAUTHORIZED", 403: "FORBIDDEN", 404: "NOT_FOUND", 409: "CONFLICT",
          422: "VALIDATION_ERROR", 429: "RATE_LIMITED"}

MANIFEST = Manifest(
    platform=NAME,
    display_name=DISPLAY_NAME,
    operations=frozenset(_PATHS),
    missing={
        "etag": "BizBasics has no record versions; nothing it serves here can be edited.",
        "idempotency_key": "BizBasics takes no Idempotency-Key header; a registration whose answer was lost is"
                           " not sent again (quota consume carries its own idempotency_key).",
        "updated_since": "BizBasics cannot list changes since a time.",
        "deletions": "BizBasics does not list deletions.",
        "me": "BizBasics has no /me; Opsdesk reads the org from the quota status.",
        "rate_limit_headers": "BizBasics does not document rate-limit headers.",
    },
    absent={
        "crm": "BizBasics has no contacts or companies API",
        "support": "BizBasics has no ticketing API",
        "billing": "BizBasics has no invoices API",
        "keys": "BizBasics keys are made in its Settings → API keys; it has no API-key API",
    },
    fields={
        # Seed 003's field tables and examples.
        "quota": ("org_id", "quotas", "used", "limit", "remaining", "period", "reset_at"),
        "quota_consume": ("org_id", "resource", "amount", "product_id", "idempotency_key", "allowed"),
        "webhooks": ("url", "event_types"),
        "dev": ("limit",),
    },
)


class BizBasicsAuth(httpx.Auth):
    """`Authorization: Bearer bbk_…`, or `X-Internal-Key: bbas_…` on the seed's internal endpoints."""

    def __init__(self, api_key: str, internal_key: str | None) -> None:
        self._bearer = ApiKeyAuth(api_key)
        internal_key = (internal_key or "").strip() or None
        if internal_key is not None and any(ch.isspace() for ch in internal_key):
            raise ValueError("the internal key contains spaces; paste it again without them")
        self._internal = internal_key

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """The internal key where the seed says so, the API key everywhere else (never both)."""
        if (request.method, "/v1/" + request.url.path.split("/v1/", 1)[-1]) in INTERNAL:
            if self._internal is None:
                raise errors.ApiError("This BizBasics call needs the internal key (bbas_…); add it to the profile.")
            request.headers["X-Internal-Key"] = self._internal
            yield request
            return
        yield from self._bearer.auth_flow(request)

    def __repr__(self) -> str:
        return "BizBasicsAuth(<redacted>)"


class BizBasicsDialect(Dialect):
    """Seed 003's bare-JSON API, two credentials, quota and debugging only."""

    name = NAME
    manifest = MANIFEST
    credential_fields = (("api_key", "API key (bbk_…)"), ("internal_key", "Internal key (bbas_…)"))

    def __init__(self) -> None:
        self.org_id: str | None = None
        self._internal = False

    def auth(self, credentials: Mapping[str, str]) -> httpx.Auth:
        api_key = (credentials.get("api_key") or "").strip()
        if not api_key:
            raise ValueError("BizBasics needs an API key (bbk_…); none was given")
        internal = credentials.get("internal_key")
        self._internal = bool(internal and internal.strip())
        return BizBasicsAuth(api_key, internal)

    def encode(self, call: Call) -> Wire:
        self.require(call)
        assert call.operation is not None
        name = call.operation.name
        method, path = _PATHS[name]
        if name in ("dev.api_requests", "dev.webhook_deliveries"):
            extra = sorted(set(call.params) - {"limit", "cursor"})
            if extra:
                raise errors.NotSupported(f"{DISPLAY_NAME} filters its debugging lists by nothing but limit"
                                          f" (asked: {', '.join(extra)})", platform=NAME, operation=name)
            return Wire(method, path, {"limit": call.params["limit"]} if "limit" in call.params else None)
        if name == "quota.consume":
            return Wire(method, path, None, self._consume_body(call.body or {}))
        if name == "webhooks.create":
            body = call.body or {}
            return Wire(method, path, None, {"url": body.get("url"), "event_types": body.get("event_types")})
        return Wire(method, path)

    def _consume_body(self, body: dict[str, Any]) -> dict[str, Any]:
        if self.org_id is None:
            raise errors.ApiError("BizBasics needs the org id for quota consume: read the identity first"
                                  " (the quota status names it).")
        wire: dict[str, Any] = {"org_id": self.org_id, "resource": body.get("resource"),
                                "amount": body.get("amount", 1)}
        if body.get("module"):
            wire["product_id"] = body["module"]
        if body.get("idempotency_key"):
            wire["idempotency_key"] = body["idempotency_key"]
        return wire

    def decode(self, call: Call, response: httpx.Response) -> httpx.Response:
        body = json_of(response)
        if not response.is_success:
            return _error(response, body)
        name = call.operation.name if call.operation is not None else ""
        if name in ("me.get", "quota.status") and isinstance(body, dict):
            self.org_id = body.get("org_id") or self.org_id
            if name == "me.get":
                return contract_item(response, self._me())
            return contract_item(response, {"workspace_id": body.get("org_id"), "quotas": body.get("quotas") or {}})
        if name == "quota.breakdown" and isinstance(body, dict):
            return contract_item(response, _breakdown(body, call.params.get("resource", "api_calls")))
        if name in ("dev.api_requests", "dev.webhook_deliveries") and isinstance(body, list):
            return contract_page(response, body, None)  # limit only: the seed offers no next page
        return contract_item(response, body)

    def _me(self) -> dict[str, Any]:
        """The contract's Me from what BizBasics says: the org; scopes as the seed grants them."""
        # The delivery log (`/v1/dev/webhook-deliveries`) is this key's integrations read; registering
        # needs the internal key.
        scopes = ["logs:read", "quota:read", "integrations:read"] + (["integrations:write"] if self._internal else [])
        return {"kind": "api_key", "id": "bbk", "name": f"{DISPLAY_NAME} API key", "scopes": scopes,
                "workspace_id": self.org_id, "expires_at": None}


def _breakdown(body: dict[str, Any], resource: str) -> dict[str, Any]:
    """BizBasics' split by product as the contract's breakdown of one resource (per module)."""
    products = body.get("products") or {}
    by_module = [{"module": product, "used": (split.get(resource) or {}).get("used", 0)}
                 for product, split in products.items() if isinstance(split, dict)]
    periods = body.get("periods") or {}
    return {"workspace_id": body.get("org_id"), "resource": resource, "period": periods.get(resource),
            "by_key": [], "by_module": [entry for entry in by_module if entry["used"]]}


def _error(response: httpx.Response, body: Any) -> httpx.Response:
    """`{"detail": …}` as the contract's error envelope (FastAPI's 422 list becomes details.fields)."""
    status = response.status_code
    detail = body.get("detail") if isinstance(body, dict) else None
    details: dict[str, Any] = {}
    if isinstance(detail, list):
        details["fields"] = [{"field": ".".join(str(p) for p in item.get("loc", ())[1:]) or "body",
                              "message": str(item.get("msg", "invalid"))} for item in detail if isinstance(item, dict)]
        message = "; ".join(f"{f['field']}: {f['message']}" for f in details["fields"]) or "invalid request"
    else:
        message = str(detail or response.reason_phrase or "request failed")
    if isinstance(body, dict) and isinstance(body.get("required_scope"), str):
        details["required_scope"] = body["required_scope"]
    retry_after = body.get("retry_after") if isinstance(body, dict) else None
    code = _CODES.get(status, "INTERNAL_ERROR" if status >= 500 else f"HTTP_{status}")
    if status == 401:
        details["reason"] = body.get("reason", "invalid") if isinstance(body, dict) else "invalid"
    return contract_error(response, status, code, message, details,
                          retry_after=retry_after if isinstance(retry_after, int | float) else None)
