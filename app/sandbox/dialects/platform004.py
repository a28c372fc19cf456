"""`/dialects/platform004/v1`: seed 004's REST API over the contract's data.

Seed 004 is the platform the contract grew from, so most requests pass to the contract's router of
the same path. What this mount changes, all from the seed:
- only the seed's operations (`ROUTES`); anything else is 404 in its error envelope;
- only the seed's query parameters per list; a documented filter with no counterpart here
  (`deal_id`, `lead_id`: this sandbox has no deals or leads) matches nothing, and the few
  documented filters the contract cannot serve (`UNSERVED`) are refused with 400 rather than
  silently ignored;
- no versions or ETags: `version` leaves every answer, `ETag` every header, `If-Match` is not read;
- `GET /workspace` is the identity (no `/me`): `{id, name, plan, environment, enabled_modules}` with
  the modules in the platform's own names (`crm` covers invoices and payments, its "Deals" group);
- `POST /contacts` takes `company_name` (the seed's example) and links the company of that name,
  creating it when the workspace has none;
- error messages are the seed's "Common errors" sentences (codes and details are the contract's).
Keys are the contract's shape (`opk_live_…`), minted for this mount only.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from app.sandbox.auth import new_api_key_secret
from app.sandbox.dialects.credentials import insert_dialect_key
from app.sandbox.dialects.platform004_openapi import openapi_document
from app.sandbox.dialects.translator import (
    CallContract,
    ContractAnswer,
    ContractCall,
    DialectRequest,
    DialectResponse,
    Translator,
)
from app.sandbox.request_context import current_request_id
from app.sandbox.scopes import ALL_SCOPES, READ_SCOPES

#: The contract's error codes → seed 004's sentence for them.
MESSAGES: dict[str, str] = {
    "UNAUTHORIZED": "A valid bearer token is required.",
    "RATE_LIMITED": "The workspace exceeded the current rate limit.",
    "FORBIDDEN": "The token does not include the scope required for this operation.",
    "NOT_FOUND": "The requested resource does not exist in this workspace.",
    "VALIDATION_ERROR": "The request payload failed schema validation.",
    "IDEMPOTENCY_KEY_REUSED": "The idempotency key was reused with a different request body.",
}
#: The contract's modules → platform004's `enabled_modules` names.
OWN_MODULES: dict[str, str] = {"crm": "crm", "billing": "crm", "support": "support", "integrations": "integrations"}
#: Query parameters seed 004 documents per list path pattern (limit and cursor everywhere).
_QUEUE_AND_THREAD = ("query", "custom_field_key", "custom_field_value")
#: Documented filters the contract has nothing for: they match no record here.
_EMPTY_FILTERS = frozenset({"deal_id", "lead_id"})
#: Documented filters the contract cannot serve on that list: refused, never silently ignored.
UNSERVED: dict[str, frozenset[str]] = {
    "queues": frozenset({"custom_field_key", "custom_field_value"}),
    "messages": frozenset(_QUEUE_AND_THREAD),
    "comments": frozenset(_QUEUE_AND_THREAD),
}
_HEADERS_KEPT = ("retry-after", "idempotent-replayed", "location", "x-ratelimit-limit", "x-ratelimit-remaining",
                 "x-ratelimit-reset")

Handler = Callable[["Platform004Translator", DialectRequest, CallContract, dict[str, str]],
                   Awaitable[DialectResponse]]


class Platform004Translator(Translator):
    """Seed 004's paths, filters and errors over the contract's routers."""

    name = "platform004"

    async def handle(self, request: DialectRequest, call: CallContract) -> DialectResponse:
        for method, pattern, filters, handler in ROUTES:
            match = pattern.match(request.path)
            if method == request.method and match:
                return await handler(self, request, call, {"filters": filters, **match.groupdict()})
        return self.not_found(request)

    def not_found(self, request: DialectRequest) -> DialectResponse:
        return _error(404, "NOT_FOUND", f"{MESSAGES['NOT_FOUND']} ({request.method} {request.path} is not an"
                                        " operation of this API)")

    def mint_credentials(self, conn: Any, workspace: dict[str, Any]) -> dict[str, Any]:
        full = new_api_key_secret(workspace["environment"])
        readonly = new_api_key_secret(workspace["environment"])
        insert_dialect_key(conn, workspace, self.name, "Platform 004 token", full, list(ALL_SCOPES))
        insert_dialect_key(conn, workspace, self.name, "Platform 004 read-only token", readonly, list(READ_SCOPES))
        return {"api_key": full, "readonly": {"api_key": readonly}}

    def openapi(self) -> dict[str, Any]:
        return openapi_document()

    # -- handlers ----------------------------------------------------------------------------

    async def workspace(self, request: DialectRequest, call: CallContract, _: dict[str, str]) -> DialectResponse:
        answer = await call(ContractCall("GET", "/workspace", headers=_headers(request, write=False)))
        if not answer.ok:
            return _from_answer(answer)
        data = answer.data
        modules = list(dict.fromkeys(OWN_MODULES[m] for m in data.get("enabled_modules", []) if m in OWN_MODULES))
        shaped = {"id": data["id"], "name": data["name"], "plan": data.get("plan"),
                  "environment": data.get("environment"), "enabled_modules": modules}
        return DialectResponse(200, {"data": shaped, "request_id": _request_id(answer)}, _kept(answer))

    async def listing(self, request: DialectRequest, call: CallContract, route: dict[str, str]) -> DialectResponse:
        allowed = set(route["filters"]) | {"limit", "cursor"}
        query: list[tuple[str, str]] = []
        resource = request.path.rstrip("/").rsplit("/", 1)[-1]
        for key, value in request.query:
            if key not in allowed:
                continue  # an undocumented parameter is ignored, as an OpenAPI server does
            if key in UNSERVED.get(resource, ()):
                return _error(400, "INVALID_REQUEST", f"This sandbox cannot filter {resource} by {key!r}.",
                              {"parameter": key})
            if key in _EMPTY_FILTERS:
                return DialectResponse(200, {"data": [], "request_id": current_request_id(), "next_cursor": None})
            if key in ("ticket_id", "webhook_id") and route.get("id") and value != route["id"]:
                return _error(422, "VALIDATION_ERROR", MESSAGES["VALIDATION_ERROR"],
                              {"fields": [{"field": key, "message": "must match the path"}]})
            if key not in ("ticket_id", "webhook_id"):
                query.append((key, value))
        answer = await call(ContractCall("GET", request.path, query, headers=_headers(request, write=False)))
        return _from_answer(answer)

    async def passing(self, request: DialectRequest, call: CallContract, _: dict[str, str]) -> DialectResponse:
        try:
            body = request.json()
        except ValueError:
            return _error(400, "INVALID_REQUEST", "The request body is not valid JSON.")
        answer = await call(ContractCall(request.method, request.path, None, body, _headers(request)))
        return _from_answer(answer)

    async def create_contact(self, request: DialectRequest, call: CallContract, _: dict[str, str]) -> DialectResponse:
        try:
            body = request.json()
        except ValueError:
            return _error(400, "INVALID_REQUEST", "The request body is not valid JSON.")
        if isinstance(body, dict) and isinstance(body.get("company_name"), str) and body["company_name"].strip():
            name = body["company_name"].strip()
            body = {k: v for k, v in body.items() if k != "company_name"}
            if not body.get("company_id"):
                company = await _company_named(request, call, name)
                if isinstance(company, DialectResponse):
                    return company
                body["company_id"] = company
        answer = await call(ContractCall("POST", "/contacts", None, body, _headers(request)))
        return _from_answer(answer)


async def _company_named(request: DialectRequest, call: CallContract, name: str) -> str | DialectResponse:
    """The id of the workspace's company called `name` (made when there is none), or the refusal."""
    found = await call(ContractCall("GET", "/companies", {"query": name, "limit": 100},
                                    headers=_headers(request, write=False)))
    if not found.ok:
        return _from_answer(found)
    for company in found.data or []:
        if company.get("name", "").casefold() == name.casefold():
            return company["id"]
    made = await call(ContractCall("POST", "/companies", None, {"name": name}, _headers(request, write=False)))
    if not made.ok:
        return _from_answer(made)
    return made.data["id"]


def _headers(request: DialectRequest, *, write: bool = True) -> dict[str, str]:
    """The caller's token and User-Agent (and its Idempotency-Key on the write itself); never If-Match."""
    headers = {name: request.headers[name] for name in ("authorization", "user-agent") if name in request.headers}
    if write and "idempotency-key" in request.headers:
        headers["idempotency-key"] = request.headers["idempotency-key"]
    return headers


def _request_id(answer: ContractAnswer) -> str:
    body = answer.body if isinstance(answer.body, dict) else {}
    return body.get("request_id") or current_request_id()


def _kept(answer: ContractAnswer) -> dict[str, str]:
    return {name: answer.headers[name] for name in _HEADERS_KEPT if name in answer.headers}


def _unversioned(data: Any) -> Any:
    if isinstance(data, list):
        return [_unversioned(item) for item in data]
    if isinstance(data, dict):
        return {k: v for k, v in data.items() if k != "version"}
    return data


def _from_answer(answer: ContractAnswer) -> DialectResponse:
    """The contract's answer in seed 004's form: no versions, no ETag, the seed's error sentences."""
    headers = _kept(answer)
    if answer.headers.get("idempotent-replayed"):
        return DialectResponse(answer.status, answer.body if answer.body is not None else answer.raw, headers)
    if not isinstance(answer.body, dict):
        return DialectResponse(answer.status, answer.raw, headers)
    if answer.ok:
        body = {**answer.body, "data": _unversioned(answer.body.get("data"))}
        return DialectResponse(answer.status, body, headers)
    error = answer.error
    code = str(error.get("code") or "INTERNAL_ERROR")
    return _error(answer.status, code, MESSAGES.get(code, str(error.get("message") or "")),
                  error.get("details") or {}, headers, _request_id(answer))


def _error(status: int, code: str, message: str, details: dict[str, Any] | None = None,
           headers: dict[str, str] | None = None, request_id: str | None = None) -> DialectResponse:
    return DialectResponse(status, {"error": {"code": code, "message": message, "details": details or {}},
                                    "request_id": request_id or current_request_id()}, headers or {})


def _route(method: str, template: str, handler: Handler, filters: tuple[str, ...] = ()) -> tuple:
    pattern = re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template) + "/?$")
    return method, pattern, filters, handler


_T = Platform004Translator
_TICKET_FILTERS = ("query", "status", "priority", "source", "category", "queue_id", "assignee_id", "contact_id",
                   "company_id", "deal_id", "lead_id", "invoice_id", "custom_field_key", "custom_field_value")
#: Seed 004's operations this mount serves (the contract-free groups — leads, deals, accounting,
#: tasks, activities, CMS, marketing, assets, analytics, BI — have no data here and are not served).
ROUTES: tuple[tuple[str, re.Pattern[str], tuple[str, ...], Handler], ...] = (
    _route("GET", "/workspace", _T.workspace),
    _route("GET", "/contacts", _T.listing, ("query", "company_id")),
    _route("POST", "/contacts", _T.create_contact),
    _route("GET", "/companies", _T.listing, ("query",)),
    _route("POST", "/companies", _T.passing),
    _route("GET", "/invoices", _T.listing, ("status", "company_id", "contact_id", "deal_id")),
    _route("POST", "/invoices", _T.passing),
    _route("POST", "/payments", _T.passing),
    _route("GET", "/support/queues", _T.listing, ("query", "status", "custom_field_key", "custom_field_value")),
    _route("POST", "/support/queues", _T.passing),
    _route("GET", "/support/tickets", _T.listing, _TICKET_FILTERS),
    _route("POST", "/support/tickets", _T.passing),
    _route("PATCH", "/support/tickets/{id}", _T.passing),
    _route("GET", "/support/tickets/{id}/messages", _T.listing, ("ticket_id", *_QUEUE_AND_THREAD)),
    _route("POST", "/support/tickets/{id}/messages", _T.passing),
    _route("GET", "/support/tickets/{id}/comments", _T.listing, ("ticket_id", *_QUEUE_AND_THREAD)),
    _route("POST", "/support/tickets/{id}/comments", _T.passing),
    _route("GET", "/webhooks", _T.listing, ("query", "status", "event_type")),
    _route("POST", "/webhooks", _T.passing),
    _route("PATCH", "/webhooks/{id}", _T.passing),
    _route("POST", "/webhooks/{id}/test", _T.passing),
    _route("GET", "/webhooks/{id}/deliveries", _T.listing, ("webhook_id", "event_type", "status")),
)
