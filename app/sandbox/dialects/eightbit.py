"""`/dialects/8bit/v1`: 8bit-ai's REST API (seed 001) over the contract's data.

From the seed:
- `{success: true, data}` (lists add `pagination: {limit, next_cursor, has_more}`), errors
  `{success: false, error: {code, message, details}}` with its code table only: INVALID_REQUEST
  (a contract 422 too, with `details.fields`), UNAUTHORIZED, FORBIDDEN, NOT_FOUND, CONFLICT,
  RATE_LIMITED (+ `Retry-After`), INTERNAL_ERROR;
- `limit` (default 20, max 100), `cursor`, `order` (desc; `asc` is refused: the contract lists
  newest first only);
- `Authorization: Bearer <JWT>`: `POST /auth/token {email, password}` and `POST /auth/refresh
  {refresh_token: 8b_rt_…}` (the seed names only "the authentication endpoints") answer
  `{access_token, token_type, expires_in, refresh_token, user}`; access tokens are HS256 JWTs that
  live 15 minutes (divided by `--time-scale`); or an API key `8b_sk_…` for server-to-server;
- X-RateLimit-Limit/Remaining/Reset on every answer (the contract's middleware stamps them).
Resources: conversations and their messages are the contract's tickets and messages, webhooks its
webhooks, organization its workspace and members. Agents and billing (the organization's own
8bit-ai subscription) have nothing behind them here: 404 saying so.
"""

from __future__ import annotations

import re
from typing import Any

from app.sandbox.dialects import eightbit_jwt as jwt
from app.sandbox.dialects import eightbit_records as records
from app.sandbox.dialects.credentials import insert_dialect_key, new_secret
from app.sandbox.dialects.eightbit_openapi import openapi_document
from app.sandbox.dialects.translator import (
    CallContract,
    ContractAnswer,
    ContractCall,
    DialectRequest,
    DialectResponse,
    Translator,
)
from app.sandbox.scopes import ROLE_SCOPES

CODES: dict[str, tuple[int, str]] = {
    "INVALID_REQUEST": (400, "INVALID_REQUEST"), "VALIDATION_ERROR": (400, "INVALID_REQUEST"),
    "IDEMPOTENCY_KEY_REUSED": (400, "INVALID_REQUEST"), "PAYLOAD_TOO_LARGE": (400, "INVALID_REQUEST"),
    "UNAUTHORIZED": (401, "UNAUTHORIZED"), "FORBIDDEN": (403, "FORBIDDEN"), "NOT_FOUND": (404, "NOT_FOUND"),
    "CONFLICT": (409, "CONFLICT"), "IDEMPOTENCY_KEY_IN_USE": (409, "CONFLICT"),
    "RATE_LIMITED": (429, "RATE_LIMITED"), "INTERNAL_ERROR": (500, "INTERNAL_ERROR"),
}
KEY_SCOPES = ["support:read", "support:write", "integrations:read", "integrations:write"]
READ_KEY_SCOPES = ["support:read", "integrations:read"]
MAX_LIMIT = 100
_ID = r"(?P<id>[^/]+)"

#: (method, path, contract method, contract path, body table, shape, listed)
ROUTES: tuple[tuple[str, re.Pattern[str], str, str, dict[str, str] | None, Any, bool], ...] = tuple(
    (method, re.compile(f"^{path}/?$"), verb, target, table, shape, listed)
    for method, path, verb, target, table, shape, listed in (
        ("GET", "/organization", "GET", "/workspace", None, records.organization, False),
        ("GET", "/organization/members", "GET", "/members", None, records.member, True),
        ("GET", "/conversations", "GET", "/support/tickets", None, records.conversation, True),
        ("POST", "/conversations", "POST", "/support/tickets", records.CONVERSATION_IN, records.conversation, False),
        ("GET", f"/conversations/{_ID}", "GET", "/support/tickets/{id}", None, records.conversation, False),
        ("PATCH", f"/conversations/{_ID}", "PATCH", "/support/tickets/{id}", records.CONVERSATION_IN,
         records.conversation, False),
        ("GET", f"/conversations/{_ID}/messages", "GET", "/support/tickets/{id}/messages", None, records.message, True),
        ("POST", f"/conversations/{_ID}/messages", "POST", "/support/tickets/{id}/messages", records.MESSAGE_IN,
         records.message, False),
        ("GET", "/webhooks", "GET", "/webhooks", None, records.webhook, True),
        ("POST", "/webhooks", "POST", "/webhooks", records.WEBHOOK_IN, records.webhook, False),
        ("GET", f"/webhooks/{_ID}", "GET", "/webhooks/{id}", None, records.webhook, False),
        ("PATCH", f"/webhooks/{_ID}", "PATCH", "/webhooks/{id}", records.WEBHOOK_IN, records.webhook, False),
        ("DELETE", f"/webhooks/{_ID}", "DELETE", "/webhooks/{id}", None, records.deleted, False),
    ))
#: Resources the seed names that nothing here stands behind.
UNSERVED = re.compile(r"^/(agents|billing)(/.*)?$")


class EightBitTranslator(Translator):
    """Seed 001's envelope, error table, cursor paging and JWT sign-in over the contract's routers."""

    name = "8bit"

    def __init__(self) -> None:
        self._keys: dict[int, bytes] = {}

    async def handle(self, request: DialectRequest, call: CallContract) -> DialectResponse:
        if request.method == "POST" and request.path in ("/auth/token", "/auth/refresh"):
            return await self._sign_in(request, call)
        authorization = self._authorization(request, call)
        if isinstance(authorization, DialectResponse):
            return authorization
        for method, pattern, verb, target, table, shape, listed in ROUTES:
            match = pattern.match(request.path)
            if method != request.method or match is None:
                continue
            path = target.format(**match.groupdict())
            headers = {"authorization": authorization,
                       **{k: request.headers[k] for k in ("user-agent",) if k in request.headers}}
            if listed:
                return await _listing(request, call, path, headers, shape)
            body = None
            if table is not None:
                parsed = _object(request)
                if isinstance(parsed, DialectResponse):
                    return parsed
                body, unknown = records.contract_body(parsed, table)
                if unknown:
                    return error(400, "INVALID_REQUEST", f"Unknown field(s): {', '.join(unknown)}",
                                 {"fields": [{"field": name, "message": "not a field of this resource"}
                                             for name in unknown]})
            return _answer(await call(ContractCall(verb, path, None, body, headers)), shape)
        match = UNSERVED.match(request.path)
        if match:
            return error(404, "NOT_FOUND", f"The Opsdesk sandbox serves no 8bit-ai {match.group(1)}: it has "
                                           "conversations, messages, webhooks and the organization.",
                         {"resource": match.group(1), "reason": "not_served"})
        return self.not_found(request)

    def not_found(self, request: DialectRequest) -> DialectResponse:
        return error(404, "NOT_FOUND", f"No route {request.method} /v1{request.path}")

    def mint_credentials(self, conn: Any, workspace: dict[str, Any]) -> dict[str, Any]:
        full, read = new_secret("8b_sk_"), new_secret("8b_sk_")
        insert_dialect_key(conn, workspace, self.name, "8bit-ai server key", full, KEY_SCOPES)
        insert_dialect_key(conn, workspace, self.name, "8bit-ai read-only key", read, READ_KEY_SCOPES)
        user = workspace.get("user") or {}
        return {"email": user.get("email", ""), "password": user.get("password", ""), "api_key": full,
                "readonly": {"api_key": read}}

    def openapi(self) -> dict[str, Any]:
        return openapi_document()

    # -- authentication --------------------------------------------------------------------

    def _key(self, request: DialectRequest) -> bytes:
        db = request.state.db
        if id(db) not in self._keys:
            self._keys[id(db)] = jwt.signing_key(db)
        return self._keys[id(db)]

    def _authorization(self, request: DialectRequest, call: CallContract) -> str | DialectResponse:
        """The contract credential behind the request's Bearer JWT or `8b_sk_` key, or the 401."""
        scheme, _, secret = request.headers.get("authorization", "").partition(" ")
        secret = secret.strip()
        if not secret or scheme.lower() != "bearer":
            return error(401, "UNAUTHORIZED", "Send `Authorization: Bearer <access token or API key>`.",
                         {"reason": "missing"})
        if secret.startswith("8b_sk_"):
            return f"Bearer {secret}"
        if not secret.startswith("eyJ"):
            return error(401, "UNAUTHORIZED", "The bearer credential is not an 8bit-ai access token or API key.",
                         {"reason": "invalid"})
        try:
            claims = jwt.verify(secret, self._key(request))
        except jwt.TokenRejected as rejected:
            return error(401, "UNAUTHORIZED", str(rejected), {"reason": rejected.reason})
        return f"Bearer {jwt.contract_access(claims)}"

    async def _sign_in(self, request: DialectRequest, call: CallContract) -> DialectResponse:
        body = _object(request)
        if isinstance(body, DialectResponse):
            return body
        if request.path == "/auth/token":
            inner = {k: v for k, v in body.items() if k in ("email", "password")}
            if "organization_id" in body:
                inner["workspace_id"] = body["organization_id"]
        else:
            refresh = body.get("refresh_token")
            contract_refresh = jwt.contract_refresh(refresh) if isinstance(refresh, str) else None
            if contract_refresh is None:
                return error(401, "UNAUTHORIZED", "The refresh token is not valid.", {"reason": "invalid"})
            inner = {"refresh_token": contract_refresh}
        headers = {k: request.headers[k] for k in ("user-agent",) if k in request.headers}
        answer = await call(ContractCall("POST", request.path, None, inner, headers))
        if not answer.ok:
            return _failure(answer)
        pair = answer.data
        user = pair.get("user") or {}
        data = {"access_token": jwt.access_token(pair, list(ROLE_SCOPES.get(user.get("role"), ())), self._key(request)),
                "token_type": "Bearer", "expires_in": pair.get("expires_in"),
                "refresh_token": jwt.own_refresh(pair["refresh_token"]),
                "user": {"id": user.get("id"), "name": user.get("name"), "email": user.get("email"),
                         "role": user.get("role"), "organization_id": user.get("workspace_id")}}
        return DialectResponse(200, {"success": True, "data": data}, _kept(answer))


async def _listing(request: DialectRequest, call: CallContract, path: str, headers: dict[str, str],
                   shape: Any) -> DialectResponse:
    order = request.query_value("order") or "desc"
    if order not in ("asc", "desc"):
        return error(400, "INVALID_REQUEST", "order must be asc or desc", {"parameter": "order"})
    if order == "asc":
        return error(400, "INVALID_REQUEST", "The Opsdesk sandbox lists newest first only (order=desc).",
                     {"parameter": "order"})
    raw = request.query_value("limit") or "20"
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        return error(400, "INVALID_REQUEST", f"limit must be between 1 and {MAX_LIMIT}", {"parameter": "limit"})
    query: dict[str, Any] = {}
    if path != "/members":
        query = {"limit": int(raw), **({"cursor": request.query_value("cursor")} if request.query_value("cursor") else {})}
    answer = await call(ContractCall("GET", path, query, headers=headers))
    if not answer.ok:
        return _failure(answer)
    cursor = answer.body.get("next_cursor")
    body = {"success": True, "data": [shape(item) for item in answer.data or []],
            "pagination": {"limit": int(raw), "next_cursor": cursor, "has_more": bool(cursor)}}
    return DialectResponse(answer.status, body, _kept(answer))


def _object(request: DialectRequest) -> dict[str, Any] | DialectResponse:
    try:
        body = request.json()
    except ValueError:
        return error(400, "INVALID_REQUEST", "The request body is not valid JSON.")
    if not isinstance(body, dict):
        return error(400, "INVALID_REQUEST", "The request body must be a JSON object.")
    return body


_KEPT = ("Retry-After", "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")


def _kept(answer: ContractAnswer) -> dict[str, str]:
    """Retry-After and the rate headers of a refusal (on a success the middleware stamps them)."""
    return {name: answer.headers[name] for name in _KEPT if name in answer.headers}


def _answer(answer: ContractAnswer, shape: Any) -> DialectResponse:
    if not answer.ok:
        return _failure(answer)
    return DialectResponse(answer.status, {"success": True, "data": shape(answer.data)}, _kept(answer))


def _failure(answer: ContractAnswer) -> DialectResponse:
    """The contract's error in seed 001's table, `details` in 8bit's field names."""
    contract = answer.error
    status, code = CODES.get(str(contract.get("code")), (500, "INTERNAL_ERROR") if answer.status >= 500
                             else (400, "INVALID_REQUEST"))
    details = dict(contract.get("details") or {}) if isinstance(contract.get("details"), dict) else {}
    if isinstance(details.get("fields"), list):
        details["fields"] = [{**item, "field": records.OWN_NAME.get(str(item.get("field")), item.get("field"))}
                             for item in details["fields"] if isinstance(item, dict)]
    if contract.get("code") not in (None, code):
        details.setdefault("reason", str(contract["code"]).lower())
    message = str(contract.get("message") or "The request failed.")
    return DialectResponse(status, {"success": False, "error": {"code": code, "message": message,
                                                                "details": details}}, _kept(answer))


def error(status: int, code: str, message: str, details: dict[str, Any] | None = None) -> DialectResponse:
    """An 8bit-ai error answer."""
    return DialectResponse(status, {"success": False, "error": {"code": code, "message": message,
                                                                "details": details or {}}})
