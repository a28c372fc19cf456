"""`/dialects/bi369/v1`: Bi369 AI's REST API (seed 000) over the contract's data.

From the seed:
- `{success: true, data, meta: {total, page, perPage}}` (meta on lists), errors
  `{success: false, error: {code, message}}` — the seed's own example is
  `NOT_FOUND` / "Lead with ID 123 not found";
- `GET|POST /crm/leads`, `GET|PATCH|DELETE /crm/leads/{id}` are the contract's contacts,
  `GET|POST /finance/invoices` its invoices (a new invoice is issued unless `draft: true`),
  `PATCH /finance/invoices/{id}/pay` records a payment (the amount due unless `amountCents` says
  less) and answers the invoice with the `payment` made;
- page/perPage paging (perPage 1–100, default 20); `meta.total` counts the whole list;
- `Authorization: Bearer b369_full_…` (full access) or `b369_read_…` (read-only; a write is 403
  FORBIDDEN); 429 carries `Retry-After`;
- projects and tasks are documented but this sandbox has no such records: 501 NOT_IMPLEMENTED.
Not in the seed: every answer names the tenant in `X-Tenant-Id` (the seed's "Tenant scoping"
says calls are scoped to the key's workspace without saying how a client learns which one).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from app.sandbox.dialects import bi369_records as records
from app.sandbox.dialects.bi369_openapi import openapi_document
from app.sandbox.dialects.credentials import insert_dialect_key, new_secret
from app.sandbox.dialects.translator import (
    CallContract,
    ContractAnswer,
    ContractCall,
    DialectRequest,
    DialectResponse,
    Translator,
)
from app.sandbox.request_context import current

#: The contract's error code → Bi369's.
CODES: dict[str, str] = {
    "INVALID_REQUEST": "BAD_REQUEST", "UNAUTHORIZED": "UNAUTHORIZED", "FORBIDDEN": "FORBIDDEN",
    "NOT_FOUND": "NOT_FOUND", "CONFLICT": "CONFLICT", "VALIDATION_ERROR": "VALIDATION_ERROR",
    "IDEMPOTENCY_KEY_REUSED": "VALIDATION_ERROR", "RATE_LIMITED": "RATE_LIMITED",
    "PAYLOAD_TOO_LARGE": "BAD_REQUEST", "INTERNAL_ERROR": "INTERNAL_ERROR",
}
FULL_SCOPES = ["crm:read", "crm:write"]
READ_SCOPES = ["crm:read"]
MAX_PER_PAGE = 100
_WALK = 100  # the contract's largest page, for walking a list to count it

Handler = Callable[["Bi369Translator", DialectRequest, CallContract, str], Awaitable[DialectResponse]]


class Bi369Translator(Translator):
    """Seed 000's paths, envelope, paging and errors over the contract's routers."""

    name = "bi369"

    async def handle(self, request: DialectRequest, call: CallContract) -> DialectResponse:
        for method, pattern, handler in ROUTES:
            match = pattern.match(request.path)
            if method == request.method and match:
                return await handler(self, request, call, match.group("id") if "id" in pattern.groupindex else "")
        return self.not_found(request)

    def not_found(self, request: DialectRequest) -> DialectResponse:
        return error(404, "NOT_FOUND", f"No route {request.method} /v1{request.path}")

    def mint_credentials(self, conn: Any, workspace: dict[str, Any]) -> dict[str, Any]:
        full, read = new_secret("b369_full_"), new_secret("b369_read_")
        insert_dialect_key(conn, workspace, self.name, "Bi369 full access", full, FULL_SCOPES)
        insert_dialect_key(conn, workspace, self.name, "Bi369 read-only", read, READ_SCOPES)
        return {"api_key": full, "readonly": {"api_key": read}}

    def openapi(self) -> dict[str, Any]:
        return openapi_document()

    # -- handlers ----------------------------------------------------------------------------

    async def list_leads(self, request: DialectRequest, call: CallContract, _: str) -> DialectResponse:
        return await _listing(request, call, "/contacts", records.lead)

    async def list_invoices(self, request: DialectRequest, call: CallContract, _: str) -> DialectResponse:
        return await _listing(request, call, "/invoices", records.invoice)

    async def create_lead(self, request: DialectRequest, call: CallContract, _: str) -> DialectResponse:
        body = _object(request)
        if isinstance(body, DialectResponse):
            return body
        answer = await call(ContractCall("POST", "/contacts", None, records.contract_body(body, records.LEAD_IN),
                                         _auth(request)))
        return _item(answer, records.lead, "Lead")

    async def get_lead(self, request: DialectRequest, call: CallContract, lead_id: str) -> DialectResponse:
        answer = await call(ContractCall("GET", f"/contacts/{lead_id}", headers=_auth(request)))
        return _item(answer, records.lead, "Lead", lead_id)

    async def update_lead(self, request: DialectRequest, call: CallContract, lead_id: str) -> DialectResponse:
        body = _object(request)
        if isinstance(body, DialectResponse):
            return body
        answer = await call(ContractCall("PATCH", f"/contacts/{lead_id}", None,
                                         records.contract_body(body, records.LEAD_IN), _auth(request)))
        return _item(answer, records.lead, "Lead", lead_id)

    async def delete_lead(self, request: DialectRequest, call: CallContract, lead_id: str) -> DialectResponse:
        answer = await call(ContractCall("DELETE", f"/contacts/{lead_id}", headers=_auth(request)))
        return _item(answer, lambda data: {"id": data["id"], "deleted": True}, "Lead", lead_id)

    async def create_invoice(self, request: DialectRequest, call: CallContract, _: str) -> DialectResponse:
        body = _object(request)
        if isinstance(body, DialectResponse):
            return body
        draft = body.pop("draft", False)
        if not isinstance(draft, bool):
            return error(422, "VALIDATION_ERROR", "Validation failed: draft: must be true or false")
        answer = await call(ContractCall("POST", "/invoices", None, records.contract_body(body, records.INVOICE_IN),
                                         _auth(request)))
        if answer.ok and not draft:
            # Bi369 has no "send": a new invoice is issued at once (a draft only when asked for).
            sent = await call(ContractCall("POST", f"/invoices/{answer.data['id']}/send", headers=_auth(request)))
            if sent.ok:
                answer = ContractAnswer(answer.status, answer.headers, sent.body, sent.raw)
        return _item(answer, records.invoice, "Invoice")

    async def pay_invoice(self, request: DialectRequest, call: CallContract, invoice_id: str) -> DialectResponse:
        body = _object(request, empty_ok=True)
        if isinstance(body, DialectResponse):
            return body
        before = await call(ContractCall("GET", f"/invoices/{invoice_id}", headers=_auth(request)))
        if not before.ok:
            return _item(before, records.invoice, "Invoice", invoice_id)
        due = before.data.get("amount_due_cents") or 0
        if due <= 0:
            return error(409, "CONFLICT", f"Invoice {before.data.get('invoice_number') or invoice_id} has nothing "
                                          f"due (it is {before.data.get('status')})")
        payment = {"amount_cents": due, **records.contract_body(body, records.PAY_IN), "invoice_id": invoice_id}
        paid = await call(ContractCall("POST", "/payments", None, payment, _auth(request)))
        if not paid.ok:
            return _item(paid, records.payment, "Invoice", invoice_id)
        after = await call(ContractCall("GET", f"/invoices/{invoice_id}", headers=_auth(request)))
        return _item(after, lambda data: {**records.invoice(data), "payment": records.payment(paid.data)},
                     "Invoice", invoice_id)

    async def projects(self, request: DialectRequest, call: CallContract, _: str) -> DialectResponse:
        # Authenticate first: an unknown key hears 401, as on every other path.
        probe = await call(ContractCall("GET", "/contacts", {"limit": 1}, headers=_auth(request)))
        if not probe.ok:
            return _failure(probe, "Project", None)
        return error(501, "NOT_IMPLEMENTED", "The Opsdesk sandbox has no projects or tasks (Opsdesk has no "
                                             "projects module); leads and invoices are served.")


async def _listing(request: DialectRequest, call: CallContract, path: str,
                   shape: Callable[[dict[str, Any]], dict[str, Any]]) -> DialectResponse:
    """One page of `path` by page/perPage, counted whole for `meta.total` (the contract has no count)."""
    try:
        page = int(request.query_value("page") or 1)
        per_page = int(request.query_value("perPage") or 20)
    except ValueError:
        return error(400, "BAD_REQUEST", "page and perPage must be whole numbers")
    if page < 1 or not 1 <= per_page <= MAX_PER_PAGE:
        return error(400, "BAD_REQUEST", f"page must be 1 or more and perPage between 1 and {MAX_PER_PAGE}")
    first, stop = (page - 1) * per_page, page * per_page
    items: list[dict[str, Any]] = []
    total = 0
    cursor: str | None = None
    while True:
        query: dict[str, Any] = {"limit": _WALK, **({"cursor": cursor} if cursor else {})}
        answer = await call(ContractCall("GET", path, query, headers=_auth(request)))
        if not answer.ok:
            return _failure(answer, "Record", None)
        for record in answer.data or []:
            if first <= total < stop:
                items.append(shape(record))
            total += 1
        cursor = answer.body.get("next_cursor")
        if not cursor:
            break
    return _ok(answer, items, {"total": total, "page": page, "perPage": per_page})


def _object(request: DialectRequest, *, empty_ok: bool = False) -> dict[str, Any] | DialectResponse:
    try:
        body = request.json()
    except ValueError:
        return error(400, "BAD_REQUEST", "The request body is not valid JSON")
    if body is None and empty_ok:
        return {}
    if not isinstance(body, dict):
        return error(400, "BAD_REQUEST", "The request body must be a JSON object")
    return body


def _auth(request: DialectRequest) -> dict[str, str]:
    """The caller's key and User-Agent; Bi369 has no Idempotency-Key or If-Match."""
    return {name: request.headers[name] for name in ("authorization", "user-agent") if name in request.headers}


def _tenant() -> dict[str, str]:
    caller = current().caller
    return {"X-Tenant-Id": caller.workspace_id} if caller is not None else {}


def _ok(answer: ContractAnswer, data: Any, meta: dict[str, int] | None = None) -> DialectResponse:
    body: dict[str, Any] = {"success": True, "data": data}
    if meta is not None:
        body["meta"] = meta
    return DialectResponse(answer.status, body, _tenant())


def _item(answer: ContractAnswer, shape: Callable[[dict[str, Any]], dict[str, Any]], kind: str,
          record_id: str | None = None) -> DialectResponse:
    if not answer.ok:
        return _failure(answer, kind, record_id)
    return _ok(answer, shape(answer.data))


def _failure(answer: ContractAnswer, kind: str, record_id: str | None) -> DialectResponse:
    """The contract's error in Bi369's shape: `{success: false, error: {code, message}}`."""
    contract = answer.error
    code = CODES.get(str(contract.get("code")), "INTERNAL_ERROR" if answer.status >= 500 else "BAD_REQUEST")
    details = contract.get("details") if isinstance(contract.get("details"), dict) else {}
    message = str(contract.get("message") or "The request failed")
    if code == "NOT_FOUND" and record_id:
        message = f"{kind} with ID {record_id} not found"
    elif code == "FORBIDDEN" and details.get("required_scope") == "crm:write":
        message = "This API key is read-only: writes need a full-access key (Settings → API Keys)"
    elif code == "VALIDATION_ERROR" and isinstance(details.get("fields"), list):
        problems = [f"{_own_field(str(item.get('field', '')))}: {item.get('message', 'invalid')}"
                    for item in details["fields"] if isinstance(item, dict)]
        message = "Validation failed: " + "; ".join(problems) if problems else message
    headers = _tenant()
    if "retry-after" in answer.headers:
        headers["Retry-After"] = answer.headers["retry-after"]
    return DialectResponse(answer.status, {"success": False, "error": {"code": code, "message": message}}, headers)


def _own_field(field: str) -> str:
    head, dot, rest = field.partition(".")
    own = records.OWN_NAME.get(head, head)
    if dot:
        index, _, leaf = rest.partition(".")
        return f"{own}.{index}.{records.OWN_NAME.get(leaf, leaf)}" if leaf else f"{own}.{rest}"
    return own


def error(status: int, code: str, message: str) -> DialectResponse:
    """A Bi369 error answer."""
    return DialectResponse(status, {"success": False, "error": {"code": code, "message": message}}, _tenant())


_ID = r"(?P<id>[^/]+)"
ROUTES: tuple[tuple[str, re.Pattern[str], Handler], ...] = (
    ("GET", re.compile(r"^/crm/leads/?$"), Bi369Translator.list_leads),
    ("POST", re.compile(r"^/crm/leads/?$"), Bi369Translator.create_lead),
    ("GET", re.compile(rf"^/crm/leads/{_ID}$"), Bi369Translator.get_lead),
    ("PATCH", re.compile(rf"^/crm/leads/{_ID}$"), Bi369Translator.update_lead),
    ("DELETE", re.compile(rf"^/crm/leads/{_ID}$"), Bi369Translator.delete_lead),
    ("GET", re.compile(r"^/finance/invoices/?$"), Bi369Translator.list_invoices),
    ("POST", re.compile(r"^/finance/invoices/?$"), Bi369Translator.create_invoice),
    ("PATCH", re.compile(rf"^/finance/invoices/{_ID}/pay$"), Bi369Translator.pay_invoice),
    ("GET", re.compile(r"^/projects/?$"), Bi369Translator.projects),
    ("POST", re.compile(r"^/projects/?$"), Bi369Translator.projects),
    ("POST", re.compile(rf"^/projects/{_ID}/tasks$"), Bi369Translator.projects),
)
