"""Ticket status transitions and the first-response SLA, as the support desk relies on them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.sandbox.ticket_rules import (
    STATUSES,
    can_transition,
    first_response_due,
    responded_at_after_message,
)


@pytest.mark.parametrize(
    ("current", "target", "legal"),
    [
        ("new", "open", True),
        ("new", "closed", True),
        ("open", "pending", True),
        ("pending", "waiting_on_customer", True),
        ("waiting_on_customer", "open", True),
        ("resolved", "open", True),
        ("resolved", "closed", True),
        ("closed", "new", False),
        ("closed", "open", False),
        ("closed", "resolved", False),
        ("open", "new", False),
        ("resolved", "new", False),
        ("resolved", "pending", False),
    ],
)
def test_transition_table(current: str, target: str, legal: bool) -> None:
    assert can_transition(current, target) is legal


@pytest.mark.parametrize("status", STATUSES)
def test_staying_in_a_status_is_always_allowed(status: str) -> None:
    assert can_transition(status, status)


def test_nothing_leaves_closed_and_nothing_returns_to_new() -> None:
    for status in STATUSES:
        if status != "closed":
            assert not can_transition("closed", status)
        if status != "new":
            assert not can_transition(status, "new")


def test_first_response_due_adds_the_queue_target() -> None:
    created = datetime(2026, 4, 7, 12, 0, tzinfo=UTC)
    assert first_response_due(created, 90) == datetime(2026, 4, 7, 13, 30, tzinfo=UTC)
    assert first_response_due(created, None) is None


def test_only_the_first_outbound_message_sets_first_responded_at() -> None:
    assert responded_at_after_message(None, "inbound", "t1") is None
    assert responded_at_after_message(None, "outbound", "t2") == "t2"
    assert responded_at_after_message("t2", "outbound", "t3") == "t2"
