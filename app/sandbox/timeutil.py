"""RFC 3339 UTC time stamps as the sandbox stores and serves them."""

from __future__ import annotations

from datetime import datetime, timezone


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def to_rfc3339(moment: datetime) -> str:
    """`2026-04-07T12:00:00.123456Z`: fixed width, so stored stamps sort as text."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def now_rfc3339() -> str:
    return to_rfc3339(utcnow())


def parse_rfc3339(text: str) -> datetime:
    """Parse an RFC 3339 stamp (`Z` or an offset); a naive one is taken as UTC. Raises ValueError."""
    moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)
