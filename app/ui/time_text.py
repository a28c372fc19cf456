"""Times as operators read them: relative and local ("in 2 h", "3 d overdue"), exact on hover.

Tables and labels show `relative()` or `due_text()`; the exact local time (`exact()`) goes in the
tooltip, so nobody has to read an ISO stamp or convert from UTC in their head. Qt-free.
"""

from __future__ import annotations

from datetime import UTC, datetime


def _span(seconds: float) -> str:
    """A duration in its two largest whole units: "45 s", "12 min", "2 h 05 min", "3 d 4 h"."""
    seconds = int(abs(seconds))
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours and days < 3 else f"{days} d"
    if hours:
        return f"{hours} h {minutes:02d} min" if minutes else f"{hours} h"
    if minutes:
        return f"{minutes} min"
    return f"{secs} s"


def relative(moment: datetime | None, now: datetime | None = None, *, empty: str = "—") -> str:
    """"just now", "in 5 min", "2 h ago", "3 d ago"."""
    if moment is None:
        return empty
    now = now or datetime.now(UTC)
    delta = (_aware(moment) - _aware(now)).total_seconds()
    if -45 < delta <= 0:
        return "just now"
    if 0 < delta < 1:
        return "in 1 s"
    return f"in {_span(delta)}" if delta > 0 else f"{_span(delta)} ago"


def due_text(due: datetime | None, now: datetime | None = None, *, empty: str = "") -> str:
    """A deadline: "due in 2 h 05 min", "due in 45 s", or once missed "3 d overdue"."""
    if due is None:
        return empty
    now = now or datetime.now(UTC)
    delta = (_aware(due) - _aware(now)).total_seconds()
    return f"due in {_span(delta)}" if delta >= 0 else f"{_span(delta)} overdue"


def exact(moment: datetime | None, *, empty: str = "") -> str:
    """The full local time for a tooltip: "Wed 2 Dec 2026, 14:05:09 (UTC+01:00)"."""
    if moment is None:
        return empty
    local = _aware(moment).astimezone()
    offset = local.strftime("%z")
    zone = f"UTC{offset[:3]}:{offset[3:]}" if offset else "local time"
    return f"{local.strftime('%a')} {local.day} {local.strftime('%b %Y, %H:%M:%S')} ({zone})"


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

