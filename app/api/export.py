"""Render request records for sharing: a copy-pasteable curl command, or a HAR 1.2 archive.

Both work only from `RequestRecord`s, which are redacted when made, so an export can never carry
a secret; the credential header shows as a placeholder the reader fills in.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from app import __version__
from app.api.records import RequestRecord
from app.api.redaction import truncated_bytes

# Headers curl sets itself or that only describe this one exchange.
_CURL_SKIPPED = frozenset({"host", "content-length", "accept-encoding", "connection", "user-agent"})


def to_curl(record: RequestRecord) -> str:
    """A curl command that repeats the request; the secret appears as `$OPSDESK_TOKEN`.

    A body cut short when recorded is left out (posting half a body would send garbage): a
    comment line above the command says so.
    """
    parts = ["curl", "-X", record.method, shlex.quote(record.url)]
    for name, value in record.request_headers:
        if name.lower() in _CURL_SKIPPED:
            continue
        if name.lower() == "authorization":
            parts += ["-H", '"Authorization: Bearer $OPSDESK_TOKEN"']
            continue
        parts += ["-H", shlex.quote(f"{name}: {value}")]
    cut = truncated_bytes(record.request_body)
    if record.request_body and not cut:
        parts += ["--data-raw", shlex.quote(record.request_body)]
    command = " \\\n  ".join(_pairs(parts))
    if cut:
        return (f"# The request body was truncated when recorded ({cut} more bytes not kept): "
                f"add it with --data-raw before running.\n{command}")
    return command


def _pairs(parts: list[str]) -> list[str]:
    """Group flags with their values so each line of the command reads as one option."""
    lines = [" ".join(parts[:4])]
    for index in range(4, len(parts), 2):
        lines.append(" ".join(parts[index:index + 2]))
    return lines


def to_har(records: Iterable[RequestRecord]) -> dict[str, Any]:
    """A HAR 1.2 document (`{"log": …}`) of the records, oldest first, ready for `json.dump`."""
    return {
        "log": {
            "version": "1.2",
            "creator": {"name": "opsdesk", "version": __version__},
            "entries": [_entry(record) for record in sorted(records, key=lambda r: r.started_at)],
        }
    }


def _entry(record: RequestRecord) -> dict[str, Any]:
    query = parse_qsl(urlsplit(record.url).query, keep_blank_values=True)
    request: dict[str, Any] = {
        "method": record.method,
        "url": record.url,
        "httpVersion": "HTTP/1.1",
        "cookies": [],
        "headers": _headers(record.request_headers),
        "queryString": [{"name": name, "value": value} for name, value in query],
        "headersSize": -1,
        "bodySize": record.request_size,
    }
    if record.request_body:
        request["postData"] = {"mimeType": _mime(record.request_headers), "text": record.request_body}
    response = {
        "status": record.status or 0,
        "statusText": record.error or "",
        "httpVersion": "HTTP/1.1",
        "cookies": [],
        "headers": _headers(record.response_headers),
        "content": {"size": record.response_size, "mimeType": _mime(record.response_headers),
                    "text": record.response_body},
        "redirectURL": "",
        "headersSize": -1,
        "bodySize": record.response_size if record.status is not None else -1,
    }
    entry: dict[str, Any] = {
        "startedDateTime": record.started_at.isoformat().replace("+00:00", "Z"),
        "time": round(record.duration_ms, 3),
        "request": request,
        "response": response,
        "cache": {},
        "timings": {"send": 0, "wait": round(record.duration_ms, 3), "receive": 0},
    }
    comment = "; ".join(part for part in (
        f"attempt {record.attempt}",
        f"request id {record.request_id}" if record.request_id else "",
        f"idempotency key {record.idempotency_key}" if record.idempotency_key else "",
        f"error {record.error}" if record.error else "",
    ) if part)
    entry["comment"] = comment
    return entry


def _headers(headers: tuple[tuple[str, str], ...]) -> list[dict[str, str]]:
    return [{"name": name, "value": value} for name, value in headers]


def _mime(headers: tuple[tuple[str, str], ...]) -> str:
    for name, value in headers:
        if name.lower() == "content-type":
            return value
    return "application/octet-stream"
