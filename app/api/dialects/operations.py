"""The contract's operations by name, and how a contract request (method + path) is named.

Every resource call the client makes is one of these operations. A dialect translates by
operation name ("contacts.update"), never by string-matching paths of its own, and the capability
manifest lists operation names, so "which operations exist" has one vocabulary everywhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: (operation, method, contract path template, module). Path parameters are `{name}`.
OPERATIONS: tuple[tuple[str, str, str, str], ...] = (
    ("workspace.get", "GET", "/workspace", "core"),
    ("me.get", "GET", "/me", "core"),
    ("members.list", "GET", "/members", "core"),
    ("contacts.list", "GET", "/contacts", "crm"),
    ("contacts.get", "GET", "/contacts/{id}", "crm"),
    ("contacts.create", "POST", "/contacts", "crm"),
    ("contacts.update", "PATCH", "/contacts/{id}", "crm"),
    ("contacts.delete", "DELETE", "/contacts/{id}", "crm"),
    ("companies.list", "GET", "/companies", "crm"),
    ("companies.get", "GET", "/companies/{id}", "crm"),
    ("companies.create", "POST", "/companies", "crm"),
    ("companies.update", "PATCH", "/companies/{id}", "crm"),
    ("queues.list", "GET", "/support/queues", "support"),
    ("queues.create", "POST", "/support/queues", "support"),
    ("tickets.list", "GET", "/support/tickets", "support"),
    ("tickets.count", "GET", "/support/tickets/count", "support"),
    ("tickets.get", "GET", "/support/tickets/{id}", "support"),
    ("tickets.create", "POST", "/support/tickets", "support"),
    ("tickets.update", "PATCH", "/support/tickets/{id}", "support"),
    ("messages.list", "GET", "/support/tickets/{id}/messages", "support"),
    ("messages.create", "POST", "/support/tickets/{id}/messages", "support"),
    ("comments.list", "GET", "/support/tickets/{id}/comments", "support"),
    ("comments.create", "POST", "/support/tickets/{id}/comments", "support"),
    ("invoices.list", "GET", "/invoices", "billing"),
    ("invoices.get", "GET", "/invoices/{id}", "billing"),
    ("invoices.create", "POST", "/invoices", "billing"),
    ("invoices.update", "PATCH", "/invoices/{id}", "billing"),
    ("invoices.send", "POST", "/invoices/{id}/send", "billing"),
    ("invoices.void", "POST", "/invoices/{id}/void", "billing"),
    ("payments.list", "GET", "/payments", "billing"),
    ("payments.create", "POST", "/payments", "billing"),
    ("webhooks.list", "GET", "/webhooks", "integrations"),
    ("webhooks.get", "GET", "/webhooks/{id}", "integrations"),
    ("webhooks.create", "POST", "/webhooks", "integrations"),
    ("webhooks.update", "PATCH", "/webhooks/{id}", "integrations"),
    ("webhooks.delete", "DELETE", "/webhooks/{id}", "integrations"),
    ("webhooks.test", "POST", "/webhooks/{id}/test", "integrations"),
    ("webhooks.rotate_secret", "POST", "/webhooks/{id}/rotate-secret", "integrations"),
    ("deliveries.list", "GET", "/webhooks/{id}/deliveries", "integrations"),
    ("deliveries.get", "GET", "/webhooks/{id}/deliveries/{delivery_id}", "integrations"),
    ("deliveries.retry", "POST", "/webhooks/{id}/deliveries/{delivery_id}/retry", "integrations"),
    ("deliveries.retry_many", "POST", "/webhooks/{id}/deliveries/retry", "integrations"),
    ("webhooks.recover", "POST", "/webhooks/{id}/recover", "integrations"),
    ("webhooks.recover_jobs", "GET", "/webhooks/{id}/recover", "integrations"),
    ("webhooks.recover_status", "GET", "/webhooks/{id}/recover/{job_id}", "integrations"),
    ("webhooks.recover_cancel", "POST", "/webhooks/{id}/recover/{job_id}/cancel", "integrations"),
    ("events.list", "GET", "/events", "logs"),
    ("events.trigger", "POST", "/events/trigger", "logs"),
    ("events.get", "GET", "/events/{id}", "logs"),
    ("events.resend", "POST", "/events/{id}/resend", "logs"),
    ("quota.status", "GET", "/quota/status", "quota"),
    ("quota.breakdown", "GET", "/quota/breakdown", "quota"),
    ("quota.history", "GET", "/quota/history", "quota"),
    ("quota.consume", "POST", "/quota/consume", "quota"),
    ("api_keys.list", "GET", "/api-keys", "keys"),
    ("api_keys.get", "GET", "/api-keys/{id}", "keys"),
    ("api_keys.create", "POST", "/api-keys", "keys"),
    ("api_keys.rotate", "POST", "/api-keys/{id}/rotate", "keys"),
    ("api_keys.revoke", "POST", "/api-keys/{id}/revoke", "keys"),
    ("dev.api_requests", "GET", "/dev/api-requests", "logs"),
    ("dev.webhook_deliveries", "GET", "/dev/webhook-deliveries", "logs"),
    ("deletions.list", "GET", "/deletions", "core"),
)

ALL_OPERATIONS: frozenset[str] = frozenset(name for name, *_ in OPERATIONS)
#: The console's modules (app/ui/panels/registry.py names) and the operations each one uses.
MODULE_OF: dict[str, str] = {name: module for name, _, _, module in OPERATIONS}


@dataclass(frozen=True)
class Operation:
    """One contract call named: `name`, its path parameters (`{"id": "con_1"}`) and its module."""

    name: str
    params: dict[str, str]
    module: str


def _compile(template: str) -> re.Pattern[str]:
    pattern = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template)
    return re.compile(f"^{pattern}$")


_TABLE = tuple((name, method, _compile(template), module) for name, method, template, module in OPERATIONS)


def operation_of(method: str, path: str) -> Operation:
    """The operation `method path` is (path relative to the API root, with or without a leading /)."""
    path = "/" + path.split("?", 1)[0].strip("/")
    for name, verb, pattern, module in _TABLE:
        if verb == method:
            match = pattern.match(path)
            if match:
                return Operation(name, match.groupdict(), module)
    raise KeyError(f"{method} {path} is not an operation of the Platform API v1 contract")
