"""RFC 3339 UTC time stamps as the sandbox stores and serves them."""

from __future__ import annotations

import re
import time
from datetime import datetime, timezone

_EARLIEST = datetime.min.replace(tzinfo=timezone.utc)
_LATEST = datetime.max.replace(tzinfo=timezone.utc)
_LEAP_SECOND = re.compile(r"([Tt ]\d\d:\d\d):60")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _utc(moment: datetime) -> datetime:
    try:
        return moment.astimezone(timezone.utc)
    except OverflowError:  # 0001-01-01T00:00+05:00 is before the first representable UTC moment
        return _EARLIEST if moment.year < 5000 else _LATEST


def to_rfc3339(moment: datetime) -> str:
    """`2026-04-07T12:00:00.123456Z`: fixed width, so stored stamps sort as text."""
    # isoformat, not strftime: `%Y` writes year 1 as "1" on glibc, breaking the fixed width.
    return _utc(moment).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


_second: tuple[int, str] = (-1, "")  # the last whole second written out, and its text


def now_rfc3339() -> str:
    """`to_rfc3339(utcnow())`, the whole seconds formatted once a second: the request log stamps
    every request."""
    global _second
    seconds, nanoseconds = divmod(time.time_ns(), 1_000_000_000)
    last, text = _second
    if seconds != last:
        moment = datetime.fromtimestamp(seconds, timezone.utc)
        text = moment.replace(tzinfo=None).isoformat(timespec="seconds")
        _second = (seconds, text)  # one tuple, replaced whole: another thread reads the old or the new one
    return f"{text}.{nanoseconds // 1000:06d}Z"


def parse_rfc3339(text: str) -> datetime:
    """Parse an RFC 3339 stamp (`Z` or an offset); a naive one is taken as UTC. Raises ValueError.

    A leap second (`23:59:60`) reads as the second before it; a moment just outside what Python
    can hold (year 1 with a positive offset) as the first or last one it can.
    """
    text = _LEAP_SECOND.sub(r"\1:59", text.strip())
    moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return _utc(moment)
