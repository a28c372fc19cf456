"""Human words for every enum value the platform sends: one table for the UI, the PDF and CSV.

The wire speaks `partially_paid`, `waiting_on_customer`, `feature_request`; an operator reads
"Partially paid", "Waiting on customer", "Feature request". Every label, table cell, PDF line
and CSV header that shows such a value goes through `label(field, value)`, so the words are
the same everywhere and a new value the server adds still reads as words, not as an identifier.
Qt-free: the CSV and PDF writers use it too.
"""

from __future__ import annotations

from collections.abc import Mapping

#: Values whose words are not just the identifier with spaces (field → value → label).
SPECIAL: Mapping[str, Mapping[str, str]] = {
    "status": {
        "new": "New", "open": "Open", "pending": "Pending", "waiting_on_customer": "Waiting on customer",
        "resolved": "Resolved", "closed": "Closed",
        "draft": "Draft", "sent": "Sent", "partially_paid": "Partially paid", "paid": "Paid",
        "void": "Void", "overdue": "Overdue",
        "active": "Active", "paused": "Paused", "disabled": "Disabled", "archived": "Archived",
        "retrying": "Retrying", "succeeded": "Succeeded", "failed": "Failed",
        "expiring": "Expiring", "expired": "Expired", "revoked": "Revoked",
    },
    "priority": {"low": "Low", "normal": "Normal", "high": "High", "urgent": "Urgent"},
    "channel": {"email": "Email", "chat": "Chat", "phone": "Phone", "web": "Web form",
                "whatsapp": "WhatsApp", "telegram": "Telegram"},
    "direction": {"inbound": "From the customer", "outbound": "To the customer"},
    "kind": {"service": "Service", "product": "Product", "fee": "Fee", "api_key": "API key", "user": "User"},
    "resource": {"api_calls": "API calls", "ai_calls": "AI calls", "storage_bytes": "Storage", "seats": "Seats"},
    "environment": {"live": "Live", "test": "Test"},
    "method": {"card": "Card", "bank_transfer": "Bank transfer", "cash": "Cash", "check": "Check",
               "other": "Other"},
    "source": {"manual": "Entered by an agent", "web": "Web form", "api": "API", "mcp": "MCP (AI assistant)"},
    # The modules the platform meters quota per (GET /quota/breakdown's by_module).
    "module": {"crm": "CRM", "support": "Support", "billing": "Billing", "integrations": "Integrations",
               "keys": "API keys", "logs": "Logs", "quota": "Quota", "workspace": "Workspace", "auth": "Sign-in",
               "other": "Other"},
}
#: Words that keep their capitals inside a label.
_ACRONYMS = {"api": "API", "ai": "AI", "sla": "SLA", "url": "URL", "id": "ID", "csv": "CSV", "pdf": "PDF",
             "sms": "SMS", "vat": "VAT"}


def label(field: str, value: str | None, *, empty: str = "—") -> str:
    """The operator's words for `value` of `field` (`status`, `priority`, …); `empty` for none."""
    if value is None or value == "":
        return empty
    special = SPECIAL.get(field, {}).get(value)
    return special if special is not None else humanize(value)


def humanize(identifier: str) -> str:
    """`feature_request` → "Feature request", `ticket.message.created` → "Ticket message created"."""
    words = [word for word in identifier.replace(".", " ").replace("_", " ").replace("-", " ").split() if word]
    if not words:
        return identifier
    shown = [_ACRONYMS.get(word.lower(), word.lower()) for word in words]
    first = shown[0]
    shown[0] = first if first in _ACRONYMS.values() else first[:1].upper() + first[1:]
    return " ".join(shown)


def event_label(event_type: str) -> str:
    """`invoice.paid` → "Invoice paid" (webhook event types in lists and choosers)."""
    return humanize(event_type)
