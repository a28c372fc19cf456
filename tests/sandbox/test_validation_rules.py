"""The rules the OpenAPI document states are the rules the server enforces: each documented pattern
accepts exactly what its validator accepts, so a client (or a fuzzer) that builds a request from
the document is never refused for a value the document allowed, and never gets away with one it
forbade."""

from __future__ import annotations

import ipaddress
import re
import string
from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from app.sandbox import validation
from app.sandbox.validation import (
    WEBHOOK_URL_PATTERN,
    Date,
    DateTime,
    Domain,
    Email,
    Name,
    Url,
    WebhookUrl,
    parse_date_time,
    whole,
)

RELAXED = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))


def _accepts(annotation, value) -> bool:
    class Probe(BaseModel):
        field: annotation  # type: ignore[valid-type]

    try:
        Probe(field=value)
    except ValidationError:
        return False
    return True


def _documented(annotation) -> dict:
    class Probe(BaseModel):
        field: annotation  # type: ignore[valid-type]

    return Probe.model_json_schema()["properties"]["field"]


def _document_admits(schema: dict, value: str) -> bool:
    return (schema.get("minLength", 0) <= len(value) <= schema.get("maxLength", 10**9)
            and (not schema.get("pattern") or re.search(schema["pattern"], value) is not None))


#: Text that is near the rules: URL-ish, mail-ish, host-ish pieces and odd characters.
_PIECES = st.sampled_from(["http://", "https://", "HTTP://", "ftp://", "@", ".", "..", "-", "a", "Z9", "[", "]",
                           "::1", "1.2.3.4", ":8080", "/", "?q=1", "#f", " ", "\t", "\x1c", "é", "ß", "example",
                           "com", "_", "%20", "x" * 63, "y" * 64])
NEAR_MISSES = st.lists(_PIECES, max_size=8).map("".join) | st.text(max_size=40)


@pytest.mark.parametrize("annotation", [Email, Domain, Url, Name, WebhookUrl], ids=["email", "domain", "url", "name", "webhook_url"])
@RELAXED
@given(data=st.data())
def test_a_documented_pattern_accepts_exactly_what_the_server_accepts(annotation, data) -> None:
    schema = _documented(annotation)
    assert schema.get("pattern"), "every string rule is stated as a pattern"
    generated = st.from_regex(schema["pattern"], fullmatch=False).filter(lambda v: _document_admits(schema, v))
    value = data.draw(generated | NEAR_MISSES)
    assert _accepts(annotation, value) == _document_admits(schema, value), value


@RELAXED
@given(st.from_regex(WEBHOOK_URL_PATTERN, fullmatch=True))
def test_every_url_the_webhook_pattern_admits_has_an_http_scheme_and_a_host(url: str) -> None:
    parts = urlsplit(url)
    assert parts.scheme in ("http", "https") and parts.hostname, url


@RELAXED
@given(st.ip_addresses(v=6))
def test_the_webhook_pattern_takes_every_ipv6_literal(address: ipaddress.IPv6Address) -> None:
    for text in (str(address), address.exploded):
        assert _accepts(WebhookUrl, f"http://[{text}]:8080/hook"), text
    assert not _accepts(WebhookUrl, "http://[::1::2]/hook")


@RELAXED
@given(st.datetimes(), st.integers(-1439, 1439), st.sampled_from(["T", "t"]), st.integers(0, 6))
def test_every_rfc3339_date_time_is_accepted_and_means_the_same_moment(naive: datetime, offset_minutes: int,
                                                                        separator: str, digits: int) -> None:
    moment = naive.replace(tzinfo=timezone(timedelta(minutes=offset_minutes)))
    text = moment.isoformat(sep=separator, timespec="microseconds")
    if digits < 6:
        text = text[:20 + digits].rstrip(".") + text[26:]
    text = text.replace("+00:00", "Z") if moment.utcoffset() is not None and not moment.utcoffset() else text
    assert _accepts(DateTime, text), text
    parsed = parse_date_time(text)
    expected = moment.replace(microsecond=int(str(moment.microsecond).zfill(6)[:digits].ljust(6, "0")))
    assert parsed == expected.astimezone(UTC) or parsed.year in (1, 9999), text


@pytest.mark.parametrize("text", ["2026-04-07T12:00:00", "2026-04-07", "2026-04-07 12:00:00Z", "20260407T120000Z",
                                  "2026-04-07T24:00:00Z", "2026-02-30T00:00:00Z", "2026-04-07T12:00:00+24:00",
                                  "yesterday", "1712491200"])
def test_anything_else_is_not_a_date_time(text: str) -> None:
    assert not _accepts(DateTime, text)


def test_a_leap_second_reads_as_the_second_before_it() -> None:
    assert parse_date_time("2016-12-31T23:59:60Z") == datetime(2016, 12, 31, 23, 59, 59, tzinfo=UTC)


@pytest.mark.parametrize("value,accepted", [("2026-04-07", True), ("2024-02-29", True), ("2026-02-29", False),
                                            ("20260407", False), ("2026-W14-2", False), (20260407, False)])
def test_dates_are_rfc3339_full_dates(value, accepted: bool) -> None:
    assert _accepts(Date, value) is accepted
    assert _documented(Date)["format"] == "date"


@pytest.mark.parametrize("value,accepted", [(3, True), (3.0, True), (1e3, True), (3.5, False), (True, False),
                                            ("3", False), (None, False), (1001, False), (0, False)])
def test_whole_numbers_take_integral_json_numbers_only(value, accepted: bool) -> None:
    assert _accepts(whole(ge=1, le=1000), value) is accepted
    assert _documented(whole(ge=1, le=1000)) == {"type": "integer", "minimum": 1, "maximum": 1000, "title": "Field"}


def test_the_not_blank_rule_is_python_s_notion_of_white_space() -> None:
    for char in string.whitespace + "\x1c\x1d\x1e\x1f\x85\xa0\u2028\u3000":
        assert not _accepts(Name, char * 3), repr(char)
        assert re.search(validation.NOT_BLANK_PATTERN, char) is None
    assert _accepts(Name, " a ")
