"""Seed 004's own OpenAPI 3.1 document for the operations the platform004 mount serves.

Written from the seed's operation list: route, operation id, summary, required scopes, query
parameters, `Idempotency-Key` header, and the seed's request and response examples.
"""

from __future__ import annotations

from functools import cache
from typing import Any

_LIST = ("limit", "cursor")
#: (method, path, operationId, summary, scopes, query parameters, idempotent, request example, response example)
OPERATIONS: tuple[tuple[str, str, str, str, tuple[str, ...], tuple[str, ...], bool, Any, Any], ...] = (
    ("get", "/workspace", "getWorkspace", "Get workspace summary",
     ("crm:read", "support:read", "integrations:read"), (), False, None,
     {"id": "wrk_123", "name": "Sandbox Workspace", "enabled_modules": ["crm", "support", "integrations"]}),
    ("get", "/contacts", "listContacts", "Search contacts", ("crm:read",), ("query", "company_id", *_LIST), False,
     None, [{"id": "con_123", "name": "Jane Doe", "email": "jane@acme.com"}]),
    ("post", "/contacts", "createContact", "Create contact", ("crm:write",), (), True,
     {"name": "Jane Doe", "email": "jane@acme.com", "company_name": "Acme Corp"},
     {"id": "con_123", "name": "Jane Doe", "email": "jane@acme.com", "company_name": "Acme Corp"}),
    ("get", "/companies", "listCompanies", "Search companies", ("crm:read",), ("query", *_LIST), False, None,
     [{"id": "com_123", "name": "Acme Corp", "domain": "acme.com"}]),
    ("post", "/companies", "createCompany", "Create company", ("crm:write",), (), True,
     {"name": "Acme Corp", "domain": "acme.com"}, {"id": "com_123", "name": "Acme Corp", "domain": "acme.com"}),
    ("get", "/invoices", "listInvoices", "List invoices", ("crm:read",),
     ("status", "company_id", "contact_id", "deal_id", *_LIST), False, None, [{"id": "inv_123", "status": "sent"}]),
    ("post", "/invoices", "createInvoice", "Create invoice", ("crm:write",), (), True,
     {"invoice_number": "INV-1001",
      "line_items": [{"kind": "service", "name": "Website redesign", "unit_amount_cents": 500000}]},
     {"id": "inv_123", "invoice_number": "INV-1001"}),
    ("post", "/payments", "recordPayment", "Record payment", ("crm:write",), (), True,
     {"invoice_id": "inv_123", "amount_cents": 250000}, {"id": "pay_123", "amount_cents": 250000}),
    ("get", "/support/queues", "listSupportQueues", "List support queues", ("support:read",),
     ("query", "status", "custom_field_key", "custom_field_value", *_LIST), False, None,
     [{"id": "queue_123", "name": "Priority Support"}]),
    ("post", "/support/queues", "createSupportQueue", "Create support queue", ("support:write",), (), True,
     {"key": "priority", "name": "Priority Support", "first_response_target_minutes": 120},
     {"id": "queue_123", "key": "priority"}),
    ("get", "/support/tickets", "listSupportTickets", "List support tickets", ("support:read",),
     ("query", "status", "priority", "source", "category", "queue_id", "assignee_id", "contact_id", "company_id",
      "deal_id", "lead_id", "invoice_id", "custom_field_key", "custom_field_value", *_LIST), False, None,
     [{"id": "ticket_123", "priority": "urgent"}]),
    ("post", "/support/tickets", "createSupportTicket", "Create support ticket", ("support:write",), (), True,
     {"subject": "Customer cannot download invoice", "priority": "urgent", "category": "billing"},
     {"id": "ticket_123", "subject": "Customer cannot download invoice", "status": "new"}),
    ("patch", "/support/tickets/{ticket_id}", "updateSupportTicket", "Update support ticket", ("support:write",),
     (), True, {"status": "open", "queue_id": "queue_123"}, {"id": "ticket_123", "status": "open"}),
    ("get", "/support/tickets/{ticket_id}/messages", "listSupportTicketMessages", "List support ticket messages",
     ("support:read",), ("ticket_id", "query", "custom_field_key", "custom_field_value", *_LIST), False, None,
     [{"id": "msg_123", "body": "I still cannot access the invoice."}]),
    ("post", "/support/tickets/{ticket_id}/messages", "addSupportTicketMessage", "Add support ticket message",
     ("support:write",), (), True, {"direction": "inbound", "channel": "email",
                                    "body": "I still cannot access the invoice."},
     {"id": "msg_123", "ticket_id": "ticket_123"}),
    ("get", "/support/tickets/{ticket_id}/comments", "listSupportTicketComments", "List support ticket comments",
     ("support:read",), ("ticket_id", "query", "custom_field_key", "custom_field_value", *_LIST), False, None,
     [{"id": "comment_123", "body": "Finance is checking the invoice export."}]),
    ("post", "/support/tickets/{ticket_id}/comments", "addSupportTicketComment", "Add support ticket comment",
     ("support:write",), (), True, {"body": "Finance is checking the invoice export.", "pinned": True},
     {"id": "comment_123", "pinned": True}),
    ("get", "/webhooks", "listWebhookEndpoints", "List webhook endpoints", ("integrations:read",),
     ("query", "status", "event_type", *_LIST), False, None, [{"id": "wh_123", "name": "CRM Ops Webhook"}]),
    ("post", "/webhooks", "createWebhookEndpoint", "Create webhook endpoint", ("integrations:write",), (), True,
     {"name": "CRM Ops Webhook", "url": "https://example.com/slab5/webhooks", "event_types": ["contact.created"]},
     {"id": "wh_123", "status": "active", "signing_secret_preview": "whsec_abcd...wxyz"}),
    ("patch", "/webhooks/{webhook_id}", "updateWebhookEndpoint", "Update webhook endpoint", ("integrations:write",),
     (), False, {"status": "paused"}, {"id": "wh_123", "status": "paused"}),
    ("post", "/webhooks/{webhook_id}/test", "sendTestWebhookEvent", "Queue test webhook event",
     ("integrations:write",), (), False, None, {"id": "whd_123", "event_type": "webhook.test", "status": "pending"}),
    ("get", "/webhooks/{webhook_id}/deliveries", "listWebhookDeliveries", "List webhook deliveries",
     ("integrations:read",), ("webhook_id", "event_type", "status", *_LIST), False, None,
     [{"id": "whd_123", "status": "failed", "attempt_count": 3}]),
)

_ERRORS = {
    "401": "A valid bearer token is required.",
    "403": "The token does not include the scope required for this operation.",
    "404": "The requested resource does not exist in this workspace.",
    "422": "The request payload failed schema validation.",
    "429": "The workspace exceeded the current rate limit.",
}


def _parameter(name: str, path_params: list[str]) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    if name == "limit":
        schema = {"type": "integer", "minimum": 1, "maximum": 100}
    required = name in ("ticket_id",) and name in path_params
    return {"name": name, "in": "query", "required": required, "schema": schema}


def _operation(op: tuple) -> dict[str, Any]:
    method, path, operation_id, summary, scopes, query, idempotent, request, response = op
    path_params = [part[1:-1] for part in path.split("/") if part.startswith("{")]
    parameters = [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                  for name in path_params]
    parameters += [_parameter(name, path_params) for name in query]
    if idempotent:
        parameters.append({"name": "Idempotency-Key", "in": "header", "required": False, "schema": {"type": "string"},
                           "description": "Stable key for safe retries of the same logical write."})
    envelope: dict[str, Any] = {"data": response, "request_id": "req_123"}
    if isinstance(response, list):
        envelope["next_cursor"] = None
    document: dict[str, Any] = {
        "operationId": operation_id, "summary": summary, "security": [{"bearerAuth": list(scopes)}],
        "x-required-scopes": list(scopes), "parameters": parameters,
        "responses": {
            _success_status(method, path): {
                "description": summary,
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/"
                                                            + ("ListEnvelope" if isinstance(response, list)
                                                               else "Envelope")},
                                                 "example": envelope}}},
            **{status: {"description": text, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/ErrorEnvelope"}}}} for status, text in _ERRORS.items()},
        },
    }
    if request is not None:
        document["requestBody"] = {"required": True, "content": {"application/json": {
            "schema": {"type": "object"}, "example": request}}}
    return document


def _success_status(method: str, path: str) -> str:
    if method != "post":
        return "200"
    return "202" if path.endswith("/test") else "201"


@cache
def openapi_document() -> dict[str, Any]:
    """The document served at `/dialects/platform004/v1/openapi.json`."""
    paths: dict[str, dict[str, Any]] = {}
    for op in OPERATIONS:
        paths.setdefault(op[1], {})[op[0]] = _operation(op)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Platform 004 API", "version": "v1",
                 "description": "Seed 004's REST contract as the Opsdesk sandbox serves it. Its other groups"
                                " (leads, deals, accounting, tasks, activities, CMS, marketing, assets,"
                                " analytics, BI) have no data in the sandbox and are not served."},
        "servers": [{"url": "/dialects/platform004/v1"}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Envelope": {"type": "object", "required": ["data", "request_id"],
                             "properties": {"data": {"type": "object"}, "request_id": {"type": "string"}}},
                "ListEnvelope": {"type": "object", "required": ["data", "request_id", "next_cursor"],
                                 "properties": {"data": {"type": "array", "items": {"type": "object"}},
                                                "request_id": {"type": "string"},
                                                "next_cursor": {"type": ["string", "null"]}}},
                "ErrorEnvelope": {"type": "object", "required": ["error", "request_id"], "properties": {
                    "error": {"type": "object", "required": ["code", "message"], "properties": {
                        "code": {"type": "string"}, "message": {"type": "string"},
                        "details": {"type": "object"}}},
                    "request_id": {"type": "string"}}},
            },
        },
    }
