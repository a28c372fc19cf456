"""BiVelio's dialect (seed 002) at `/dialects/bivelio/v1`: action RPC over the contract's data.

Every call is `POST <path>` with `{"action": …, "data": {…}}` and `X-API-Key: bv_live_sk_…`
(`bv_test_sk_…` in a test workspace, `bv_live_pk_…` publishable and read-only). Answers are
`{"success": true, "data": …}`; lists carry `pagination {page, per_page, total, total_pages}`;
errors `{"success": false, "error": {code, message, details}}` with seed 002's codes
(`AUTH_INVALID_TOKEN`, `AUTH_INSUFFICIENT_SCOPE`, `VALIDATION_ERROR`, `RESOURCE_NOT_FOUND`,
`RATE_LIMIT_EXCEEDED` with `retry_after` …). Webhooks made here are delivered BiVelio-style
(`X-BiVelio-Signature`, see `bivelio_webhooks.py`): the contract's webhook router stores the mount
they were created through.

The contract pages by cursor and counts nothing, so a list walks the contract's pages (100 at a
time) to serve BiVelio's page numbers and totals: fine for a sandbox, linear in the list's size.
Two reads are Opsdesk extensions, not in the seed: `"id"` in a list action's data (one record) and
`POST /auth/introspect` (who the key is: its id, scopes and `org_id`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from app.sandbox.dialects import bivelio_shapes as shapes
from app.sandbox.dialects.bivelio_openapi import openapi_document
from app.sandbox.dialects.credentials import insert_dialect_key, new_secret
from app.sandbox.dialects.translator import (
    CallContract,
    ContractAnswer,
    ContractCall,
    DialectRequest,
    DialectResponse,
    Translator,
)

#: Contract scopes of a BiVelio scope (seed 002: read data; create and modify; webhooks and billing).
SCOPES = {"read": ["crm:read"], "write": ["crm:write"], "admin": ["integrations:read", "integrations:write"]}
_WALK = 100
#: Seed 002's other endpoints: answered with a clear "not emulated" instead of a bare 404.
_NOT_EMULATED = ("/workflows", "/agents", "/messages", "/documents", "/calendar", "/mcp")


class BiVelioError(Exception):
    """An answer in BiVelio's error shape."""

    def __init__(self, status: int, code: str, message: str, details: dict[str, Any] | None = None,
                 headers: dict[str, str] | None = None, **extra: Any) -> None:
        super().__init__(message)
        self.response = DialectResponse(status, {"success": False, "error": {
            "code": code, "message": message, **({"details": details} if details else {}), **extra}},
            headers or {})


def _invalid(field: str, message: str, status: int = 422) -> BiVelioError:
    return BiVelioError(status, "VALIDATION_ERROR", message, {"field": field, "constraint": message})


class Session:
    """One BiVelio request: its key as the inner calls' credential, and the contract's answers as BiVelio's."""

    def __init__(self, call: CallContract, key: str, request: DialectRequest) -> None:
        self._call = call
        self._headers = Translator.passed_headers(request, authorization=f"Bearer {key}")
        self.rate_headers: dict[str, str] = {}

    async def contract(self, method: str, path: str, query: Any = None, body: Any = None,
                       *, missing_ok: bool = False) -> Any:
        """The contract answer's `data`; BiVelio's error otherwise (None for a 404 when `missing_ok`)."""
        answer = await self._call(ContractCall(method, path, query, body, dict(self._headers)))
        self.rate_headers.update({k: v for k, v in answer.headers.items() if k.lower().startswith("x-ratelimit-")})
        if answer.ok:
            return answer.data
        if missing_ok and answer.status == 404:
            return None
        raise _error_of(answer)

    async def walk(self, path: str, query: dict[str, Any]) -> list[dict[str, Any]]:
        """Every record of a contract list, following its cursors."""
        items: list[dict[str, Any]] = []
        cursor = None
        while True:
            answer = await self._call(ContractCall("GET", path, {**query, "limit": _WALK,
                                                                 **({"cursor": cursor} if cursor else {})},
                                                   None, dict(self._headers)))
            self.rate_headers.update({k: v for k, v in answer.headers.items()
                                      if k.lower().startswith("x-ratelimit-")})
            if not answer.ok:
                raise _error_of(answer)
            items.extend(answer.data or [])
            cursor = answer.body.get("next_cursor")
            if not cursor:
                return items


def _error_of(answer: ContractAnswer) -> BiVelioError:
    """The contract's error as seed 002's code table has it."""
    error = answer.error
    code, message, details = error.get("code", ""), error.get("message", "Request failed."), error.get("details") or {}
    status = answer.status
    if status == 401:
        return BiVelioError(401, "AUTH_EXPIRED_TOKEN" if details.get("reason") == "expired" else "AUTH_INVALID_TOKEN",
                            message)
    if status == 403:
        needed = next((name for name, granted in SCOPES.items() if details.get("required_scope") in granted), "admin")
        return BiVelioError(403, "AUTH_INSUFFICIENT_SCOPE", f"The API Key does not have the {needed!r} scope.",
                            {"required_scope": needed})
    if status == 404:
        return BiVelioError(404, "RESOURCE_NOT_FOUND", message)
    if status == 429:
        wait = int(answer.headers.get("retry-after") or details.get("retry_after") or 1)
        limit = answer.headers.get("x-ratelimit-limit") or details.get("limit")
        return BiVelioError(429, "RATE_LIMIT_EXCEEDED",
                            f"You have exceeded the limit of {limit} requests per minute.",
                            headers={"Retry-After": str(wait)}, retry_after=wait)
    if status in (400, 409, 422):
        fields = [{"field": shapes.FIELD_NAMES.get(f.get("field", ""), f.get("field")), "message": f.get("message")}
                  for f in details.get("fields") or []]
        if status == 409 and details.get("field"):
            fields = [{"field": details["field"], "message": "is already taken"}]
        first = fields[0] if fields else {"field": details.get("field") or details.get("parameter"),
                                          "message": message}
        return BiVelioError(status, "VALIDATION_ERROR", message,
                            {"field": first["field"], "constraint": "unique" if status == 409 else first["message"],
                             **({"fields": fields} if len(fields) > 1 else {})})
    return BiVelioError(min(500, status), "INTERNAL_ERROR" if status >= 500 else code, message)


def _paged(items: list[dict[str, Any]], data: dict[str, Any], key: str) -> dict[str, Any]:
    """Page `data.page` of `items` (`per_page` of them) with seed 002's `pagination` object."""
    page, per_page = _positive(data, "page", 1, 1_000_000), _positive(data, "per_page", 20, 100)
    total = len(items)
    start = (page - 1) * per_page
    return {key: items[start:start + per_page],
            "pagination": {"page": page, "per_page": per_page, "total": total,
                           "total_pages": max(1, -(-total // per_page))}}


def _positive(data: dict[str, Any], name: str, default: int, most: int) -> int:
    value = data.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= most:
        raise _invalid(name, f"must be a whole number from 1 to {most}", 400)
    return value


def _text(data: dict[str, Any], name: str) -> str | None:
    value = data.get(name)
    if value is not None and not isinstance(value, str):
        raise _invalid(name, "must be a string", 400)
    return value or None


async def list_contacts(s: Session, data: dict[str, Any]) -> dict[str, Any]:
    kind = data.get("type", "person")
    if kind not in ("person", "company"):
        raise _invalid("type", "must be person or company", 400)
    tags = data.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
        raise _invalid("tags", "must be a list of strings", 400)
    path, shape = ("/contacts", shapes.person) if kind == "person" else ("/companies", shapes.company)
    record_id = _text(data, "id")
    if record_id is not None:
        found = await s.contract("GET", f"{path}/{record_id}", missing_ok=True)
        records = [found] if found else []
    else:
        query = {"query": _text(data, "search")} if data.get("search") else {}
        if tags and kind == "person":
            query["tag"] = tags[0]
        records = await s.walk(path, query)
    items = [item for item in map(shape, records) if all(tag in item["tags"] for tag in tags)]
    return _paged(items, data, "contacts")


async def create_contact(s: Session, data: dict[str, Any]) -> dict[str, Any]:
    kind = data.get("type", "person")
    if kind == "company":
        return shapes.company(await s.contract("POST", "/companies", body=_shaped(shapes.company_body, data)))
    if kind != "person":
        raise _invalid("type", "must be person or company")
    return shapes.person(await s.contract("POST", "/contacts", body=_shaped(shapes.person_body, data)))


async def update_contact(s: Session, data: dict[str, Any]) -> dict[str, Any]:
    record_id = _text(data, "id")
    if record_id is None:
        raise _invalid("id", "The 'id' field is required.")
    changes = {key: value for key, value in data.items() if key not in ("id", "type")}
    if record_id.startswith("com_"):
        return shapes.company(await s.contract("PATCH", f"/companies/{record_id}",
                                               body=_shaped(shapes.company_body, changes)))
    current = await s.contract("GET", f"/contacts/{record_id}")
    body = _shaped(shapes.person_body, changes, current.get("custom_fields") or {})
    return shapes.person(await s.contract("PATCH", f"/contacts/{record_id}", body=body) if body else current)


def _shaped(make: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
    try:
        return make(*args)
    except shapes.InvalidData as error:
        raise _invalid(error.field, f"The '{error.field}' field {error.message}.") from None


async def _with_clients(s: Session, invoices: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """BiVelio invoices with their client's name (one read per distinct client)."""
    names: dict[str, str | None] = {}
    for record in invoices:
        for key, path in (("contact_id", "/contacts"), ("company_id", "/companies")):
            client = record.get(key)
            if client and client not in names:
                found = await s.contract("GET", f"{path}/{client}", missing_ok=True)
                names[client] = found["name"] if found else None
    return [shapes.invoice(r, names.get(r.get("contact_id") or r.get("company_id") or "")) for r in invoices]


async def list_invoices(s: Session, data: dict[str, Any]) -> dict[str, Any]:
    if data.get("type", "issued") not in ("issued", "received"):
        raise _invalid("type", "must be issued or received", 400)
    record_id = _text(data, "id")
    if data.get("type") == "received":
        records: list[dict[str, Any]] = []  # the sandbox's workspaces only issue invoices
    elif record_id is not None:
        found = await s.contract("GET", f"/invoices/{record_id}", missing_ok=True)
        records = [found] if found else []
    else:
        records = await s.walk("/invoices", {})
    status, since, until = _text(data, "status"), _text(data, "from_date"), _text(data, "to_date")
    records = [r for r in records if (status is None or shapes.INVOICE_STATUS.get(r["status"]) == status)
               and (since is None or (r.get("issue_date") or "") >= since)
               and (until is None or (r.get("issue_date") or "9999") <= until)]
    paged = _paged(records, data, "invoices")
    paged["invoices"] = await _with_clients(s, paged["invoices"])
    return paged


async def create_invoice(s: Session, data: dict[str, Any]) -> dict[str, Any]:
    created = await s.contract("POST", "/invoices", body=_shaped(shapes.invoice_body, data))
    if data.get("auto_send") is True:
        created = await s.contract("POST", f"/invoices/{created['id']}/send")
    return (await _with_clients(s, [created]))[0]


async def create_webhook(s: Session, data: dict[str, Any]) -> dict[str, Any]:
    # `secret` (seed 002's request) is accepted; as in the seed's example answer, the endpoint
    # signs with the `signing_secret` the answer returns.
    return shapes.webhook(await s.contract("POST", "/webhooks", body=_shaped(shapes.webhook_body, data)))


async def list_webhooks(s: Session, data: dict[str, Any]) -> dict[str, Any]:
    return {"webhooks": [shapes.webhook(hook) for hook in await s.walk("/webhooks", {})]}


async def introspect(s: Session, data: dict[str, Any], key: str) -> dict[str, Any]:
    me = await s.contract("GET", "/me")
    granted = set(me.get("scopes") or [])
    return {"key_id": me["id"], "name": me.get("name"),
            "type": "publishable" if "_pk_" in key[:12] else "secret",
            "environment": "sandbox" if key.startswith("bv_test_") else "production",
            "scopes": [name for name, needs in SCOPES.items() if set(needs) <= granted],
            "org_id": me["workspace_id"]}


Route = Callable[[Session, dict[str, Any]], Awaitable[dict[str, Any]]]
#: path → (action, handler): seed 002's endpoints the sandbox serves.
ROUTES: dict[str, tuple[str, Route]] = {
    "/contacts": ("list", list_contacts),
    "/contacts/create": ("create", create_contact),
    "/contacts/update": ("update", update_contact),
    "/invoices/list": ("list", list_invoices),
    "/invoices/create": ("create", create_invoice),
    "/webhooks/create": ("create", create_webhook),
    "/webhooks/list": ("list", list_webhooks),
}


class BiVelioTranslator(Translator):
    """Seed 002's API over the contract's routers."""

    name = "bivelio"

    async def handle(self, request: DialectRequest, call: CallContract) -> DialectResponse:
        session: Session | None = None
        try:
            key = (request.headers.get("x-api-key") or "").strip()
            route = ROUTES.get(request.path.rstrip("/"))
            if request.path.rstrip("/") == "/auth/introspect":
                route = ("introspect", lambda s, data: introspect(s, data, key))
            if route is None or request.method != "POST":
                raise self._unknown(request)
            if not key:
                raise BiVelioError(401, "AUTH_INVALID_TOKEN", "Send your API key in the X-API-Key header.")
            action, handler = route
            data = _envelope_data(request, action)
            session = Session(call, key, request)
            result = await handler(session, data)
            return DialectResponse(200, {"success": True, "data": result}, session.rate_headers)
        except BiVelioError as error:
            if session is not None:
                error.response.headers = {**session.rate_headers, **error.response.headers}
            return error.response

    def _unknown(self, request: DialectRequest) -> BiVelioError:
        path = request.path.rstrip("/")
        if path.startswith(_NOT_EMULATED):
            return BiVelioError(404, "RESOURCE_NOT_FOUND", f"The Opsdesk sandbox does not emulate BiVelio's "
                                f"{path.split('/')[1]} API; it serves contacts, invoices and webhooks.")
        if path in ROUTES:
            return BiVelioError(404, "RESOURCE_NOT_FOUND", f"{request.method} {path}: every BiVelio endpoint is POST.")
        return BiVelioError(404, "RESOURCE_NOT_FOUND", f"No endpoint {request.method} {path}.")

    def not_found(self, request: DialectRequest) -> DialectResponse:
        return self._unknown(request).response

    def mint_credentials(self, conn: Any, workspace: dict[str, Any]) -> dict[str, Any]:
        live = workspace["environment"] == "live"
        every = [scope for granted in SCOPES.values() for scope in granted]
        secret = new_secret("bv_live_sk_" if live else "bv_test_sk_")
        insert_dialect_key(conn, workspace, self.name, "BiVelio secret key", secret, every)
        section: dict[str, Any] = {"api_key": secret}
        if live:  # seed 002 has publishable keys for production only
            publishable = new_secret("bv_live_pk_")
            insert_dialect_key(conn, workspace, self.name, "BiVelio publishable key", publishable, SCOPES["read"])
            section["readonly"] = {"api_key": publishable}
        return section

    def openapi(self) -> dict[str, Any]:
        return openapi_document()


def _envelope_data(request: DialectRequest, action: str) -> dict[str, Any]:
    """The request's `data`, after checking the `{"action", "data"}` envelope."""
    try:
        body = request.json()
    except ValueError:
        raise _invalid("body", "The body is not valid JSON.", 400) from None
    if not isinstance(body, dict):
        raise _invalid("body", 'The body must be an object: {"action": …, "data": {…}}.', 400)
    if body.get("action") != action:
        raise _invalid("action", f"The 'action' field must be {action!r} on this endpoint.", 400)
    data = body.get("data", {})
    if not isinstance(data, dict):
        raise _invalid("data", "The 'data' field must be an object.", 400)
    return data
