"""Deadlines and stamps read as words: "in 2 h", "3 d overdue", the exact time on hover."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.ui.time_text import due_text, exact, relative

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def test_overdue_reads_as_words_not_a_negative_countdown():
    assert due_text(NOW - timedelta(days=55, hours=7), NOW) == "55 d overdue"
    assert due_text(NOW - timedelta(hours=2, minutes=10), NOW) == "2 h 10 min overdue"
    assert due_text(NOW + timedelta(hours=2, minutes=5), NOW) == "due in 2 h 05 min"
    assert due_text(None, NOW) == ""
    assert "-" not in due_text(NOW - timedelta(days=1, hours=3), NOW)


def test_relative_times():
    assert relative(NOW - timedelta(seconds=10), NOW) == "just now"
    assert relative(NOW + timedelta(seconds=30), NOW) == "in 30 s", "a retry due soon is not 'just now'"
    assert relative(NOW + timedelta(minutes=5), NOW) == "in 5 min"
    assert relative(NOW - timedelta(hours=2), NOW) == "2 h ago"
    assert relative(NOW - timedelta(days=3, hours=5), NOW) == "3 d ago"
    assert relative(None, NOW) == "—"


def test_exact_time_is_local_with_its_offset_and_no_iso_t():
    text = exact(NOW)
    assert "2026" in text and "UTC" in text and "T12" not in text
