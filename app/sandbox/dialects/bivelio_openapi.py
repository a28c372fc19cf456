"""The OpenAPI 3.1 document of the BiVelio mount, written from seed 002 (its endpoints, bodies,
envelope, error codes and `X-API-Key` security), marking the sandbox's two extensions."""

from __future__ import annotations

from typing import Any

from app.sandbox.dialects.bivelio_shapes import SUPPORTED_EVENTS

_STRING = {"type": "string"}
_NULLABLE_STRING = {"type": ["string", "null"]}
_TAGS = {"type": "array", "items": _STRING}
_CUSTOM = {"type": "object", "additionalProperties": {"type": ["string", "number", "boolean"]}}
_PAGE = {"page": {"type": "integer", "minimum": 1, "default": 1},
         "per_page": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}}
_ID_EXTENSION = {"type": "string", "description": "Opsdesk sandbox extension (not in seed 002): one record by id."}


def _obj(properties: dict[str, Any], required: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"type": "object", "properties": properties, **({"required": list(required)} if required else {})}


SCHEMAS: dict[str, Any] = {
    "Contact": _obj({"id": _STRING, "type": {"enum": ["person", "company"]}, "name": _STRING,
                     "email": _NULLABLE_STRING, "phone": _NULLABLE_STRING, "company_id": _NULLABLE_STRING,
                     "tags": _TAGS, "custom_fields": _CUSTOM, "created_at": _STRING, "updated_at": _STRING}),
    "Pagination": _obj({"page": {"type": "integer"}, "per_page": {"type": "integer"},
                        "total": {"type": "integer"}, "total_pages": {"type": "integer"}}),
    "LineItem": _obj({"description": _STRING, "quantity": {"type": "integer"}, "unit_price": {"type": "number"},
                      "tax_rate": {"type": "number", "description": "Percent, e.g. 21"},
                      "total": {"type": "number"}}),
    "Invoice": _obj({"id": _STRING, "number": _STRING, "type": {"enum": ["issued", "received"]},
                     "status": {"enum": ["draft", "pending", "overdue", "paid", "void"]},
                     "client": _obj({"id": _STRING, "name": _NULLABLE_STRING}),
                     "subtotal": {"type": "number"}, "tax": {"type": "number"}, "total": {"type": "number"},
                     "currency": _STRING, "issue_date": _NULLABLE_STRING, "due_date": _NULLABLE_STRING,
                     "line_items": {"type": "array", "items": {"$ref": "#/components/schemas/LineItem"}},
                     "notes": _NULLABLE_STRING, "created_at": _STRING, "updated_at": _STRING}),
    "Webhook": _obj({"webhook_id": _STRING, "url": _STRING, "events": _TAGS,
                     "status": {"enum": ["active", "paused", "inactive"]}, "description": _NULLABLE_STRING,
                     "last_triggered_at": _NULLABLE_STRING, "success_rate": {"type": ["number", "null"]},
                     "signing_secret": {"type": "string", "description": "Only in the create answer."},
                     "created_at": _STRING}),
    "Error": _obj({"success": {"const": False}, "error": _obj({
        "code": {"enum": ["AUTH_INVALID_TOKEN", "AUTH_EXPIRED_TOKEN", "AUTH_INSUFFICIENT_SCOPE",
                          "VALIDATION_ERROR", "RESOURCE_NOT_FOUND", "RATE_LIMIT_EXCEEDED", "INTERNAL_ERROR"]},
        "message": _STRING, "details": {"type": "object"}, "retry_after": {"type": "integer"}},
        ("code", "message"))}),
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _operation(summary: str, scope: str, action: str, data: dict[str, Any], result: dict[str, Any]) -> dict[str, Any]:
    errors = {str(status): {"description": text, "content": {"application/json": {"schema": _ref("Error")}}}
              for status, text in ((400, "Bad request"), (401, "AUTH_INVALID_TOKEN"),
                                   (403, "AUTH_INSUFFICIENT_SCOPE"), (404, "RESOURCE_NOT_FOUND"),
                                   (409, "Conflict"), (422, "VALIDATION_ERROR"), (429, "RATE_LIMIT_EXCEEDED"))}
    return {"post": {
        "summary": summary, "description": f"Required scope: {scope}", "security": [{"ApiKey": []}],
        "requestBody": {"required": True, "content": {"application/json": {"schema": _obj(
            {"action": {"const": action}, "data": data}, ("action",))}}},
        "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": _obj(
            {"success": {"const": True}, "data": result})}}}, **errors}}}


def openapi_document() -> dict[str, Any]:
    """The mount's OpenAPI 3.1 document."""
    contact_data = _obj({"type": {"enum": ["person", "company"]}, "name": _STRING, "email": _STRING,
                         "phone": _STRING, "company_id": _STRING, "tags": _TAGS, "custom_fields": _CUSTOM})
    paths = {
        "/contacts": _operation("List or search contacts", "read", "list", _obj(
            {"search": _STRING, "type": {"enum": ["person", "company"], "default": "person"}, "tags": _TAGS,
             "id": _ID_EXTENSION, **_PAGE}),
            _obj({"contacts": {"type": "array", "items": _ref("Contact")}, "pagination": _ref("Pagination")})),
        "/contacts/create": _operation("Create contact", "write", "create", contact_data, _ref("Contact")),
        "/contacts/update": _operation("Update contact (only included fields; custom_fields merge by key)",
                                       "write", "update", {**contact_data, "required": ["id"],
                                                           "properties": {**contact_data["properties"],
                                                                          "id": _STRING}}, _ref("Contact")),
        "/invoices/list": _operation("List invoices", "read", "list", _obj(
            {"type": {"enum": ["issued", "received"]}, "status": _STRING, "from_date": _STRING,
             "to_date": _STRING, "id": _ID_EXTENSION, **_PAGE}),
            _obj({"invoices": {"type": "array", "items": _ref("Invoice")}, "pagination": _ref("Pagination")})),
        "/invoices/create": _operation("Create invoice", "write", "create", _obj(
            {"client_id": _STRING, "issue_date": _STRING, "due_date": _STRING, "currency": _STRING,
             "line_items": {"type": "array", "items": _ref("LineItem")}, "notes": _STRING,
             "auto_send": {"type": "boolean"}}), _ref("Invoice")),
        "/webhooks/create": _operation("Register webhook", "admin", "create", _obj(
            {"url": _STRING, "events": {"type": "array", "items": {"enum": list(SUPPORTED_EVENTS)}},
             "secret": _STRING, "description": _STRING}, ("url", "events")), _ref("Webhook")),
        "/webhooks/list": _operation("List webhooks", "admin", "list", _obj({}),
                                     _obj({"webhooks": {"type": "array", "items": _ref("Webhook")}})),
        "/auth/introspect": _operation("Who this API key is (Opsdesk sandbox extension, not in seed 002)",
                                       "any", "introspect", _obj({}), _obj(
                                           {"key_id": _STRING, "name": _NULLABLE_STRING,
                                            "type": {"enum": ["secret", "publishable"]},
                                            "environment": {"enum": ["production", "sandbox"]},
                                            "scopes": _TAGS, "org_id": _STRING})),
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "BiVelio API (Opsdesk sandbox)", "version": "1.0.0",
                 "description": "Seed 002's action-RPC API over the sandbox's data. Webhooks are signed "
                                "X-BiVelio-Signature: hex HMAC-SHA256 of the body with the signing secret; "
                                "retried at 30 s, 2 min, 10 min and 1 h; deactivated after 5 failed attempts."},
        "servers": [{"url": "/dialects/bivelio/v1"}],
        "paths": paths,
        "components": {"schemas": SCHEMAS, "securitySchemes": {"ApiKey": {
            "type": "apiKey", "in": "header", "name": "X-API-Key",
            "description": "bv_live_sk_… / bv_test_sk_… secret keys; bv_live_pk_… publishable (read-only)."}}},
    }
