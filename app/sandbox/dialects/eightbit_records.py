"""8bit-ai's records (seed 001) made of the contract's, and 8bit bodies turned into contract bodies.

The seed names its resources (agents, conversations, messages, webhooks, billing, organization)
but not their fields; these are snake_case, as its query parameters are:
- conversation (a contract ticket): `{id, subject, status, priority, channel, assignee_id,
  customer_id, metadata, created_at, updated_at}`;
- message: `{id, conversation_id, role: customer|agent, channel, content, author_id, created_at}`;
- webhook: `{id, name, url, description, events[], status, disabled_reason, secret_preview,
  created_at}` (+ `secret` once, on create);
- organization: `{id, name, plan, environment, rate_limit_per_minute}`; member `{id, name, email,
  role, status}`.
"""

from __future__ import annotations

from typing import Any

#: 8bit field → contract field, per writable resource. A field not listed is refused.
CONVERSATION_IN: dict[str, str] = {
    "subject": "subject", "status": "status", "priority": "priority", "channel": "source",
    "assignee_id": "assignee_id", "customer_id": "contact_id", "metadata": "custom_fields",
}
MESSAGE_IN: dict[str, str] = {"role": "direction", "channel": "channel", "content": "body"}
WEBHOOK_IN: dict[str, str] = {"name": "name", "url": "url", "description": "description", "events": "event_types",
                              "status": "status"}
ROLE_IN = {"customer": "inbound", "agent": "outbound"}
ROLE_OUT = {value: key for key, value in ROLE_IN.items()}
#: Contract field → 8bit field, for the fields an error names.
OWN_NAME: dict[str, str] = {ours: own for table in (CONVERSATION_IN, MESSAGE_IN, WEBHOOK_IN)
                            for own, ours in table.items()}


def contract_body(body: dict[str, Any], table: dict[str, str]) -> tuple[dict[str, Any], list[str]]:
    """`body` in the contract's names, and the 8bit fields it has that `table` does not know."""
    unknown = [key for key in body if key not in table]
    out = {table[key]: value for key, value in body.items() if key in table}
    if table is MESSAGE_IN and isinstance(out.get("direction"), str):
        out["direction"] = ROLE_IN.get(out["direction"], out["direction"])
    return out, unknown


def conversation(ticket: dict[str, Any]) -> dict[str, Any]:
    return {"id": ticket["id"], "subject": ticket.get("subject"), "status": ticket.get("status"),
            "priority": ticket.get("priority"), "channel": ticket.get("source"),
            "assignee_id": ticket.get("assignee_id"), "customer_id": ticket.get("contact_id"),
            "metadata": ticket.get("custom_fields") or {}, "created_at": ticket.get("created_at"),
            "updated_at": ticket.get("updated_at")}


def message(record: dict[str, Any]) -> dict[str, Any]:
    return {"id": record["id"], "conversation_id": record.get("ticket_id"),
            "role": ROLE_OUT.get(record.get("direction", ""), record.get("direction")),
            "channel": record.get("channel"), "content": record.get("body"), "author_id": record.get("author_id"),
            "created_at": record.get("created_at")}


def webhook(record: dict[str, Any]) -> dict[str, Any]:
    out = {"id": record["id"], "name": record.get("name"), "url": record.get("url"),
           "description": record.get("description"), "events": record.get("event_types") or [],
           "status": record.get("status"), "disabled_reason": record.get("disabled_reason"),
           "secret_preview": record.get("signing_secret_preview"), "created_at": record.get("created_at")}
    if record.get("signing_secret"):
        out["secret"] = record["signing_secret"]
    return out


def organization(workspace: dict[str, Any]) -> dict[str, Any]:
    return {key: workspace.get(key) for key in ("id", "name", "plan", "environment", "rate_limit_per_minute")}


def member(record: dict[str, Any]) -> dict[str, Any]:
    return {key: record.get(key) for key in ("id", "name", "email", "role", "status")}


def deleted(record: dict[str, Any]) -> dict[str, Any]:
    return {"id": record.get("id"), "deleted": True}
