"""When the console tells the operator about an endpoint in trouble: it turns disabled (not one
already disabled at start), or more than half of the last hour's tried deliveries did not get
through (at least five tried); each said once until it recovers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.api.models import Delivery, Webhook
from app.data.webhook_alerts import AlertRules, recent_failure_rate

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def endpoint(webhook_id: str, status: str = "active", reason: str | None = None) -> Webhook:
    return Webhook(id=webhook_id, name=f"Hook {webhook_id}", url="https://x.example.com", status=status,
                   disabled_reason=reason, created_at=NOW - timedelta(days=3))


def deliveries(webhook_id: str, *statuses: str, minutes_ago: int = 5) -> list[Delivery]:
    return [Delivery(id=f"whd_{webhook_id}_{n}", webhook_id=webhook_id, event_id=f"evt_{n}", event_type="webhook.test",
                     status=status, created_at=NOW - timedelta(minutes=minutes_ago)) for n, status in enumerate(statuses)]


def test_the_rate_counts_the_last_hours_tried_deliveries_only() -> None:
    recent = (deliveries("a", "failed", "retrying", "succeeded", "pending")
              + deliveries("a", "failed", "failed", minutes_ago=61))
    assert recent_failure_rate(recent, NOW) == (2, 3)


def test_an_endpoint_turning_disabled_is_said_once_but_one_disabled_at_start_is_not_news() -> None:
    rules = AlertRules()
    assert rules.assess([endpoint("a"), endpoint("b", "disabled")], {}, NOW) == []
    [alert] = rules.assess([endpoint("a", "disabled", "Disabled after 5 consecutive failed deliveries."),
                            endpoint("b", "disabled")], {}, NOW)
    assert (alert.webhook_id, alert.kind) == ("a", "disabled")
    assert alert.title == "Webhook endpoint “Hook a” disabled" and alert.message.startswith("Disabled after 5")
    assert rules.assess([endpoint("a", "disabled"), endpoint("b", "disabled")], {}, NOW) == []


def test_a_failure_rate_past_the_threshold_is_said_once_and_again_after_recovering() -> None:
    rules = AlertRules(threshold=0.5, min_tried=5)
    few = {"a": deliveries("a", "failed", "failed", "failed")}
    assert rules.assess([endpoint("a")], few, NOW) == []  # three tried: no trend yet
    bad = {"a": deliveries("a", "failed", "failed", "retrying", "succeeded", "succeeded")}
    [alert] = rules.assess([endpoint("a")], bad, NOW)
    assert alert.kind == "failing" and "3 of 5 deliveries in the last hour" in alert.message
    assert rules.assess([endpoint("a")], bad, NOW) == []  # still failing: not said again
    at_threshold = {"a": deliveries("a", "failed", "failed", "succeeded", "succeeded")
                    + deliveries("a", "failed", "succeeded", minutes_ago=6)}
    assert rules.assess([endpoint("a")], at_threshold, NOW) == []  # 50 % is not past 50 %
    assert [a.kind for a in rules.assess([endpoint("a")], bad, NOW)] == ["failing"]  # recovered, then failing again
