"""Bi369 AI's OpenAPI 3.1 document (seed 000), served at `/dialects/bi369/v1/openapi.json`."""

from __future__ import annotations

from typing import Any

_STR = {"type": "string"}
_NSTR = {"type": ["string", "null"]}
_CENTS = {"type": "integer", "description": "Minor units of the invoice's currency"}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _ok(data: dict[str, Any], *, listed: bool = False) -> dict[str, Any]:
    properties: dict[str, Any] = {"success": {"const": True}, "data": {"type": "array", "items": data} if listed else data}
    if listed:
        properties["meta"] = _ref("Meta")
    schema = {"type": "object", "required": ["success", "data", *(["meta"] if listed else [])], "properties": properties}
    return {"description": "OK", "content": {"application/json": {"schema": schema}}}


_ERRORS = {status: {"$ref": f"#/components/responses/{name}"} for status, name in (
    ("400", "BadRequest"), ("401", "Unauthorized"), ("403", "Forbidden"), ("404", "NotFound"),
    ("409", "Conflict"), ("422", "ValidationError"), ("429", "RateLimited"))}
_PAGING = [
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "default": 1}},
    {"name": "perPage", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}},
]
_ID = [{"name": "id", "in": "path", "required": True, "schema": _STR}]


def _body(schema: dict[str, Any], required: bool = True) -> dict[str, Any]:
    return {"required": required, "content": {"application/json": {"schema": schema}}}


def _op(summary: str, ok: dict[str, Any], *, params: list | None = None, body: dict | None = None,
        status: str = "200") -> dict[str, Any]:
    operation: dict[str, Any] = {"summary": summary, "responses": {status: ok, **_ERRORS}}
    if params:
        operation["parameters"] = params
    if body:
        operation["requestBody"] = body
    return operation


def _error_response(description: str, example_code: str, example_message: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {
        "schema": _ref("Error"),
        "example": {"success": False, "error": {"code": example_code, "message": example_message}}}}}


_LEAD_WRITE = {"type": "object", "properties": {
    "name": _STR, "email": _NSTR, "phone": _NSTR, "companyId": _NSTR, "tags": {"type": "array", "items": _STR},
    "customFields": {"type": "object"}, "notes": _NSTR}}
_NOT_IMPLEMENTED = {"description": "Not served by the Opsdesk sandbox (it has no projects)",
                    "content": {"application/json": {"schema": _ref("Error")}}}


def openapi_document() -> dict[str, Any]:
    """The document: paths, parameters, schemas, the Bearer scheme and the webhook events."""
    line = {"type": "object", "required": ["name", "unitPriceCents"], "properties": {
        "kind": {"enum": ["service", "product", "fee"]}, "name": _STR, "quantity": {"type": "integer", "minimum": 1},
        "unitPriceCents": _CENTS, "taxRateBps": {"type": "integer", "minimum": 0, "maximum": 10000}}}
    schemas = {
        "Meta": {"type": "object", "required": ["total", "page", "perPage"], "properties": {
            "total": {"type": "integer"}, "page": {"type": "integer"}, "perPage": {"type": "integer"}}},
        "Error": {"type": "object", "required": ["success", "error"], "properties": {
            "success": {"const": False}, "error": {"type": "object", "required": ["code", "message"], "properties": {
                "code": {"enum": ["BAD_REQUEST", "UNAUTHORIZED", "FORBIDDEN", "NOT_FOUND", "CONFLICT",
                                  "VALIDATION_ERROR", "RATE_LIMITED", "NOT_IMPLEMENTED", "INTERNAL_ERROR"]},
                "message": _STR}}}},
        "Lead": {"type": "object", "required": ["id", "name", "createdAt", "updatedAt"], "properties": {
            **_LEAD_WRITE["properties"], "id": _STR, "company": {**_NSTR, "readOnly": True},
            "createdAt": {"type": "string", "format": "date-time"},
            "updatedAt": {"type": "string", "format": "date-time"}}},
        "LineItem": line,
        "Invoice": {"type": "object", "required": ["id", "number", "status", "currency", "totalCents"], "properties": {
            "id": _STR, "number": _STR,
            "status": {"enum": ["draft", "sent", "partially_paid", "paid", "void", "overdue"]},
            "leadId": _NSTR, "companyId": _NSTR, "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
            "issueDate": {"type": ["string", "null"], "format": "date"},
            "dueDate": {"type": ["string", "null"], "format": "date"},
            "items": {"type": "array", "items": _ref("LineItem")}, "subtotalCents": _CENTS, "taxCents": _CENTS,
            "totalCents": _CENTS, "amountPaidCents": _CENTS, "amountDueCents": _CENTS, "notes": _NSTR,
            "createdAt": {"type": "string", "format": "date-time"},
            "updatedAt": {"type": "string", "format": "date-time"}}},
        "Payment": {"type": "object", "properties": {
            "id": _STR, "amountCents": _CENTS, "method": {"enum": ["bank_transfer", "card", "cash", "check", "other"]},
            "paidAt": {"type": "string", "format": "date-time"}, "createdAt": {"type": "string", "format": "date-time"}}},
        "WebhookEvent": {"type": "object", "required": ["type", "data"], "properties": {
            "type": _STR, "data": {"type": "object", "description": "The full resource object"}}},
    }
    invoice_create = {"type": "object", "required": ["currency"], "properties": {
        "number": _STR, "leadId": _STR, "companyId": _STR, "currency": _STR, "issueDate": _STR, "dueDate": _STR,
        "items": {"type": "array", "items": _ref("LineItem")}, "notes": _STR,
        "draft": {"type": "boolean", "default": False, "description": "Keep it a draft instead of issuing it"}}}
    pay = {"type": "object", "properties": {
        "amountCents": {**_CENTS, "description": "Defaults to the amount due"},
        "method": {"enum": ["bank_transfer", "card", "cash", "check", "other"], "default": "bank_transfer"},
        "paidAt": {"type": "string", "format": "date-time"}}}
    paid = {"allOf": [_ref("Invoice"), {"type": "object", "properties": {"payment": _ref("Payment")}}]}
    paths = {
        "/crm/leads": {
            "get": _op("List leads", _ok(_ref("Lead"), listed=True), params=_PAGING),
            "post": _op("Create a lead", _ok(_ref("Lead")), body=_body({**_LEAD_WRITE, "required": ["name"]}),
                        status="201"),
        },
        "/crm/leads/{id}": {
            "get": _op("Get a lead", _ok(_ref("Lead")), params=_ID),
            "patch": _op("Update a lead", _ok(_ref("Lead")), params=_ID, body=_body(_LEAD_WRITE)),
            "delete": _op("Delete a lead", _ok({"type": "object", "properties": {
                "id": _STR, "deleted": {"const": True}}}), params=_ID),
        },
        "/finance/invoices": {
            "get": _op("List invoices", _ok(_ref("Invoice"), listed=True), params=_PAGING),
            "post": _op("Create invoice", _ok(_ref("Invoice")), body=_body(invoice_create), status="201"),
        },
        "/finance/invoices/{id}/pay": {
            "patch": _op("Record payment", _ok(paid), params=_ID, body=_body(pay, required=False)),
        },
        "/projects": {
            "get": {"summary": "List projects", "responses": {"501": _NOT_IMPLEMENTED}},
            "post": {"summary": "Create project", "responses": {"501": _NOT_IMPLEMENTED}},
        },
        "/projects/{id}/tasks": {"post": {"summary": "Create task", "parameters": _ID,
                                          "responses": {"501": _NOT_IMPLEMENTED}}},
    }
    events = ["lead.created", "lead.updated", "lead.converted", "invoice.created", "invoice.paid",
              "invoice.overdue", "project.created", "task.completed"]
    return {
        "openapi": "3.1.0",
        "info": {"title": "Bi369 AI REST API (Opsdesk sandbox)", "version": "1",
                 "description": "Seed 000. Every answer names the key's workspace in X-Tenant-Id (sandbox)."},
        "servers": [{"url": "/dialects/bi369/v1"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "webhooks": {event: {"post": {"summary": f"{event} (configured in Settings → Webhooks)",
                                      "requestBody": _body(_ref("WebhookEvent")),
                                      "responses": {"200": {"description": "Received"}}}} for event in events},
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "b369_full_… (full access) or b369_read_… (read-only)"}},
            "schemas": schemas,
            "responses": {
                "BadRequest": _error_response("Malformed request", "BAD_REQUEST", "The request body is not valid JSON"),
                "Unauthorized": _error_response("Missing or invalid key", "UNAUTHORIZED", "The API key is not valid."),
                "Forbidden": _error_response("Read-only key", "FORBIDDEN", "This API key is read-only"),
                "NotFound": _error_response("No such record", "NOT_FOUND", "Lead with ID 123 not found"),
                "Conflict": _error_response("Conflict", "CONFLICT", "A lead with this email already exists"),
                "ValidationError": _error_response("Invalid fields", "VALIDATION_ERROR",
                                                   "Validation failed: email: not a valid email address"),
                "RateLimited": {**_error_response("Too Many Requests", "RATE_LIMITED", "Rate limit exceeded"),
                                "headers": {"Retry-After": {"schema": {"type": "integer"},
                                                            "description": "Seconds to wait"}}},
            },
        },
    }
