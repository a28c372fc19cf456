"""`/dialects/bizbasics/v1/…`: seed 003's BizBasics platform API over the contract's data.

- Bare JSON (no envelope); lists are JSON arrays paged by `limit`/`offset`; errors `{"detail": …}`
  (FastAPI's shape: the seed's tables come from the platform's live OpenAPI schema), plus
  `required_scope` on a 403, `reason` on a 401 and `retry_after` on a 429.
- `Authorization: Bearer bbk_…` (scopes `read`/`write`) everywhere except the internal endpoints,
  quota consume and webhook registration, which take the SSO secret as `X-Internal-Key: bbas_…`;
  the product is the credential's (the bbas key's name), never declared by the caller.
- Quota: status and consume are the contract's (over the limit: 200 `allowed: false`, never 429);
  breakdown is "the same split by product": per product (the contract's modules), per resource.
- Debugging: the contract's request log, only the calls made with the calling key, and every
  webhook delivery; `limit` only, as the seed documents.
- Served from the seed with no contract counterpart: workspace records (`bizbasics_records`),
  the catalog (one product per contract module, `entitled` from the workspace's enabled modules)
  and `org/retrieve` (text search over the org's records).
"""

from __future__ import annotations

from typing import Any

from app.sandbox.dialects.bizbasics_openapi import openapi_document
from app.sandbox.dialects.bizbasics_records import WorkspaceRecords, problems
from app.sandbox.dialects.credentials import insert_dialect_key, new_secret
from app.sandbox.dialects.translator import (
    CallContract,
    ContractAnswer,
    ContractCall,
    DialectRequest,
    DialectResponse,
    Translator,
)

RESOURCES = ("api_calls", "ai_calls", "storage_bytes", "seats")
#: The catalog: the contract's modules as BizBasics products.
PRODUCTS = (("crm", "CRM"), ("support", "Support desk"), ("billing", "Billing"), ("integrations", "Integrations"),
            ("quota", "Quota"), ("keys", "API keys"), ("logs", "Logs"))
READ_SCOPES = ["read", "quota:read", "logs:read", "integrations:read"]
INTERNAL_SCOPES = ["quota:read", "integrations:read", "integrations:write"]
#: The product an SSO credential minted here is bound to (its key name).
PRODUCT = "opsdesk-console"
_MAX_LIMIT = 100


class BizBasicsTranslator(Translator):
    """Seed 003's paths, two credentials and bare JSON over the contract's routers."""

    name = "bizbasics"
    prefix = ""

    def __init__(self) -> None:
        self.records = WorkspaceRecords()

    async def handle(self, request: DialectRequest, call: CallContract) -> DialectResponse:
        route = ROUTES.get((request.method, request.path.rstrip("/") or "/"))
        if route is None:
            return self.not_found(request)
        internal, handler = route
        secret = _credential(request, internal)
        if isinstance(secret, DialectResponse):
            return secret
        auth = {"authorization": f"Bearer {secret}"}
        if "user-agent" in request.headers:
            auth["user-agent"] = request.headers["user-agent"]
        return await handler(self, request, _Caller(call, auth))

    def not_found(self, request: DialectRequest) -> DialectResponse:
        return DialectResponse(404, {"detail": "Not Found"})

    def mint_credentials(self, conn: Any, workspace: dict[str, Any]) -> dict[str, Any]:
        full, readonly, internal = new_secret("bbk_"), new_secret("bbk_"), new_secret("bbas_")
        insert_dialect_key(conn, workspace, self.name, "BizBasics API key", full, [*READ_SCOPES, "write"])
        insert_dialect_key(conn, workspace, self.name, "BizBasics read-only key", readonly, READ_SCOPES)
        insert_dialect_key(conn, workspace, self.name, PRODUCT, internal, INTERNAL_SCOPES)
        return {"api_key": full, "internal_key": internal, "readonly": {"api_key": readonly}}

    def openapi(self) -> dict[str, Any]:
        return openapi_document()

    # -- quota -------------------------------------------------------------------------------

    async def quota_status(self, request: DialectRequest, caller: _Caller) -> DialectResponse:
        answer = await caller("GET", "/quota/status")
        if not answer.ok:
            return _refusal(answer)
        return _bare(answer, {"org_id": answer.data["workspace_id"], "quotas": answer.data["quotas"]})

    async def quota_breakdown(self, request: DialectRequest, caller: _Caller) -> DialectResponse:
        products: dict[str, dict[str, dict[str, int]]] = {}
        periods: dict[str, str] = {}
        org_id = ""
        last: ContractAnswer | None = None
        for resource in RESOURCES:
            last = await caller("GET", "/quota/breakdown", {"resource": resource})
            if not last.ok:
                return _refusal(last)
            org_id, periods[resource] = last.data["workspace_id"], last.data["period"]
            for entry in last.data["by_module"]:
                products.setdefault(entry["module"], {})[resource] = {"used": entry["used"]}
        assert last is not None
        return _bare(last, {"org_id": org_id, "periods": periods, "products": products})

    async def quota_consume(self, request: DialectRequest, caller: _Caller) -> DialectResponse:
        body = _json(request)
        if isinstance(body, DialectResponse):
            return body
        found = _missing(body, ("org_id", "resource"))
        if found:
            return DialectResponse(422, {"detail": found})
        me = await caller("GET", "/me")
        if not me.ok:
            return _refusal(me)
        if body["org_id"] != me.data["workspace_id"]:
            return DialectResponse(403, {"detail": "org_id is not the credential's org."})
        contract = {"resource": body["resource"], "amount": body.get("amount", 1),
                    "module": body.get("product_id") or me.data["name"]}
        if body.get("idempotency_key") is not None:
            contract["idempotency_key"] = body["idempotency_key"]
        answer = await caller("POST", "/quota/consume", body=contract)
        return _bare(answer, answer.data) if answer.ok else _refusal(answer)

    # -- debugging and webhooks ---------------------------------------------------------------

    async def api_requests(self, request: DialectRequest, caller: _Caller) -> DialectResponse:
        limit = _limit(request)
        if isinstance(limit, DialectResponse):
            return limit
        me = await caller("GET", "/me")
        if not me.ok:
            return _refusal(me)
        # "Recent activity made with your credentials": the calling key's own calls.
        answer = await caller("GET", "/dev/api-requests", {"limit": limit, "key_id": me.data["id"]})
        return _bare(answer, answer.data) if answer.ok else _refusal(answer)

    async def webhook_deliveries(self, request: DialectRequest, caller: _Caller) -> DialectResponse:
        limit = _limit(request)
        if isinstance(limit, DialectResponse):
            return limit
        answer = await caller("GET", "/dev/webhook-deliveries", {"limit": limit})
        return _bare(answer, answer.data) if answer.ok else _refusal(answer)

    async def register_webhook(self, request: DialectRequest, caller: _Caller) -> DialectResponse:
        body = _json(request)
        if isinstance(body, DialectResponse):
            return body
        found = _missing(body, ("url", "event_types"))
        extra = [{"loc": ["body", k], "msg": "Extra inputs are not permitted", "type": "extra_forbidden"}
                 for k in body if k not in ("url", "event_types")] if isinstance(body, dict) else []
        if found or extra:
            return DialectResponse(422, {"detail": found + extra})
        me = await caller("GET", "/me")
        if not me.ok:
            return _refusal(me)
        # Bound to the credential's product: its name is the product's.
        answer = await caller("POST", "/webhooks", body={"name": f"{me.data['name']} webhook"[:100], **body})
        return _bare(answer, answer.data, 201) if answer.ok else _refusal(answer)

    # -- served from the seed alone --------------------------------------------------------------

    async def publish_record(self, request: DialectRequest, caller: _Caller) -> DialectResponse:
        body = _json(request)
        if isinstance(body, DialectResponse):
            return body
        found = problems(body)
        if found:
            return DialectResponse(422, {"detail": found})
        me = await caller("GET", "/me")
        if not me.ok:
            return _refusal(me)
        if "write" not in me.data["scopes"]:
            return DialectResponse(403, {"detail": "This key lacks the write scope.", "required_scope": "write"})
        if body["org_id"] != me.data["workspace_id"]:
            return DialectResponse(403, {"detail": "A key may only publish for its own org."})
        record, created = self.records.publish(body)
        return DialectResponse(201 if created else 200,
                               {"workspace_record_id": record["workspace_record_id"], "status": record["status"]})

    async def list_records(self, request: DialectRequest, caller: _Caller) -> DialectResponse:
        me = await caller("GET", "/me")
        if not me.ok:
            return _refusal(me)
        window = _window(request)
        if isinstance(window, DialectResponse):
            return window
        limit, offset = window
        rows = self.records.list(me.data["workspace_id"], record_type=request.query_value("record_type"),
                                 source_product=request.query_value("source_product"),
                                 status=request.query_value("status"))
        return DialectResponse(200, rows[offset:offset + limit])

    async def catalog(self, request: DialectRequest, caller: _Caller) -> DialectResponse:
        answer = await caller("GET", "/workspace")
        if not answer.ok:
            return _refusal(answer)
        enabled = set(answer.data["enabled_modules"])
        return DialectResponse(200, [{"product_id": key, "name": name, "entitled": key in enabled}
                                     for key, name in PRODUCTS])

    async def retrieve(self, request: DialectRequest, caller: _Caller) -> DialectResponse:
        text = request.query_value("q")
        if not text or not text.strip():
            return DialectResponse(422, {"detail": [{"loc": ["query", "q"], "msg": "Field required",
                                                     "type": "missing"}]})
        me = await caller("GET", "/me")
        if not me.ok:
            return _refusal(me)
        limit = _limit(request)
        if isinstance(limit, DialectResponse):
            return limit
        rows = self.records.list(me.data["workspace_id"], record_type=request.query_value("record_type"),
                                 source_product=request.query_value("product"), text=text.strip())
        return DialectResponse(200, rows[:limit])


class _Caller:
    """Contract calls made with the request's own credential."""

    def __init__(self, call: CallContract, headers: dict[str, str]) -> None:
        self._call, self._headers = call, headers

    async def __call__(self, method: str, path: str, query: dict[str, Any] | None = None,
                       body: Any = None) -> ContractAnswer:
        return await self._call(ContractCall(method, path, query, body, dict(self._headers)))


def _credential(request: DialectRequest, internal: bool) -> str | DialectResponse:
    """The secret this endpoint authenticates with, or the 401 saying which one it wants."""
    if internal:
        secret = request.headers.get("x-internal-key", "").strip()
        if not secret.startswith("bbas_"):
            return _unauthorized("missing" if not secret else "invalid",
                                 "This endpoint authenticates with your SSO secret as `X-Internal-Key: bbas_…`.")
        return secret
    scheme, _, secret = request.headers.get("authorization", "").partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret.startswith("bbk_"):
        return _unauthorized("missing" if not secret else "invalid",
                             "Authenticate with an API key: `Authorization: Bearer bbk_…`.")
    return secret


def _unauthorized(reason: str, message: str) -> DialectResponse:
    return DialectResponse(401, {"detail": message, "reason": reason}, {"WWW-Authenticate": "Bearer"})


def _bare(answer: ContractAnswer, data: Any, status: int | None = None) -> DialectResponse:
    return DialectResponse(status or answer.status, data, _kept(answer))


def _kept(answer: ContractAnswer) -> dict[str, str]:
    return {name: answer.headers[name] for name in ("retry-after",) if name in answer.headers}


def _refusal(answer: ContractAnswer) -> DialectResponse:
    """The contract's error as BizBasics' `{"detail": …}` (field errors as FastAPI's list)."""
    error = answer.error
    details = error.get("details") or {}
    body: dict[str, Any] = {"detail": error.get("message") or "Request failed"}
    if answer.status == 422 and isinstance(details.get("fields"), list):
        body["detail"] = [{"loc": ["body", *str(f.get("field", "")).split(".")], "msg": f.get("message", "invalid"),
                           "type": "value_error"} for f in details["fields"]]
    if answer.status == 401:
        body["reason"] = details.get("reason", "invalid")
    if answer.status == 403:
        # The contract's scope, in BizBasics' words (its keys carry read or write).
        body["required_scope"] = details.get("required_scope")
    if answer.status == 429 and "retry-after" in answer.headers:
        body["retry_after"] = int(float(answer.headers["retry-after"]))
    return DialectResponse(answer.status, body, _kept(answer))


def _json(request: DialectRequest) -> Any:
    try:
        return request.json()
    except ValueError:
        return DialectResponse(422, {"detail": [{"loc": ["body"], "msg": "JSON decode error",
                                                 "type": "json_invalid"}]})


def _missing(body: Any, names: tuple[str, ...]) -> list[dict[str, Any]]:
    if not isinstance(body, dict):
        return [{"loc": ["body"], "msg": "Input should be a valid object", "type": "model_type"}]
    return [{"loc": ["body", n], "msg": "Field required", "type": "missing"} for n in names if body.get(n) is None]


def _number(request: DialectRequest, name: str, default: int, low: int, high: int) -> int | DialectResponse:
    raw = request.query_value(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        return DialectResponse(422, {"detail": [{"loc": ["query", name], "msg": f"Input should be {low}–{high}",
                                                 "type": "int_parsing"}]})
    return value


def _limit(request: DialectRequest) -> int | DialectResponse:
    return _number(request, "limit", 20, 1, _MAX_LIMIT)


def _window(request: DialectRequest) -> tuple[int, int] | DialectResponse:
    limit = _limit(request)
    if isinstance(limit, DialectResponse):
        return limit
    offset = _number(request, "offset", 0, 0, 1_000_000)
    return offset if isinstance(offset, DialectResponse) else (limit, offset)


_B = BizBasicsTranslator
#: (method, path) → (authenticates with X-Internal-Key, handler), the seed's endpoints.
ROUTES: dict[tuple[str, str], tuple[bool, Any]] = {
    ("GET", "/v1/quota/status"): (False, _B.quota_status),
    ("GET", "/v1/quota/breakdown"): (False, _B.quota_breakdown),
    ("POST", "/v1/quota/consume"): (True, _B.quota_consume),
    ("GET", "/v1/dev/api-requests"): (False, _B.api_requests),
    ("GET", "/v1/dev/webhook-deliveries"): (False, _B.webhook_deliveries),
    ("POST", "/v1/webhooks"): (True, _B.register_webhook),
    ("POST", "/v1/workspace-records"): (False, _B.publish_record),
    ("GET", "/v1/workspace-records"): (False, _B.list_records),
    ("GET", "/v1/catalog"): (False, _B.catalog),
    ("GET", "/v1/org/retrieve"): (False, _B.retrieve),
}
