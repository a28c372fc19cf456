"""Seed 003's BizBasics OpenAPI 3.1 document: its endpoints, fields, query parameters and credentials."""

from __future__ import annotations

from functools import cache
from typing import Any

_BBK = [{"apiKey": []}]
_BBAS = [{"internalKey": []}]
#: (method, path, operationId, summary, security, body fields {name: (type, required)}, query {name: type})
OPERATIONS: tuple[tuple[str, str, str, str, list, dict[str, tuple[str, bool]], dict[str, str]], ...] = (
    ("post", "/v1/workspace-records", "publishRecord", "Publish record", _BBK,
     {"org_id": ("string", True), "source_product": ("string", True), "record_type": ("string", True),
      "source_ref": ("string", True), "title": ("string", True), "subtitle": ("string", False),
      "summary_text": ("string", False), "app_href": ("string", False), "meta": ("object", False),
      "status": ("string", False)}, {}),
    ("get", "/v1/workspace-records", "listRecords", "List records", _BBK, {},
     {"record_type": "string", "source_product": "string", "status": "string", "limit": "integer",
      "offset": "integer"}),
    ("get", "/v1/quota/status", "getQuotaStatus", "Get quota status", _BBK, {}, {}),
    ("get", "/v1/quota/breakdown", "getQuotaBreakdown", "Get quota breakdown", _BBK, {}, {}),
    ("post", "/v1/quota/consume", "consumeQuota", "Consume quota", _BBAS,
     {"org_id": ("string", True), "resource": ("string", True), "amount": ("integer", False),
      "product_id": ("string", False), "idempotency_key": ("string", False)}, {}),
    ("get", "/v1/catalog", "listProducts", "List products", _BBK, {}, {}),
    ("get", "/v1/org/retrieve", "retrieveRecords", "Retrieve records", _BBK, {},
     {"q": "string", "record_type": "string", "product": "string", "limit": "integer"}),
    ("post", "/v1/webhooks", "registerWebhook", "Register webhook", _BBAS,
     {"url": ("string", True), "event_types": ("array", True)}, {}),
    ("get", "/v1/dev/api-requests", "listApiRequests", "List api requests", _BBK, {}, {"limit": "integer"}),
    ("get", "/v1/dev/webhook-deliveries", "listWebhookDeliveries", "List webhook deliveries", _BBK, {},
     {"limit": "integer"}),
)


def _schema(kind: str) -> dict[str, Any]:
    if kind == "array":
        return {"type": "array", "items": {"type": "string"}}
    return {"type": kind}


def _operation(method: str, operation_id: str, summary: str, security: list,
               fields: dict[str, tuple[str, bool]], query: dict[str, str]) -> dict[str, Any]:
    document: dict[str, Any] = {
        "operationId": operation_id, "summary": summary, "security": security,
        "parameters": [{"name": name, "in": "query", "required": name == "q", "schema": _schema(kind)}
                       for name, kind in query.items()],
        "responses": {"200" if method == "get" else "201": {"description": summary},
                      "401": {"description": "Missing or invalid credential",
                              "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                      "422": {"description": "Validation error",
                              "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}},
    }
    if fields:
        document["requestBody"] = {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "additionalProperties": False,
            "required": [name for name, (_, required) in fields.items() if required],
            "properties": {name: _schema(kind) for name, (kind, _) in fields.items()}}}}}
    return document


@cache
def openapi_document() -> dict[str, Any]:
    """The document served at `/dialects/bizbasics/openapi.json`."""
    paths: dict[str, dict[str, Any]] = {}
    for method, path, operation_id, summary, security, fields, query in OPERATIONS:
        paths.setdefault(path, {})[method] = _operation(method, operation_id, summary, security, fields, query)
    return {
        "openapi": "3.1.0",
        "info": {"title": "BizBasics platform API", "version": "v1",
                 "description": "Seed 003's platform endpoints as the Opsdesk sandbox serves them."},
        "servers": [{"url": "/dialects/bizbasics"}],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "apiKey": {"type": "http", "scheme": "bearer", "description": "`bbk_…` API key (read/write)"},
                "internalKey": {"type": "apiKey", "in": "header", "name": "X-Internal-Key",
                                "description": "`bbas_…` SSO secret: quota consume and webhook registration"},
            },
            "schemas": {"Error": {"type": "object", "required": ["detail"], "properties": {
                "detail": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "object"}}]},
                "required_scope": {"type": "string"}, "reason": {"type": "string"},
                "retry_after": {"type": "integer"}}}},
        },
    }
