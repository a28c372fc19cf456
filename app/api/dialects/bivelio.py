"""BiVelio (seed 002): an action-RPC API — every call is a `POST` with `{"action", "data"}`.

    POST /contacts          {"action": "list",   "data": {"search", "type", "tags", "page", "per_page"}}
    POST /contacts/create   {"action": "create", "data": {...}}
    POST /contacts/update   {"action": "update", "data": {"id", ...}}
    POST /invoices/list | /invoices/create | /webhooks/create | /webhooks/list

Answers are `{"success": true, "data": {"contacts": [...], "pagination": {page, per_page, total,
total_pages}}}`; errors `{"success": false, "error": {code, message, details, retry_after}}`.
The credential is `X-API-Key: bv_live_sk_…` / `bv_test_sk_…` (secret) or `bv_live_pk_…`
(publishable, read-only), scoped read / write / admin. Companies are BiVelio contacts of type
`company`; page numbers travel in the contract's opaque cursor as `p:<n>`.

Two reads are not in the seed: one record by id (`"data": {"id": …}` on a list action, what the
console's compare-before-save needs) and `POST /auth/introspect` for the key's identity (the seed
documents no identity call for API keys). Both are served by the Opsdesk sandbox; the manifest says
so, and `me` is listed as missing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from app.api import constants, errors
from app.api.dialects import bivelio_records as records
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

KEY_PATTERN = re.compile(r"^bv_(live|test)_(sk|pk)_[A-Za-z0-9]{16,}$")
HEADER_API_KEY = "X-API-Key"
_CURSOR = re.compile(r"^p:([1-9][0-9]{0,6})$")
#: BiVelio scope → the contract scopes it grants (seed 002: read data; create/modify; webhooks & billing).
SCOPES = {"read": ("crm:read",), "write": ("crm:write",), "admin": ("integrations:read", "integrations:write")}

MANIFEST = Manifest(
    platform="bivelio",
    display_name="BiVelio",
    # Seed 002's endpoints: /contacts (list, create, update), /invoices (list, create),
    # /webhooks (create, list); one record by id and the key's identity are the two extensions.
    operations=frozenset({
        "me.get",
        "contacts.list", "contacts.get", "contacts.create", "contacts.update",
        "companies.list", "companies.get", "companies.create", "companies.update",
        "invoices.list", "invoices.get", "invoices.create",
        "webhooks.list", "webhooks.get", "webhooks.create",
    }),
    missing={
        "etag": "BiVelio has no record versions: Opsdesk compares update times before saving, so a change "
                "a colleague makes in the moment between is not detected.",
        "idempotency_key": "BiVelio accepts no Idempotency-Key: a create whose answer was lost is never "
                           "sent again by itself; check the list before creating it again.",
        "updated_since": "BiVelio cannot list only what changed: every refresh reads the whole list.",
        "deletions": "BiVelio has no delete operations and lists no deletions.",
        "me": "BiVelio documents no identity call for API keys: Opsdesk asks POST /auth/introspect, "
              "which the Opsdesk sandbox serves; a real BiVelio may not.",
    },
    absent={
        "support": "BiVelio has no ticketing API (its messages are WhatsApp, Telegram and email "
                   "conversations, not support tickets).",
        "quota": "BiVelio has no quota API: plan limits show only as X-RateLimit-* headers.",
        "keys": "BiVelio's API keys are managed in its dashboard (app.bivelio.com/settings/api), "
                "not through the API.",
        "logs": "BiVelio has no request log or event API.",
    },
    fields={
        "contacts": ("id", "name", "email", "phone", "company_id", "tags", "custom_fields",
                     "notes (in custom_fields.notes)", "created_at", "updated_at"),
        "companies": ("id", "name", "domain, website, notes (in custom_fields)", "created_at", "updated_at"),
        "invoices": ("id", "invoice_number (number)", "status (draft, pending → sent, paid, overdue, void)",
                     "contact_id/company_id (client)", "currency", "issue_date", "due_date",
                     "line_items (description, quantity, unit_price, tax_rate %)", "subtotal", "tax",
                     "total", "notes", "created_at"),
        "webhooks": ("id (webhook_id)", "url", "description (also the name)", "event_types (events)",
                     "status", "success_rate", "last_delivery_at (last_triggered_at)", "created_at"),
    },
)

#: Contract status codes by HTTP status, for BiVelio codes with no closer contract meaning.
_CODE_BY_STATUS = {400: "INVALID_REQUEST", 401: "UNAUTHORIZED", 403: "FORBIDDEN", 404: "NOT_FOUND",
                   409: "CONFLICT", 422: "VALIDATION_ERROR", 429: "RATE_LIMITED"}


class BiVelioKeyAuth(httpx.Auth):
    """`X-API-Key: bv_…` on every request (BiVelio's API-key scheme; no Bearer)."""

    def __init__(self, api_key: str) -> None:
        api_key = (api_key or "").strip()
        if not KEY_PATTERN.match(api_key):
            raise ValueError("a BiVelio API key starts with bv_live_sk_, bv_test_sk_ or bv_live_pk_ "
                             "followed by letters and digits; paste it again whole")
        self._key = api_key

    def auth_flow(self, request: httpx.Request):
        request.headers[HEADER_API_KEY] = self._key
        yield request

    def __repr__(self) -> str:
        return "BiVelioKeyAuth(<redacted>)"


class BiVelioDialect(Dialect):
    """The contract's calls as BiVelio's actions, and its answers back in the contract's shapes."""

    name = "bivelio"
    manifest = MANIFEST
    credential_fields = (("api_key", "API key (bv_live_sk_…, bv_test_sk_… or bv_live_pk_…)"),)

    def auth(self, credentials: Mapping[str, str]) -> httpx.Auth:
        key = (credentials.get("api_key") or "").strip()
        if not key:
            raise ValueError("BiVelio needs an API key; none was given")
        return BiVelioKeyAuth(key)

    def encode(self, call: Call) -> Wire:
        self.require(call)
        assert call.operation is not None
        name, ids, body = call.operation.name, call.operation.params, call.body or {}
        if name == "me.get":
            return _action("/auth/introspect", "introspect", {})
        resource, verb = name.split(".")
        if resource in ("contacts", "companies"):
            kind = "person" if resource == "contacts" else "company"
            shape = records.contact_out if resource == "contacts" else records.company_out
            if verb == "list":
                return _action("/contacts", "list", {"type": kind, **_contact_filters(call), **_page(call)})
            if verb == "get":
                return _action("/contacts", "list", {"type": kind, "id": ids["id"], "page": 1, "per_page": 1})
            if verb == "create":
                return _action("/contacts/create", "create", shape(body, creating=True))
            return _action("/contacts/update", "update", {"id": ids["id"], **shape(body, creating=False)})
        if resource == "invoices":
            if verb == "list":
                return _action("/invoices/list", "list", {"type": "issued", **_invoice_filters(call), **_page(call)})
            if verb == "get":
                return _action("/invoices/list", "list", {"type": "issued", "id": ids["id"], "page": 1, "per_page": 1})
            return _action("/invoices/create", "create", records.invoice_out(body))
        if verb == "create":
            return _action("/webhooks/create", "create", records.webhook_out(body))
        return _action("/webhooks/list", "list", {})  # webhooks.list and .get: the seed's list has no paging

    def decode(self, call: Call, response: httpx.Response) -> httpx.Response:
        body = json_of(response)
        if not isinstance(body, dict) or "success" not in body:
            return response  # not BiVelio's envelope (a proxy's page): the status tells the error
        if not body.get("success"):
            return self._error(call, response, body.get("error") or {})
        assert call.operation is not None
        name, data = call.operation.name, body.get("data") or {}
        if name == "me.get":
            return contract_item(response, _me_in(data))
        resource, verb = name.split(".")
        decode_record = _DECODERS[resource]
        listed = data.get({"companies": "contacts"}.get(resource, resource))
        if verb in ("list", "get") and resource == "webhooks":
            hooks = [records.webhook_in(hook) for hook in listed or []]
            if verb == "get":
                return _one_or_404(response, call, [h for h in hooks if h["id"] == call.operation.params["id"]])
            return contract_page(response, _filter_webhooks(hooks, call.params), None)
        if verb == "list":
            pagination = data.get("pagination") or {}
            page, pages = int(pagination.get("page") or 1), int(pagination.get("total_pages") or 1)
            return contract_page(response, [decode_record(item) for item in listed or []],
                                 f"p:{page + 1}" if page < pages else None)
        if verb == "get":
            return _one_or_404(response, call, [decode_record(item) for item in listed or []])
        return contract_item(response, decode_record(data))

    def _error(self, call: Call, response: httpx.Response, error: dict[str, Any]) -> httpx.Response:
        """BiVelio's error codes as the contract's, so the typed errors and retries work."""
        code = str(error.get("code") or "")
        message = str(error.get("message") or f"BiVelio answered {response.status_code}")
        details = error.get("details") if isinstance(error.get("details"), dict) else {}
        status = response.status_code
        if code == "RATE_LIMIT_EXCEEDED":
            wait = error.get("retry_after", response.headers.get(constants.HEADER_RETRY_AFTER))
            try:
                seconds: float | None = max(float(wait), 0.0) if wait is not None else None
            except (TypeError, ValueError):
                seconds = None
            return contract_error(response, 429, "RATE_LIMITED", message,
                                  {"retry_after": seconds} if seconds is not None else {}, retry_after=seconds)
        if code in ("AUTH_INVALID_TOKEN", "AUTH_EXPIRED_TOKEN"):
            reason = "expired" if code == "AUTH_EXPIRED_TOKEN" else "invalid"
            return contract_error(response, 401, "UNAUTHORIZED", message, {"reason": reason})
        if code == "AUTH_INSUFFICIENT_SCOPE":
            return contract_error(response, 403, "FORBIDDEN", message, {"required_scope": _contract_scope(call)})
        if code == "RESOURCE_NOT_FOUND":
            return contract_error(response, 404, "NOT_FOUND", message)
        if code == "VALIDATION_ERROR":
            fields = details.get("fields") or ([{"field": details["field"],
                                                 "message": details.get("constraint") or message}]
                                               if details.get("field") else [])
            if status == 409:
                return contract_error(response, 409, "CONFLICT", message, {"field": details.get("field")})
            return contract_error(response, 422 if status != 400 else 400,
                                  "VALIDATION_ERROR" if status != 400 else "INVALID_REQUEST", message,
                                  {"fields": fields})
        contract_code = "INTERNAL_ERROR" if status >= 500 else _CODE_BY_STATUS.get(status, code or f"HTTP_{status}")
        return contract_error(response, status, contract_code, message, {**details, "bivelio_code": code})


def _action(path: str, action: str, data: dict[str, Any]) -> Wire:
    return Wire("POST", path, None, {"action": action, "data": data})


def _page(call: Call) -> dict[str, int]:
    cursor = call.params.get("cursor")
    page = 1
    if cursor:
        match = _CURSOR.match(cursor)
        if match is None:
            raise ValueError(f"{cursor[:40]!r} is not a BiVelio page cursor (copy next_cursor as is)")
        page = int(match.group(1))
    return {"page": page, "per_page": int(call.params.get("limit") or 20)}


def _refuse(call: Call, params: Mapping[str, str], allowed: set[str]) -> None:
    """NotSupported for a filter BiVelio lacks: dropping it silently would show the wrong records."""
    # Without updated_since the list is the whole list: a superset, as the manifest's "updated_since" says.
    extra = sorted(set(params) - allowed - {"limit", "cursor", "updated_since"})
    if extra:
        assert call.operation is not None
        raise errors.NotSupported(f"BiVelio cannot filter {call.operation.name.split('.')[0]} by "
                                  f"{', '.join(extra)}", platform="bivelio", operation=call.operation.name)


def _contact_filters(call: Call) -> dict[str, Any]:
    _refuse(call, call.params, {"query", "tag"})
    data: dict[str, Any] = {}
    if call.params.get("query"):
        data["search"] = call.params["query"]
    if call.params.get("tag"):
        data["tags"] = [call.params["tag"]]
    return data


def _invoice_filters(call: Call) -> dict[str, Any]:
    _refuse(call, call.params, {"status"})
    status = call.params.get("status")
    return {"status": records.INVOICE_STATUS_OUT.get(status, status)} if status else {}


def _filter_webhooks(hooks: list[dict[str, Any]], params: Mapping[str, str]) -> list[dict[str, Any]]:
    """The contract's webhook filters, applied to BiVelio's whole (unpaged) list."""
    query = (params.get("query") or "").lower()
    return [hook for hook in hooks
            if (not query or query in (hook["name"] or "").lower() or query in (hook["url"] or "").lower())
            and params.get("status") in (None, hook["status"])
            and params.get("event_type") in (None, *hook["event_types"])]


def _one_or_404(response: httpx.Response, call: Call, found: list[dict[str, Any]]) -> httpx.Response:
    if found:
        return contract_item(response, found[0])
    assert call.operation is not None
    return contract_error(response, 404, "NOT_FOUND", f"No {call.operation.name.split('.')[0][:-1]} "
                          f"{call.operation.params.get('id')} in this BiVelio organization")


def _contract_scope(call: Call) -> str:
    module = call.operation.module if call.operation else "crm"
    area = "integrations" if module == "integrations" else "crm"
    return f"{area}:{'read' if call.operation and call.operation.name.endswith(('.list', '.get')) else 'write'}"


def _me_in(data: dict[str, Any]) -> dict[str, Any]:
    scopes = [scope for granted in data.get("scopes") or [] for scope in SCOPES.get(granted, ())]
    return {"kind": "api_key", "id": data.get("key_id") or "", "name": data.get("name"),
            "scopes": scopes, "workspace_id": data.get("org_id") or "", "expires_at": None}


_DECODERS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "contacts": records.contact_in, "companies": records.company_in,
    "invoices": records.invoice_in, "webhooks": records.webhook_in,
}
