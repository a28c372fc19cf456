"""Which request records the request log shows: method, status class, path text, time range."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from app.data.request_history import RequestRecord

#: Status classes offered by the filter; "error" is an exchange that got no answer at all.
STATUS_CLASSES = ("2xx", "3xx", "4xx", "5xx", "error")
#: Time ranges offered by the filter (label, how far back).
TIME_RANGES: tuple[tuple[str, timedelta | None], ...] = (
    ("Any time", None),
    ("Last 5 minutes", timedelta(minutes=5)),
    ("Last hour", timedelta(hours=1)),
    ("Last 24 hours", timedelta(days=1)),
    ("Last 7 days", timedelta(days=7)),
)


def status_class(record: RequestRecord) -> str:
    """"2xx" … "5xx", or "error" when no response came back (refused, reset, timeout)."""
    if record.status is None:
        return "error"
    return f"{record.status // 100}xx"


def path_of(record: RequestRecord) -> str:
    """The request's path and query, without scheme and host."""
    parts = urlsplit(record.url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


@dataclass(frozen=True)
class RequestFilter:
    """All conditions are optional; an empty filter matches everything."""

    method: str | None = None
    status: str | None = None
    text: str = ""
    within: timedelta | None = None

    def matches(self, record: RequestRecord, now: datetime | None = None) -> bool:
        if self.method and record.method.upper() != self.method.upper():
            return False
        if self.status and status_class(record) != self.status:
            return False
        if self.text and self.text.casefold() not in path_of(record).casefold():
            return False
        if self.within is not None:
            started = record.started_at
            if started.tzinfo is None:
                started = started.replace(tzinfo=UTC)
            if started < (now or datetime.now(UTC)) - self.within:
                return False
        return True

    def apply(self, records: Iterable[RequestRecord], now: datetime | None = None) -> list[RequestRecord]:
        now = now or datetime.now(UTC)
        return [record for record in records if self.matches(record, now)]
