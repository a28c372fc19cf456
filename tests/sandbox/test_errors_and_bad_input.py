"""Every kind of bad input gets the contract's 4xx envelope naming the problem, never a 500."""

from __future__ import annotations

import httpx
import pytest

from tests.sandbox.conftest import assert_error


def test_every_answer_carries_the_request_id_in_header_and_body(owner: httpx.Client) -> None:
    ok = owner.get("workspace")
    assert ok.headers["X-Request-Id"].startswith("req_")
    assert ok.json()["request_id"] == ok.headers["X-Request-Id"]
    assert_error(owner.get("contacts/con_nope"), 404, "NOT_FOUND")


def test_unknown_route_and_wrong_method(owner: httpx.Client) -> None:
    assert_error(owner.get("no-such-thing"), 404, "NOT_FOUND")
    assert_error(owner.put("contacts"), 405, "METHOD_NOT_ALLOWED")


@pytest.mark.parametrize("header,reason", [
    (None, "missing"),
    ("Bearer opk_live_" + "x" * 40, "invalid"),
    ("Basic dXNlcjpwYXNz", "invalid"),
    ("Bearer", "invalid"),
])
def test_bad_credentials_are_401_with_the_reason(sandbox, header, reason) -> None:
    headers = {"Authorization": header} if header is not None else {}
    response = httpx.get(sandbox.url + "/contacts", headers=headers)
    details = assert_error(response, 401, "UNAUTHORIZED")
    assert details["reason"] == reason


def test_malformed_json_is_400(owner: httpx.Client) -> None:
    response = owner.post("contacts", content=b'{"name": "Ada",', headers={"Content-Type": "application/json"})
    details = assert_error(response, 400, "INVALID_REQUEST")
    assert details["fields"][0]["field"] == "body"


@pytest.mark.parametrize("body,field", [
    ({}, "name"),
    ({"name": ""}, "name"),
    ({"name": "   "}, "name"),
    ({"name": "x" * 201}, "name"),
    ({"name": 42}, "name"),
    ({"name": "A", "email": "not-an-email"}, "email"),
    ({"name": "A", "tags": "vip"}, "tags"),
    ({"name": "A", "tags": ["x" * 51]}, "tags[0]"),
    ({"name": "A", "custom_fields": {"k": {"nested": 1}}}, "custom_fields.k"),
    ({"name": "A", "notes": "n" * 10_001}, "notes"),
    ({"name": "A", "colour": "red"}, "colour"),
])
def test_schema_violations_are_422_naming_the_field(owner: httpx.Client, body, field) -> None:
    details = assert_error(owner.post("contacts", json=body), 422, "VALIDATION_ERROR")
    assert any(f["field"] == field or f["field"].startswith(field) for f in details["fields"]), details


def test_a_json_array_body_is_422_not_500(owner: httpx.Client) -> None:
    assert_error(owner.post("contacts", json=[1, 2]), 422, "VALIDATION_ERROR")


@pytest.mark.parametrize("params,field", [
    ({"limit": 0}, "limit"),
    ({"limit": 101}, "limit"),
    ({"limit": "ten"}, "limit"),
    ({"cursor": "garbage"}, "cursor"),
    ({"updated_since": "yesterday"}, "updated_since"),
])
def test_bad_query_values_are_400_naming_the_parameter(owner: httpx.Client, params, field) -> None:
    details = assert_error(owner.get("contacts", params=params), 400, "INVALID_REQUEST")
    assert details["fields"][0]["field"] == field


def test_a_tampered_cursor_is_400(owner: httpx.Client) -> None:
    cursor = owner.get("contacts", params={"limit": 2}).json()["next_cursor"]
    body, mac = cursor.split(".")
    tampered = ("A" if body[0] != "A" else "B") + body[1:] + "." + mac
    details = assert_error(owner.get("contacts", params={"cursor": tampered}), 400, "INVALID_REQUEST")
    assert details["fields"][0]["field"] == "cursor"


def test_oversize_and_odd_ids_are_4xx(owner: httpx.Client) -> None:
    assert_error(owner.get("contacts/" + "c" * 65), 400, "INVALID_REQUEST")
    assert_error(owner.get("contacts/con_%00%27%3B"), 404, "NOT_FOUND")
    assert_error(owner.get("events", params={"type": "contact.exploded"}), 400, "INVALID_REQUEST")
