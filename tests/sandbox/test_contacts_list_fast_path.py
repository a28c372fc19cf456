"""The plain contacts page (`limit` and `cursor` only) is answered in front of FastAPI
(`app/sandbox/hot_path.py`); it must answer exactly what the full route answers, errors, headers and
the request log included."""

from __future__ import annotations

import httpx

from tests.sandbox.conftest import assert_error


def _documents(response: httpx.Response) -> tuple[list[dict], str | None]:
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["request_id"] == response.headers["X-Request-Id"]
    return body["data"], body["next_cursor"]


def test_plain_pages_equal_the_full_route_page_for_page(owner: httpx.Client) -> None:
    # `updated_since` in the distant past filters nothing but sends the request down the full route.
    fast_cursor = full_cursor = None
    for _ in range(3):
        fast, fast_cursor = _documents(owner.get("contacts", params={
            "limit": 7, **({"cursor": fast_cursor} if fast_cursor else {})}))
        full, full_cursor = _documents(owner.get("contacts", params={
            "limit": 7, "updated_since": "1970-01-01T00:00:00Z", **({"cursor": full_cursor} if full_cursor else {})}))
        assert fast == full and len(fast) == 7
        assert fast_cursor == full_cursor


def test_plain_page_default_limit_rate_headers_and_request_log(owner: httpx.Client) -> None:
    response = owner.get("contacts")
    data, _ = _documents(response)
    assert len(data) == 20
    assert int(response.headers["X-RateLimit-Limit"]) > 0
    logged = owner.get("dev/api-requests", params={"limit": 100}).json()["data"]
    entry = next(e for e in logged if e["request_id"] == response.headers["X-Request-Id"])
    assert (entry["method"], entry["path"], entry["status"]) == ("GET", "/v1/contacts", 200)


def test_plain_page_errors_are_the_contract_envelope(owner: httpx.Client, client_for) -> None:
    assert assert_error(client_for(None).get("contacts"), 401, "UNAUTHORIZED")["reason"] == "missing"
    assert assert_error(client_for("opk_live_nope").get("contacts"), 401, "UNAUTHORIZED")["reason"] == "invalid"
    details = assert_error(owner.get("contacts", params={"cursor": "abc.def"}), 400, "INVALID_REQUEST")
    assert details["fields"][0]["field"] == "cursor"
    # Shapes the fast path leaves to FastAPI still get FastAPI's validation.
    assert assert_error(owner.get("contacts", params={"limit": 101}), 400, "INVALID_REQUEST")["fields"][0]["field"] == "limit"
    assert assert_error(owner.get("contacts", params={"limit": "0"}), 400, "INVALID_REQUEST")["fields"][0]["field"] == "limit"


def test_a_key_without_crm_read_is_refused_naming_the_scope(owner: httpx.Client, client_for) -> None:
    key = owner.post("api-keys", json={"name": "Tickets only", "scopes": ["support:read"]}).json()["data"]
    details = assert_error(client_for(key["secret"]).get("contacts", params={"limit": 5}), 403, "FORBIDDEN")
    assert details["required_scope"] == "crm:read"


_FULL_ROUTE = {"updated_since": "1970-01-01T00:00:00Z"}  # filters nothing, but takes the full route


def _header_names(response: httpx.Response) -> set[str]:
    return {name.lower() for name in response.headers} - {"date"}


def test_plain_page_answers_carry_the_full_routes_headers(owner: httpx.Client, client_for) -> None:
    fast = owner.get("contacts", params={"limit": 3})
    full = owner.get("contacts", params={"limit": 3, **_FULL_ROUTE})
    assert _header_names(fast) == _header_names(full) == {
        "content-length", "content-type", "x-request-id",
        "x-ratelimit-limit", "x-ratelimit-burst", "x-ratelimit-remaining", "x-ratelimit-reset"}
    assert fast.headers["content-type"] == full.headers["content-type"] == "application/json"
    assert fast.headers["x-ratelimit-limit"] == full.headers["x-ratelimit-limit"]
    # A refused key: the same 401, envelope and headers (WWW-Authenticate, a request id) either way.
    stranger = client_for("opk_live_" + "x" * 40)
    refused_fast, refused_full = stranger.get("contacts"), stranger.get("contacts", params=_FULL_ROUTE)
    assert assert_error(refused_fast, 401, "UNAUTHORIZED") == assert_error(refused_full, 401, "UNAUTHORIZED")
    assert refused_fast.json()["error"] == refused_full.json()["error"]
    assert _header_names(refused_fast) == _header_names(refused_full)
    assert refused_fast.headers["www-authenticate"] == refused_full.headers["www-authenticate"]


def test_plain_page_is_logged_with_its_user_agent_and_idempotency_key_masked(owner: httpx.Client) -> None:
    response = owner.get("contacts", params={"limit": 2},
                         headers={"User-Agent": "pager/1 opk_live_pastedbymistake", "Idempotency-Key": "page-key-1"})
    assert response.status_code == 200
    logged = owner.get("dev/api-requests", params={"limit": 100}).json()["data"]
    entry = next(e for e in logged if e["request_id"] == response.headers["X-Request-Id"])
    assert entry["user_agent"] == "pager/1 opk_live_[redacted]"
    assert entry["idempotency_key"] == "page-key-1"
    assert entry["duration_ms"] >= 0


def test_a_plain_page_request_with_a_body_meets_the_body_limit(owner: httpx.Client) -> None:
    # The fast path leaves requests that declare a body to the middleware, which refuses this one.
    response = owner.request("GET", "contacts", params={"limit": 2}, content=b"x" * (1024 * 1024 + 1))
    assert assert_error(response, 413, "PAYLOAD_TOO_LARGE")["limit_bytes"] == 1024 * 1024
