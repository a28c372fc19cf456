"""The persisted request log: what the request log panel shows again after a restart."""

from __future__ import annotations

from datetime import UTC, datetime

from app.cache import PageCache


def record(n: int, method: str, url: str, status: int | None, **extra) -> dict:
    return {"time": datetime(2026, 4, 7, 12, 0, n, tzinfo=UTC), "method": method, "url": url,
            "status": status, "duration_ms": 12.5, "attempt": 1, "request_id": f"req_{n}",
            "idempotency_key": None, **extra}


def test_records_persist_and_filter_like_the_panel(cache_path, clock) -> None:
    with PageCache(cache_path, clock=clock) as cache:
        cache.append_request_records([
            record(1, "GET", "http://127.0.0.1:5/v1/contacts?limit=20", 200),
            record(2, "POST", "http://127.0.0.1:5/v1/contacts", 429, attempt=1, idempotency_key="idem-1"),
            record(3, "POST", "http://127.0.0.1:5/v1/contacts", 201, attempt=2, idempotency_key="idem-1"),
            record(4, "GET", "http://127.0.0.1:5/v1/tickets/ticket_100%", None),
        ])
    with PageCache(cache_path, clock=clock) as cache:
        newest = cache.recent_request_records()
        assert [r["request_id"] for r in newest] == ["req_4", "req_3", "req_2", "req_1"]
        assert newest[1]["time"] == "2026-04-07T12:00:03Z" and newest[1]["attempt"] == 2
        assert [r["request_id"] for r in cache.recent_request_records(method="post")] == ["req_3", "req_2"]
        assert [r["request_id"] for r in cache.recent_request_records(status_class=4)] == ["req_2"]
        assert [r["request_id"] for r in cache.recent_request_records(status_class="error")] == ["req_4"]
        assert [r["request_id"] for r in cache.recent_request_records(text="TICKETS/ticket_100%")] == ["req_4"]
        assert [r["request_id"] for r in cache.recent_request_records(text="_1")] == ["req_4"]
        since = datetime(2026, 4, 7, 12, 0, 3, tzinfo=UTC)
        assert [r["request_id"] for r in cache.recent_request_records(since=since)] == ["req_4", "req_3"]
        assert [r["request_id"] for r in cache.recent_request_records(since="2026-04-07T12:00:04Z")] == ["req_4"]
        assert len(cache.recent_request_records(limit=2)) == 2
