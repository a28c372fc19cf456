"""8bit-ai's OpenAPI 3.1 document (seed 001), served at `/dialects/8bit/v1/openapi.json`."""

from __future__ import annotations

from typing import Any

_STR = {"type": "string"}
_NSTR = {"type": ["string", "null"]}
_TIME = {"type": "string", "format": "date-time"}
_CODES = ["INVALID_REQUEST", "UNAUTHORIZED", "FORBIDDEN", "NOT_FOUND", "CONFLICT", "RATE_LIMITED", "INTERNAL_ERROR"]
_RATE_HEADERS = {
    "X-RateLimit-Limit": {"schema": {"type": "integer"}, "description": "Maximum requests allowed per minute"},
    "X-RateLimit-Remaining": {"schema": {"type": "integer"}, "description": "Requests remaining in the current window"},
    "X-RateLimit-Reset": {"schema": {"type": "integer"}, "description": "Unix timestamp when the rate limit resets"},
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _ok(data: dict[str, Any], *, listed: bool = False) -> dict[str, Any]:
    properties: dict[str, Any] = {"success": {"const": True},
                                  "data": {"type": "array", "items": data} if listed else data}
    if listed:
        properties["pagination"] = _ref("Pagination")
    return {"description": "OK", "headers": _RATE_HEADERS, "content": {"application/json": {"schema": {
        "type": "object", "required": ["success", "data"], "properties": properties}}}}


_ERRORS = {str(status): {"$ref": f"#/components/responses/{code}"} for status, code in (
    (400, "INVALID_REQUEST"), (401, "UNAUTHORIZED"), (403, "FORBIDDEN"), (404, "NOT_FOUND"), (409, "CONFLICT"),
    (429, "RATE_LIMITED"), (500, "INTERNAL_ERROR"))}
_PAGING = [
    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}},
    {"name": "cursor", "in": "query", "schema": _STR, "description": "Cursor from the previous response"},
    {"name": "order", "in": "query", "schema": {"enum": ["asc", "desc"], "default": "desc"},
     "description": "The Opsdesk sandbox serves desc only"},
]
_ID = [{"name": "id", "in": "path", "required": True, "schema": _STR}]


def _op(summary: str, ok: dict[str, Any], *, params: list | None = None, body: str | None = None,
        status: str = "200", public: bool = False) -> dict[str, Any]:
    operation: dict[str, Any] = {"summary": summary, "responses": {status: ok, **_ERRORS}}
    if params:
        operation["parameters"] = params
    if body:
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": _ref(body)}}}
    if public:
        operation["security"] = []
    return operation


def openapi_document() -> dict[str, Any]:
    """Paths, parameters, schemas, the two Bearer schemes and the error table."""
    conversation_write = {"type": "object", "properties": {
        "subject": _STR, "status": {"enum": ["new", "open", "pending", "waiting_on_customer", "resolved", "closed"]},
        "priority": {"enum": ["low", "normal", "high", "urgent"]}, "channel": _STR, "assignee_id": _NSTR,
        "customer_id": _NSTR, "metadata": {"type": "object"}}}
    webhook_write = {"type": "object", "properties": {
        "name": _STR, "url": {"type": "string", "format": "uri"}, "description": _NSTR,
        "events": {"type": "array", "items": _STR}, "status": {"enum": ["active", "paused"]}}}
    schemas = {
        "Pagination": {"type": "object", "properties": {"limit": {"type": "integer"}, "next_cursor": _NSTR,
                                                        "has_more": {"type": "boolean"}}},
        "Error": {"type": "object", "required": ["success", "error"], "properties": {
            "success": {"const": False}, "error": {"type": "object", "required": ["code", "message"], "properties": {
                "code": {"enum": _CODES}, "message": _STR, "details": {"type": "object"}}}}},
        "TokenRequest": {"type": "object", "required": ["email", "password"], "properties": {
            "email": _STR, "password": _STR, "organization_id": _STR}},
        "RefreshRequest": {"type": "object", "required": ["refresh_token"], "properties": {
            "refresh_token": {"type": "string", "pattern": "^8b_rt_"}}},
        "Tokens": {"type": "object", "properties": {
            "access_token": {"type": "string", "description": "HS256 JWT, 15 minutes"},
            "token_type": {"const": "Bearer"}, "expires_in": {"type": "integer"},
            "refresh_token": {"type": "string", "pattern": "^8b_rt_"}, "user": _ref("User")}},
        "User": {"type": "object", "properties": {"id": _STR, "name": _STR, "email": _STR, "role": _STR,
                                                  "organization_id": _STR}},
        "Organization": {"type": "object", "properties": {"id": _STR, "name": _STR, "plan": _STR,
                                                          "environment": {"enum": ["live", "test"]},
                                                          "rate_limit_per_minute": {"type": "integer"}}},
        "Member": {"type": "object", "properties": {"id": _STR, "name": _STR, "email": _STR, "role": _STR,
                                                    "status": _STR}},
        "ConversationWrite": conversation_write,
        "Conversation": {"type": "object", "properties": {**conversation_write["properties"], "id": _STR,
                                                          "created_at": _TIME, "updated_at": _TIME}},
        "MessageWrite": {"type": "object", "required": ["role", "content"], "properties": {
            "role": {"enum": ["customer", "agent"]}, "channel": _STR, "content": _STR}},
        "Message": {"type": "object", "properties": {"id": _STR, "conversation_id": _STR,
                                                     "role": {"enum": ["customer", "agent"]}, "channel": _STR,
                                                     "content": _STR, "author_id": _NSTR, "created_at": _TIME}},
        "WebhookWrite": webhook_write,
        "Webhook": {"type": "object", "properties": {
            **webhook_write["properties"], "id": _STR, "disabled_reason": _NSTR, "secret_preview": _NSTR,
            "secret": {"type": "string", "description": "Only on create"}, "created_at": _TIME}},
    }
    paths = {
        "/auth/token": {"post": _op("Obtain an access token", _ok(_ref("Tokens")), body="TokenRequest",
                                    public=True)},
        "/auth/refresh": {"post": _op("Refresh the access token", _ok(_ref("Tokens")), body="RefreshRequest",
                                      public=True)},
        "/organization": {"get": _op("The organization", _ok(_ref("Organization")))},
        "/organization/members": {"get": _op("Members", _ok(_ref("Member"), listed=True))},
        "/conversations": {
            "get": _op("List conversations", _ok(_ref("Conversation"), listed=True), params=_PAGING),
            "post": _op("Create a conversation", _ok(_ref("Conversation")), body="ConversationWrite", status="201"),
        },
        "/conversations/{id}": {
            "get": _op("Get a conversation", _ok(_ref("Conversation")), params=_ID),
            "patch": _op("Update a conversation", _ok(_ref("Conversation")), params=_ID, body="ConversationWrite"),
        },
        "/conversations/{id}/messages": {
            "get": _op("List messages", _ok(_ref("Message"), listed=True), params=_ID + _PAGING),
            "post": _op("Add a message", _ok(_ref("Message")), params=_ID, body="MessageWrite", status="201"),
        },
        "/webhooks": {
            "get": _op("List webhooks", _ok(_ref("Webhook"), listed=True), params=_PAGING),
            "post": _op("Create a webhook", _ok(_ref("Webhook")), body="WebhookWrite", status="201"),
        },
        "/webhooks/{id}": {
            "get": _op("Get a webhook", _ok(_ref("Webhook")), params=_ID),
            "patch": _op("Update a webhook", _ok(_ref("Webhook")), params=_ID, body="WebhookWrite"),
            "delete": _op("Delete a webhook", _ok({"type": "object", "properties": {"id": _STR,
                                                                                   "deleted": {"const": True}}}),
                          params=_ID),
        },
    }
    responses = {code: {"description": code, "content": {"application/json": {"schema": _ref("Error")}}}
                 for code in _CODES}
    responses["RATE_LIMITED"]["headers"] = {"Retry-After": {"schema": {"type": "integer"}}, **_RATE_HEADERS}
    return {
        "openapi": "3.1.0",
        "info": {"title": "8bit-ai REST API (Opsdesk sandbox)", "version": "1",
                 "description": "Seed 001. Agents and billing are documented by 8bit-ai but not served here."},
        "servers": [{"url": "/dialects/8bit/v1"}],
        "security": [{"accessToken": []}, {"apiKey": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "accessToken": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                                "description": "From POST /auth/token; 15 minutes; renew with POST /auth/refresh"},
                "apiKey": {"type": "http", "scheme": "bearer", "description": "8b_sk_… (server-to-server)"},
            },
            "schemas": schemas,
            "responses": responses,
        },
    }
