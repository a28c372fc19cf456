"""The request loop over a scripted platform (httpx.MockTransport) with pinned clock and jitter."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from email.utils import format_datetime
from http import HTTPStatus

import httpx
import pytest

from app.api import errors, models
from tests.api.conftest import ScriptedPlatform, contact, envelope, failure

RETRIED_4XX = {408, 429}


@pytest.mark.parametrize(("script", "expected_sleeps"), [
    ([503, 200], [0.5]),
    ([500, 502, 504, 200], [0.5, 1.0, 2.0]),
    ([408, 200], [0.5]),
    ([503, 503, 503, 503, 200], [0.5, 1.0, 2.0, 4.0]),
])
async def test_transient_statuses_are_retried_with_doubling_backoff(make_client, clock, script, expected_sleeps):
    answers = [failure(s, "INTERNAL_ERROR") if s != 200 else envelope(contact()) for s in script]
    platform = ScriptedPlatform(*answers)
    client = make_client(platform)
    result = await client.contacts.get("con_1")
    assert result.name == "Person 1"
    assert len(platform.requests) == len(script)
    assert clock.sleeps == expected_sleeps


async def test_retries_stop_after_the_budget_and_raise_the_last_error(make_client, clock):
    platform = ScriptedPlatform(failure(503, "UNAVAILABLE", "down for maintenance"))
    client = make_client(platform, max_retries=4)
    with pytest.raises(errors.ServerError) as caught:
        await client.contacts.get("con_1")
    assert caught.value.status == 503 and caught.value.code == "UNAVAILABLE"
    assert caught.value.message == "down for maintenance"
    assert len(platform.requests) == 5
    assert clock.sleeps == [0.5, 1.0, 2.0, 4.0]


@pytest.mark.parametrize("exc", [
    httpx.ConnectError("refused"), httpx.ReadError("reset"), httpx.RemoteProtocolError("garbage"),
    httpx.ReadTimeout("slow"), httpx.ConnectTimeout("slow"),
])
async def test_connection_failures_are_retried(make_client, clock, exc):
    platform = ScriptedPlatform(exc, exc, envelope(contact()))
    client = make_client(platform)
    assert (await client.contacts.get("con_1")).id == "con_1"
    assert len(platform.requests) == 3
    assert clock.sleeps == [0.5, 1.0]


@pytest.mark.parametrize(("exc", "error_class"), [
    (httpx.ConnectError("refused"), errors.ApiConnectionError),
    (httpx.ReadTimeout("slow"), errors.ApiTimeout),
])
async def test_connection_failures_surface_typed_once_retries_are_spent(make_client, exc, error_class):
    platform = ScriptedPlatform(exc)
    client = make_client(platform, max_retries=2)
    with pytest.raises(error_class):
        await client.contacts.get("con_1")
    assert len(platform.requests) == 3


async def test_a_request_the_client_built_wrong_is_not_retried(make_client):
    platform = ScriptedPlatform(httpx.LocalProtocolError("bad header"))
    client = make_client(platform)
    with pytest.raises(errors.ApiConnectionError):
        await client.contacts.get("con_1")
    assert len(platform.requests) == 1


FOUR_XX = sorted({s.value for s in HTTPStatus if 400 <= s.value < 500} | set(range(400, 500, 7)))


@pytest.mark.parametrize("status", FOUR_XX)
async def test_4xx_sweep_only_408_and_429_are_retried(make_client, status):
    headers = {"Retry-After": "1"} if status == 429 else None
    platform = ScriptedPlatform(failure(status, "SOME_CODE", headers=headers), envelope(contact()))
    client = make_client(platform)
    if status in RETRIED_4XX:
        await client.contacts.get("con_1")
        assert len(platform.requests) == 2
    else:
        with pytest.raises(errors.ApiStatusError) as caught:
            await client.contacts.get("con_1")
        assert caught.value.status == status
        assert len(platform.requests) == 1, f"{status} must never be retried"


@pytest.mark.parametrize(("status", "error_class"), [
    (400, errors.BadRequest), (401, errors.Unauthorized), (403, errors.Forbidden), (404, errors.NotFound),
    (409, errors.Conflict), (412, errors.PreconditionFailed), (422, errors.ValidationFailed),
    (418, errors.ApiStatusError), (500, errors.ServerError), (503, errors.ServerError),
])
async def test_errors_come_typed_from_one_factory(make_client, status, error_class):
    client = make_client(ScriptedPlatform(failure(status, "X")), max_retries=0)
    with pytest.raises(error_class) as caught:
        await client.contacts.get("con_1")
    assert type(caught.value) is error_class
    assert caught.value.request_id == "req_err"


async def test_409_in_use_is_retried_but_a_real_conflict_is_not(make_client, clock):
    in_use = failure(409, "IDEMPOTENCY_KEY_IN_USE", headers={"Retry-After": "1"})
    platform = ScriptedPlatform(in_use, envelope(contact()))
    client = make_client(platform)
    await client.contacts.create({"name": "Ada"})
    assert len(platform.requests) == 2
    assert clock.sleeps == [1.0]

    taken = ScriptedPlatform(failure(409, "CONFLICT", "email taken", {"field": "email"}))
    client = make_client(taken)
    with pytest.raises(errors.Conflict) as caught:
        await client.contacts.create({"name": "Ada", "email": "a@example.com"})
    assert caught.value.details == {"field": "email"}
    assert len(taken.requests) == 1


async def test_validation_errors_carry_per_field_messages(make_client):
    details = {"fields": [{"field": "email", "message": "not an email"}, {"field": "name", "message": "required"}]}
    client = make_client(ScriptedPlatform(failure(422, "VALIDATION_ERROR", "invalid", details)))
    with pytest.raises(errors.ValidationFailed) as caught:
        await client.contacts.create({"name": "x", "email": "nope"})
    assert caught.value.fields == {"email": "not an email", "name": "required"}


@pytest.mark.parametrize(("retry_after", "expected_sleep"), [("3", 3.0), ("0", 0.0), ("12", 12.0)])
async def test_429_waits_exactly_as_told(make_client, clock, retry_after, expected_sleep):
    platform = ScriptedPlatform(failure(429, "RATE_LIMITED", headers={"Retry-After": retry_after}),
                                envelope(contact()))
    client = make_client(platform)
    await client.contacts.get("con_1")
    assert expected_sleep in clock.sleeps
    assert sum(clock.sleeps) == pytest.approx(expected_sleep)


async def test_429_with_an_http_date_waits_until_that_moment(make_client, clock):
    moment = datetime.fromtimestamp(clock.now + 20, UTC)
    platform = ScriptedPlatform(failure(429, "RATE_LIMITED", headers={"Retry-After": format_datetime(moment, usegmt=True)}),
                                envelope(contact()))
    client = make_client(platform)
    await client.contacts.get("con_1")
    assert sum(clock.sleeps) == pytest.approx(20.0)


async def test_retry_after_beyond_the_cap_is_not_waited_out(make_client, clock):
    platform = ScriptedPlatform(failure(429, "RATE_LIMITED", headers={"Retry-After": "3600"}), envelope(contact()))
    client = make_client(platform)
    with pytest.raises(errors.RateLimited) as caught:
        await client.contacts.get("con_1")
    assert caught.value.retry_after == 3600.0
    assert len(platform.requests) == 1
    assert clock.sleeps == []


async def test_rate_limit_waits_have_their_own_budget(make_client, clock):
    told = failure(429, "RATE_LIMITED", headers={"Retry-After": "1"})
    platform = ScriptedPlatform(*([told] * 10), envelope(contact()))
    client = make_client(platform, max_retries=2)
    await client.contacts.get("con_1")
    assert len(platform.requests) == 11


async def test_a_429_holds_every_other_call_of_the_client_until_the_window_ends(make_client, clock):
    sent_at: list[tuple[str, float]] = []
    told_once = []

    def platform(request: httpx.Request) -> httpx.Response:
        sent_at.append((request.url.path, clock.now))
        if request.url.path.endswith("con_1") and not told_once:
            told_once.append(True)
            return failure(429, "RATE_LIMITED", headers={"Retry-After": "5"})
        return envelope(contact())

    client = make_client(platform)
    await client.contacts.get("con_1")
    await client.contacts.get("con_2")
    first_429_at = sent_at[0][1]
    assert all(at >= first_429_at + 5 for _, at in sent_at[1:])


async def test_a_write_keeps_one_idempotency_key_across_retries(make_client):
    platform = ScriptedPlatform(failure(503, "X"), httpx.ReadError("reset"), failure(502, "X"), envelope(contact()))
    client = make_client(platform)
    await client.contacts.create(models.ContactCreate(name="Ada"))
    keys = [r.headers["Idempotency-Key"] for r in platform.requests]
    assert len(keys) == 4 and len(set(keys)) == 1 and keys[0]
    await client.contacts.create({"name": "Grace"})
    assert platform.requests[-1].headers["Idempotency-Key"] != keys[0]


async def test_the_callers_idempotency_key_wins(make_client):
    platform = ScriptedPlatform(failure(500, "X"), envelope(contact()))
    client = make_client(platform)
    await client.contacts.create({"name": "Ada"}, idempotency_key="import-row-17")
    assert [r.headers["Idempotency-Key"] for r in platform.requests] == ["import-row-17"] * 2


async def test_patch_gets_a_key_and_if_match_reads_the_version(make_client):
    platform = ScriptedPlatform(envelope(contact(version=4)))
    client = make_client(platform)
    await client.contacts.update("con_1", {"notes": None}, if_match=3)
    request = platform.requests[0]
    assert request.method == "PATCH"
    assert request.headers["If-Match"] == '"3"'
    assert request.headers["Idempotency-Key"]
    assert platform.bodies()[0] == {"notes": None}, "only the fields set are sent; None clears"


async def test_reads_carry_no_idempotency_key(make_client):
    platform = ScriptedPlatform(envelope([contact()], next_cursor=None))
    client = make_client(platform)
    await client.contacts.list(query="ada", tag=None, limit=5)
    request = platform.requests[0]
    assert "Idempotency-Key" not in request.headers
    assert dict(request.url.params) == {"query": "ada", "limit": "5"}


async def test_a_delete_whose_answer_was_lost_is_done_when_the_retry_finds_it_gone(make_client):
    platform = ScriptedPlatform(httpx.ReadError("reset after the server acted"), failure(404, "NOT_FOUND"))
    client = make_client(platform)
    assert await client.contacts.delete("con_1") is None
    plain = ScriptedPlatform(failure(404, "NOT_FOUND"))
    with pytest.raises(errors.NotFound):
        await make_client(plain).contacts.delete("con_1")


async def test_rate_limit_state_follows_the_headers_and_notifies(make_client):
    headers = {"X-RateLimit-Limit": "600", "X-RateLimit-Remaining": "599", "X-RateLimit-Reset": "1800000060"}
    platform = ScriptedPlatform(envelope(contact(), headers=headers),
                                envelope(contact(), headers={**headers, "X-RateLimit-Remaining": "598"}))
    client = make_client(platform)
    seen: list[int] = []
    unsubscribe = client.rate_limit.subscribe(lambda state: seen.append(state.remaining))
    await client.contacts.get("con_1")
    assert (client.rate_limit.limit, client.rate_limit.remaining) == (600, 599)
    assert client.rate_limit.reset_at == datetime.fromtimestamp(1800000060, UTC)
    unsubscribe()
    await client.contacts.get("con_1")
    assert client.rate_limit.remaining == 598
    assert seen == [599]


async def test_unknown_fields_from_the_server_are_kept(make_client):
    client = make_client(ScriptedPlatform(envelope(contact(loyalty_tier="gold"))))
    result = await client.contacts.get("con_1")
    assert result.model_extra == {"loyalty_tier": "gold"}


async def test_a_typo_in_a_body_is_refused_before_sending(make_client):
    platform = ScriptedPlatform(envelope(contact()))
    client = make_client(platform)
    with pytest.raises(ValueError, match="name"):
        await client.contacts.create({"email": "a@example.com"})
    assert platform.requests == []


async def test_pages_follow_the_cursor_to_the_end(make_client):
    def platform(request: httpx.Request) -> httpx.Response:
        cursor = request.url.params.get("cursor")
        number = int(cursor or 0)
        nxt = str(number + 2) if number < 4 else None
        return envelope([contact(number), contact(number + 1)], next_cursor=nxt)

    client = make_client(platform)
    page = await client.contacts.list(limit=2)
    assert page.has_next and page.next_cursor == "2"
    second = await page.next_page()
    assert [c.id for c in second.items] == ["con_2", "con_3"]
    ids = [c.id async for c in client.contacts.iterate(limit=2)]
    assert ids == [f"con_{n}" for n in range(6)]
    last = await second.next_page()
    assert not last.has_next and last.next_cursor is None
    assert await last.next_page() is None


async def test_cancelling_a_call_mid_request_leaves_the_client_usable(make_client):
    release = asyncio.Event()
    started = asyncio.Event()

    async def platform(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("con_slow"):
            started.set()
            await release.wait()
        return envelope(contact())

    client = make_client(platform)
    task = asyncio.ensure_future(client.contacts.get("con_slow"))
    await asyncio.wait_for(started.wait(), 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert (await client.contacts.get("con_1")).id == "con_1"


async def test_a_2xx_that_breaks_the_contract_is_a_clear_error_without_values(make_client):
    leaky = contact()
    del leaky["name"]
    leaky["version"] = "opk_live_" + "S" * 40
    client = make_client(ScriptedPlatform(envelope(leaky)))
    with pytest.raises(errors.UnexpectedResponse) as caught:
        await client.contacts.get("con_1")
    message = str(caught.value)
    assert "GET /contacts/con_1" in message and "data.name" in message and "data.version" in message
    assert "SSSS" not in message

    html = make_client(ScriptedPlatform(httpx.Response(200, text="<html>captive portal</html>")))
    with pytest.raises(errors.UnexpectedResponse, match="does not fit the contract"):
        await html.contacts.list()
