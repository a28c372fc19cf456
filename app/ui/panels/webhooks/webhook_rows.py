"""How endpoints, deliveries and attempts read in the webhooks panel's tables.

Statuses and event types read as words (`app.ui.labels`), times as "2 h ago" with the exact
local time on hover (`app.ui.time_text`). An endpoint's events, up to all 18 of them, are summed
up in a few words ("18 events: contacts, companies, tickets, …") with the full list in the
tooltip, so the column never grows past what the table can show. Failed deliveries and disabled
endpoints carry the error colour, retrying ones the warning colour, so trouble stands out in a
long list without reading every row.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from app.api.models.webhooks import EVENT_TYPES
from app.ui.labels import event_label, humanize, label
from app.ui.record_table_model import Column, field_of
from app.ui.theme import semantic_colour
from app.ui.time_text import exact, relative

DELIVERY_STATUSES: tuple[str, ...] = ("pending", "retrying", "succeeded", "failed")
#: What the events of one resource are called in a summary ("contact.created" → "contacts").
_GROUP_WORDS = {"contact": "contacts", "company": "companies", "ticket": "tickets", "invoice": "invoices",
                "payment": "payments", "api_key": "API keys", "webhook": "test events"}
#: Up to this many events are named one by one; more are summed up by resource.
NAMED_EVENTS = 2


def events_summary(event_types: Sequence[str] | None) -> str:
    """`Invoice paid, Payment recorded`; `All 18 events`; `12 events: contacts, invoices, payments`."""
    types = list(event_types or [])
    if not types:
        return "No events"
    if len(types) <= NAMED_EVENTS:
        return ", ".join(event_label(event_type) for event_type in types)
    if set(types) >= set(EVENT_TYPES):
        return f"All {len(types)} events"
    groups: list[str] = []
    for event_type in types:
        group = _group_of(event_type)
        if group not in groups:
            groups.append(group)
    return f"{len(types)} events: " + ", ".join(_GROUP_WORDS.get(g, humanize(g).lower()) for g in groups)


def events_by_resource(event_types: Sequence[str] | None) -> str:
    """"Contact: created, updated; Invoice: paid" — every event in words, a line's worth for 18."""
    groups: dict[str, list[str]] = {}
    for event_type in event_types or []:
        group, _, rest = event_type.partition(".")
        groups.setdefault(group, []).append(humanize(rest).lower() if rest else "")
    return "; ".join(f"{humanize(group)}: " + ", ".join(what for what in whats if what)
                     for group, whats in groups.items()) or "No events"


def events_list(event_types: Sequence[str] | None) -> str:
    """Every event in words, one per line (the summary's tooltip, the detail's list)."""
    return "\n".join(event_label(event_type) for event_type in event_types or []) or "No events"


def _group_of(event_type: str) -> str:
    return event_type.split(".", 1)[0]


def endpoint_status(webhook: Any) -> str:
    """`Active`, `Paused`, `Disabled` (why is in the tooltip and the detail)."""
    return label("status", webhook.status)


def _status_tooltip(webhook: Any) -> str:
    return webhook.disabled_reason or endpoint_status(webhook)


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


def _when(value: Any, never: str = "—") -> str:
    return relative(value, empty=never)


#: Column numbers of the endpoints table (tests and the column layout name them).
(ENDPOINT_NAME, ENDPOINT_URL, ENDPOINT_STATUS, ENDPOINT_SUCCESS, ENDPOINT_SECRET, ENDPOINT_LAST,
 ENDPOINT_EVENTS) = range(7)
#: First-run widths: at 1024×700 the table is about 810 px wide (a vertical scroll bar taken off),
#: and every column up to the last delivery fits in it with the events summary (which stretches)
#: still readable; at 1200×760 the summary gets about 175 px more. The secret column fits the widest
#: preview of nearly any secret (`whsec_` + 4 + … + 4 random base64 characters: typically 115–135 px of text).
ENDPOINT_WIDTHS = {ENDPOINT_NAME: 140, ENDPOINT_URL: 145, ENDPOINT_STATUS: 80, ENDPOINT_SUCCESS: 70,
                   ENDPOINT_SECRET: 160, ENDPOINT_LAST: 100, ENDPOINT_EVENTS: 100}


def endpoint_columns() -> list[Column]:
    return [
        Column("Name", field_of("name"), object_name="name"),
        Column("URL", field_of("url"), tooltip=field_of("url")),
        Column("Status", endpoint_status, foreground=_endpoint_colour, tooltip=_status_tooltip,
               object_name="status"),
        Column("Success", field_of("success_rate"), text=success_rate, foreground=_rate_colour, align_right=True,
               tooltip=lambda w: "Share of the latest finished deliveries that succeeded"),
        Column("Secret", field_of("signing_secret_preview"),
               tooltip=lambda w: "Only a preview: the secret itself is shown once, when it is made"),
        Column("Last delivery", field_of("last_delivery_at"), text=lambda v: _when(v, "never"),
               tooltip=lambda w: exact(w.last_delivery_at, empty="No delivery yet")),
        Column("Events", field_of("event_types"), text=events_summary, sort_key=lambda w: len(w.event_types),
               tooltip=lambda w: events_list(w.event_types)),
    ]


def delivery_status(status: str | None) -> str:
    return label("status", status)


def _delivery_colour(delivery: Any):
    return {"failed": semantic_colour("error"), "retrying": semantic_colour("warning"),
            "succeeded": semantic_colour("success")}.get(delivery.status)


#: First-run widths of the delivery log (the event id stretches).
DELIVERY_WIDTHS = {0: 90, 1: 170, 2: 170, 3: 90, 4: 70, 5: 100, 6: 120}


def delivery_columns(endpoint_name) -> list[Column]:
    """`endpoint_name(webhook_id)` shows which endpoint a delivery went to (across-endpoint view)."""
    return [
        Column("Created", field_of("created_at"), text=_when, tooltip=lambda d: exact(d.created_at)),
        Column("Endpoint", lambda d: endpoint_name(d.webhook_id)),
        Column("Event", field_of("event_type"), text=event_label, tooltip=field_of("event_type")),
        Column("Status", field_of("status"), text=delivery_status, foreground=_delivery_colour,
               object_name="status"),
        Column("Attempts", field_of("attempt_count"), align_right=True),
        Column("Next attempt", field_of("next_attempt_at"), text=_when,
               tooltip=lambda d: exact(d.next_attempt_at, empty="No attempt planned")),
        Column("Event id", field_of("event_id")),
    ]


def _attempt_colour(attempt: Any):
    ok = attempt.error is None and attempt.response_status is not None and 200 <= attempt.response_status < 300
    return semantic_colour("success") if ok else semantic_colour("error")


#: First-run widths of a delivery's attempts (the response body stretches).
ATTEMPT_WIDTHS = {0: 90, 1: 80, 2: 70, 3: 150, 4: 120}


def attempt_columns() -> list[Column]:
    return [
        Column("Attempted", field_of("attempted_at"), text=_when, tooltip=lambda a: exact(a.attempted_at)),
        Column("HTTP status", field_of("response_status"), text=lambda v: "—" if v is None else str(v),
               foreground=_attempt_colour, object_name="status"),
        Column("Latency", field_of("duration_ms"), text=lambda v: "" if v is None else f"{v:.0f} ms",
               align_right=True),
        Column("Error", field_of("error"), tooltip=field_of("error")),
        Column("Response body", field_of("response_body"), text=lambda v: (v or "")[:200].replace("\n", " "),
               tooltip=lambda a: a.response_body),
    ]
