"""Bi369 AI (seed 000): `{success, data, meta: {total, page, perPage}}`, page/perPage paging, Bearer keys.

    GET|POST /crm/leads, GET|PATCH|DELETE /crm/leads/{id}      → the contract's contacts
    GET|POST /finance/invoices                                 → invoices (list, create)
    PATCH /finance/invoices/{id}/pay                           → payments.create (the amount due unless
                                                                 `amountCents` says less)
    GET|POST /projects, POST /projects/{id}/tasks              → nothing: the console has no projects

Errors are `{success: false, error: {code, message}}` (no details: a validation message lists
`field: problem; …`, which becomes the contract's `details.fields`). 429 carries `Retry-After`.
Keys are `b369_full_…` (full access) or `b369_read_…` (read-only): the prefix tells the console the
scopes, since the seed documents no identity call. Bi369 lists no tenant either; the Opsdesk
sandbox names it in an `X-Tenant-Id` header on every answer (the seed's "Tenant scoping"), which is
where `me.get` finds the workspace. Page numbers travel in the contract's opaque cursor as `p:<n>`.
Webhooks and API keys are managed in Bi369's Settings pages, not through its API.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import httpx

from app.api import errors
from app.api.auth import ApiKeyAuth
from app.api.dialects import bi369_records as records
from app.api.dialects.base import (
    Call,
    Dialect,
    Wire,
    _credential,
    contract_error,
    contract_item,
    contract_page,
    json_of,
)
from app.api.dialects.manifest import Manifest

NAME = "bi369"
DISPLAY_NAME = "Bi369 AI"
KEY_PATTERN = re.compile(r"^b369_(full|read)_[A-Za-z0-9]{32,}$")
HEADER_TENANT = "X-Tenant-Id"
#: The key's kind (its prefix) → the contract scopes it holds (seed 000: "read-only or full access").
SCOPES: dict[str, tuple[str, ...]] = {"full": ("crm:read", "crm:write"), "read": ("crm:read",)}
#: Bi369's webhook events (seed 000) → the contract's event of the same meaning (None: no counterpart).
EVENTS: dict[str, str | None] = {
    "lead.created": "contact.created", "lead.updated": "contact.updated", "lead.converted": None,
    "invoice.created": "invoice.created", "invoice.paid": "invoice.paid", "invoice.overdue": "invoice.overdue",
    "project.created": None, "task.completed": None,
}
_CURSOR = re.compile(r"^p:([1-9][0-9]{0,6})$")
_PAGED = frozenset({"contacts.list", "invoices.list"})
_PAGING = frozenset({"limit", "cursor"})
#: Dropped rather than refused: without it a list is the full refresh the manifest announces.
_DROPPED = frozenset({"updated_since"})
#: Bi369's error code → (contract status, contract code).
CODES: dict[str, tuple[int, str]] = {
    "BAD_REQUEST": (400, "INVALID_REQUEST"), "UNAUTHORIZED": (401, "UNAUTHORIZED"), "FORBIDDEN": (403, "FORBIDDEN"),
    "NOT_FOUND": (404, "NOT_FOUND"), "CONFLICT": (409, "CONFLICT"), "VALIDATION_ERROR": (422, "VALIDATION_ERROR"),
    "RATE_LIMITED": (429, "RATE_LIMITED"), "INTERNAL_ERROR": (500, "INTERNAL_ERROR"),
}

MANIFEST = Manifest(
    platform=NAME,
    display_name=DISPLAY_NAME,
    # Seed 000's "Common endpoints": leads (all five), invoices (list, create), record payment.
    operations=frozenset({"me.get", "contacts.list", "contacts.get", "contacts.create", "contacts.update",
                          "contacts.delete", "invoices.list", "invoices.create", "payments.create"}),
    missing={
        "etag": "Bi369 has no record versions or ETags: Opsdesk compares update times before saving, so a "
                "colleague's change in the moment between is not detected.",
        "idempotency_key": "Bi369 accepts no Idempotency-Key: a create or payment whose answer was lost is "
                           "never sent again by itself; check the list before repeating it.",
        "updated_since": "Bi369 cannot list only what changed: every refresh reads the whole list.",
        "deletions": "Bi369 lists no deletions: a lead deleted elsewhere stays cached until a full refresh.",
        "me": "Bi369 has no identity call: the key's prefix (b369_full_/b369_read_) tells its access and the "
              "Opsdesk sandbox's X-Tenant-Id header the workspace; a real Bi369 may not send it.",
        "rate_limit_headers": "Bi369 reports its rate limit only when it is hit (429 with Retry-After).",
    },
    absent={
        "support": "Bi369 has no ticketing API",
        "integrations": "Bi369's webhooks are configured in its Settings → Webhooks, not through its API",
        "quota": "Bi369 has no quota API (its plan sets the rate limit: Pro 600, Enterprise 3000 per minute)",
        "keys": "Bi369's API keys are created and revoked in its Settings → API Keys, not through its API",
        "logs": "Bi369 has no request-log or event API",
        "projects": "Bi369's projects and tasks have no counterpart in Opsdesk (it has no projects module)",
    },
    fields={
        "contacts": ("id", "name", "email", "phone", "company_id", "company_name", "tags", "custom_fields",
                     "notes", "created_at", "updated_at"),
        "invoices": ("id", "invoice_number", "status", "contact_id", "company_id", "currency", "issue_date",
                     "due_date", "line_items", "subtotal_cents", "tax_cents", "total_cents", "amount_paid_cents",
                     "amount_due_cents", "notes", "created_at", "updated_at"),
        "payments": ("id", "invoice_id", "amount_cents", "method", "paid_at"),
    },
)


class Bi369Dialect(Dialect):
    """Seed 000's REST API: leads for contacts, finance invoices, `/pay` for payments."""

    name = NAME
    manifest = MANIFEST
    credential_fields = (("api_key", "API key (b369_full_… or b369_read_…)"),)

    def __init__(self) -> None:
        self._kind = "full"

    def auth(self, credentials: Mapping[str, str]) -> httpx.Auth:
        key = _credential(credentials, "api_key", DISPLAY_NAME)
        match = KEY_PATTERN.match(key)
        if match is None:
            raise ValueError("a Bi369 API key starts with b369_full_ or b369_read_ followed by at least 32 "
                             "letters and digits; paste it again from Settings → API Keys")
        self._kind = match.group(1)
        return ApiKeyAuth(key)

    def encode(self, call: Call) -> Wire:
        self.require(call)
        assert call.operation is not None
        name, ids = call.operation.name, call.operation.params
        if name == "me.get":
            return Wire("GET", "/crm/leads", {"page": "1", "perPage": "1"})
        if name in _PAGED:
            path = "/crm/leads" if name == "contacts.list" else "/finance/invoices"
            return Wire("GET", path, self._paging(name, call.params))
        if name == "contacts.create":
            return Wire("POST", "/crm/leads", None, records.lead_body(call.body))
        if name == "contacts.get":
            return Wire("GET", f"/crm/leads/{ids['id']}")
        if name == "contacts.update":
            return Wire("PATCH", f"/crm/leads/{ids['id']}", None, records.lead_body(call.body))
        if name == "contacts.delete":
            return Wire("DELETE", f"/crm/leads/{ids['id']}")
        if name == "invoices.create":
            return Wire("POST", "/finance/invoices", None, records.invoice_body(call.body))
        # payments.create: the invoice's id moves into the path; the rest is the payment.
        body = dict(call.body) if isinstance(call.body, dict) else {}
        invoice_id = str(body.pop("invoice_id", "") or "")
        if not invoice_id:
            raise ValueError("a payment needs the invoice_id it pays")
        body.pop("currency", None)  # Bi369 pays in the invoice's currency
        return Wire("PATCH", f"/finance/invoices/{invoice_id}/pay", None, records.renamed(body, records.PAYMENT_FIELDS))

    def _paging(self, name: str, params: Mapping[str, str]) -> dict[str, str]:
        for key in params:
            if key not in _PAGING and key not in _DROPPED:
                raise errors.NotSupported(f"{DISPLAY_NAME} cannot filter {name.split('.')[0]} by {key!r} "
                                          "(its lists take only page and perPage)", platform=NAME, operation=name)
        page = 1
        cursor = params.get("cursor")
        if cursor:
            match = _CURSOR.match(cursor)
            if match is None:
                raise ValueError(f"{cursor!r} is not a {DISPLAY_NAME} page cursor")
            page = int(match.group(1))
        return {"page": str(page), "perPage": str(params.get("limit", "20"))}

    def decode(self, call: Call, response: httpx.Response) -> httpx.Response:
        body = json_of(response)
        if not isinstance(body, dict):
            return response
        if not response.is_success or body.get("success") is False:
            return self._error(call, response, body)
        name = call.operation.name if call.operation is not None else ""
        data = body.get("data")
        if name == "me.get":
            return contract_item(response, self._me(response))
        if name in _PAGED:
            items = [records.contact_of(item) if name == "contacts.list" else records.invoice_of(item)
                     for item in data or [] if isinstance(item, dict)]
            return contract_page(response, items, _next_cursor(body.get("meta")))
        if name == "contacts.delete":
            return contract_item(response, {"id": call.operation.params["id"], "deleted": True})
        if not isinstance(data, dict):
            return response
        if name.startswith("contacts."):
            return contract_item(response, records.contact_of(data))
        if name == "invoices.create":
            return contract_item(response, records.invoice_of(data))
        return contract_item(response, records.payment_of(data))

    def _me(self, response: httpx.Response) -> dict[str, Any]:
        tenant = response.headers.get(HEADER_TENANT)
        if not tenant:
            raise errors.UnexpectedResponse(f"{DISPLAY_NAME} did not say which workspace the key belongs to "
                                            f"(no {HEADER_TENANT} header)")
        access = "full access" if self._kind == "full" else "read-only"
        return {"kind": "api_key", "id": f"b369_{self._kind}", "name": f"{DISPLAY_NAME} API key ({access})",
                "scopes": list(SCOPES[self._kind]), "workspace_id": tenant, "expires_at": None}

    def _error(self, call: Call, response: httpx.Response, body: dict[str, Any]) -> httpx.Response:
        error = body.get("error") if isinstance(body.get("error"), dict) else {}
        own = str(error.get("code") or "")
        message = str(error.get("message") or response.reason_phrase or "request failed")
        status, code = CODES.get(own, (response.status_code, own or f"HTTP_{response.status_code}"))
        details: dict[str, Any] = {}
        if code == "FORBIDDEN":
            details["required_scope"] = "crm:write" if call.method != "GET" else "crm:read"
        elif code == "VALIDATION_ERROR":
            details["fields"] = _fields(message)
        elif code == "UNAUTHORIZED":
            details["reason"] = "invalid"
        # The platform's Retry-After header stays on the reshaped answer (contract_error keeps headers).
        return contract_error(response, status, code, message, details)


def _next_cursor(meta: Any) -> str | None:
    """`p:<n+1>` while `page × perPage` is short of `total`."""
    if not isinstance(meta, dict):
        return None
    try:
        page, per_page, total = int(meta["page"]), int(meta["perPage"]), int(meta["total"])
    except (KeyError, TypeError, ValueError):
        return None
    return f"p:{page + 1}" if page * per_page < total else None


def _fields(message: str) -> list[dict[str, str]]:
    """`[{field, message}]` from Bi369's `"Validation failed: email: not an email; name: required"`."""
    text = message.split(": ", 1)[1] if message.startswith("Validation failed: ") else message
    fields = []
    for part in text.split("; "):
        field, sep, problem = part.partition(": ")
        if sep:
            fields.append({"field": records.CONTRACT_NAME.get(field, field), "message": problem})
    return fields
