"""How endpoints, deliveries and attempts read in the webhooks panel's tables.

Failed deliveries and disabled endpoints carry the error colour, retrying ones the warning
colour, so trouble stands out in a long list without reading every row.
"""

from __future__ import annotations

from typing import Any

from app.ui.widgets.timestamps import when
from app.ui.record_table_model import Column, field_of
from app.ui.theme import semantic_colour

DELIVERY_STATUSES: tuple[str, ...] = ("pending", "retrying", "succeeded", "failed")


def endpoint_status(webhook: Any) -> str:
    """`active`, `paused`, or `disabled: <reason>`."""
    if webhook.status == "disabled" and webhook.disabled_reason:
        return f"disabled: {webhook.disabled_reason}"
    return webhook.status


def success_rate(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f} %"


def _endpoint_colour(webhook: Any):
    if webhook.status == "disabled":
        return semantic_colour("error")
    if webhook.status == "paused":
        return semantic_colour("warning")
    return None


def _rate_colour(webhook: Any):
    rate = webhook.success_rate
    if rate is not None and rate < 0.9:
        return semantic_colour("error" if rate < 0.5 else "warning")
    return None


def endpoint_columns() -> list[Column]:
    return [
        Column("Name", field_of("name"), object_name="name"),
        Column("URL", field_of("url")),
        Column("Events", field_of("event_types"), text=lambda types: ", ".join(types or []),
               tooltip=lambda w: "\n".join(w.event_types)),
        Column("Status", endpoint_status, foreground=_endpoint_colour, tooltip=lambda w: w.disabled_reason,
               object_name="status"),
        Column("Success", field_of("success_rate"), text=success_rate, foreground=_rate_colour, align_right=True),
        Column("Last delivery", field_of("last_delivery_at"), text=lambda v: when(v, never="never")),
        Column("Secret", field_of("signing_secret_preview")),
    ]


def _delivery_colour(delivery: Any):
    return {"failed": semantic_colour("error"), "retrying": semantic_colour("warning"),
            "succeeded": semantic_colour("success")}.get(delivery.status)


def delivery_columns(endpoint_name) -> list[Column]:
    """`endpoint_name(webhook_id)` shows which endpoint a delivery went to (across-endpoint view)."""
    return [
        Column("Created", field_of("created_at"), text=when),
        Column("Endpoint", lambda d: endpoint_name(d.webhook_id)),
        Column("Event", field_of("event_type")),
        Column("Status", field_of("status"), foreground=_delivery_colour, object_name="status"),
        Column("Attempts", field_of("attempt_count"), align_right=True),
        Column("Next attempt", field_of("next_attempt_at"), text=lambda v: when(v, never="—")),
        Column("Event id", field_of("event_id")),
    ]


def _attempt_colour(attempt: Any):
    ok = attempt.error is None and attempt.response_status is not None and 200 <= attempt.response_status < 300
    return semantic_colour("success") if ok else semantic_colour("error")


def attempt_columns() -> list[Column]:
    return [
        Column("Attempted", field_of("attempted_at"), text=lambda v: v.astimezone().strftime("%Y-%m-%d %H:%M:%S")),
        Column("HTTP status", field_of("response_status"), text=lambda v: "—" if v is None else str(v),
               foreground=_attempt_colour, object_name="status"),
        Column("Latency", field_of("duration_ms"), text=lambda v: "" if v is None else f"{v:.0f} ms",
               align_right=True),
        Column("Error", field_of("error")),
        Column("Response body", field_of("response_body"), text=lambda v: (v or "")[:200].replace("\n", " "),
               tooltip=lambda a: a.response_body),
    ]
