"""Records, curl and HAR never carry a secret; bodies are bounded; HAR is well-formed 1.2."""

from __future__ import annotations

import json

import httpx
import pytest

from app.api import constants
from app.api.export import to_curl, to_har
from app.api.redaction import mask_body, mask_header_value, mask_url
from tests.api.conftest import ScriptedPlatform, contact, envelope, failure

KEY = "opk_live_" + "Q" * 40
WHSEC = "whsec_" + "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0"


@pytest.mark.parametrize(("body", "secret"), [
    ({"secret": "anything-at-all"}, "anything-at-all"),
    ({"signing_secret": "shh-123"}, "shh-123"),
    ({"password": "correct horse"}, "correct horse"),
    ({"nested": {"refresh_token": "rt_abc"}}, "rt_abc"),
    ({"access_token": "at_xyz", "token_type": "bearer"}, "at_xyz"),
    ({"note": f"my key is {KEY}"}, KEY),
    ({"note": f"sign with {WHSEC} please"}, WHSEC),
    ({"PASSWORD": "upper"}, "upper"),
    ({"password": 'with "quotes" inside'}, "quotes"),
])
def test_secret_fields_and_token_shapes_are_masked_in_bodies(body, secret):
    masked = mask_body(json.dumps(body).encode())
    assert secret not in masked
    assert constants.REDACTED in masked


def test_display_prefixes_and_ordinary_fields_stay_readable():
    body = {"prefix": "opk_live_aOMS", "signing_secret_preview": "whsec_MZ2Q…KpDm", "token_type": "bearer",
            "name": "Ada", "refresh_token": None}
    assert json.loads(mask_body(json.dumps(body).encode())) == body


@pytest.mark.parametrize("cut", range(1, 60, 3))
def test_a_secret_cut_by_truncation_is_still_masked(cut):
    body = json.dumps({"name": "x" * 10, "secret": KEY, "note": KEY}).encode()
    masked = mask_body(body, limit=len(b'{"name": "xxxxxxxxxx", "secret": "') + cut)
    assert "Q" * 8 not in masked


def test_long_bodies_are_cut_to_the_bound():
    masked = mask_body(b"a" * 100_000)
    assert masked.startswith("a" * constants.RECORD_BODY_LIMIT_BYTES)
    assert len(masked) < constants.RECORD_BODY_LIMIT_BYTES + 40
    assert masked.endswith(f"[{100_000 - constants.RECORD_BODY_LIMIT_BYTES} more bytes]")


@pytest.mark.parametrize(("name", "value", "expected"), [
    ("Authorization", f"Bearer {KEY}", "Bearer [REDACTED]"),
    ("authorization", "Basic dXNlcjpwYXNz", "Basic [REDACTED]"),
    ("Cookie", "session=abc", "[REDACTED]"),
    ("X-Internal-Key", "bbas_123", "[REDACTED]"),
    ("X-Echo", f"{KEY}", "[REDACTED]"),
    ("Content-Type", "application/json", "application/json"),
])
def test_credential_headers_and_secret_looking_values_are_masked(name, value, expected):
    assert mask_header_value(name, value) == expected


def test_secret_query_parameters_are_masked():
    assert mask_url("http://h/v1/x?password=hunter2&limit=5") == "http://h/v1/x?password=[REDACTED]&limit=5"


async def test_every_exchange_is_recorded_with_its_attempt_and_the_same_key(make_client):
    platform = ScriptedPlatform(failure(503, "X"), httpx.ReadError("reset"), envelope(contact(), request_id="req_ok"))
    client = make_client(platform)
    records = []
    remove = client.add_request_listener(records.append)
    await client.contacts.create({"name": "Ada", "custom_fields": {"password": "hunter2"}})
    assert [r.attempt for r in records] == [1, 2, 3]
    assert [r.status for r in records] == [503, None, 200]
    assert records[1].error == "ReadError"
    assert len({r.idempotency_key for r in records}) == 1 and records[0].idempotency_key
    assert records[2].request_id == "req_ok"
    assert records[2].request_size == len(platform.requests[2].content)
    assert records[2].response_size > 0 and records[2].duration_ms >= 0
    assert all("hunter2" not in r.request_body for r in records)
    assert all(dict(r.request_headers)["authorization"] == "Bearer [REDACTED]" for r in records)
    remove()
    await client.contacts.get("con_1")
    assert len(records) == 3


async def test_a_listener_that_raises_does_not_break_the_call(make_client):
    client = make_client(ScriptedPlatform(envelope(contact())))

    def broken(record):
        raise RuntimeError("viewer bug")

    client.add_request_listener(broken)
    assert (await client.contacts.get("con_1")).id == "con_1"


async def test_curl_and_har_render_the_exchange_without_the_secret(make_client):
    platform = ScriptedPlatform(envelope(contact()))
    client = make_client(platform)
    records = []
    client.add_request_listener(records.append)
    await client.contacts.create({"name": "O'Brien"}, idempotency_key="k-1")
    curl = to_curl(records[0])
    assert curl.startswith("curl -X POST http://platform.test/v1/contacts \\\n")
    assert '"Authorization: Bearer $OPSDESK_TOKEN"' in curl
    assert "'idempotency-key: k-1'" in curl
    assert "--data-raw '{\"name\":\"O'\"'\"'Brien\"}'" in curl, "the body is shell-quoted"
    assert "opk_test_" not in curl

    har = to_har(records)
    entry = har["log"]["entries"][0]
    assert har["log"]["version"] == "1.2" and har["log"]["creator"]["name"] == "opsdesk"
    assert entry["request"]["method"] == "POST" and entry["response"]["status"] == 200
    assert entry["request"]["postData"]["mimeType"] == "application/json"
    assert json.loads(entry["response"]["content"]["text"])["data"]["id"] == "con_1"
    assert entry["startedDateTime"].endswith("Z")
    for key in ("startedDateTime", "time", "request", "response", "cache", "timings"):
        assert key in entry
    for key in ("method", "url", "httpVersion", "cookies", "headers", "queryString", "headersSize", "bodySize"):
        assert key in entry["request"]
    assert "opk_test_" not in json.dumps(har)


async def test_curl_of_a_truncated_body_leaves_the_body_out_and_says_so(make_client):
    client = make_client(ScriptedPlatform(envelope(contact())))
    records = []
    client.add_request_listener(records.append)
    await client.contacts.create({"name": "Long notes", "notes": "x" * 10_000})
    curl = to_curl(records[0])
    first_line, _, command = curl.partition("\n")
    assert first_line.startswith("# The request body was truncated when recorded (")
    assert "more bytes not kept" in first_line
    assert command.startswith("curl -X POST http://platform.test/v1/contacts")
    assert "--data-raw" not in command and "xxxx" not in curl
