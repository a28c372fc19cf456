"""The session's request history, Qt-free: newest first, bounded, deduplicated against the
persisted log it merges once, and telling its listeners what arrived."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.api import RequestRecord
from app.cache import AsyncPageCache
from app.data.request_history import RequestHistory

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def record(path: str, seconds: int) -> RequestRecord:
    return RequestRecord(started_at=T0 + timedelta(seconds=seconds), method="GET", url=f"http://127.0.0.1/v1{path}",
                         status=200, duration_ms=3.0, attempt=1, request_id=f"req_{seconds}", idempotency_key=None,
                         request_size=0, response_size=2, request_headers=(), response_headers=(),
                         request_body="", response_body="{}")


async def test_newest_first_bounded_and_told(tmp_path) -> None:
    history = RequestHistory(None, keep=3)
    changes = []
    history.changes.subscribe(changes.append)
    for second in range(5):
        history.add(record(f"/r{second}", second))
    assert [r.request_id for r in history.records] == ["req_4", "req_3", "req_2"]
    assert changes[-1].added.request_id == "req_4" and len(changes[-1].dropped) == 1
    assert history.find("req_3") is not None and history.find("req_0") is None


async def test_the_persisted_log_is_merged_once_without_duplicates(tmp_path) -> None:
    cache = await AsyncPageCache.open(tmp_path / "cache.sqlite3")
    try:
        earlier = RequestHistory(cache)
        earlier.add(record("/contacts", 1))
        earlier.add(record("/tickets", 2))
        await earlier.close()

        history = RequestHistory(cache)
        history.add(record("/tickets", 2))  # the same exchange, seen live and persisted
        history.add(record("/me", 3))
        resets = []
        history.changes.subscribe(lambda change: resets.append(change.reset))
        await history.ensure_loaded()
        await history.ensure_loaded()
        assert [r.url.rsplit("/v1", 1)[1] for r in history.records] == ["/me", "/tickets", "/contacts"]
        assert resets == [True]
        await history.close()
        history.add(record("/late", 4))  # closed: taken no more
        assert len(history) == 3
    finally:
        await cache.close()
