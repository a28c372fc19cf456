"""The text of one request record as the detail pane shows it: everything, already redacted."""

from __future__ import annotations

from app.data.request_history import RequestRecord
from app.ui.panels.request_log.request_filter import path_of


def describe_record(record: RequestRecord) -> str:
    """A plain-text report of the exchange: summary, ids, headers and bodies (masked by the client)."""
    outcome = str(record.status) if record.status is not None else f"no response ({record.error or 'network error'})"
    lines = [
        f"{record.method} {record.url}",
        f"Status:          {outcome}",
        f"Attempt:         {record.attempt}",
        f"Started:         {record.started_at.isoformat(timespec='milliseconds')}",
        f"Duration:        {record.duration_ms:.0f} ms",
        f"Request id:      {record.request_id or '—'}",
        f"Idempotency key: {record.idempotency_key or '—'}",
        f"Sizes:           {record.request_size} B sent, {record.response_size} B received",
    ]
    if record.error:
        lines.append(f"Error:           {record.error}")
    lines += ["", "Request headers", *_headers(record.request_headers)]
    lines += ["", "Request body", record.request_body or "(none)"]
    lines += ["", "Response headers", *_headers(record.response_headers)]
    lines += ["", "Response body", record.response_body or "(none)"]
    return "\n".join(lines)


def summary(record: RequestRecord) -> str:
    """One line: method, path, outcome."""
    outcome = str(record.status) if record.status is not None else "network error"
    return f"{record.method} {path_of(record)} → {outcome}"


def _headers(headers: tuple[tuple[str, str], ...]) -> list[str]:
    return [f"  {name}: {value}" for name, value in headers] or ["  (none)"]
