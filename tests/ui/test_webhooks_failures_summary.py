"""The Failures tab's summary says what the groups cover, from the store's report alone: every
failed delivery of the window, the newest N of M (or of more than M when the log was longer than
the console lists), stopped with what was read, and the reading in progress."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.data.webhook_failures import ErrorSignature, FailureGroup, FailureReport
from app.ui.panels.webhooks.failures_view import report_text

SINCE = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
LOCAL = SINCE.astimezone().strftime("%Y-%m-%d %H:%M")


def report(state: str, *, read: int, total: int | None, listed: int | None = None, limit: int = 10_000,
           to_read: int | None = None) -> FailureReport:
    ids = tuple(f"whd_{n}" for n in range(read))
    groups = (FailureGroup("wh_1", ErrorSignature("http", 503, "down"), ids, SINCE, SINCE, SINCE),) if read else ()
    return FailureReport(groups, SINCE, SINCE + timedelta(hours=3), total, listed if listed is not None else read,
                         read, limit, state, to_read=read if to_read is None else to_read)


def test_every_failed_delivery_of_the_window() -> None:
    assert report_text(report("done", read=1_204, total=1_204)) == (
        f"1,204 failed deliveries since {LOCAL} in 1 group, biggest first.")


def test_the_newest_n_of_m_past_the_bound() -> None:
    assert report_text(report("done", read=10_000, total=12_345, listed=12_345)) == (
        f"Counts cover the newest 10,000 of 12,345 failed deliveries since {LOCAL} (at most 10,000 are read),"
        " in 1 group, biggest first.")
    assert "newest 10,000 of more than 50,000 failed" in report_text(
        report("done", read=10_000, total=None, listed=50_000))


def test_stopped_and_in_progress() -> None:
    assert report_text(report("stopped", read=300, total=700, to_read=700)) == (
        f"Stopped: counts cover the newest 300 of 700 failed deliveries since {LOCAL}.")
    assert report_text(report("stopped", read=0, total=None, listed=400, to_read=0)) == (
        f"Stopped while listing: 400 failed deliveries since {LOCAL} found so far, none grouped.")
    assert report_text(report("reading", read=300, total=700, to_read=700)) == (
        f"Reading the failed deliveries since {LOCAL}: 300 of 700 read.")
    assert report_text(report("listing", read=0, total=None, listed=1_200)) == (
        f"Listing failed deliveries since {LOCAL}… 1,200 so far.")
    assert report_text(report("done", read=0, total=0)) == f"No failed deliveries since {LOCAL}."
