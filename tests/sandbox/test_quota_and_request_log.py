"""Quota metering and the request log: calls are counted per key and module, and the log never
holds a secret, an Authorization value or a body."""

from __future__ import annotations

from datetime import date

import httpx

from tests.sandbox.conftest import assert_error, bearer, unique


def test_status_reports_every_resource(owner: httpx.Client, live) -> None:
    body = owner.get("quota/status").json()["data"]
    assert body["workspace_id"] == live["workspace_id"]
    assert set(body["quotas"]) == {"api_calls", "ai_calls", "storage_bytes", "seats"}
    seats = body["quotas"]["seats"]
    assert seats["used"] >= 4 and seats["remaining"] == seats["limit"] - seats["used"]
    assert body["quotas"]["api_calls"]["reset_at"].endswith("Z")


def test_every_call_counts_against_api_calls(owner: httpx.Client) -> None:
    before = owner.get("quota/status").json()["data"]["quotas"]["api_calls"]["used"]
    for _ in range(3):
        owner.get("contacts", params={"limit": 1})
    after = owner.get("quota/status").json()["data"]["quotas"]["api_calls"]["used"]
    assert after - before == 4  # three lists and the first status call


def test_breakdown_splits_by_key_and_module(owner: httpx.Client, readonly: httpx.Client, live) -> None:
    readonly.get("companies")
    body = owner.get("quota/breakdown").json()["data"]
    by_key = {row["name"]: row for row in body["by_key"]}
    assert by_key["Read-only key"]["used"] >= 1 and by_key["Owner key"]["kind"] == "api_key"
    modules = {row["module"] for row in body["by_module"]}
    assert {"crm", "quota"} <= modules


def test_history_is_a_daily_series(owner: httpx.Client) -> None:
    days = owner.get("quota/history", params={"days": 7}).json()["data"]["days"]
    assert len(days) == 7 and days[-1]["used"] >= 1
    assert [d["date"] for d in days] == sorted(d["date"] for d in days)


def test_a_fresh_sandbox_holds_sixty_days_of_usage_that_agrees_with_the_status(owner: httpx.Client) -> None:
    """The quota chart means something on a fresh sandbox, and its numbers add up to the gauge's."""
    history = owner.get("quota/history", params={"days": 61}).json()["data"]["days"]
    assert all(day["used"] > 0 for day in history[:-1]), "every past day of the window has calls"
    weekdays = [d["used"] for d in history[:-1] if date.fromisoformat(d["date"]).weekday() < 5]
    weekends = [d["used"] for d in history[:-1] if date.fromisoformat(d["date"]).weekday() >= 5]
    assert sum(weekends) / len(weekends) < sum(weekdays) / len(weekdays) / 2, "weekends are quieter"
    status = owner.get("quota/status").json()["data"]["quotas"]["api_calls"]
    this_month = history[-1]["date"][:7]
    month_total = sum(d["used"] for d in history if d["date"].startswith(this_month))
    assert status["used"] == month_total + 1, "the status counts the same calls, plus the history call itself"
    assert status["used"] < status["limit"]
    breakdown = owner.get("quota/breakdown").json()["data"]
    assert sum(row["used"] for row in breakdown["by_key"]) == status["used"] + 1
    assert sum(row["used"] for row in breakdown["by_module"]) == status["used"] + 1
    names = {row["name"] for row in breakdown["by_key"]}
    assert {"Zapier integration", "Support chatbot", "Priya Raman"} <= names
    ai = owner.get("quota/history", params={"resource": "ai_calls", "days": 30}).json()["data"]["days"]
    assert sum(d["used"] for d in ai) > 0


def test_consume_is_idempotent_and_says_no_over_the_limit(owner: httpx.Client) -> None:
    key = unique("op-")
    first = owner.post("quota/consume", json={"resource": "ai_calls", "amount": 2, "idempotency_key": key})
    assert first.status_code == 200 and first.json()["data"]["allowed"] is True
    again = owner.post("quota/consume", json={"resource": "ai_calls", "amount": 2, "idempotency_key": key})
    assert again.json()["data"] == first.json()["data"]
    status = owner.get("quota/status").json()["data"]["quotas"]["ai_calls"]
    assert status["used"] == first.json()["data"]["used"]
    over = owner.post("quota/consume", json={"resource": "ai_calls", "amount": status["remaining"] + 1})
    assert over.status_code == 200
    assert over.json()["data"]["allowed"] is False and over.json()["data"]["used"] == status["used"]
    assert_error(owner.post("quota/consume", json={"resource": "gold", "amount": 1}), 422, "VALIDATION_ERROR")


def test_request_log_lists_calls_with_their_details(owner: httpx.Client, live) -> None:
    key = unique("log-")
    created = owner.post("companies", json={"name": "Logged"}, headers={"Idempotency-Key": key,
                                                                        "User-Agent": "opsdesk-tests/1"})
    entries = owner.get("dev/api-requests", params={"method": "POST", "limit": 20}).json()["data"]
    entry = next(e for e in entries if e["request_id"] == created.headers["X-Request-Id"])
    assert entry["path"] == "/v1/companies" and entry["status"] == 201
    assert entry["idempotency_key"] == key and entry["user_agent"] == "opsdesk-tests/1"
    assert entry["key_id"] and entry["duration_ms"] >= 0
    only_201 = owner.get("dev/api-requests", params={"status": 201}).json()["data"]
    assert only_201 and all(e["status"] == 201 for e in only_201)


def test_request_log_never_holds_a_secret(sandbox, owner: httpx.Client, live, test_env) -> None:
    secrets = [live["owner_key"], live["readonly_key"], test_env["owner_key"], live["user"]["password"]]
    pair = httpx.post(sandbox.url + "/auth/token", json=live["user"]).json()["data"]
    secrets += [pair["access_token"], pair["refresh_token"]]
    httpx.get(sandbox.url + "/me", headers=bearer(pair["access_token"]))
    new_key = owner.post("api-keys", json={"name": "Scan me", "scopes": ["crm:read"]}).json()["data"]
    secrets.append(new_key["secret"])
    httpx.get(sandbox.url + "/contacts", params={"query": "needle"}, headers=bearer(new_key["secret"]))
    owner.post("contacts", json={"name": "Body Secret", "notes": "sekrit-body-text"})

    pages, cursor = [], None
    while True:
        body = owner.get("dev/api-requests", params={"limit": 100, **({"cursor": cursor} if cursor else {})})
        pages.append(body.text)
        cursor = body.json()["next_cursor"]
        if cursor is None:
            break
    dump = "\n".join(pages)
    for secret in secrets:
        assert secret not in dump
    assert "sekrit-body-text" not in dump and "needle" not in dump
    assert new_key["id"] in dump  # the log does record which key was used


def test_scope_refusals_name_the_scope(readonly: httpx.Client) -> None:
    for method, path, body, scope in [
        ("POST", "contacts", {"name": "x"}, "crm:write"),
        ("POST", "companies", {"name": "x"}, "crm:write"),
        ("POST", "api-keys", {"name": "x", "scopes": ["crm:read"]}, "keys:write"),
    ]:
        details = assert_error(readonly.request(method, path, json=body), 403, "FORBIDDEN")
        assert details["required_scope"] == scope
    assert readonly.get("dev/api-requests").status_code == 200
