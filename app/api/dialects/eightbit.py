"""8bit-ai (seed 001): `{success, data}`, its error-code table, `limit/cursor/order`, 15-minute JWTs.

    POST /auth/token {email, password} · POST /auth/refresh {refresh_token: 8b_rt_…}  → eightbit_auth.py
    GET|POST /conversations, GET|PATCH /conversations/{id}     → the contract's tickets
    GET|POST /conversations/{id}/messages                      → ticket messages
    GET|POST /webhooks, GET|PATCH|DELETE /webhooks/{id}        → webhooks
    GET /organization, GET /organization/members               → workspace, members (and /me's workspace)

Errors are `{success: false, error: {code, message, details}}` with seven codes; INVALID_REQUEST
with `details.fields` is the contract's 422 VALIDATION_ERROR (the console shows field messages),
RATE_LIMITED keeps `Retry-After`. Lists answer `pagination.next_cursor`, which is the contract's
opaque cursor as it is. A profile holds a login (email + password: JWTs renewed before expiry and
on a 401, single flight) or, server-to-server, an API key `8b_sk_…`. Identity: the JWT's claims
(or, for a key, what 403s taught) and `/organization` for the workspace — 8bit-ai has no `/me`.
Agents have no Opsdesk counterpart; billing is the organization's own 8bit-ai subscription, not
invoices to customers, so neither is offered.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
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
    version_from_timestamp,
)
from app.api.dialects.eightbit_auth import EightBitLoginAuth
from app.api.dialects.manifest import Manifest

NAME = "8bit"
DISPLAY_NAME = "8bit-ai"
KEY_PREFIX = "8b_sk_"
#: contract field → 8bit field, per resource written.
TICKET_OUT = {"subject": "subject", "status": "status", "priority": "priority", "source": "channel",
              "assignee_id": "assignee_id", "contact_id": "customer_id", "custom_fields": "metadata"}
MESSAGE_OUT = {"direction": "role", "channel": "channel", "body": "content"}
WEBHOOK_OUT = {"name": "name", "url": "url", "description": "description", "event_types": "events", "status": "status"}
_ROLE = {"inbound": "customer", "outbound": "agent"}
_CONTRACT_NAME = {own: ours for table in (TICKET_OUT, MESSAGE_OUT, WEBHOOK_OUT) for ours, own in table.items()}
#: What an API key is assumed to hold until a 403 says otherwise (the seed: "scoped to specific permissions").
KEY_SCOPES = ("support:read", "support:write", "integrations:read", "integrations:write")
_PAGING = frozenset({"limit", "cursor"})
_DROPPED = frozenset({"updated_since"})

#: contract operation → (method, 8bit path template, body table or None)
ROUTES: dict[str, tuple[str, str, dict[str, str] | None]] = {
    "workspace.get": ("GET", "/organization", None),
    "me.get": ("GET", "/organization", None),
    "members.list": ("GET", "/organization/members", None),
    "tickets.list": ("GET", "/conversations", None),
    "tickets.get": ("GET", "/conversations/{id}", None),
    "tickets.create": ("POST", "/conversations", TICKET_OUT),
    "tickets.update": ("PATCH", "/conversations/{id}", TICKET_OUT),
    "messages.list": ("GET", "/conversations/{id}/messages", None),
    "messages.create": ("POST", "/conversations/{id}/messages", MESSAGE_OUT),
    "webhooks.list": ("GET", "/webhooks", None),
    "webhooks.get": ("GET", "/webhooks/{id}", None),
    "webhooks.create": ("POST", "/webhooks", WEBHOOK_OUT),
    "webhooks.update": ("PATCH", "/webhooks/{id}", WEBHOOK_OUT),
    "webhooks.delete": ("DELETE", "/webhooks/{id}", None),
}

MANIFEST = Manifest(
    platform=NAME,
    display_name=DISPLAY_NAME,
    # Seed 001: "agents, conversations, messages, webhooks, billing, and organization management".
    operations=frozenset(ROUTES),
    missing={
        "etag": "8bit-ai has no record versions or ETags: Opsdesk compares update times before saving, so a "
                "colleague's change in the moment between is not detected.",
        "idempotency_key": "8bit-ai accepts no Idempotency-Key: a create whose answer was lost is never sent "
                           "again by itself; check the list before repeating it.",
        "updated_since": "8bit-ai cannot list only what changed: every refresh reads the whole list.",
        "deletions": "8bit-ai lists no deletions: a webhook deleted elsewhere stays cached until a full refresh.",
        "me": "8bit-ai has no /me: Opsdesk reads the signed-in user from the access token's claims (an API "
              "key's scopes are learned from refusals) and the workspace from /organization.",
    },
    absent={
        "crm": "8bit-ai has no contacts or companies API (a conversation names only its customer_id)",
        "billing": "8bit-ai's billing API is the organization's own 8bit-ai subscription, not invoices to customers",
        "quota": "8bit-ai has no quota API (its plan's rate limit shows in X-RateLimit-* headers)",
        "keys": "8bit-ai documents no API-key management endpoints",
        "logs": "8bit-ai has no request-log or event API",
        "agents": "8bit-ai's AI agents have no counterpart in Opsdesk",
    },
    fields={
        "tickets": ("id", "subject", "status", "priority", "source (channel)", "assignee_id",
                    "contact_id (customer_id)", "custom_fields (metadata)", "created_at", "updated_at"),
        "messages": ("id", "ticket_id (conversation_id)", "direction (role)", "channel", "body (content)",
                     "author_id", "created_at"),
        "webhooks": ("id", "name", "url", "description", "event_types (events)", "status", "disabled_reason",
                     "signing_secret_preview (secret_preview)", "created_at"),
        "workspace": ("id", "name", "plan", "environment", "rate_limit_per_minute"),
        "members": ("id", "name", "email", "role", "status"),
    },
)


class EightBitDialect(Dialect):
    """Seed 001's REST API over a JWT login (or an API key)."""

    name = NAME
    manifest = MANIFEST
    credential_fields = (("email", "Email"), ("password", "Password"),
                         ("api_key", "API key (8b_sk_…), instead of a sign-in"))

    def __init__(self) -> None:
        self.login: EightBitLoginAuth | None = None
        #: Scopes a 403 said an API key lacks (learned per client).
        self.denied: set[str] = set()

    def auth(self, credentials: Mapping[str, str]) -> httpx.Auth:
        """A user login when an email and password (or a refresh token) are given, else the API key."""
        email = (credentials.get("email") or "").strip()
        password = credentials.get("password") or ""
        refresh = (credentials.get("refresh_token") or "").strip()
        if (email and password) or refresh:
            self.login = EightBitLoginAuth(email or None, password or None, refresh_token=refresh or None)
            return self.login
        key = (credentials.get("api_key") or "").strip()
        if not key:
            raise ValueError("8bit-ai needs an email and password, or an API key; none was given")
        if not key.startswith(KEY_PREFIX):
            raise ValueError("an 8bit-ai API key starts with 8b_sk_; paste it again from the dashboard")
        self.login = None
        return ApiKeyAuth(key)

    def encode(self, call: Call) -> Wire:
        self.require(call)
        assert call.operation is not None
        name = call.operation.name
        method, template, table = ROUTES[name]
        path = template.format(**call.operation.params)
        params = _paging(name, call.params) if method == "GET" else None
        body = None
        if table is not None:
            body = _own_body(name, call.body, table)
        return Wire(method, path, params or None, body)

    def decode(self, call: Call, response: httpx.Response) -> httpx.Response:
        body = json_of(response)
        if not isinstance(body, dict):
            return response
        if not response.is_success or body.get("success") is False:
            return self._error(response, body)
        name = call.operation.name if call.operation is not None else ""
        data = body.get("data")
        shape = _SHAPES.get(name.split(".")[0], lambda item: item)
        if isinstance(data, list):
            pagination = body.get("pagination") if isinstance(body.get("pagination"), dict) else {}
            return contract_page(response, [shape(item) for item in data if isinstance(item, dict)],
                                 pagination.get("next_cursor"))
        if not isinstance(data, dict):
            return response
        if name == "me.get":
            return contract_item(response, self._me(data))
        if name == "workspace.get":
            return contract_item(response, {**data, "enabled_modules": list(MANIFEST.modules)})
        if name.endswith(".delete"):
            return contract_item(response, data)
        return contract_item(response, shape(data))

    def _me(self, organization: dict[str, Any]) -> dict[str, Any]:
        if self.login is not None:
            claims = self.login.claims
            exp = claims.get("exp")
            return {"kind": "user", "id": claims.get("sub") or "user", "name": claims.get("name"),
                    "scopes": str(claims.get("scope") or "").split(), "workspace_id": organization.get("id"),
                    "expires_at": datetime.fromtimestamp(exp, UTC).isoformat() if isinstance(exp, (int, float))
                    else None}
        return {"kind": "api_key", "id": "api_key", "name": f"{DISPLAY_NAME} API key",
                "scopes": sorted(set(KEY_SCOPES) - self.denied), "workspace_id": organization.get("id"),
                "expires_at": None}

    def _error(self, response: httpx.Response, body: dict[str, Any]) -> httpx.Response:
        error = body.get("error") if isinstance(body.get("error"), dict) else {}
        code = str(error.get("code") or f"HTTP_{response.status_code}")
        message = str(error.get("message") or response.reason_phrase or "request failed")
        details = dict(error.get("details") or {}) if isinstance(error.get("details"), dict) else {}
        status = response.status_code
        if code == "INVALID_REQUEST" and isinstance(details.get("fields"), list):
            status, code = 422, "VALIDATION_ERROR"
            details["fields"] = [{**item, "field": _CONTRACT_NAME.get(str(item.get("field")), item.get("field"))}
                                 for item in details["fields"] if isinstance(item, dict)]
        if code == "FORBIDDEN" and isinstance(details.get("required_scope"), str):
            self.denied.add(details["required_scope"])
        # Retry-After stays on the reshaped answer (contract_error keeps the platform's headers).
        return contract_error(response, status, code, message, details)


def _paging(name: str, params: Mapping[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in params.items():
        if key in _DROPPED:
            continue
        if key not in _PAGING:
            raise errors.NotSupported(f"{DISPLAY_NAME} cannot filter {name.split('.')[0]} by {key!r} "
                                      "(its lists take limit, cursor and order)", platform=NAME, operation=name)
        out[key] = value
    if name == "members.list":
        return {}
    if "limit" in out:
        out["limit"] = str(min(int(out["limit"]), 100))  # the seed's maximum
    return out


def _own_body(name: str, body: Any, table: dict[str, str]) -> Any:
    if not isinstance(body, dict):
        return body
    unknown = sorted(key for key in body if key not in table)
    if unknown:
        raise errors.NotSupported(f"{DISPLAY_NAME} {name.split('.')[0]} have no {', '.join(unknown)}",
                                  platform=NAME, operation=name)
    out = {table[key]: value for key, value in body.items()}
    if "role" in out:
        out["role"] = _ROLE.get(out["role"], out["role"])
    return out


def _ticket(own: dict[str, Any]) -> dict[str, Any]:
    return {"id": own.get("id"), "subject": own.get("subject"), "status": own.get("status"),
            "priority": own.get("priority"), "source": own.get("channel"), "assignee_id": own.get("assignee_id"),
            "contact_id": own.get("customer_id"), "custom_fields": own.get("metadata") or {},
            "version": version_from_timestamp(own.get("updated_at")), "created_at": own.get("created_at"),
            "updated_at": own.get("updated_at")}


def _message(own: dict[str, Any]) -> dict[str, Any]:
    direction = {value: key for key, value in _ROLE.items()}.get(own.get("role", ""), own.get("role"))
    return {"id": own.get("id"), "ticket_id": own.get("conversation_id"), "direction": direction,
            "channel": own.get("channel"), "body": own.get("content"), "author_id": own.get("author_id"),
            "created_at": own.get("created_at")}


def _webhook(own: dict[str, Any]) -> dict[str, Any]:
    out = {"id": own.get("id"), "name": own.get("name"), "url": own.get("url"), "description": own.get("description"),
           "event_types": own.get("events") or [], "status": own.get("status"),
           "disabled_reason": own.get("disabled_reason"), "signing_secret_preview": own.get("secret_preview"),
           "created_at": own.get("created_at")}
    if own.get("secret"):
        out["signing_secret"] = own["secret"]
    return out


_SHAPES = {"tickets": _ticket, "messages": _message, "webhooks": _webhook}
