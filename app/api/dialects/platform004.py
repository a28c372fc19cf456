"""The `platform004` dialect: seed 004, the OpenAPI-rendered platform the contract grew from.

What is its own (all from the seed's operation list):
- no `GET /me`: identity comes from `GET /workspace` (`{id, name, enabled_modules}`), and the
  credential's scopes are assumed from `enabled_modules` until a 403 names one it lacks (learned,
  per client); every success proves the scope the seed lists for that operation;
- only the operations the seed documents: contacts and companies are listed and created (no read,
  edit or delete of one), invoices listed and created, payments recorded, tickets listed, created
  and updated (no read of one), queues, messages, comments, webhooks (list, create, update, test,
  deliveries); no quota, key, request-log or event API;
- its filters only: a contract filter the seed does not list is refused before sending (a silently
  unfiltered list would be wrong); `updated_since` is dropped, which is the full refresh the
  manifest's missing guarantee promises;
- no versions or ETags: `version` is synthesized from `updated_at` and the request loop compares it
  before a write (the emulated If-Match); `Idempotency-Key` is a header, as in the contract;
- the envelope, cursor paging and error envelope are the contract's (`{data, request_id,
  next_cursor}`, `{error: {code, message, details}}`), so answers pass through nearly unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from app.api import constants, errors
from app.api.auth import ApiKeyAuth
from app.api.dialects.base import (
    Call,
    Dialect,
    Wire,
    _credential,
    contract_item,
    json_of,
    reshaped,
    version_from_timestamp,
)
from app.api.dialects.manifest import Manifest

NAME = "platform004"
DISPLAY_NAME = "Platform 004"

#: Contract operation → the scope seed 004 lists as "Required scopes" for it.
SCOPE_OF: dict[str, str] = {
    "contacts.list": "crm:read", "contacts.create": "crm:write",
    "companies.list": "crm:read", "companies.create": "crm:write",
    "invoices.list": "crm:read", "invoices.create": "crm:write", "payments.create": "crm:write",
    "queues.list": "support:read", "queues.create": "support:write",
    "tickets.list": "support:read", "tickets.create": "support:write", "tickets.update": "support:write",
    "messages.list": "support:read", "messages.create": "support:write",
    "comments.list": "support:read", "comments.create": "support:write",
    "webhooks.list": "integrations:read", "webhooks.create": "integrations:write",
    "webhooks.update": "integrations:write", "webhooks.test": "integrations:write",
    "deliveries.list": "integrations:read",
}
OPERATIONS = frozenset({"workspace.get", "me.get", *SCOPE_OF})

#: The query parameters seed 004 documents per list operation (beside limit and cursor).
FILTERS: dict[str, frozenset[str]] = {
    "contacts.list": frozenset({"query", "company_id"}),
    "companies.list": frozenset({"query"}),
    "invoices.list": frozenset({"status", "company_id", "contact_id", "deal_id"}),
    "queues.list": frozenset({"query", "status", "custom_field_key", "custom_field_value"}),
    "tickets.list": frozenset({"query", "status", "priority", "source", "category", "queue_id", "assignee_id",
                               "contact_id", "company_id", "deal_id", "lead_id", "invoice_id",
                               "custom_field_key", "custom_field_value"}),
    "messages.list": frozenset({"ticket_id", "query", "custom_field_key", "custom_field_value"}),
    "comments.list": frozenset({"ticket_id", "query", "custom_field_key", "custom_field_value"}),
    "webhooks.list": frozenset({"query", "status", "event_type"}),
    "deliveries.list": frozenset({"webhook_id", "event_type", "status"}),
}
_PAGING = frozenset({"limit", "cursor"})
#: Dropped rather than refused: without it a list is the full refresh the manifest announces.
_DROPPED = frozenset({"updated_since"})

#: platform004's `enabled_modules` → (the console's modules, the scopes the module implies).
MODULES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "crm": (("crm", "billing"), ("crm:read", "crm:write")),  # invoices and payments are its "Deals" group
    "support": (("support",), ("support:read", "support:write")),
    "integrations": (("integrations",), ("integrations:read", "integrations:write")),
    "tasks": ((), ("tasks:read", "tasks:write")),
    "activity_log": ((), ("activity:read", "activity:write")),
    "cms": ((), ("cms:read", "cms:write")),
    "assets": ((), ("assets:read", "assets:write")),
    "analytics_governance": ((), ("analytics:read", "analytics:write")),
}

MANIFEST = Manifest(
    platform=NAME,
    display_name=DISPLAY_NAME,
    operations=OPERATIONS,
    missing={
        "etag": "Platform 004 has no record versions or ETags; Opsdesk compares update times before"
                " saving, so a colleague's change in the same second can go unnoticed.",
        "updated_since": "Platform 004 cannot list changes since a time; Opsdesk refreshes whole lists.",
        "deletions": "Platform 004 does not list deletions (and cannot delete contacts through its API).",
        "me": "Platform 004 has no /me; Opsdesk reads the workspace and learns the key's scopes from refusals.",
        "rate_limit_headers": "Platform 004 does not document rate-limit headers; only a refusal says the"
                              " workspace is over its limit.",
    },
    absent={
        "quota": "Platform 004 has no quota API",
        "keys": "Platform 004 has no API-key management API",
        "logs": "Platform 004 has no request-log or event API",
    },
    fields={
        # The fields seed 004's parameters and examples name, per resource.
        "workspace": ("id", "name", "enabled_modules"),
        "contacts": ("id", "name", "email", "company_id", "company_name"),
        "companies": ("id", "name", "domain"),
        "invoices": ("id", "invoice_number", "status", "company_id", "contact_id", "deal_id", "line_items"),
        "payments": ("id", "invoice_id", "amount_cents"),
        "queues": ("id", "key", "name", "status", "first_response_target_minutes"),
        "tickets": ("id", "subject", "status", "priority", "source", "category", "queue_id", "assignee_id",
                    "contact_id", "company_id", "deal_id", "lead_id", "invoice_id"),
        "messages": ("id", "ticket_id", "direction", "channel", "body"),
        "comments": ("id", "ticket_id", "body", "pinned"),
        "webhooks": ("id", "name", "url", "event_types", "status", "signing_secret_preview"),
        "deliveries": ("id", "event_type", "status", "attempt_count"),
    },
)


class Platform004Dialect(Dialect):
    """Seed 004's REST API: the contract's envelope without /me, versions or updated_since."""

    name = NAME
    manifest = MANIFEST
    credential_fields = (("api_key", "API token"),)

    def __init__(self) -> None:
        self._environment = "live"
        #: Scopes proven by a success / refused by a 403, learned per client.
        self.granted: set[str] = set()
        self.denied: set[str] = set()
        self._module_scopes: set[str] = set()

    def auth(self, credentials: Mapping[str, str]) -> httpx.Auth:
        token = _credential(credentials, "api_key", DISPLAY_NAME)
        # The token's prefix tells the environment (opk_live_… / opk_test_…); /workspace may not.
        self._environment = "test" if token.startswith("opk_test_") else "live"
        return ApiKeyAuth(token)

    @property
    def scopes(self) -> frozenset[str]:
        """What the credential is believed to hold: the workspace's modules' scopes and every scope a
        success proved, less every scope a 403 named."""
        return frozenset((self._module_scopes | self.granted) - self.denied)

    def encode(self, call: Call) -> Wire:
        self.require(call)
        assert call.operation is not None
        name = call.operation.name
        headers: dict[str, str] = {}
        if call.idempotency_key is not None and call.method in constants.IDEMPOTENT_WRITE_METHODS:
            headers[constants.HEADER_IDEMPOTENCY_KEY] = call.idempotency_key
        if name == "me.get":
            return Wire("GET", "/workspace", None, None, headers)
        params = self._params(name, call)
        return Wire(call.method, call.path, params or None, call.body, headers)

    def _params(self, name: str, call: Call) -> dict[str, str]:
        allowed = FILTERS.get(name, frozenset())
        params: dict[str, str] = {}
        for key, value in call.params.items():
            if key in _DROPPED:
                continue
            if key not in allowed and key not in _PAGING:
                raise errors.NotSupported(
                    f"{DISPLAY_NAME} cannot filter {name.split('.')[0]} by {key!r}"
                    f" (it filters by {', '.join(sorted(allowed)) or 'nothing'})",
                    platform=NAME, operation=name)
            params[key] = value
        if name in ("messages.list", "comments.list"):
            params["ticket_id"] = call.operation.params["id"]  # the seed lists it in the query too
        return params

    def decode(self, call: Call, response: httpx.Response) -> httpx.Response:
        name = call.operation.name if call.operation is not None else ""
        body = json_of(response)
        if not response.is_success:
            self._learn_refusal(response, body)
            return response
        if name in SCOPE_OF:
            self.granted.add(SCOPE_OF[name])
            self.denied.discard(SCOPE_OF[name])
        if not isinstance(body, dict) or "data" not in body:
            return response
        if name in ("workspace.get", "me.get"):
            workspace = self._workspace(body["data"])
            return contract_item(response, self._me(workspace) if name == "me.get" else workspace,
                                 body.get("request_id"))
        data = body["data"]
        items = data if isinstance(data, list) else [data]
        if not any(isinstance(item, dict) and "updated_at" in item and "version" not in item for item in items):
            return response
        for item in items:
            if isinstance(item, dict) and "version" not in item:
                item["version"] = version_from_timestamp(item.get("updated_at"))
        return reshaped(response, body)

    def _learn_refusal(self, response: httpx.Response, body: Any) -> None:
        if response.status_code != 403 or not isinstance(body, dict):
            return
        details = (body.get("error") or {}).get("details") or {}
        scope = details.get("required_scope") if isinstance(details, dict) else None
        if isinstance(scope, str):
            self.denied.add(scope)
            self.granted.discard(scope)

    def _workspace(self, data: dict[str, Any]) -> dict[str, Any]:
        """The contract's Workspace from platform004's: its modules in the console's names."""
        own = [module for module in data.get("enabled_modules") or [] if isinstance(module, str)]
        self._module_scopes = {scope for module in own for scope in MODULES.get(module, ((), ()))[1]}
        console = [m for module in own for m in MODULES.get(module, ((), ()))[0]]
        return {**data, "enabled_modules": list(dict.fromkeys(console)), "platform_modules": own,
                "environment": data.get("environment") or self._environment}

    def _me(self, workspace: dict[str, Any]) -> dict[str, Any]:
        """The contract's Me, made of what platform004 says: the workspace and the learned scopes."""
        return {"kind": "api_key", "id": "token", "name": f"{DISPLAY_NAME} API token",
                "scopes": sorted(self.scopes), "workspace_id": workspace["id"], "expires_at": None,
                "scopes_source": "learned"}

