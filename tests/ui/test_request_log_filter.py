"""The request log's filter rules, on records built the way the client builds them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from app.api import RequestRecord
from app.data.request_history import record_from_dict, record_to_dict
from app.ui.panels.request_log.request_filter import (
    RequestFilter,
    path_of,
    status_class,
)

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def record(method="GET", path="/v1/contacts?limit=20", status=200, minutes_ago=0, error=None, attempt=1):
    return RequestRecord(
        started_at=NOW - timedelta(minutes=minutes_ago), method=method, url=f"http://127.0.0.1:9/{path.lstrip('/')}",
        status=status, duration_ms=12.5, attempt=attempt, request_id="req_1", idempotency_key=None,
        request_size=0, response_size=10, request_headers=(("authorization", "Bearer [REDACTED]"),),
        response_headers=(("x-request-id", "req_1"),), request_body="", response_body="{}", error=error,
    )


@pytest.mark.parametrize(("status", "error", "klass"), [
    (200, None, "2xx"), (304, None, "3xx"), (429, None, "4xx"), (503, None, "5xx"), (None, "refused", "error"),
])
def test_status_classes(status, error, klass):
    assert status_class(record(status=status, error=error)) == klass


def test_each_condition_narrows_and_an_empty_filter_keeps_all():
    records = [
        record(),
        record(method="POST", path="/v1/support/tickets", status=422),
        record(path="/v1/me", status=None, error="timed out", minutes_ago=90),
    ]
    assert RequestFilter().apply(records, NOW) == records
    assert RequestFilter(method="post").apply(records, NOW) == [records[1]]
    assert RequestFilter(status="4xx").apply(records, NOW) == [records[1]]
    assert RequestFilter(status="error").apply(records, NOW) == [records[2]]
    assert RequestFilter(text="TICKETS").apply(records, NOW) == [records[1]]
    assert RequestFilter(within=timedelta(hours=1)).apply(records, NOW) == records[:2]
    assert RequestFilter(method="GET", within=timedelta(hours=1)).apply(records, NOW) == [records[0]]
    assert path_of(records[0]) == "/v1/contacts?limit=20"


def test_a_record_survives_the_round_trip_through_the_cache_shape():
    original = record(attempt=3, status=503)
    stored = json.loads(json.dumps(record_to_dict(original)))  # what the page cache keeps
    assert record_from_dict(stored) == original
